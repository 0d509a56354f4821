package io.minikafka.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.minikafka.client.MiniKafkaException;
import io.minikafka.client.Producer;
import io.minikafka.kafka.EmbeddedKafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.Test;

/**
 * A gateway over a replicated Kafka cluster (three brokers, replication 3, {@code
 * min.insync.replicas=2}) loses no acknowledged message when the broker leading its topic stops
 * while producers write, and producing goes on after the failover.
 */
class ReplicatedKafkaIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final int PRODUCERS = 3;

  private final Map<Long, String> acknowledged = new ConcurrentHashMap<>();
  private final AtomicInteger failedSends = new AtomicInteger();
  private final AtomicBoolean stop = new AtomicBoolean();

  @Test
  void stoppingTheLeadingBrokerLosesNoAcknowledgedMessageAndProducingGoesOn() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start(3, Map.of("min.insync.replicas", "2"));
        Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrap()))) {
      Map<String, String> env = new HashMap<>();
      env.put("MINIKAFKA_KAFKA_BOOTSTRAP", kafka.bootstrap());
      env.put("MINIKAFKA_KAFKA_REPLICATION", "3");
      try (ServerProcess gateway = ServerProcess.start(env)) {
        List<Thread> producers = new ArrayList<>();
        for (int p = 0; p < PRODUCERS; p++) {
          String prefix = "p" + p + "-";
          Thread producer = new Thread(() -> produceUntilStopped(gateway.host(), prefix));
          producer.start();
          producers.add(producer);
        }
        try {
          await("acknowledged before the failover")
              .atMost(Duration.ofSeconds(60))
              .until(() -> acknowledged.size() >= 600);

          TopicDescription topic =
              admin
                  .describeTopics(List.of("minikafka.replicated"))
                  .allTopicNames()
                  .get()
                  .get("minikafka.replicated");
          assertThat(topic.partitions().get(0).replicas()).hasSize(3);
          int leader = topic.partitions().get(0).leader().id();
          kafka.cluster().brokers().get(leader).shutdown();
          int atFailover = acknowledged.size();

          await("producing goes on after the failover")
              .atMost(Duration.ofSeconds(90))
              .until(() -> acknowledged.size() >= atFailover + 600);
          TopicDescription after =
              admin
                  .describeTopics(List.of("minikafka.replicated"))
                  .allTopicNames()
                  .get()
                  .get("minikafka.replicated");
          assertThat(after.partitions().get(0).leader().id()).isNotEqualTo(leader);
        } finally {
          stop.set(true);
          for (Thread producer : producers) {
            producer.join(TIMEOUT.toMillis() * 2);
          }
        }

        Map<Long, String> read = gateway.readAll("replicated");
        assertThat(read).containsAllEntriesOf(acknowledged);
        System.err.printf(
            "ReplicatedKafkaIT: %d acknowledged (all read back), %d sends failed during the failover,"
                + " %d messages stored%n",
            acknowledged.size(), failedSends.get(), read.size());
        assertThat(gateway.stop()).isZero();
      }
    }
  }

  /** Sends one message at a time, noting what was acknowledged, until told to stop. */
  private void produceUntilStopped(String host, String prefix) {
    try (Producer producer = new Producer("replicated", TIMEOUT, host)) {
      for (int i = 0; i < 200_000 && !stop.get(); i++) {
        String payload = prefix + i;
        try {
          acknowledged.put(producer.sendMessage(payload.getBytes(UTF_8)), payload);
        } catch (MiniKafkaException e) {
          // During the failover a send may time out; it is not acknowledged, so not counted.
          failedSends.incrementAndGet();
        }
      }
    }
  }
}
