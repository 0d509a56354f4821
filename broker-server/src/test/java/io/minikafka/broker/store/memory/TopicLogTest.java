package io.minikafka.broker.store.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.minikafka.broker.store.Header;
import io.minikafka.broker.store.PollLimits;
import io.minikafka.broker.store.PollResult;
import io.minikafka.broker.store.Record;
import io.minikafka.broker.store.RecordBytesWriter;
import io.minikafka.broker.store.StoreFullException;
import io.minikafka.broker.store.StoredMessage;
import io.minikafka.broker.store.TopicInfo;
import io.minikafka.broker.store.WireRecords;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The chunks a memory-store topic keeps its messages in: reads across them, their sizes, and their
 * memory given back. Chunks here are at most 64 KiB, whatever the JVM, so that a few hundred
 * messages cross several.
 */
class TopicLogTest {

  private static final int MAX_CHUNK = 64 * 1024;

  private final PoisoningMemory memory = new PoisoningMemory();
  private final MemoryBudget budget = new MemoryBudget(Long.MAX_VALUE);

  /** The log the model is checked against: a plain one unless a test gives it other memory. */
  private TopicLog log = new TopicLog(budget, 0, memory, MAX_CHUNK);

  /** What the log should hold: every message appended, and the number of the oldest kept. */
  private final List<Record> appended = new ArrayList<>();

  private final List<Long> appendTimes = new ArrayList<>();
  private long oldestKept = 1;

  @Test
  void readsAcrossChunksAndRemovalsGiveWhatAModelOfTheTopicHolds() throws IOException {
    Random random = new Random(7);
    long time = -50;
    for (int step = 0; step < 1_500; step++) {
      int op = random.nextInt(10);
      if (op < 5) {
        List<Record> batch = new ArrayList<>();
        for (int i = 1 + random.nextInt(random.nextBoolean() ? 3 : 60); i > 0; i--) {
          batch.add(randomRecord(random));
        }
        // Times from before the epoch, 0, and a clock that steps back now and then.
        time += random.nextInt(4) - 1;
        append(log, batch, time);
      } else if (op < 6) {
        long cutoff = time - random.nextInt(20);
        long removed = log.removeOlderThan(cutoff);
        long expected = 0;
        while (oldestKept + expected <= appended.size()
            && appendTimes.get((int) (oldestKept + expected - 1)) < cutoff) {
          expected++;
        }
        assertThat(removed).as("removed before %d", cutoff).isEqualTo(expected);
        oldestKept += removed;
      } else {
        checkRead(random.nextInt(appended.size() + 3), randomLimits(random));
      }
      assertThat(memory.held())
          .as("chunks and index held, not freed")
          .isEqualTo(log.chunkBytes() + log.indexBytes());
    }
    assertThat(oldestKept).as("removals happened").isGreaterThan(100);
    assertThat(log.chunkCount()).as("reads crossed chunks").isGreaterThan(3);
  }

  @Test
  void aTopicOverItsRetentionBytesKeepsReadingRightAsItsOldestGo() throws IOException {
    TopicLog bounded = new TopicLog(budget, 50_000, memory, MAX_CHUNK);
    Random random = new Random(3);
    for (int round = 0; round < 40; round++) {
      List<Record> batch = new ArrayList<>();
      for (int i = random.nextInt(round % 10 == 0 ? 3_000 : 100); i >= 0; i--) {
        batch.add(Record.of(bytes(random.nextInt(round % 7 == 0 ? 3_000 : 60))));
      }
      append(bounded, batch, round);
      PollResult all = bounded.readEncoded(0, PollLimits.UNLIMITED);
      long first = all.firstAvailable();
      List<StoredMessage> read = WireRecords.decode(all.encoded());
      long kept = 0;
      for (int i = 0; i < read.size(); i++) {
        assertSame(read.get(i), first + i, "round " + round);
        kept += read.get(i).payload().length;
      }
      assertThat(all.nextNumber()).isEqualTo(appended.size() + 1);
      assertThat(kept - read.get(read.size() - 1).payload().length)
          .as("all but the newest within the retention bytes")
          .isLessThanOrEqualTo(50_000);
      assertThat(bounded.chunkBytes())
          .as("removed messages hold no more than the kept ones, and a few KiB")
          .isLessThanOrEqualTo(4 * all.encoded().length() + 3L * TopicLog.FIRST_CHUNK_BYTES);
    }
  }

  @Test
  void aMessageLargerThanAChunkHasOneToItselfBetweenSmallOnes() throws IOException {
    append(log, List.of(Record.of(bytes(10)), Record.of(bytes(MAX_CHUNK + 5_000))), 1);
    append(log, List.of(Record.of(bytes(20))), 2);
    assertThat(log.chunkCount()).as("the large one between two chunks").isEqualTo(3);
    append(log, List.of(Record.of(bytes(MAX_CHUNK - 100)), Record.of(bytes(30))), 3);
    assertThat(log.chunkCount()).as("the last chunk grown to hold what fits").isEqualTo(3);
    append(log, List.of(Record.of(bytes(100))), 4);
    assertThat(log.chunkCount()).as("a full chunk followed by a new one").isEqualTo(4);

    List<StoredMessage> all =
        WireRecords.decode(log.readEncoded(1, PollLimits.UNLIMITED).encoded());
    assertThat(all).hasSize(6);
    for (int i = 0; i < all.size(); i++) {
      assertSame(all.get(i), i + 1, "message " + (i + 1));
    }
  }

  @Test
  void aChunksRoomIsNeverMoreThanWhatItHoldsOrItsFirstSize() throws IOException {
    Random random = new Random(11);
    long held = 0;
    for (int i = 0; i < 400; i++) {
      List<Record> batch = new ArrayList<>();
      for (int j = random.nextInt(40); j >= 0; j--) {
        batch.add(Record.of(bytes(random.nextInt(i % 50 == 49 ? 100_000 : 2_000))));
      }
      for (int j = 0; j < batch.size(); j++) {
        Record record = batch.get(j);
        held +=
            RecordBytesWriter.entryBytes(
                appended.size() + 1 + j, i, record.payload(), record.key(), record.headers());
      }
      append(log, batch, i);

      assertThat(log.chunkBytes())
          .as("after %d appends holding %d bytes", i + 1, held)
          .isLessThanOrEqualTo(2 * held + (long) TopicLog.FIRST_CHUNK_BYTES * log.chunkCount());
    }
    assertThat(log.readEncoded(1, PollLimits.UNLIMITED).encoded().length()).isEqualTo(held);
  }

  @Test
  void aTopicHoldingMoreThanAChunkTakesReadyFullSizeChunksWithoutGrowingThem() throws IOException {
    ChunkMemory alwaysReady =
        new ChunkMemory() {
          @Override
          public java.nio.ByteBuffer allocate(int bytes) {
            return memory.allocate(bytes);
          }

          @Override
          public java.nio.ByteBuffer allocateReady(int bytes) {
            return memory.allocate(bytes);
          }

          @Override
          public void free(java.nio.ByteBuffer chunk) {
            memory.free(chunk);
          }
        };
    TopicLog busy = new TopicLog(budget, 0, alwaysReady, MAX_CHUNK);
    for (int i = 0; i < 100; i++) {
      append(busy, List.of(Record.of(bytes(1_000))), i);
    }
    assertThat(busy.chunkBytes()).as("more than a chunk held").isGreaterThan(MAX_CHUNK);
    int before = memory.allocations().size();

    for (int i = 0; i < 300; i++) {
      append(busy, List.of(Record.of(bytes(1_000))), 100 + i);
    }

    List<Integer> made = memory.allocations().subList(before, memory.allocations().size());
    assertThat(made)
        .as("one allocation per chunk, each the largest size, none grown and copied")
        .isNotEmpty()
        .allMatch(bytes -> bytes == MAX_CHUNK);
    assertThat(made.size()).isLessThanOrEqualTo(300 * 1_100 / MAX_CHUNK + 1);
    List<StoredMessage> all =
        WireRecords.decode(busy.readEncoded(1, PollLimits.UNLIMITED).encoded());
    assertThat(all).hasSize(400);
    for (int i = 0; i < all.size(); i++) {
      assertSame(all.get(i), i + 1, "message " + (i + 1));
    }
    assertThat(memory.held()).isEqualTo(busy.chunkBytes() + busy.indexBytes());
  }

  @Test
  void readsStayRightWhileFullSizeChunksAreTakenReadyAndReusedAfterRemovals() throws IOException {
    List<Runnable> preparing = new ArrayList<>();
    ReadyChunks ready = new ReadyChunks(memory, MAX_CHUNK, 2, preparing::add);
    Set<ByteBuffer> handedOut = Collections.newSetFromMap(new IdentityHashMap<>());
    int[] reused = {0};
    ChunkMemory watched =
        new ChunkMemory() {
          @Override
          public ByteBuffer allocate(int bytes) {
            return seen(ready.allocate(bytes));
          }

          @Override
          public ByteBuffer allocateReady(int bytes) {
            return seen(ready.allocateReady(bytes));
          }

          private ByteBuffer seen(ByteBuffer chunk) {
            if (chunk != null && !handedOut.add(chunk)) {
              reused[0]++;
            }
            return chunk;
          }

          @Override
          public void free(ByteBuffer chunk) {
            ready.free(chunk);
          }
        };
    log = new TopicLog(budget, 0, watched, MAX_CHUNK);
    Random random = new Random(19);
    for (long time = 0; time < 600; time++) {
      List<Record> batch = new ArrayList<>();
      for (int i = 1 + random.nextInt(40); i > 0; i--) {
        batch.add(Record.of(bytes(500 + random.nextInt(2_500))));
      }
      append(log, batch, time);
      if (random.nextInt(3) == 0) {
        // The background thread, at its own pace: sometimes none is ready when a chunk is needed.
        List<Runnable> due = new ArrayList<>(preparing);
        preparing.clear();
        due.forEach(Runnable::run);
      }
      if (time % 10 == 9) {
        oldestKept += log.removeOlderThan(time - 30);
      }
      checkRead(oldestKept + random.nextInt(200), randomLimits(random));
      assertThat(memory.held())
          .as("chunks, index and the ready chunks held, nothing else")
          .isEqualTo(log.chunkBytes() + log.indexBytes() + (long) ready.readyCount() * MAX_CHUNK);
    }
    assertThat(reused[0]).as("removed chunks were taken again").isGreaterThan(0);
    checkRead(1, PollLimits.UNLIMITED);
  }

  @Test
  void withoutAReadyChunkANewChunkStartsSmallSoNoAppendWaitsForAWholeChunk() throws IOException {
    for (int i = 0; i < 100; i++) {
      append(log, List.of(Record.of(bytes(1_000))), i);
    }
    int chunks = log.chunkCount();
    int before = memory.allocations().size();

    while (log.chunkCount() == chunks) {
      append(log, List.of(Record.of(bytes(1_000))), 100);
    }

    List<Integer> made = memory.allocations().subList(before, memory.allocations().size());
    assertThat(made.get(made.size() - 1))
        .as("the new chunk, sized for the one message it first took")
        .isLessThan(2_000);
  }

  @Test
  void chunksAreFreedOnceRetentionHasRemovedAllTheirMessagesAndNumberingGoesOn()
      throws IOException {
    for (int second = 0; second < 10; second++) {
      List<Record> batch = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        batch.add(Record.of(bytes(1_000)));
      }
      append(log, batch, second * 1_000L);
    }
    int chunks = log.chunkCount();
    assertThat(chunks).isGreaterThan(10);

    assertThat(log.removeOlderThan(8_000)).isEqualTo(800);
    assertThat(log.chunkCount()).as("only chunks holding the last 200").isLessThan(chunks / 2);
    assertThat(memory.held()).isEqualTo(log.chunkBytes() + log.indexBytes());
    assertSame(log.read(0, new PollLimits(1, 1)).messages().get(0), 801, "oldest kept");

    assertThat(log.removeOlderThan(10_000)).isEqualTo(200);
    assertThat(log.chunkCount()).isZero();
    assertThat(memory.held()).as("every chunk and index block freed").isZero();
    append(log, List.of(Record.of(bytes(5))), 20_000);
    assertSame(log.read(1_001, PollLimits.UNLIMITED).messages().get(0), 1_001, "after emptying");
  }

  @Test
  void removingMostOfTheFirstChunkCopiesTheRestIntoASmallerOne() throws IOException {
    List<Record> batch = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      batch.add(Record.of(bytes(1_000)));
    }
    append(log, batch, 1);
    append(log, List.of(Record.of(bytes(1_000)), Record.of(bytes(1_000))), 2);
    long before = log.chunkBytes();

    assertThat(log.removeOlderThan(2)).isEqualTo(60);

    assertThat(log.chunkCount()).isEqualTo(1);
    assertThat(log.chunkBytes()).isLessThan(before / 4);
    assertThat(memory.held()).isEqualTo(log.chunkBytes() + log.indexBytes());
    append(log, List.of(Record.of(bytes(77))), 3);
    List<StoredMessage> all =
        WireRecords.decode(log.readEncoded(0, PollLimits.UNLIMITED).encoded());
    assertThat(all).hasSize(3);
    for (int i = 0; i < 3; i++) {
      assertSame(all.get(i), 61 + i, "after the copy");
      assertSame(log.read(61 + i, new PollLimits(1, 1)).messages().get(0), 61 + i, "as object");
    }
  }

  @Test
  void anAppendThatGetsNoMemoryChangesNothingAndGivesBackWhatItGot() throws IOException {
    append(log, List.of(Record.of(bytes(3_000))), 1);
    long held = memory.held();
    memory.failAfter(1);
    List<Record> batch = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      batch.add(Record.of(bytes(1_000)));
    }

    assertThatThrownBy(() -> log.appendAll(batch, 2))
        .isInstanceOf(StoreFullException.class)
        .hasMessageStartingWith("the memory store could not get ")
        .hasMessageContaining("MaxDirectMemorySize")
        .hasMessageContaining("messages were not stored");

    assertThat(memory.held()).as("what it got, given back").isEqualTo(held);
    assertThat(log.chunkBytes() + log.indexBytes()).isEqualTo(held);
    PollResult all = log.read(0, PollLimits.UNLIMITED);
    assertThat(all.messages()).hasSize(1);
    assertThat(all.nextNumber()).isEqualTo(2);
    memory.failAfter(Integer.MAX_VALUE);
    append(log, List.of(Record.of(bytes(9))), 3);
    assertSame(log.read(2, PollLimits.UNLIMITED).messages().get(0), 2, "the next append");
  }

  @Test
  void theIndexOfManyMessagesIsHeldInTheLogsMemoryBesideTheChunksAndFreedWithThem()
      throws IOException {
    List<Record> batch = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      batch.add(Record.of(bytes(10)));
    }
    append(log, batch, 1);

    assertThat(log.indexBytes())
        .as("an entry per message outside the heap")
        .isGreaterThanOrEqualTo(5_000L * MessageIndex.ENTRY_BYTES);
    assertThat(memory.held()).isEqualTo(log.chunkBytes() + log.indexBytes());
    checkRead(4_321, new PollLimits(3, 1 << 20));

    assertThat(log.deleteAll()).isEqualTo(5_000);
    assertThat(log.indexBytes()).isZero();
    assertThat(memory.held()).isZero();
  }

  @Test
  void anAppendWhoseIndexCannotGrowIsRefusedNamingTheIndexAndChangesNothing() throws IOException {
    append(log, List.of(Record.of(bytes(30))), 1);
    long held = memory.held();
    memory.failAfter(0);
    List<Record> batch = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      batch.add(Record.of(bytes(5)));
    }

    assertThatThrownBy(() -> log.appendAll(batch, 2))
        .isInstanceOf(StoreFullException.class)
        .hasMessageStartingWith(
            "the memory store could not get memory for the index of 2000 messages")
        .hasMessageContaining("MaxDirectMemorySize")
        .hasMessageEndingWith("messages were not stored");

    assertThat(memory.held()).isEqualTo(held);
    assertThat(log.read(0, PollLimits.UNLIMITED).nextNumber()).isEqualTo(2);
    memory.failAfter(Integer.MAX_VALUE);
    append(log, batch, 3);
    checkRead(0, PollLimits.UNLIMITED);
  }

  @Test
  void aRecordTooLargeForAnArrayIsRefusedBeforeAnythingIsMade() {
    Record huge =
        new Record(
            new byte[Integer.MAX_VALUE / 2], List.of(), new byte[Integer.MAX_VALUE / 2 + 100]);

    assertThatThrownBy(() -> TopicLog.checkSizes(List.of(Record.of(bytes(1)), huge)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("message 1 of the batch would take ")
        .hasMessageEndingWith("the memory store holds messages of under 2 GiB");
  }

  @Test
  void aDeletedTopicFreesEveryChunkAndGivesBackItsBudget() throws IOException {
    MemoryBudget capped = new MemoryBudget(10_000_000);
    TopicLog topic = new TopicLog(capped, 0, memory, MAX_CHUNK);
    List<Record> batch = List.of(Record.of(bytes(100_000)), Record.of(bytes(200_000)));
    capped.reserve("t", MemoryBudget.cost(100_000) + MemoryBudget.cost(200_000));
    topic.appendAll(batch, 1);

    assertThat(topic.deleteAll()).isEqualTo(2);
    assertThat(topic.chunkCount()).isZero();
    assertThat(memory.held()).isZero();
    capped.reserve("t", 10_000_000);
    assertThatThrownBy(() -> capped.reserve("t", 1)).hasMessageContaining("holds 10000000");
  }

  @Test
  void aGrowthFollowedByAnAllocationThatFailsLeavesTheLastChunkAsItWas() throws IOException {
    append(log, List.of(Record.of(bytes(100))), 1);
    long held = memory.held();
    memory.failAfter(1);

    assertThatThrownBy(
            () ->
                log.appendAll(List.of(Record.of(bytes(5_000)), Record.of(bytes(MAX_CHUNK + 1))), 2))
        .isInstanceOf(StoreFullException.class);

    assertThat(memory.held()).as("the grown chunk given back").isEqualTo(held);
    assertThat(log.chunkBytes() + log.indexBytes()).isEqualTo(held);
    memory.failAfter(Integer.MAX_VALUE);
    append(log, List.of(Record.of(bytes(5_000)), Record.of(bytes(MAX_CHUNK + 1))), 3);
    List<StoredMessage> all =
        WireRecords.decode(log.readEncoded(0, PollLimits.UNLIMITED).encoded());
    for (int i = 0; i < 3; i++) {
      assertSame(all.get(i), i + 1, "after the refused batch");
    }
  }

  @Test
  void aRemovalWithoutMemoryToCopyTheFirstChunkStillRemovesAndReadsRight() throws IOException {
    List<Record> batch = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      batch.add(Record.of(bytes(1_000 + i)));
    }
    append(log, batch, 1);
    append(log, List.of(Record.of(bytes(1_000)), Record.of(bytes(1_001))), 2);
    memory.failAfter(0);

    assertThat(log.removeOlderThan(2)).isEqualTo(60);

    assertThat(memory.held()).isEqualTo(log.chunkBytes() + log.indexBytes());
    memory.failAfter(Integer.MAX_VALUE);
    oldestKept = 61;
    checkRead(0, PollLimits.UNLIMITED);
    checkRead(62, new PollLimits(1, 1));
  }

  @Test
  void readersRacingAppendsRemovalsAndCopiesNeverSeeAFreedChunk() throws Exception {
    TopicLog shared = new TopicLog(budget, 0, memory, MAX_CHUNK);
    java.util.concurrent.atomic.AtomicBoolean done =
        new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.ExecutorService readers =
        java.util.concurrent.Executors.newFixedThreadPool(2);
    List<java.util.concurrent.Future<Integer>> reads = new ArrayList<>();
    for (int r = 0; r < 2; r++) {
      long seed = r;
      reads.add(
          readers.submit(
              () -> {
                Random random = new Random(seed);
                int checked = 0;
                while (!done.get() || checked == 0) {
                  TopicInfo info = shared.describe("t");
                  long from =
                      info.firstAvailable()
                          + random.nextInt((int) Math.max(1, info.messageCount()));
                  PollLimits limits = new PollLimits(1 + random.nextInt(500), 1 << 20);
                  PollResult bytes = shared.readEncoded(from, limits);
                  List<StoredMessage> got =
                      bytes.encoded() == null ? List.of() : WireRecords.decode(bytes.encoded());
                  got = new ArrayList<>(got);
                  got.addAll(shared.read(from, limits).messages());
                  for (StoredMessage message : got) {
                    assertThat(message.payload()).isEqualTo(numbered(message.number()));
                    checked++;
                  }
                }
                return checked;
              }));
    }
    try {
      long number = 1;
      for (int round = 0; round < 3_000; round++) {
        List<Record> batch = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
          batch.add(Record.of(numbered(number + i)));
        }
        assertThat(shared.appendAll(batch, round)).isEqualTo(number);
        number += batch.size();
        // About 1,200 kept: the index's blocks are outside the heap, dropped and copied smaller.
        shared.removeOlderThan(round - 60);
      }
    } finally {
      done.set(true);
      readers.shutdown();
    }
    for (java.util.concurrent.Future<Integer> read : reads) {
      assertThat(read.get(60, java.util.concurrent.TimeUnit.SECONDS)).isPositive();
    }
    assertThat(shared.indexBytes()).as("an index outside the heap, raced").isPositive();
    assertThat(memory.held()).isEqualTo(shared.chunkBytes() + shared.indexBytes());
  }

  /** A payload that says which number it was stored at. */
  private static byte[] numbered(long number) {
    byte[] bytes = new byte[(int) (number % 700)];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) (number * 7 + i);
    }
    return bytes;
  }

  private void append(TopicLog target, List<Record> batch, long time) throws IOException {
    for (Record record : batch) {
      budget.reserve("t", MemoryBudget.cost(record.payload().length + record.extraBytes()));
    }
    assertThat(target.appendAll(batch, time)).isEqualTo(appended.size() + 1);
    appended.addAll(batch);
    long stored =
        appendTimes.isEmpty() ? time : Math.max(time, appendTimes.get(appendTimes.size() - 1));
    batch.forEach(record -> appendTimes.add(stored));
  }

  /** A read, as objects and as bytes, against the model. */
  private void checkRead(long from, PollLimits limits) throws IOException {
    long start = Math.max(Math.max(from, 1), oldestKept);
    long available = appended.size() + 1 - start;
    int expected = 0;
    long bytes = 0;
    while (expected < available && expected < limits.maxMessages()) {
      Record record = appended.get((int) (start + expected - 1));
      long cost = PollLimits.cost(record.payload().length + record.extraBytes());
      if (expected > 0 && bytes + cost > limits.maxBytes()) {
        break;
      }
      bytes += cost;
      expected++;
    }
    String at = "from " + from + " within " + limits;
    PollResult objects = log.read(from, limits);
    PollResult encoded = log.readEncoded(from, limits);
    for (PollResult result : List.of(objects, encoded)) {
      assertThat(result.count()).as(at).isEqualTo(expected);
      assertThat(result.newReadFrom()).as(at).isEqualTo(expected == 0 ? from : start + expected);
      assertThat(result.firstAvailable()).as(at).isEqualTo(oldestKept);
      assertThat(result.nextNumber()).as(at).isEqualTo(appended.size() + 1);
    }
    List<StoredMessage> decoded =
        encoded.encoded() == null ? List.of() : WireRecords.decode(encoded.encoded());
    for (int i = 0; i < expected; i++) {
      assertSame(objects.messages().get(i), start + i, at);
      assertSame(decoded.get(i), start + i, at);
    }
  }

  private void assertSame(StoredMessage got, long number, String at) {
    Record want = appended.get((int) number - 1);
    assertThat(got.number()).as(at).isEqualTo(number);
    assertThat(got.appendTimeMillis()).as(at).isEqualTo(appendTimes.get((int) number - 1));
    assertThat(got.payload()).as(at).isEqualTo(want.payload());
    assertThat(got.key()).as(at).isEqualTo(want.key());
    assertThat(got.headers())
        .as(at)
        .usingRecursiveFieldByFieldElementComparator()
        .isEqualTo(want.headers());
  }

  private static PollLimits randomLimits(Random random) {
    return switch (random.nextInt(4)) {
      case 0 -> PollLimits.UNLIMITED;
      case 1 -> new PollLimits(1 + random.nextInt(50), Long.MAX_VALUE);
      case 2 -> new PollLimits(Integer.MAX_VALUE, 1 + random.nextInt(200_000));
      default -> new PollLimits(1, 1);
    };
  }

  private static Record randomRecord(Random random) {
    byte[] payload =
        new byte[random.nextInt(20) == 0 ? random.nextInt(100_000) : random.nextInt(300)];
    random.nextBytes(payload);
    if (random.nextInt(5) > 0) {
      return Record.of(payload);
    }
    byte[] key = new byte[random.nextInt(20)];
    random.nextBytes(key);
    List<Header> headers = new ArrayList<>();
    for (int h = random.nextInt(3); h > 0; h--) {
      headers.add(new Header("h" + random.nextInt(5) + "é", bytes(random.nextInt(10))));
    }
    return new Record(key, headers, payload);
  }

  private static byte[] bytes(int length) {
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      bytes[i] = (byte) (i * 31 + length);
    }
    return bytes;
  }
}
