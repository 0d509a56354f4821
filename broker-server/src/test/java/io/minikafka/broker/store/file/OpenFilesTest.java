package io.minikafka.broker.store.file;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.minikafka.broker.store.ManualClock;
import io.minikafka.broker.store.PollLimits;
import io.minikafka.broker.store.StoreException;
import io.minikafka.broker.store.StoredMessage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store's limit on open segment files: however many topics and segments it has, it holds at
 * most {@code maxOpenFiles} of their files open, opens a closed one again when it is used, and
 * never closes a file holding writes that were not forced without forcing them first.
 */
class OpenFilesTest {

  private static final int LIMIT = 16;

  @TempDir Path root;
  private final ManualClock clock = new ManualClock();
  private final FaultyFileOps files = new FaultyFileOps();

  /**
   * A store whose background flush of indexes does not run during the test: it opens and closes
   * files (forcing them first) on its own thread, and a count taken meanwhile would include a file
   * it is closing. Files used by several threads at once are the concurrent test's concern.
   */
  private FileStore openWithoutBackgroundFlushes(FsyncPolicy policy) throws IOException {
    FileStoreConfig defaults = FileStoreConfig.defaults();
    return FileStore.open(
        root,
        new FileStoreConfig(
            policy,
            defaults.segmentBytes(),
            defaults.segmentMaxAge(),
            Duration.ofDays(1),
            defaults.limits(),
            defaults.minFreeDisk(),
            LIMIT),
        clock,
        files);
  }

  private FileStore open(FsyncPolicy policy) throws IOException {
    return FileStore.open(
        root, FileStoreConfig.defaults().withFsync(policy).withMaxOpenFiles(LIMIT), clock, files);
  }

  private long openSegmentFiles() {
    return files.openChannels.stream()
        .map(c -> c.path().getFileName().toString())
        .filter(n -> n.endsWith(Segment.LOG_SUFFIX) || n.endsWith(SegmentIndex.SUFFIX))
        .count();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }

  private static List<String> texts(List<StoredMessage> messages) {
    return messages.stream().map(m -> new String(m.payload(), UTF_8)).toList();
  }

  @Test
  void manyTopicsHoldNoMoreSegmentFilesOpenThanTheLimitAndReadBackWhole() throws IOException {
    int topics = 300;
    try (FileStore store = openWithoutBackgroundFlushes(new FsyncPolicy.Always())) {
      for (int t = 0; t < topics; t++) {
        store.store("topic-" + t, bytes("first of " + t));
      }
      assertThat(openSegmentFiles()).isLessThanOrEqualTo(LIMIT);
      for (int t = 0; t < topics; t++) {
        assertThat(store.store("topic-" + t, bytes("second of " + t))).isEqualTo(2);
      }
      for (int t = 0; t < topics; t++) {
        assertThat(texts(store.poll("topic-" + t, 1, PollLimits.UNLIMITED).messages()))
            .containsExactly("first of " + t, "second of " + t);
      }
      assertThat(openSegmentFiles()).isLessThanOrEqualTo(LIMIT);
    }
    assertThat(openSegmentFiles()).isZero();

    try (FileStore store = openWithoutBackgroundFlushes(new FsyncPolicy.Always())) {
      assertThat(openSegmentFiles()).isLessThanOrEqualTo(LIMIT);
      for (int t = 0; t < topics; t += 7) {
        assertThat(texts(store.poll("topic-" + t, 1, PollLimits.UNLIMITED).messages()))
            .containsExactly("first of " + t, "second of " + t);
        assertThat(store.store("topic-" + t, bytes("third"))).isEqualTo(3);
      }
      assertThat(openSegmentFiles()).isLessThanOrEqualTo(LIMIT);
    }
  }

  @Test
  void aFileOpenedWhileAnotherWasInUseIsBackWithinTheLimitWhenThatUseEnds() throws Exception {
    Disk disk =
        new Disk(files, new FsyncPolicy.Interval(Duration.ofHours(1)), new FsyncObserver(), 1);
    FileHandle held = files.handle(disk, root.resolve("held.log"));
    held.writeFully(ByteBuffer.wrap(new byte[] {1}), 0);
    files.forceGate = new CountDownLatch(1);
    ExecutorService forcer = Executors.newSingleThreadExecutor();
    try {
      Future<?> forcing =
          forcer.submit(
              () -> {
                held.force(false);
                return null;
              });
      assertThat(files.forceEntered.await(30, TimeUnit.SECONDS)).isTrue();

      files.handle(disk, root.resolve("other.log"));
      assertThat(files.openChannels).as("the file in use is not closed under its user").hasSize(2);

      files.forceGate.countDown();
      forcing.get(30, TimeUnit.SECONDS);
      assertThat(files.openChannels).as("once nothing is in use").hasSize(1);
    } finally {
      files.forceGate.countDown();
      forcer.shutdownNow();
    }
  }

  @Test
  void sealedSegmentsOfOneLongTopicAreClosedUntilRead() throws IOException {
    FileStoreConfig config =
        FileStoreConfig.defaults().withSegmentBytes(1024).withMaxOpenFiles(LIMIT);
    try (FileStore store = FileStore.open(root, config, clock, files)) {
      for (int i = 1; i <= 2_000; i++) {
        store.store("long", bytes("message " + i));
      }
      assertThat(openSegmentFiles()).isLessThanOrEqualTo(LIMIT);
      List<StoredMessage> all = new ArrayList<>();
      long next = 1;
      while (next <= 2_000) {
        var page = store.poll("long", next, new PollLimits(97, Integer.MAX_VALUE));
        all.addAll(page.messages());
        next = page.newReadFrom();
      }
      assertThat(all).hasSize(2_000);
      assertThat(new String(all.get(1_233).payload(), UTF_8)).isEqualTo("message 1234");
      assertThat(openSegmentFiles()).isLessThanOrEqualTo(LIMIT);
    }
  }

  @Test
  void aFileWrittenSinceItsLastForceIsForcedBeforeItIsClosed() throws IOException {
    // An interval of an hour: only closing the file can force it during this test.
    try (FileStore store = open(new FsyncPolicy.Interval(Duration.ofHours(1)))) {
      store.store("dirty", bytes("written, not forced"));
      Path log = root.resolve("dirty").resolve(Segment.fileName(1, Segment.LOG_SUFFIX));
      int before = files.events.size();
      for (int t = 0; t < 4 * LIMIT && files.isOpen(log); t++) {
        store.store("other-" + t, bytes("x"));
      }
      assertThat(files.isOpen(log)).as("the dirty log was closed").isFalse();
      assertThat(files.eventsSince(before)).contains("fsync " + log);
      assertThat(store.store("dirty", bytes("after reopening"))).isEqualTo(2);
      assertThat(texts(store.poll("dirty", 1, PollLimits.UNLIMITED).messages()))
          .containsExactly("written, not forced", "after reopening");
    }
  }

  @Test
  void aForceThatFailsAsAFileClosesStopsWritesAndIsNeverReportedAsGood() throws IOException {
    try (FileStore store = open(new FsyncPolicy.Interval(Duration.ofHours(1)))) {
      store.store("dirty", bytes("written, not forced"));
      Path log = root.resolve("dirty").resolve(Segment.fileName(1, Segment.LOG_SUFFIX));
      files.failForce = log::equals;
      for (int t = 0; t < 4 * LIMIT && files.isOpen(log); t++) {
        try {
          store.store("other-" + t, bytes("x"));
        } catch (StoreException refused) {
          break;
        }
      }
      files.failForce = p -> false;

      assertThat(files.isOpen(log)).isFalse();
      assertThatThrownBy(() -> store.store("dirty", bytes("after")))
          .isInstanceOf(StoreException.class)
          .hasMessageContaining("fsync")
          .hasMessageContaining(log.getFileName().toString());
      assertThat(store.health().writable()).isFalse();
      assertThat(texts(store.poll("dirty", 1, PollLimits.UNLIMITED).messages()))
          .containsExactly("written, not forced");
    }
  }

  @Test
  void concurrentReadersAndWritersOnMoreTopicsThanOpenFilesAllSucceed() throws Exception {
    int topics = 40;
    int threads = 4;
    int operations = 400;
    AtomicLongArray stored = new AtomicLongArray(topics);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try (FileStore store = open(new FsyncPolicy.Never())) {
      for (int t = 0; t < topics; t++) {
        store.store("t" + t, bytes("m"));
        stored.incrementAndGet(t);
      }
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < threads; w++) {
        done.add(
            pool.submit(
                () -> {
                  ThreadLocalRandom random = ThreadLocalRandom.current();
                  for (int i = 0; i < operations; i++) {
                    int t = random.nextInt(topics);
                    if (random.nextBoolean()) {
                      store.store("t" + t, bytes("m"));
                      stored.incrementAndGet(t);
                    } else {
                      List<StoredMessage> read =
                          store.poll("t" + t, 1, PollLimits.UNLIMITED).messages();
                      for (int k = 0; k < read.size(); k++) {
                        assertThat(read.get(k).number()).isEqualTo(k + 1);
                      }
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
      for (int t = 0; t < topics; t++) {
        assertThat(store.poll("t" + t, 1, PollLimits.UNLIMITED).messages())
            .hasSize((int) stored.get(t));
      }
      assertThat(openSegmentFiles()).isLessThanOrEqualTo(LIMIT);
    } finally {
      pool.shutdownNow();
    }
  }
}
