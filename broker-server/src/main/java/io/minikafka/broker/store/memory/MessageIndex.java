package io.minikafka.broker.store.memory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A memory-store topic's index: per message number, its append time, its place in the topic's
 * chunks, the bytes it counts for and its payload's length.
 *
 * <p>Kept in blocks of {@value #BLOCK} messages, block {@code k} holding the numbers from {@code
 * base + k * BLOCK}, so that growing never copies more than one block: with one array per field for
 * the whole topic, the append that doubled it copied all of it under the topic's lock, on a network
 * thread (docs/PERFORMANCE.md, "Appends as a topic grows"). A block's arrays start at 16 entries
 * and double as its messages come; blocks wholly below the oldest message kept are dropped.
 *
 * <p>Not thread-safe: its {@link TopicLog} holds the lock.
 */
final class MessageIndex {

  /** Messages per block: 8192, 192 KiB of index once full. */
  static final int BLOCK = 1 << 13;

  private static final int SHIFT = 13;
  private static final int MASK = BLOCK - 1;
  private static final int FIRST_ENTRIES = 16;

  private final List<Block> blocks = new ArrayList<>();

  /** The first number of {@code blocks.get(0)}, or the next number while there is no block. */
  private long base;

  private static final class Block {
    long[] times = new long[FIRST_ENTRIES];
    long[] places = new long[FIRST_ENTRIES];
    int[] lengths = new int[FIRST_ENTRIES];
    int[] payloadLengths = new int[FIRST_ENTRIES];

    void grow(int entries) {
      int capacity = times.length;
      while (capacity < entries) {
        capacity *= 2;
      }
      times = Arrays.copyOf(times, capacity);
      places = Arrays.copyOf(places, capacity);
      lengths = Arrays.copyOf(lengths, capacity);
      payloadLengths = Arrays.copyOf(payloadLengths, capacity);
    }
  }

  /** An index whose first message will be numbered {@code firstNumber}. */
  MessageIndex(long firstNumber) {
    this.base = firstNumber;
  }

  /**
   * Makes room for the numbers from {@code first} (the next number) to {@code last}: afterwards
   * {@link #set} cannot fail for them.
   */
  void ensure(long first, long last) {
    int firstBlock = (int) ((first - base) >>> SHIFT);
    int lastBlock = (int) ((last - base) >>> SHIFT);
    while (blocks.size() <= lastBlock) {
      blocks.add(new Block());
    }
    for (int k = firstBlock; k <= lastBlock; k++) {
      Block block = blocks.get(k);
      int needed = k < lastBlock ? BLOCK : (int) ((last - base) & MASK) + 1;
      if (block.times.length < needed) {
        block.grow(needed);
      }
    }
  }

  void set(long number, long time, long place, int length, int payloadLength) {
    Block block = block(number);
    int i = entry(number);
    block.times[i] = time;
    block.places[i] = place;
    block.lengths[i] = length;
    block.payloadLengths[i] = payloadLength;
  }

  long time(long number) {
    return block(number).times[entry(number)];
  }

  long place(long number) {
    return block(number).places[entry(number)];
  }

  void setPlace(long number, long place) {
    block(number).places[entry(number)] = place;
  }

  int length(long number) {
    return block(number).lengths[entry(number)];
  }

  int payloadLength(long number) {
    return block(number).payloadLengths[entry(number)];
  }

  /**
   * Forgets the messages below {@code firstKept}, dropping the blocks that held only those; with
   * {@code firstKept} the next number, every block. When what is kept would take a quarter or less
   * of what its blocks hold (a topic that keeps a few messages of many that pass), it is copied
   * into one block of twice its size, so that such a topic's index stays small: at most {@value
   * #BLOCK} / 4 entries copied, after at least three times as many were removed.
   */
  void removeBelow(long firstKept, long nextNumber) {
    if (firstKept >= nextNumber) {
      blocks.clear();
      base = nextNumber;
      return;
    }
    int drop = (int) ((firstKept - base) >>> SHIFT);
    blocks.subList(0, drop).clear();
    base += (long) drop * BLOCK;
    int kept = (int) Math.min(nextNumber - firstKept, BLOCK);
    if (kept <= BLOCK / 4 && entries() >= 4L * Math.max(kept, FIRST_ENTRIES)) {
      Block smaller = new Block();
      smaller.grow(2 * kept);
      for (int i = 0; i < kept; i++) {
        long number = firstKept + i;
        Block from = block(number);
        int at = entry(number);
        smaller.times[i] = from.times[at];
        smaller.places[i] = from.places[at];
        smaller.lengths[i] = from.lengths[at];
        smaller.payloadLengths[i] = from.payloadLengths[at];
      }
      blocks.clear();
      blocks.add(smaller);
      base = firstKept;
    }
  }

  /** How many entries its blocks hold room for. */
  long entries() {
    long entries = 0;
    for (Block block : blocks) {
      entries += block.times.length;
    }
    return entries;
  }

  /** How many blocks it holds. */
  int blocks() {
    return blocks.size();
  }

  private Block block(long number) {
    return blocks.get((int) ((number - base) >>> SHIFT));
  }

  private int entry(long number) {
    return (int) ((number - base) & MASK);
  }
}
