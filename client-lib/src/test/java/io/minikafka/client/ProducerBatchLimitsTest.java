package io.minikafka.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.minikafka.broker.config.ServerConfig;
import io.minikafka.broker.server.MiniKafkaServer;
import io.minikafka.broker.store.PollLimits;
import io.minikafka.broker.store.memory.MemoryStore;
import io.minikafka.protocol.Endpoint;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Batches never exceed what the server accepts in one request, as Kafka's max.request.size is
 * checked per record before it joins a batch: a message that fits alone goes alone, and a message
 * over the server's limit fails alone, before it is sent.
 */
class ProducerBatchLimitsTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private MemoryStore store;
  private MiniKafkaServer server;

  @AfterEach
  void stop() throws IOException {
    server.close();
  }

  private String start(ServerConfig config) throws IOException {
    store = new MemoryStore();
    server =
        MiniKafkaServer.start(
            store,
            config.toBuilder().host(Endpoint.parse("127.0.0.1:0")).build(),
            Clock.systemUTC());
    return "127.0.0.1:" + server.port();
  }

  @Test
  void aLargeMessageAfterASmallerOneGoesInABatchOfItsOwnAndBothAreStored() throws Exception {
    String host = start(ServerConfig.defaults());
    try (Producer producer =
        new Producer(
            "t", TIMEOUT, host, ProducerOptions.DEFAULTS.withLinger(Duration.ofMillis(200)))) {
      CompletableFuture<Long> small = producer.sendAsync(new byte[200 * 1024]);
      CompletableFuture<Long> large =
          producer.sendAsync(new byte[ServerConfig.DEFAULT_MAX_MESSAGE_BYTES]);
      producer.flush();
      assertThat(small.get(30, TimeUnit.SECONDS)).isEqualTo(1);
      assertThat(large.get(30, TimeUnit.SECONDS)).isEqualTo(2);
    }
    assertThat(store.poll("t", 1, PollLimits.UNLIMITED).messages()).hasSize(2);
  }

  @Test
  void aMessageOverTheServersLimitFailsAloneAndItsNeighboursAreStored() throws Exception {
    String host = start(ServerConfig.builder().maxMessageBytes(1000).build());
    try (Producer producer =
        new Producer(
            "t", TIMEOUT, host, ProducerOptions.DEFAULTS.withLinger(Duration.ofMillis(200)))) {
      CompletableFuture<Long> before = producer.sendAsync(new byte[200]);
      CompletableFuture<Long> tooLarge = producer.sendAsync(new byte[70 * 1024]);
      CompletableFuture<Long> after = producer.sendAsync(new byte[200]);
      producer.flush();

      assertThatThrownBy(() -> tooLarge.get(30, TimeUnit.SECONDS))
          .cause()
          .isInstanceOfSatisfying(
              MiniKafkaException.class,
              e -> {
                assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                assertThat(e.getMessage())
                    .contains("71680 bytes", "1000 bytes", "MINIKAFKA_MAX_MESSAGE_BYTES");
              });
      assertThat(before.get(30, TimeUnit.SECONDS)).isEqualTo(1);
      assertThat(after.get(30, TimeUnit.SECONDS)).isEqualTo(2);
      assertThatThrownBy(() -> producer.sendMessage(new byte[1001]))
          .isInstanceOfSatisfying(
              MiniKafkaException.class,
              e -> assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT));
    }
    assertThat(store.poll("t", 1, PollLimits.UNLIMITED).messages()).hasSize(2);
  }
}
