package io.minikafka.kafka;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real Apache Kafka cluster in KRaft mode, started in this JVM by Kafka's own test kit: brokers
 * and a controller on loopback with free ports, data in a temporary directory deleted on close.
 */
public final class EmbeddedKafka implements AutoCloseable {

  private final KafkaClusterTestKit cluster;

  private EmbeddedKafka(KafkaClusterTestKit cluster) {
    this.cluster = cluster;
  }

  /** One broker (and one controller), set up so that one broker is enough. */
  public static EmbeddedKafka start() throws Exception {
    return start(1, Map.of());
  }

  /**
   * {@code brokers} brokers and one controller; internal topics replicated to as many brokers as
   * there are, up to three. {@code extra} broker settings override the test defaults.
   */
  public static EmbeddedKafka start(int brokers, Map<String, String> extra) throws Exception {
    Path directory = Files.createTempDirectory("minikafka-kafka-");
    String replication = Integer.toString(Math.min(3, brokers));
    KafkaClusterTestKit.Builder builder =
        new KafkaClusterTestKit.Builder(
                new TestKitNodes.Builder()
                    .setNumBrokerNodes(brokers)
                    .setNumControllerNodes(1)
                    .setBaseDirectory(directory)
                    .build())
            .setConfigProp("offsets.topic.replication.factor", replication)
            .setConfigProp("offsets.topic.num.partitions", "1")
            .setConfigProp("transaction.state.log.replication.factor", replication)
            .setConfigProp("transaction.state.log.min.isr", "1")
            .setConfigProp("group.initial.rebalance.delay.ms", "0")
            .setConfigProp("auto.create.topics.enable", "false")
            // Tests stamp messages with a hand-moved clock: Kafka's own retention must not act. The
            // interval alone does not stop it: its first pass runs after log.initial.task.delay.ms
            // (30 s), and finding a topic's only segment expired it rolls and deletes it, moving
            // the
            // topic's start under a test that runs late in the suite.
            .setConfigProp("log.retention.check.interval.ms", Long.toString(Long.MAX_VALUE / 2))
            .setConfigProp("log.initial.task.delay.ms", Long.toString(Long.MAX_VALUE / 4));
    extra.forEach(builder::setConfigProp);
    KafkaClusterTestKit cluster = builder.setDeleteOnClose(true).build();
    try {
      cluster.format();
      cluster.startup();
      cluster.waitForReadyBrokers();
    } catch (Exception e) {
      cluster.close();
      throw e;
    }
    return new EmbeddedKafka(cluster);
  }

  public String bootstrap() {
    return cluster.bootstrapServers();
  }

  /** The test kit itself, for faults: stopping a broker, finding a leader. */
  public KafkaClusterTestKit cluster() {
    return cluster;
  }

  @Override
  public void close() throws Exception {
    cluster.close();
  }
}
