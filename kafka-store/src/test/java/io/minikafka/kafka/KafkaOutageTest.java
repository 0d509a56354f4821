package io.minikafka.kafka;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.minikafka.broker.store.BackingStore;
import io.minikafka.broker.store.PollLimits;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Kafka unreachable at start or mid-run: calls fail naming the cluster, and all comes back. */
class KafkaOutageTest {

  @Test
  void withNoKafkaAtStartCallsFailFastNamingTheBootstrapAndHealthSaysWhy() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    String bootstrap = "127.0.0.1:" + port;
    try (BackingStore store =
        KafkaStore.open(
            KafkaStoreConfig.of(bootstrap).withTimeout(Duration.ofSeconds(3)), Clock.systemUTC())) {
      String expected =
          "Kafka at " + bootstrap + " did not answer in time (is it running and reachable?)";
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> store.health().problems().contains(expected));
      assertThat(store.health().writable()).isFalse();

      long start = System.nanoTime();
      assertThatThrownBy(() -> store.store("t", "x".getBytes(UTF_8)))
          .isInstanceOf(KafkaUnavailableException.class)
          .hasMessageContaining("Kafka at " + bootstrap);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    }
  }

  @Test
  void aBrokerGoneMidRunFailsCallsUntilItReturnsThenAllWorksAgain() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start();
        BackingStore store =
            KafkaStore.open(
                KafkaStoreConfig.of(kafka.bootstrap()).withTimeout(Duration.ofSeconds(5)),
                Clock.systemUTC())) {
      assertThat(store.store("t", "before".getBytes(UTF_8))).isEqualTo(1);
      var broker = kafka.cluster().brokers().values().iterator().next();

      broker.shutdown();
      await().atMost(Duration.ofSeconds(60)).until(() -> !store.health().writable());
      assertThat(store.health().problems())
          .anyMatch(p -> p.contains("Kafka at " + kafka.bootstrap()));
      assertThatThrownBy(() -> store.store("t", "during".getBytes(UTF_8)))
          .isInstanceOf(KafkaUnavailableException.class)
          .hasMessageContaining(kafka.bootstrap());

      broker.startup();
      await().atMost(Duration.ofSeconds(90)).until(() -> store.health().writable());
      await()
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .until(() -> store.store("t", "after".getBytes(UTF_8)) == 2);
      assertThat(store.poll("t", 1, PollLimits.UNLIMITED).messages())
          .extracting(m -> new String(m.payload(), UTF_8))
          .containsExactly("before", "after");
    }
  }
}
