package io.minikafka.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.minikafka.broker.server.MiniKafkaServer;
import io.minikafka.broker.store.memory.MemoryStore;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Builders for the clients, in any order, and failures told apart by a MiniKafka error code. */
class BuildersTest {

  private MiniKafkaServer server;
  private String host;

  @BeforeEach
  void start() throws Exception {
    server = MiniKafkaServer.start(new MemoryStore(), "127.0.0.1:0", Duration.ofHours(1));
    host = "127.0.0.1:" + server.port();
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  @Test
  void builtClientsTalkToTheServerWhateverTheOrderOfTheirSettings() {
    try (Producer producer =
            Producer.builder()
                .linger(Duration.ofMillis(1))
                .topic("t")
                .timeout(Duration.ofSeconds(10))
                .host(host)
                .build();
        Consumer consumer =
            Consumer.builder().startAt(StartAt.number(2)).host(host).topic("t").build();
        Consumer named = Consumer.builder().host(host).topic("t").group("g").build();
        Admin admin = Admin.builder().timeout(Duration.ofSeconds(10)).host(host).build()) {
      producer.sendAsync("one".getBytes(UTF_8));
      producer.sendAsync("two".getBytes(UTF_8));
      producer.flush();

      assertThat(consumer.poll().messages())
          .extracting(m -> new String(m.payload(), UTF_8))
          .containsExactly("two");
      assertThat(named.poll().messages()).hasSize(2);
      named.commit();
      assertThat(admin.topics()).containsExactly("t");
      assertThat(admin.describe("t").nextNumber()).isEqualTo(3);
    }
  }

  @Test
  void producersAndNamedConsumersReportTheirWorkToMicrometer() {
    io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
        new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    MicrometerClientMetrics metrics = new MicrometerClientMetrics(registry);
    try (Producer producer = Producer.builder().host(host).topic("m").metrics(metrics).build();
        Producer refused =
            Producer.builder().host(host).topic("bad\u0001topic").metrics(metrics).build();
        Consumer consumer =
            Consumer.builder().host(host).topic("m").group("g").metrics(metrics).build()) {
      for (int i = 0; i < 10; i++) {
        producer.sendAsync(new byte[] {(byte) i});
      }
      producer.flush();
      producer.sendMessage(new byte[] {10});
      assertThatThrownBy(() -> refused.sendAsync(new byte[] {1}).join());

      assertThat(registry.get("minikafka.client.sent").tag("topic", "m").counter().count())
          .isEqualTo(11);
      assertThat(registry.get("minikafka.client.acknowledged").tag("topic", "m").counter().count())
          .isEqualTo(11);
      assertThat(
              registry
                  .get("minikafka.client.failed")
                  .tag("topic", "bad\u0001topic")
                  .counter()
                  .count())
          .isEqualTo(1);
      assertThat(registry.get("minikafka.client.batch.size").tag("topic", "m").summary().count())
          .isPositive();

      consumer.poll();
      assertThat(
              registry
                  .get("minikafka.client.consumer.lag")
                  .tags("topic", "m", "consumer", "g")
                  .gauge()
                  .value())
          .isZero();
    }
  }

  @Test
  void aBuilderWithoutATopicSaysWhatIsMissing() {
    assertThatThrownBy(() -> Producer.builder().host(host).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("topic is needed: call .topic(...) before build()");
    assertThatThrownBy(() -> Consumer.builder().host(host).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("topic is needed: call .topic(...) before build()");
    assertThatThrownBy(() -> Admin.builder().host("no port").build())
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void failuresAreToldApartByAMiniKafkaErrorCode() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    try (Consumer unknown = Consumer.builder().host(host).topic("missing").build();
        Producer invalid = Producer.builder().host(host).topic("bad\u0001name").build();
        Admin unreachable = Admin.builder().host("127.0.0.1:" + closedPort).build()) {
      assertThatThrownBy(unknown::poll)
          .isInstanceOfSatisfying(
              MiniKafkaException.class,
              e -> assertThat(e.errorCode()).isEqualTo(MiniKafkaException.ErrorCode.UNKNOWN_TOPIC));
      assertThatThrownBy(() -> invalid.sendMessage("x".getBytes(UTF_8)))
          .isInstanceOfSatisfying(
              MiniKafkaException.class,
              e ->
                  assertThat(e.errorCode())
                      .isEqualTo(MiniKafkaException.ErrorCode.INVALID_ARGUMENT));
      assertThatThrownBy(unreachable::topics)
          .isInstanceOfSatisfying(
              MiniKafkaException.class,
              e -> assertThat(e.errorCode()).isEqualTo(MiniKafkaException.ErrorCode.UNAVAILABLE));
    }
  }
}
