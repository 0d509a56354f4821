package io.minikafka.broker.store.file;

import static org.assertj.core.api.Assertions.assertThat;

import io.minikafka.broker.store.ManualClock;
import io.minikafka.broker.store.PollLimits;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retention keeps freeing space when something fails: each topic is swept on its own, and a topic
 * that cannot roll (no space, no file handles: exactly when space is needed) still deletes its
 * sealed expired segments.
 */
class RetentionFailureTest {

  @TempDir Path root;
  private final ManualClock clock = new ManualClock();
  private final FaultyFileOps faults = new FaultyFileOps();

  private FileStore open() throws IOException {
    return FileStore.open(
        root,
        FileStoreConfig.defaults().withFsync(new FsyncPolicy.Never()).withSegmentBytes(1000),
        clock,
        faults);
  }

  private static void fill(FileStore store, String topic) throws IOException {
    for (int i = 0; i < 30; i++) {
      store.store(topic, new byte[100]); // 124-byte records: 8 per segment, 4 segments
    }
  }

  @Test
  void aTopicWhoseSweepFailsDoesNotStopTheSweepOfTheOthers() throws IOException {
    try (FileStore store = open()) {
      for (String topic : new String[] {"a", "b", "c"}) {
        fill(store, topic);
      }
      clock.advance(Duration.ofMinutes(1));
      Path broken = StoreFiles.topicDir(root, "a");
      faults.failDelete = p -> broken.equals(p.getParent());

      try {
        store.removeOlderThan(clock.instant());
      } catch (IOException reported) {
        // Topic a's failure may be reported; the others must be swept regardless.
      }

      for (String topic : new String[] {"b", "c"}) {
        assertThat(store.poll(topic, 1, PollLimits.UNLIMITED).messages()).as(topic).isEmpty();
        assertThat(StoreFiles.segmentLogs(root, topic)).as(topic).hasSize(1);
      }
      assertThat(store.poll("a", 1, PollLimits.UNLIMITED).messages())
          .as("a, hidden anyway")
          .isEmpty();
    }
  }

  @Test
  void aTopicThatCannotRollStillDeletesItsSealedExpiredSegments() throws IOException {
    try (FileStore store = open()) {
      fill(store, "t");
      assertThat(StoreFiles.segmentLogs(root, "t")).hasSize(4);
      clock.advance(Duration.ofMinutes(1));
      faults.failOpen = p -> p.getFileName().toString().startsWith("00000000000000000031");

      try {
        store.removeOlderThan(clock.instant());
      } catch (IOException reported) {
        // The failed roll may be reported; the sealed segments must be gone regardless.
      }

      assertThat(StoreFiles.segmentLogs(root, "t")).hasSize(1);
      assertThat(store.poll("t", 1, PollLimits.UNLIMITED).messages()).isEmpty();
      faults.failOpen = p -> false;
      assertThat(store.store("t", new byte[1])).isEqualTo(31);
    }
  }
}
