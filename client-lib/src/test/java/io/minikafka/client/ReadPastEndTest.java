package io.minikafka.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.minikafka.broker.server.MiniKafkaServer;
import io.minikafka.broker.store.memory.MemoryStore;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A consumer resuming past a topic's end (here: a memory-store server restarted under it) is told
 * so with a distinct exception, instead of polling empty forever while the numbers it waits for are
 * given to new messages it will never see.
 */
class ReadPastEndTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private MiniKafkaServer server;
  private String host;

  @BeforeEach
  void startServer() throws IOException {
    server = MiniKafkaServer.start(new MemoryStore(), "127.0.0.1:0", Duration.ofHours(1));
    host = "127.0.0.1:" + server.port();
    try (Producer producer = new Producer("t", TIMEOUT, host)) {
      producer.sendMessage("one".getBytes(UTF_8));
      producer.sendMessage("two".getBytes(UTF_8));
    }
  }

  @AfterEach
  void stopServer() throws IOException {
    server.close();
  }

  @Test
  void aPollPastTheEndThrowsNamingBothNumbers() {
    try (Consumer consumer = new Consumer("t", 1000, TIMEOUT, host)) {
      assertThatThrownBy(consumer::poll)
          .isInstanceOfSatisfying(
              PositionOutOfRangeException.class,
              e -> {
                assertThat(e.code()).isEqualTo(Status.Code.OUT_OF_RANGE);
                assertThat(e.requested()).isEqualTo(1000);
                assertThat(e.nextNumber()).isEqualTo(3);
                assertThat(e.getMessage()).contains("1000", "3", "'t'");
              });
      consumer.seek(3);
      assertThat(consumer.poll().messages()).isEmpty();
    }
  }

  @Test
  void aSubscriptionPastTheEndThrowsNamingBothNumbersUntilASeek() throws Exception {
    try (Consumer consumer = new Consumer("t", 1000, TIMEOUT, host);
        Subscription subscription = consumer.subscribe()) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      assertThatThrownBy(
              () -> {
                while (System.nanoTime() < deadline) {
                  subscription.poll(Duration.ofMillis(200));
                }
              })
          .isInstanceOfSatisfying(
              PositionOutOfRangeException.class,
              e -> {
                assertThat(e.requested()).isEqualTo(1000);
                assertThat(e.nextNumber()).isEqualTo(3);
              });
      assertThatThrownBy(() -> subscription.poll(Duration.ofMillis(10)))
          .as("until a seek, every poll says so")
          .isInstanceOf(PositionOutOfRangeException.class);

      subscription.seek(2);
      List<Message> got = new ArrayList<>();
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (got.isEmpty() && System.nanoTime() < until) {
        got.addAll(subscription.poll(Duration.ofMillis(200)));
      }
      assertThat(got).extracting(Message::number).containsExactly(2L);
    }
  }
}
