package io.minikafka.broker.store.file;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.minikafka.broker.store.ManualClock;
import io.minikafka.broker.store.PollLimits;
import io.minikafka.broker.store.Record;
import io.minikafka.broker.store.StoreFullException;
import io.minikafka.broker.store.StoredMessage;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which thread writes an append that must not wait ({@code storeRecordsAsync}, a network thread's
 * call): under fsync never, the caller itself for a small write that only hands bytes to the OS; an
 * append thread for one that forces, creates a file or is large. Either way the records are stored
 * under their numbers.
 */
class QuickWriteTest {

  @TempDir Path root;
  private final FaultyFileOps files = new FaultyFileOps();

  private FileStore open(FileStoreConfig config) throws IOException {
    return FileStore.open(
        root.resolve(config.fsync().getClass().getSimpleName()), config, new ManualClock(), files);
  }

  private static FileStoreConfig never() {
    return FileStoreConfig.defaults().withFsync(new FsyncPolicy.Never());
  }

  /** Appends {@code payload} without waiting and returns the threads that wrote the log for it. */
  private List<Thread> writersOfAsyncAppend(FileStore store, byte[] payload, long number)
      throws Exception {
    files.logWriters.clear();
    CompletableFuture<Long> first = store.storeRecordsAsync("t", List.of(Record.of(payload)));
    assertThat(first.get(30, TimeUnit.SECONDS)).isEqualTo(number);
    List<StoredMessage> read =
        store.poll("t", number, new PollLimits(1, Long.MAX_VALUE)).messages();
    assertThat(read).singleElement().satisfies(m -> assertThat(m.payload()).isEqualTo(payload));
    return List.copyOf(files.logWriters);
  }

  /**
   * Appends small messages, numbered from {@code number}, until one is written on the caller's
   * thread; how many that took. An append thread that wrote the last chunk may still be finishing
   * (its acknowledgements go out before it lets the topic go), and an append meanwhile goes to an
   * append thread, as it should.
   */
  private long appendsUntilQuick(FileStore store, long number) throws Exception {
    for (int i = 0; i < 100; i++) {
      List<Thread> writers =
          writersOfAsyncAppend(store, ("quick " + i).getBytes(UTF_8), number + i);
      if (writers.equals(List.of(Thread.currentThread()))) {
        return i + 1;
      }
    }
    throw new AssertionError("none of 100 small appends was written on the caller's thread");
  }

  @Test
  void aSmallAppendUnderFsyncNeverIsWrittenByTheCallerBeforeItReturns() throws Exception {
    try (FileStore store = open(never())) {
      store.store("t", new byte[] {1});
      long next = 2 + appendsUntilQuick(store, 2);
      files.logWriters.clear();

      CompletableFuture<Long> first =
          store.storeRecordsAsync("t", List.of(Record.of(new byte[100])));

      assertThat(first).isCompletedWithValue(next);
      assertThat(files.logWriters).isNotEmpty().containsOnly(Thread.currentThread());
    }
  }

  @Test
  void anAppendUnderFsyncAlwaysOrIntervalIsWrittenByAnAppendThread() throws Exception {
    for (FsyncPolicy policy :
        List.of(new FsyncPolicy.Always(), new FsyncPolicy.Interval(Duration.ofHours(1)))) {
      try (FileStore store = open(FileStoreConfig.defaults().withFsync(policy))) {
        store.store("t", new byte[] {1});

        List<Thread> writers = writersOfAsyncAppend(store, new byte[100], 2);

        assertThat(writers).as("under fsync %s", policy).isNotEmpty();
        assertThat(writers).as("under fsync %s", policy).doesNotContain(Thread.currentThread());
      }
    }
  }

  @Test
  void anAppendLargerThanAQuickWriteIsWrittenByAnAppendThread() throws Exception {
    try (FileStore store = open(never())) {
      store.store("t", new byte[] {1});
      long next = 2 + appendsUntilQuick(store, 2);

      List<Thread> writers =
          writersOfAsyncAppend(store, new byte[FileTopic.QUICK_WRITE_BYTES + 1], next);

      assertThat(writers).isNotEmpty().doesNotContain(Thread.currentThread());
    }
  }

  @Test
  void anAppendThatStartsASegmentIsWrittenByAnAppendThread() throws Exception {
    try (FileStore store = open(never().withSegmentBytes(1024))) {
      store.store("t", new byte[600]);
      int before = files.events.size();

      List<Thread> writers = writersOfAsyncAppend(store, new byte[600], 2);

      assertThat(writers).isNotEmpty().doesNotContain(Thread.currentThread());
      assertThat(files.events.subList(before, files.events.size()))
          .as("the second segment's log")
          .anyMatch(
              e ->
                  e.equals(
                      "create "
                          + StoreFiles.topicDir(root.resolve("Never"), "t")
                              .resolve(Segment.fileName(2, Segment.LOG_SUFFIX))));
    }
  }

  @Test
  void aTopicWhoseDeletedFlagIsStillToBeClearedIsWrittenByAnAppendThread() throws Exception {
    try (FileStore store = open(never())) {
      store.store("t", "old".getBytes(UTF_8));
      store.deleteTopic("t");
      Path dir = StoreFiles.topicDir(root.resolve("Never"), "t");
      // The topic comes back, but its log start cannot be rewritten yet: each append retries.
      files.failMove = p -> dir.equals(p.getParent());
      assertThat(store.store("t", "back".getBytes(UTF_8))).isEqualTo(2);

      assertThat(writersOfAsyncAppend(store, "retry".getBytes(UTF_8), 3))
          .isNotEmpty()
          .doesNotContain(Thread.currentThread());

      files.failMove = p -> false;
      assertThat(writersOfAsyncAppend(store, "cleared".getBytes(UTF_8), 4))
          .doesNotContain(Thread.currentThread());
      assertThat(appendsUntilQuick(store, 5)).as("quick writes again").isPositive();
    }
  }

  @Test
  void aCallerWithItsInterruptStatusSetWritesWithoutClosingTheLogAndKeepsTheStatus()
      throws Exception {
    try (FileStore store = open(never())) {
      store.store("t", new byte[] {1});

      Thread.currentThread().interrupt();
      CompletableFuture<Long> first;
      try {
        first =
            store.storeRecordsAsync("t", List.of(Record.of("while interrupted".getBytes(UTF_8))));
      } finally {
        assertThat(Thread.interrupted()).as("the status is given back").isTrue();
      }

      assertThat(first).isCompletedWithValue(2L);
      // An interrupted write would have closed the log: the store would refuse this one.
      assertThat(writersOfAsyncAppend(store, "after".getBytes(UTF_8), 3))
          .containsOnly(Thread.currentThread());
      assertThat(store.poll("t", 2, PollLimits.UNLIMITED).messages())
          .extracting(m -> new String(m.payload(), UTF_8))
          .containsExactly("while interrupted", "after");
    }
  }

  @Test
  void aQuickWriteThatFailsFailsItsAppendRollsBackAndTheNumberIsGivenAgain() throws Exception {
    try (FileStore store = open(never())) {
      store.store("t", "before".getBytes(UTF_8));
      files.diskFull.set(true);

      CompletableFuture<Long> lost =
          store.storeRecordsAsync("t", List.of(Record.of("lost".getBytes(UTF_8))));

      assertThat(lost).as("failed on the caller's thread").isCompletedExceptionally();
      assertThatThrownBy(lost::get)
          .hasCauseInstanceOf(StoreFullException.class)
          .hasMessageContaining("no space left");
      files.diskFull.set(false);
      assertThat(writersOfAsyncAppend(store, "after".getBytes(UTF_8), 2))
          .isNotEmpty()
          .containsOnly(Thread.currentThread());
      assertThat(store.poll("t", 1, PollLimits.UNLIMITED).messages())
          .extracting(m -> new String(m.payload(), UTF_8))
          .containsExactly("before", "after");
    }
  }
}
