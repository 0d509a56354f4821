package io.minikafka.broker.store.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.minikafka.broker.store.Record;
import io.minikafka.broker.store.StoreException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Group commit: shared writes, numbering, and a failure that releases every appender. */
class GroupCommitTest {

  private static final List<Record> ONE = List.of(Record.of(new byte[] {1}));

  /**
   * A group commit that shows each chunk it writes to {@code written}, and whose first write waits
   * for {@code release} once it has said it started.
   */
  private static GroupCommit firstWriteHeld(
      java.util.function.Consumer<Chunk> written,
      CountDownLatch firstWriteEntered,
      CountDownLatch release) {
    java.util.concurrent.atomic.AtomicInteger writes =
        new java.util.concurrent.atomic.AtomicInteger();
    return new GroupCommit(
        "t",
        1,
        Long.MIN_VALUE,
        chunk -> {
          written.accept(chunk);
          if (writes.incrementAndGet() == 1) {
            firstWriteEntered.countDown();
            awaitUninterruptibly(release);
          }
        });
  }

  @Test
  void appendsWaitingForAWriteShareTheNextOneAndGetDistinctConsecutiveNumbers() throws Exception {
    List<Integer> recordsPerWrite = new java.util.concurrent.CopyOnWriteArrayList<>();
    CountDownLatch firstWriteEntered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    GroupCommit commit =
        firstWriteHeld(chunk -> recordsPerWrite.add(chunk.count()), firstWriteEntered, release);
    int appenders = 16;
    Set<Long> numbers = ConcurrentHashMap.newKeySet();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < appenders; i++) {
      Thread t =
          new Thread(
              () -> {
                try {
                  numbers.add(commit.append(ONE, 0));
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              });
      threads.add(t);
      t.start();
      if (i == 0) {
        assertThat(firstWriteEntered.await(30, TimeUnit.SECONDS)).isTrue();
      }
    }
    // The others have added their records and park until the first write is done.
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(30))
        .until(() -> threads.stream().skip(1).allMatch(t -> t.getState() == Thread.State.WAITING));
    release.countDown();
    for (Thread t : threads) {
      t.join(30_000);
    }
    assertThat(numbers).hasSize(appenders).allMatch(n -> n >= 1 && n <= appenders);
    assertThat(recordsPerWrite)
        .as("one write for the first, one for all that queued behind it")
        .containsExactly(1, 15);
  }

  @Test
  void appendsThatDoNotWaitReturnAtOnceAndLearnTheirNumbersWhenTheirWriteIsDone() throws Exception {
    List<Integer> recordsPerWrite = new java.util.concurrent.CopyOnWriteArrayList<>();
    CountDownLatch firstWriteEntered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    GroupCommit commit =
        firstWriteHeld(chunk -> recordsPerWrite.add(chunk.count()), firstWriteEntered, release);
    java.util.concurrent.CompletableFuture<Long> first = commit.appendAsync(ONE, 0);
    assertThat(firstWriteEntered.await(30, TimeUnit.SECONDS)).isTrue();
    // The first write is stuck: these return at once and share the next one.
    List<java.util.concurrent.CompletableFuture<Long>> later = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      later.add(commit.appendAsync(ONE, 0));
    }
    assertThat(first).isNotDone();
    assertThat(later).noneMatch(java.util.concurrent.CompletableFuture::isDone);

    release.countDown();
    assertThat(first.get(30, TimeUnit.SECONDS)).isEqualTo(1);
    List<Long> numbers = new ArrayList<>();
    for (var f : later) {
      numbers.add(f.get(30, TimeUnit.SECONDS));
    }
    assertThat(numbers).containsExactly(2L, 3L, 4L, 5L, 6L);
    assertThat(recordsPerWrite).containsExactly(1, 5);
  }

  /** A group commit whose writer calls every chunk quick and writes it with {@code write}. */
  private static GroupCommit quick(GroupCommit.Writer write) {
    return new GroupCommit(
        "t",
        1,
        Long.MIN_VALUE,
        new GroupCommit.Writer() {
          @Override
          public void write(Chunk chunk) throws IOException {
            write.write(chunk);
          }

          @Override
          public boolean isQuick(Chunk chunk) {
            return true;
          }
        });
  }

  /** {@link #quick}, showing who wrote what, and holding its first write. */
  private static GroupCommit quickWrites(
      List<String> writes, CountDownLatch firstWriteEntered, CountDownLatch release) {
    AtomicInteger count = new AtomicInteger();
    return quick(
        chunk -> {
          writes.add(Thread.currentThread().getName() + " wrote " + chunk.count());
          if (count.incrementAndGet() == 1) {
            firstWriteEntered.countDown();
            awaitUninterruptibly(release);
          }
        });
  }

  @Test
  void aQuickChunkIsWrittenByTheAppenderThatMustNotWaitWhenNoWriteIsUnderWay() throws Exception {
    List<String> writes = new java.util.concurrent.CopyOnWriteArrayList<>();
    CountDownLatch released = new CountDownLatch(0);
    GroupCommit commit = quickWrites(writes, new CountDownLatch(1), released);

    var first = commit.appendAsync(ONE, 0);

    assertThat(first).as("written before appendAsync returned").isCompletedWithValue(1L);
    assertThat(writes).containsExactly(Thread.currentThread().getName() + " wrote 1");
  }

  @Test
  void aQuickWriteThatThrowsFailsItsAppendThroughTheFutureAndFreesTheNumber() throws Exception {
    AtomicInteger writes = new AtomicInteger();
    GroupCommit commit =
        quick(
            chunk -> {
              if (writes.incrementAndGet() == 1) {
                throw new IllegalStateException("bug");
              }
            });

    var failed = commit.appendAsync(ONE, 0);

    assertThat(failed).isCompletedExceptionally();
    assertThatThrownBy(failed::get)
        .hasCauseInstanceOf(StoreException.class)
        .hasRootCauseMessage("bug");
    assertThat(commit.appendAsync(ONE, 0)).isCompletedWithValue(1L);
  }

  @Test
  void anAppenderThatMustNotWaitLeavesAQuickChunkToTheWriteUnderWay() throws Exception {
    List<String> writes = new java.util.concurrent.CopyOnWriteArrayList<>();
    CountDownLatch firstWriteEntered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    GroupCommit commit = quickWrites(writes, firstWriteEntered, release);
    ExecutorService threads =
        Executors.newFixedThreadPool(2, r -> new Thread(r, "appender that waits"));
    try {
      Future<Long> waiting = threads.submit(() -> commit.append(ONE, 0));
      assertThat(firstWriteEntered.await(30, TimeUnit.SECONDS)).isTrue();

      // Had the caller waited for the flush lock, these would not return before the release.
      var second = threads.submit(() -> commit.appendAsync(ONE, 0)).get(30, TimeUnit.SECONDS);
      var third = threads.submit(() -> commit.appendAsync(ONE, 0)).get(30, TimeUnit.SECONDS);

      assertThat(second).isNotDone();
      assertThat(third).isNotDone();
      release.countDown();
      assertThat(waiting.get(30, TimeUnit.SECONDS)).isEqualTo(1);
      assertThat(second.get(30, TimeUnit.SECONDS)).isEqualTo(2);
      assertThat(third.get(30, TimeUnit.SECONDS)).isEqualTo(3);
    } finally {
      release.countDown();
      threads.shutdownNow();
    }
    assertThat(writes).hasSize(2);
    assertThat(writes.get(0)).isEqualTo("appender that waits wrote 1");
    assertThat(writes.get(1))
        .as("one write for both, off the caller")
        .startsWith("minikafka-append")
        .endsWith(" wrote 2");
  }

  @Test
  void aChunkStartsWithRoomForWhatTheLastOneHeldSoThatItIsNotCopiedIntoBiggerBuffersAsItFills()
      throws Exception {
    List<Integer> capacities = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<Long> sizes = new java.util.concurrent.CopyOnWriteArrayList<>();
    CountDownLatch firstWriteEntered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger writes = new AtomicInteger();
    // Buffers of its own: which spares exist does not depend on the tests before.
    GroupCommit commit =
        new GroupCommit(
            "t",
            1,
            Long.MIN_VALUE,
            chunk -> {
              capacities.add(chunk.buffer().capacity());
              sizes.add(chunk.bytes());
              if (writes.incrementAndGet() == 1) {
                firstWriteEntered.countDown();
                awaitUninterruptibly(release);
              }
            },
            new ChunkBuffers(32L * 1024 * 1024));
    var first = commit.appendAsync(ONE, 0);
    assertThat(firstWriteEntered.await(30, TimeUnit.SECONDS)).isTrue();
    // 300 KiB wait for the held write, 1 KiB at a time: that chunk grows past its first buffer,
    // leaving the smaller ones as spares.
    List<java.util.concurrent.CompletableFuture<Long>> waiting = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      waiting.add(commit.appendAsync(List.of(Record.of(new byte[1024])), 0));
    }
    release.countDown();
    first.get(30, TimeUnit.SECONDS);
    for (var f : waiting) {
      f.get(30, TimeUnit.SECONDS);
    }
    commit.appendAsync(ONE, 0).get(30, TimeUnit.SECONDS);
    commit.appendAsync(ONE, 0).get(30, TimeUnit.SECONDS);

    assertThat(sizes).hasSize(4);
    assertThat(sizes.get(1)).isGreaterThan(300 * 1024L);
    assertThat(capacities.get(1)).isGreaterThan(ChunkBuffers.SMALLEST);
    // The chunk after the big one had room for all of it from the start, though a 64 KiB spare
    // was there to take...
    assertThat((long) capacities.get(2)).isGreaterThanOrEqualTo(sizes.get(1));
    // ...and the one after a small chunk starts small again: a quiet topic holds no big buffer.
    assertThat(capacities.get(3)).isEqualTo(ChunkBuffers.SMALLEST);
  }

  @Test
  void theThreadThatWritesForAppendsThatDoNotWaitGoesOnToTheNextChunkItself() throws Exception {
    List<Thread> writers = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<Integer> recordsPerWrite = new java.util.concurrent.CopyOnWriteArrayList<>();
    CountDownLatch firstWriteEntered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    GroupCommit commit =
        firstWriteHeld(
            chunk -> {
              writers.add(Thread.currentThread());
              recordsPerWrite.add(chunk.count());
            },
            firstWriteEntered,
            release);
    var first = commit.appendAsync(ONE, 0);
    assertThat(firstWriteEntered.await(30, TimeUnit.SECONDS)).isTrue();
    List<java.util.concurrent.CompletableFuture<Long>> later = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      later.add(commit.appendAsync(ONE, 0));
    }
    release.countDown();
    assertThat(first.get(30, TimeUnit.SECONDS)).isEqualTo(1);
    assertThat(later.get(4).get(30, TimeUnit.SECONDS)).isEqualTo(6);
    assertThat(recordsPerWrite).containsExactly(1, 5);
    // Another thread would have been woken, parked on the flush lock and woken again.
    assertThat(writers).as("one thread wrote both chunks").containsOnly(writers.get(0));
  }

  @Test
  void workOnTheTopicsFilesGoesBeforeTheNextWriteOfAWriterThatGoesOn() throws Exception {
    List<String> order = new java.util.concurrent.CopyOnWriteArrayList<>();
    CountDownLatch firstWriteEntered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    GroupCommit commit = firstWriteHeld(chunk -> order.add("write"), firstWriteEntered, release);
    var first = commit.appendAsync(ONE, 0);
    assertThat(firstWriteEntered.await(30, TimeUnit.SECONDS)).isTrue();
    Thread retention =
        new Thread(
            () -> {
              try {
                commit.exclusive(() -> order.add("exclusive"));
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    retention.start();
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(30))
        .until(() -> retention.getState() == Thread.State.WAITING);
    var second = commit.appendAsync(ONE, 0);
    release.countDown();
    assertThat(first.get(30, TimeUnit.SECONDS)).isEqualTo(1);
    assertThat(second.get(30, TimeUnit.SECONDS)).isEqualTo(2);
    retention.join(30_000);
    // The writing thread is running when the first write ends; the waiting one must be woken.
    assertThat(order).containsExactly("write", "exclusive", "write");
  }

  @Test
  void aTopicKeptBusyLetsTheOtherTopicsWaitingForAWriterGoFirst() throws Exception {
    int threads = GroupCommit.FLUSHES.getMaximumPoolSize();
    List<String> writes = new java.util.concurrent.CopyOnWriteArrayList<>();
    CountDownLatch entered = new CountDownLatch(threads);
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch releaseBusy = new CountDownLatch(1);
    // Every thread of the pool held by a write, the busy topic's among them.
    List<GroupCommit> held = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      String name = i == 0 ? "busy" : "held-" + i;
      CountDownLatch gate = i == 0 ? releaseBusy : release;
      AtomicInteger count = new AtomicInteger();
      held.add(
          new GroupCommit(
              name,
              1,
              Long.MIN_VALUE,
              chunk -> {
                writes.add(name + "#" + count.incrementAndGet());
                if (count.get() == 1) {
                  entered.countDown();
                  awaitUninterruptibly(gate);
                }
              }));
    }
    List<java.util.concurrent.CompletableFuture<Long>> appends = new ArrayList<>();
    for (GroupCommit commit : held) {
      appends.add(commit.appendAsync(ONE, 0));
    }
    try {
      assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();
      GroupCommit waiting =
          new GroupCommit("waiting", 1, Long.MIN_VALUE, chunk -> writes.add("waiting#1"));
      var queued = waiting.appendAsync(ONE, 0);
      var busyAgain = held.get(0).appendAsync(ONE, 0);
      releaseBusy.countDown();
      assertThat(queued.get(30, TimeUnit.SECONDS)).isEqualTo(1);
      assertThat(busyAgain.get(30, TimeUnit.SECONDS)).isEqualTo(2);
      assertThat(writes)
          .as("the busy topic's next write waits behind the topic queued for a thread")
          .containsSubsequence("busy#1", "waiting#1", "busy#2");
    } finally {
      releaseBusy.countDown();
      release.countDown();
      for (var append : appends) {
        append.get(30, TimeUnit.SECONDS);
      }
    }
  }

  /** A group commit whose first write throws {@code thrown}, and whose later writes succeed. */
  private static GroupCommit firstWriteThrows(Throwable thrown) {
    AtomicInteger writes = new AtomicInteger();
    return new GroupCommit(
        "t",
        1,
        Long.MIN_VALUE,
        chunk -> {
          if (writes.incrementAndGet() == 1) {
            if (thrown instanceof IOException e) {
              throw e;
            }
            if (thrown instanceof Error e) {
              throw e;
            }
            throw (RuntimeException) thrown;
          }
        });
  }

  @Test
  void appendsThatDoNotWaitLearnAFailedWriteAndTheirNumbersAreFreeAgain() throws Exception {
    GroupCommit commit = firstWriteThrows(new IOException("disk full"));
    java.util.concurrent.CompletableFuture<Long> failed = commit.appendAsync(ONE, 0);
    assertThatThrownBy(() -> failed.get(30, TimeUnit.SECONDS))
        .hasCauseInstanceOf(IOException.class)
        .hasMessageContaining("disk full");
    assertThat(commit.appendAsync(ONE, 0).get(30, TimeUnit.SECONDS)).isEqualTo(1);
  }

  @Test
  void anAppendThatWouldPileOnAFullChunkIsLeftToOneThatMayWait() throws Exception {
    CountDownLatch firstWriteEntered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger writes = new AtomicInteger();
    GroupCommit commit =
        new GroupCommit(
            "t",
            1,
            Long.MIN_VALUE,
            chunk -> {
              if (writes.incrementAndGet() == 1) {
                firstWriteEntered.countDown();
                awaitUninterruptibly(release);
              }
            });
    var first = commit.appendAsync(ONE, 0);
    assertThat(firstWriteEntered.await(30, TimeUnit.SECONDS)).isTrue();
    byte[] big = new byte[GroupCommit.MAX_CHUNK_BYTES];
    var full = commit.appendAsync(List.of(Record.of(big)), 0);
    assertThat(full).isNotNull();
    assertThat(commit.appendAsync(ONE, 0)).as("the pending chunk is full").isNull();
    release.countDown();
    assertThat(first.get(30, TimeUnit.SECONDS)).isEqualTo(1);
    assertThat(full.get(30, TimeUnit.SECONDS)).isEqualTo(2);
    assertThat(commit.append(ONE, 0)).isEqualTo(3);
  }

  @Test
  void producersFasterThanTheDiskNeverPileMoreThanOneFullChunkBehindAWrite() throws Exception {
    byte[] mib = new byte[1 << 20];
    List<Long> chunkBytes = new java.util.concurrent.CopyOnWriteArrayList<>();
    CountDownLatch firstWriteEntered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    GroupCommit commit =
        firstWriteHeld(chunk -> chunkBytes.add(chunk.bytes()), firstWriteEntered, release);
    List<Thread> threads = new java.util.concurrent.CopyOnWriteArrayList<>();
    ExecutorService pool =
        Executors.newFixedThreadPool(
            12,
            task -> {
              Thread t = new Thread(task);
              threads.add(t);
              return t;
            });
    try {
      List<Future<Long>> appends = new ArrayList<>();
      appends.add(pool.submit(() -> commit.append(List.of(Record.of(mib)), 0)));
      assertThat(firstWriteEntered.await(30, TimeUnit.SECONDS)).isTrue();
      for (int i = 1; i < 12; i++) {
        appends.add(pool.submit(() -> commit.append(List.of(Record.of(mib)), 0)));
      }
      // Eleven MiB sent behind a write that does not finish: at most one full chunk forms.
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(30))
          .until(
              () ->
                  threads.size() == 12
                      && threads.stream()
                          .allMatch(
                              t ->
                                  t.getState() == Thread.State.WAITING
                                      || t.getState() == Thread.State.TIMED_WAITING));
      assertThat(commit.pendingBytes())
          .isLessThan(
              GroupCommit.MAX_CHUNK_BYTES + WireRecordFormat.maxRecordBytes(Record.of(mib)));
      release.countDown();
      Set<Long> numbers = new java.util.HashSet<>();
      for (Future<Long> append : appends) {
        numbers.add(append.get(30, TimeUnit.SECONDS));
      }
      assertThat(numbers).hasSize(12);
      assertThat(chunkBytes)
          .allMatch(
              bytes ->
                  bytes
                      < GroupCommit.MAX_CHUNK_BYTES
                          + WireRecordFormat.maxRecordBytes(Record.of(mib)));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aFailedWriteFailsItsAppendersAndFreesTheirNumbers() throws IOException {
    AtomicInteger calls = new AtomicInteger();
    GroupCommit commit =
        new GroupCommit(
            "t",
            10,
            Long.MIN_VALUE,
            chunk -> {
              if (calls.incrementAndGet() == 2) {
                throw new IOException("disk says no");
              }
            });
    assertThat(commit.append(ONE, 0)).isEqualTo(10);
    assertThatThrownBy(
            () -> commit.append(List.of(Record.of(new byte[1]), Record.of(new byte[1])), 0))
        .isInstanceOf(IOException.class)
        .hasMessage("disk says no");
    assertThat(commit.append(ONE, 0)).as("the failed numbers are given again").isEqualTo(11);
  }

  @Test
  void aWriterThatThrowsAnythingStillReleasesEveryAppender() throws Exception {
    GroupCommit commit =
        new GroupCommit(
            "t",
            1,
            Long.MIN_VALUE,
            chunk -> {
              throw new IllegalStateException("bug");
            });
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Long>> appends = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        appends.add(pool.submit(() -> commit.append(ONE, 0)));
      }
      for (Future<Long> f : appends) {
        assertThatThrownBy(() -> f.get(30, TimeUnit.SECONDS))
            .satisfies(
                e ->
                    assertThat(e.getCause())
                        .satisfiesAnyOf(
                            c -> assertThat(c).isInstanceOf(StoreException.class),
                            c -> assertThat(c).isInstanceOf(IllegalStateException.class)));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void appendsThatDoNotWaitAreStillWrittenAfterAWriterThatThrew() throws Exception {
    for (Throwable thrown : List.of(new IllegalStateException("bug"), new AssertionError("bug"))) {
      GroupCommit commit = firstWriteThrows(thrown);
      var failed = commit.appendAsync(ONE, 0);
      assertThatThrownBy(() -> failed.get(30, TimeUnit.SECONDS))
          .as("after %s", thrown)
          .hasRootCauseMessage("bug");
      // The writing thread died or went on: either way the next append gets a writer.
      assertThat(commit.appendAsync(ONE, 0).get(30, TimeUnit.SECONDS))
          .as("after %s", thrown)
          .isEqualTo(1);
    }
  }

  @Test
  void appendTimesNeverGoBackwards() throws IOException {
    List<Long> times = new ArrayList<>();
    GroupCommit commit = new GroupCommit("t", 1, 500, chunk -> times.add(chunk.lastTime()));
    commit.append(ONE, 400);
    commit.append(ONE, 900);
    commit.append(ONE, 800);
    assertThat(times).containsExactly(500L, 900L, 900L);
  }

  private static void awaitUninterruptibly(CountDownLatch latch) {
    try {
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void idleTopicsHoldNoDirectMemory(@org.junit.jupiter.api.io.TempDir java.nio.file.Path root)
      throws Exception {
    java.lang.management.BufferPoolMXBean direct =
        java.lang.management.ManagementFactory.getPlatformMXBeans(
                java.lang.management.BufferPoolMXBean.class)
            .stream()
            .filter(pool -> pool.getName().equals("direct"))
            .findFirst()
            .orElseThrow();
    try (FileStore store =
        FileStore.open(
            root,
            FileStoreConfig.defaults().withFsync(new FsyncPolicy.Never()),
            java.time.Clock.systemUTC())) {
      store.store("warm-up", new byte[1]);
      long before = direct.getMemoryUsed();

      for (int i = 0; i < 500; i++) {
        store.store("topic-" + i, new byte[100]);
      }

      // Each topic kept its own 64 KiB buffer once: 500 topics held 31 MiB for nothing.
      assertThat(direct.getMemoryUsed() - before).isLessThan(64L * 64 * 1024);
    }
  }
}
