package io.minikafka.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.minikafka.broker.server.MiniKafkaServer;
import io.minikafka.broker.store.GatedStore;
import io.minikafka.broker.store.PollLimits;
import io.minikafka.broker.store.memory.MemoryStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A batch not acknowledged within the timeout ends its stream. That must not race with sends on
 * other threads (a gRPC call is not thread-safe): sends go on, on a new stream, and only what was
 * in flight on the ended one fails.
 */
class ProduceStreamTimeoutTest {

  @Test
  void sendsRacingAnExpiringStreamNeverThrowAndEveryOneEndsStoredOrTimedOut() throws Exception {
    MemoryStore memory = new MemoryStore();
    GatedStore stuck = new GatedStore(memory);
    try (MiniKafkaServer server =
            MiniKafkaServer.start(stuck, "127.0.0.1:0", java.time.Duration.ofHours(1));
        Producer producer =
            new Producer(
                "t",
                Duration.ofMillis(500),
                "127.0.0.1:" + server.port(),
                ProducerOptions.DEFAULTS.withLinger(Duration.ZERO))) {
      CompletableFuture<Long> held = producer.sendAsync(new byte[] {1});
      assertThat(stuck.entered.await(30, TimeUnit.SECONDS)).isTrue();

      List<CompletableFuture<Long>> racing = new ArrayList<>();
      long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500);
      while (System.nanoTime() < until && racing.size() < 20_000) {
        racing.add(producer.sendAsync(new byte[] {2}));
        Thread.onSpinWait();
      }
      assertThatThrownBy(() -> held.get(30, TimeUnit.SECONDS))
          .cause()
          .isInstanceOfSatisfying(
              MiniKafkaException.class,
              e -> assertThat(e.code()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));

      stuck.release.countDown();
      // A send may still meet a stream whose batch timed out while the store was stuck.
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions()
          .until(() -> producer.sendAsync(new byte[] {3}).get(30, TimeUnit.SECONDS) > 0);
      producer.flush();
      List<Long> acknowledged = new ArrayList<>();
      for (CompletableFuture<Long> send : racing) {
        assertThat(send).as("every send has its outcome").isDone();
        if (send.isCompletedExceptionally()) {
          assertThatThrownBy(send::join)
              .cause()
              .isInstanceOfSatisfying(
                  MiniKafkaException.class,
                  e ->
                      assertThat(e.code())
                          .as(e.getMessage())
                          .isEqualTo(Status.Code.DEADLINE_EXCEEDED));
        } else {
          acknowledged.add(send.join());
        }
      }
      java.util.Set<Long> stored =
          memory.poll("t", 1, PollLimits.UNLIMITED).messages().stream()
              .map(io.minikafka.broker.store.StoredMessage::number)
              .collect(java.util.stream.Collectors.toSet());
      assertThat(stored.containsAll(acknowledged)).as("every acknowledged send is stored").isTrue();
      assertThat(new java.util.HashSet<>(acknowledged))
          .as("numbers given once")
          .hasSize(acknowledged.size());
    }
  }
}
