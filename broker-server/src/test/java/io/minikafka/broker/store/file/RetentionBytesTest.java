package io.minikafka.broker.store.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.minikafka.broker.store.ManualClock;
import io.minikafka.broker.store.PollLimits;
import io.minikafka.broker.store.Record;
import io.minikafka.broker.store.StoreLimits;
import io.minikafka.broker.store.TopicInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retention by size: whole segments, oldest first, at the roll that passes the limit. */
class RetentionBytesTest {

  private static final int SEGMENT = 4096;

  @TempDir Path root;
  private final ManualClock clock = new ManualClock();

  private FileStoreConfig config(long retentionBytes) {
    return FileStoreConfig.defaults()
        .withFsync(new FsyncPolicy.Never())
        .withSegmentBytes(SEGMENT)
        .withLimits(StoreLimits.DEFAULTS.withRetentionBytes(retentionBytes));
  }

  @Test
  void aTopicPastItsRetentionBytesDeletesItsOldestSegmentsAsItRolls() throws IOException {
    try (FileStore store = FileStore.open(root, config(10_000), clock)) {
      for (int i = 0; i < 100; i++) {
        store.store("t", new byte[500]);
      }

      TopicInfo info = store.describe("t");
      assertThat(info.nextNumber()).isEqualTo(101);
      assertThat(info.firstAvailable()).isGreaterThan(60);
      assertThat(segmentBytesOnDisk()).isLessThanOrEqualTo(10_000 + SEGMENT);
      assertThat(store.poll("t", 1, PollLimits.UNLIMITED).messages().get(0).number())
          .isEqualTo(info.firstAvailable());
    }
    try (FileStore reopened = FileStore.open(root, config(10_000), clock)) {
      assertThat(reopened.describe("t").firstAvailable())
          .as("what was deleted stays deleted")
          .isGreaterThan(60);
    }
  }

  @Test
  void appendsThatDoNotWaitDeleteTheOldestSegmentsToo() throws Exception {
    try (FileStore store = FileStore.open(root, config(10_000), clock)) {
      store.store("t", new byte[500]);
      for (int i = 0; i < 99; i++) {
        store.storeRecordsAsync("t", List.of(Record.of(new byte[500]))).get(30, TimeUnit.SECONDS);
      }
      // The deletion runs on the store's append threads, after the appends are answered.
      await().atMost(Duration.ofSeconds(30)).until(() -> store.describe("t").firstAvailable() > 60);
      assertThat(store.describe("t").nextNumber()).isEqualTo(101);
      await().atMost(Duration.ofSeconds(30)).until(() -> segmentBytesOnDisk() <= 10_000 + SEGMENT);
    }
  }

  @Test
  void aLowerLimitAtStartIsAppliedByTheSweep() throws IOException {
    try (FileStore store = FileStore.open(root, config(0), clock)) {
      for (int i = 0; i < 100; i++) {
        store.store("t", new byte[500]);
      }
    }
    try (FileStore store = FileStore.open(root, config(5_000), clock)) {
      assertThat(store.describe("t").firstAvailable()).isEqualTo(1);

      long removed = store.removeOlderThan(clock.instant().minusSeconds(3600));

      assertThat(removed).isGreaterThan(80);
      assertThat(segmentBytesOnDisk()).isLessThanOrEqualTo(5_000 + SEGMENT);
      assertThat(store.describe("t").nextNumber()).isEqualTo(101);
    }
  }

  private long segmentBytesOnDisk() throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      return files
          .filter(p -> p.getFileName().toString().endsWith(".log"))
          .mapToLong(p -> p.toFile().length())
          .sum();
    }
  }
}
