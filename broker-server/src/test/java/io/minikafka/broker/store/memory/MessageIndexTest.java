package io.minikafka.broker.store.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The memory store's per-message index, in blocks. */
class MessageIndexTest {

  private final PoisoningMemory memory = new PoisoningMemory();

  @Test
  void entriesReadBackAcrossBlocksAfterGrowingOneBatchAtATime() {
    MessageIndex index = new MessageIndex(5, memory);
    long next = 5;
    for (int batch : new int[] {1, 3, 100, 9_000, 1, 20_000, 7}) {
      index.ensure(next, next + batch - 1);
      for (long n = next; n < next + batch; n++) {
        index.set(n, n * 3, n << 32 | n, (int) n % 1_000, (int) n % 7);
      }
      next += batch;
    }
    assertThat(index.blocks())
        .isEqualTo((int) ((next - 5 + MessageIndex.BLOCK - 1) / MessageIndex.BLOCK));
    for (long n = 5; n < next; n++) {
      assertThat(index.time(n)).isEqualTo(n * 3);
      assertThat(index.place(n)).isEqualTo(n << 32 | n);
      assertThat(index.length(n)).isEqualTo((int) n % 1_000);
      assertThat(index.payloadLength(n)).isEqualTo((int) n % 7);
    }
  }

  @Test
  void blocksBelowTheOldestKeptAreDroppedAndNumberingGoesOnAfterEmptying() {
    MessageIndex index = new MessageIndex(1, memory);
    long last = 5L * MessageIndex.BLOCK;
    index.ensure(1, last);
    for (long n = 1; n <= last; n++) {
      index.set(n, n, n, 1, 1);
    }

    index.removeBelow(3L * MessageIndex.BLOCK + 10, last + 1);
    assertThat(index.blocks()).as("the block holding the oldest kept, and after").isEqualTo(2);
    assertThat(index.time(3L * MessageIndex.BLOCK + 10)).isEqualTo(3L * MessageIndex.BLOCK + 10);
    index.setPlace(last, 42);
    assertThat(index.place(last)).isEqualTo(42);

    index.removeBelow(last + 1, last + 1);
    assertThat(index.blocks()).isZero();
    index.ensure(last + 1, last + 3);
    index.set(last + 3, 9, 9, 9, 9);
    assertThat(index.blocks()).isEqualTo(1);
    assertThat(index.time(last + 3)).isEqualTo(9);
  }

  @Test
  void aBaseOffTheBlockGridReadsBackOneNumberAtATimeAcrossABlockEdge() {
    long first = MessageIndex.BLOCK - 3;
    MessageIndex index = new MessageIndex(first, memory);
    for (long n = first; n < first + 40; n++) {
      index.ensure(n, n);
      index.set(n, n, -n, (int) n, 1);
    }
    for (long n = first; n < first + 40; n++) {
      assertThat(index.time(n)).isEqualTo(n);
      assertThat(index.place(n)).isEqualTo(-n);
    }
    assertThat(index.blocks()).isEqualTo(1);
    index.ensure(first + 40, first + MessageIndex.BLOCK + 5);
    index.set(first + MessageIndex.BLOCK + 5, 7, 7, 7, 7);
    assertThat(index.blocks()).isEqualTo(2);
    assertThat(index.time(first + MessageIndex.BLOCK + 5)).isEqualTo(7);
    assertThat(index.time(first + 39)).isEqualTo(first + 39);
  }

  @Test
  void removalsKeepWholeBlocksUpToTheOldestKeptAndAFewKeptCostAFewEntries() {
    MessageIndex index = new MessageIndex(1, memory);
    long last = 3L * MessageIndex.BLOCK;
    index.ensure(1, last);
    for (long n = 1; n <= last; n++) {
      index.set(n, n, n, 1, 1);
    }
    index.removeBelow(MessageIndex.BLOCK, last + 1);
    assertThat(index.blocks()).as("one below the edge drops nothing").isEqualTo(3);
    index.removeBelow(MessageIndex.BLOCK + 1, last + 1);
    assertThat(index.blocks()).as("on the edge, one block").isEqualTo(2);
    assertThat(index.time(MessageIndex.BLOCK + 1)).isEqualTo(MessageIndex.BLOCK + 1);

    index.removeBelow(last - 2, last + 1);
    assertThat(index.entries()).as("three kept, copied into a small block").isLessThanOrEqualTo(16);
    for (long n = last - 2; n <= last; n++) {
      assertThat(index.time(n)).isEqualTo(n);
    }
  }

  @Test
  void aTopicKeepingOneMessageOfThousandsThatPassHoldsASmallIndex() {
    MessageIndex index = new MessageIndex(1, memory);
    for (long n = 1; n <= 20_000; n++) {
      index.ensure(n, n);
      index.set(n, n, n * 2, 1, 1);
      index.removeBelow(n, n + 1);
      assertThat(index.time(n)).isEqualTo(n);
      assertThat(index.place(n)).isEqualTo(n * 2);
    }
    assertThat(index.entries()).isLessThanOrEqualTo(64);
  }

  @Test
  void largeBlocksAreTakenFromItsMemoryAndFreedWhenOutgrownOrDropped() {
    MessageIndex index = new MessageIndex(1, memory);
    int half = MessageIndex.DIRECT_ENTRIES / 2;
    index.ensure(1, half);
    assertThat(memory.held()).as("a small block stays in the heap").isZero();
    index.ensure(half + 1, half + 1);
    assertThat(memory.held())
        .as("grown to twice, outside the heap")
        .isEqualTo(index.directBytes())
        .isEqualTo((long) MessageIndex.DIRECT_ENTRIES * MessageIndex.ENTRY_BYTES);

    long last = 3L * MessageIndex.BLOCK;
    index.ensure(half + 2, last);
    for (long n = 1; n <= last; n++) {
      index.set(n, n, -n, (int) n, 1);
    }
    assertThat(memory.held())
        .as("three full blocks, the outgrown ones given back")
        .isEqualTo(index.directBytes())
        .isEqualTo(3L * MessageIndex.BLOCK * MessageIndex.ENTRY_BYTES);

    index.removeBelow(2L * MessageIndex.BLOCK + 1, last + 1);
    assertThat(memory.held())
        .isEqualTo(index.directBytes())
        .isEqualTo((long) MessageIndex.BLOCK * MessageIndex.ENTRY_BYTES);
    for (long n = 2L * MessageIndex.BLOCK + 1; n <= last; n++) {
      assertThat(index.place(n)).isEqualTo(-n);
    }

    index.removeBelow(last - 999, last + 1);
    assertThat(memory.held())
        .as("the last thousand copied into a block of 2,048")
        .isEqualTo(index.directBytes())
        .isEqualTo(2_048L * MessageIndex.ENTRY_BYTES);
    for (long n = last - 999; n <= last; n++) {
      assertThat(index.time(n)).isEqualTo(n);
      assertThat(index.place(n)).isEqualTo(-n);
      assertThat(index.length(n)).isEqualTo((int) n);
    }

    index.removeBelow(last + 1, last + 1);
    assertThat(memory.held()).isZero();
    assertThat(index.directBytes()).isZero();
  }

  @Test
  void withoutMemoryForABlockAGrowthFailsAndACopyIsSkippedLeavingEveryEntryAsItWas() {
    MessageIndex index = new MessageIndex(1, memory);
    long last = MessageIndex.BLOCK + 10L;
    index.ensure(1, last);
    for (long n = 1; n <= last; n++) {
      index.set(n, n, n, 1, 1);
    }
    long held = memory.held();
    memory.failAfter(0);

    assertThatThrownBy(() -> index.ensure(last + 1, last + 5_000))
        .isInstanceOf(OutOfMemoryError.class);
    assertThat(memory.held()).isEqualTo(held);
    for (long n = 1; n <= last; n++) {
      assertThat(index.time(n)).isEqualTo(n);
    }

    index.removeBelow(MessageIndex.BLOCK - 600, last + 1);
    assertThat(index.blocks()).as("no memory to copy the 611 kept: both blocks kept").isEqualTo(2);
    for (long n = MessageIndex.BLOCK - 600; n <= last; n++) {
      assertThat(index.place(n)).isEqualTo(n);
    }
    memory.failAfter(Integer.MAX_VALUE);
    index.ensure(last + 1, last + 5_000);
    index.set(last + 5_000, 8, 8, 8, 8);
    assertThat(index.place(last + 5_000)).isEqualTo(8);
    assertThat(index.place(last)).isEqualTo(last);
  }
}
