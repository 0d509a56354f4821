package io.minikafka.broker.store.file;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.minikafka.broker.store.LimitExceededException;
import io.minikafka.broker.store.ManualClock;
import io.minikafka.broker.store.StoreLimits;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The topic limit while deleted topics come back: one coming back counts from the moment it is let
 * through, not from when its append lands, so several coming back at once cannot pass the limit.
 */
class TopicLimitRaceTest {

  @TempDir Path root;

  @Test
  void deletedTopicsComingBackAtOnceNeverPassTheLimit() throws Exception {
    FaultyFileOps files = new FaultyFileOps();
    FileStoreConfig config =
        FileStoreConfig.defaults().withLimits(StoreLimits.DEFAULTS.withMaxTopics(3));
    try (FileStore store = FileStore.open(root, config, new ManualClock(), files)) {
      for (String topic : new String[] {"a", "b", "c"}) {
        store.store(topic, "x".getBytes(UTF_8));
        store.deleteTopic(topic);
      }
      store.store("d", "x".getBytes(UTF_8));
      store.store("e", "x".getBytes(UTF_8));

      // "a" comes back, and its append is held in its fsync: it is the third topic already.
      CountDownLatch gate = new CountDownLatch(1);
      files.forceGate = gate;
      CompletableFuture<Long> comingBack =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return store.store("a", "back".getBytes(UTF_8));
                } catch (java.io.IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              });
      assertThat(files.forceEntered.await(30, TimeUnit.SECONDS)).isTrue();
      try {
        CompletableFuture<Long> another =
            CompletableFuture.supplyAsync(
                () -> {
                  try {
                    return store.store("b", "back too".getBytes(UTF_8));
                  } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                  }
                });
        assertThatThrownBy(() -> another.get(10, TimeUnit.SECONDS))
            .hasRootCauseInstanceOf(LimitExceededException.class)
            .hasMessageContaining("maximum of 3 topics");
      } finally {
        files.forceGate = null;
        gate.countDown();
      }
      assertThat(comingBack.get(30, TimeUnit.SECONDS)).isEqualTo(2);
      assertThat(store.topics()).containsExactly("a", "d", "e");
    }
  }
}
