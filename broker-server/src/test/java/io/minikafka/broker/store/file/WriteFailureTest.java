package io.minikafka.broker.store.file;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.minikafka.broker.store.ManualClock;
import io.minikafka.broker.store.PollLimits;
import io.minikafka.broker.store.StoreException;
import io.minikafka.broker.store.StoredMessage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A write that fails at any step releases every appender waiting on it, tells each the truth about
 * its own message, and leaves the topic usable (or cleanly refusing): never a caller told "failed"
 * for a stored message, never a thread spinning on a lock, never a NullPointerException.
 */
class WriteFailureTest {

  @TempDir Path root;
  private final ManualClock clock = new ManualClock();
  private final FaultyFileOps faults = new FaultyFileOps();

  private FileStore open(FileStoreConfig config) throws IOException {
    return FileStore.open(root, config, clock, faults);
  }

  @Test
  void failingToUnmarkADeletedTopicNeitherFailsNorWedgesTheProducesThatBringItBack()
      throws Exception {
    int producers = 8;
    try (FileStore store = open(FileStoreConfig.defaults())) {
      store.store("t", "old".getBytes(UTF_8));
      store.deleteTopic("t");
      Path dir = StoreFiles.topicDir(root, "t");
      faults.failDelete = p -> dir.equals(p.getParent());
      faults.failMove = p -> dir.equals(p.getParent());

      ExecutorService pool = Executors.newFixedThreadPool(producers);
      CountDownLatch start = new CountDownLatch(1);
      try {
        List<Future<Long>> numbers = new ArrayList<>();
        for (int i = 0; i < producers; i++) {
          int id = i;
          numbers.add(
              pool.submit(
                  () -> {
                    start.await();
                    return store.store("t", ("back " + id).getBytes(UTF_8));
                  }));
        }
        start.countDown();
        List<Long> got = new ArrayList<>();
        for (Future<Long> number : numbers) {
          got.add(number.get(30, TimeUnit.SECONDS));
        }
        assertThat(got).containsExactlyInAnyOrder(2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
      } finally {
        pool.shutdownNow();
      }
      assertThat(store.topics()).containsExactly("t");
      assertThat(store.poll("t", 1, PollLimits.UNLIMITED).messages()).hasSize(producers);
    }
    try (FileStore store = FileStore.open(root, FileStoreConfig.defaults(), clock)) {
      assertThat(store.topics()).containsExactly("t");
      assertThat(store.poll("t", 1, PollLimits.UNLIMITED).messages())
          .extracting(StoredMessage::number)
          .containsExactly(2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
    }
  }

  @Test
  void aRollThatCannotCreateItsNextSegmentFailsThatProduceAndTheTopicGoesOnOnceItCan()
      throws Exception {
    FileStoreConfig config = FileStoreConfig.defaults().withSegmentBytes(1000);
    try (FileStore store = open(config)) {
      for (int i = 1; i <= 7; i++) {
        store.store("t", new byte[100]); // 124-byte records: 868 bytes
      }
      faults.failOpen = p -> p.getFileName().toString().startsWith("00000000000000000008");

      assertThatThrownBy(() -> store.store("t", new byte[200]))
          .as("a record that needs a new segment")
          .isInstanceOf(StoreException.class)
          .hasMessageContaining("topic 't'")
          .hasMessageContaining("Too many open files");
      assertThat(store.store("t", new byte[100])).as("a record that still fits").isEqualTo(8);

      faults.failOpen = p -> false;
      assertThat(store.store("t", new byte[200])).isEqualTo(9);
      assertThat(store.store("t", new byte[100])).isEqualTo(10);
      assertThat(store.poll("t", 1, PollLimits.UNLIMITED).messages()).hasSize(10);
    }
    try (FileStore store = FileStore.open(root, config, clock)) {
      assertThat(store.poll("t", 1, PollLimits.UNLIMITED).messages()).hasSize(10);
    }
  }

  @Test
  void aRollWhoseDirectoryCannotBeSyncedLeavesTheActiveSegmentTakingRecords() throws Exception {
    try (FileStore store = open(FileStoreConfig.defaults())) {
      store.store("t", new byte[10]);
      clock.advance(java.time.Duration.ofMinutes(1));
      Path dir = StoreFiles.topicDir(root, "t");
      faults.failOpen = dir::equals;
      // Retention rolls the expired active segment; the new segment's directory entry fails.
      assertThatThrownBy(() -> store.removeOlderThan(clock.instant()))
          .hasMessageContaining("Too many open files");
      faults.failOpen = p -> false;

      assertThat(store.store("t", new byte[10])).isEqualTo(2);
      assertThat(store.store("t", new byte[10])).isEqualTo(3);
    }
    try (FileStore store = FileStore.open(root, FileStoreConfig.defaults(), clock)) {
      // As a server does at start: hide what expired while it was down.
      store.removeOlderThan(clock.instant().minusSeconds(30));
      assertThat(store.poll("t", 1, PollLimits.UNLIMITED).messages())
          .extracting(StoredMessage::number)
          .containsExactly(2L, 3L);
      assertThat(store.store("t", new byte[10])).isEqualTo(4);
    }
  }
}
