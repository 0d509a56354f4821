package io.minikafka.broker.store.file;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.minikafka.broker.store.ManualClock;
import io.minikafka.broker.store.PollLimits;
import io.minikafka.broker.store.Record;
import io.minikafka.broker.store.StoreException;
import io.minikafka.broker.store.StoredMessage;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * After a failed fsync the kernel may have dropped the dirty pages and will report success next
 * time, so nothing written since the last good fsync can be trusted to be on disk: the store
 * refuses writes from then on, until a restart recovers the log from what the disk really holds (as
 * PostgreSQL and Kafka do). Reads go on.
 */
class FsyncFailureTest {

  @TempDir Path root;
  private final ManualClock clock = new ManualClock();
  private final FaultyFileOps faults = new FaultyFileOps();

  private FileStore open(FsyncPolicy policy, FileOps ops) throws IOException {
    return FileStore.open(root, FileStoreConfig.defaults().withFsync(policy), clock, ops);
  }

  @Test
  void withFsyncIntervalAFailedBackgroundFsyncStopsEveryWriteUntilRestart() throws Exception {
    AtomicInteger failedForces = new AtomicInteger();
    try (FileStore store = open(new FsyncPolicy.Interval(Duration.ofMillis(20)), faults)) {
      store.store("t", "acknowledged before".getBytes(UTF_8));
      faults.failForce =
          p -> p.toString().endsWith(Segment.LOG_SUFFIX) && failedForces.incrementAndGet() > 0;
      await().atMost(Duration.ofSeconds(30)).until(() -> failedForces.get() > 0);
      faults.failForce = p -> false;

      assertThatThrownBy(() -> store.store("t", "after".getBytes(UTF_8)))
          .isInstanceOf(StoreException.class)
          .hasMessageContaining("fsync")
          .hasMessageContaining("restart");
      assertThatThrownBy(() -> store.store("other", "after".getBytes(UTF_8)))
          .isInstanceOf(StoreException.class)
          .hasMessageContaining("fsync");
      assertThat(store.poll("t", 1, PollLimits.UNLIMITED).messages()).hasSize(1);
      assertThat(store.health().writable()).isFalse();
      assertThat(store.health().problems()).singleElement().asString().contains("fsync");
    }
    try (FileStore store = open(new FsyncPolicy.Interval(Duration.ofMillis(20)), FileOps.DEFAULT)) {
      assertThat(store.health()).isEqualTo(io.minikafka.broker.store.StoreHealth.HEALTHY);
      assertThat(store.store("t", "after restart".getBytes(UTF_8))).isEqualTo(2);
    }
  }

  @Test
  void withFsyncAlwaysTheProduceWhoseFsyncFailedFailsAndSoDoesEveryLaterOne() throws Exception {
    try (FileStore store = open(new FsyncPolicy.Always(), faults)) {
      store.store("t", "acknowledged".getBytes(UTF_8));
      faults.failForce = p -> p.toString().endsWith(Segment.LOG_SUFFIX);
      assertThatThrownBy(() -> store.store("t", "lost".getBytes(UTF_8)))
          .isInstanceOf(StoreException.class);
      faults.failForce = p -> false;

      assertThatThrownBy(() -> store.store("t", "refused".getBytes(UTF_8)))
          .isInstanceOf(StoreException.class)
          .hasMessageContaining("fsync");
      assertThat(store.poll("t", 1, PollLimits.UNLIMITED).messages())
          .extracting(m -> new String(m.payload(), UTF_8))
          .containsExactly("acknowledged");
    }
    try (FileStore store = open(new FsyncPolicy.Always(), FileOps.DEFAULT)) {
      assertThat(store.poll("t", 1, PollLimits.UNLIMITED).messages())
          .extracting(StoredMessage::number)
          .containsExactly(1L);
      assertThat(store.store("t", "after restart".getBytes(UTF_8))).isEqualTo(2);
    }
  }

  @Test
  void anAppendThatDoesNotWaitLearnsItsFailedFsyncAndIsNeverReadBack() throws Exception {
    try (FileStore store = open(new FsyncPolicy.Always(), faults)) {
      assertThat(
              store
                  .storeRecordsAsync("t", List.of(Record.of("acknowledged".getBytes(UTF_8))))
                  .get(30, TimeUnit.SECONDS))
          .isEqualTo(1);
      faults.failForce = p -> p.toString().endsWith(Segment.LOG_SUFFIX);
      CompletableFuture<Long> lost =
          store.storeRecordsAsync("t", List.of(Record.of("lost".getBytes(UTF_8))));
      assertThatThrownBy(() -> lost.get(30, TimeUnit.SECONDS))
          .hasCauseInstanceOf(StoreException.class);
      faults.failForce = p -> false;

      assertThatThrownBy(
              () ->
                  store
                      .storeRecordsAsync("t", List.of(Record.of("refused".getBytes(UTF_8))))
                      .get(30, TimeUnit.SECONDS))
          .hasCauseInstanceOf(StoreException.class)
          .hasMessageContaining("fsync");
      assertThat(store.poll("t", 1, PollLimits.UNLIMITED).messages())
          .extracting(m -> new String(m.payload(), UTF_8))
          .containsExactly("acknowledged");
    }
    try (FileStore store = open(new FsyncPolicy.Always(), FileOps.DEFAULT)) {
      assertThat(store.poll("t", 1, PollLimits.UNLIMITED).messages())
          .extracting(StoredMessage::number)
          .containsExactly(1L);
    }
  }

  @Test
  void aDirectoryThatCannotBeOpenedFailsThatCallOnlyNotTheDisk() throws Exception {
    try (FileStore store = open(new FsyncPolicy.Always(), faults)) {
      store.store("t", "one".getBytes(UTF_8));
      Path dir = StoreFiles.topicDir(root, "t");
      faults.failOpen = dir::equals;
      assertThatThrownBy(() -> store.commitPosition("t", "reader", 2))
          .hasMessageContaining("Too many open files");
      faults.failOpen = p -> false;

      assertThat(store.health().writable()).isTrue();
      assertThat(store.store("t", "two".getBytes(UTF_8))).isEqualTo(2);
      store.commitPosition("t", "reader", 3);
      assertThat(store.position("t", "reader")).hasValue(3);
    }
  }

  @Test
  void afterAFailedFsyncRetentionOnlyHidesTheExpiredUntilRestart() throws Exception {
    FileStoreConfig config = FileStoreConfig.defaults().withSegmentBytes(1000);
    try (FileStore store = FileStore.open(root, config, clock, faults)) {
      for (int i = 0; i < 30; i++) {
        store.store("t", new byte[100]);
      }
      int segments = StoreFiles.segmentLogs(root, "t").size();
      faults.failForce = p -> true;
      assertThatThrownBy(() -> store.store("t", new byte[1])).isInstanceOf(StoreException.class);
      faults.failForce = p -> false;
      clock.advance(Duration.ofMinutes(1));

      assertThat(store.removeOlderThan(clock.instant())).isEqualTo(30);

      assertThat(store.poll("t", 1, PollLimits.UNLIMITED).messages()).isEmpty();
      assertThat(StoreFiles.segmentLogs(root, "t")).as("no file touched").hasSize(segments);
    }
  }
}
