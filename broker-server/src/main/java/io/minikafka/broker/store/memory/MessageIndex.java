package io.minikafka.broker.store.memory;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A memory-store topic's index: per message number, its append time, its place in the topic's
 * chunks, the bytes it counts for and its payload's length.
 *
 * <p>Kept in blocks of {@value #BLOCK} messages, block {@code k} holding the numbers from {@code
 * base + k * BLOCK}, so that growing never copies more than one block: with one array per field for
 * the whole topic, the append that doubled it copied all of it under the topic's lock, on a network
 * thread (docs/PERFORMANCE.md, "Appends as a topic grows"). A block starts at 16 entries and
 * doubles as its messages come; blocks wholly below the oldest message kept are dropped.
 *
 * <p>Byte layout: entry {@code i} of a block is the {@value #ENTRY_BYTES} bytes from {@code i *}
 * {@value #ENTRY_BYTES}: append time (8), place (8), length (4), payload length (4), in the
 * platform's byte order. A block of {@value #DIRECT_ENTRIES} entries or more is outside the heap,
 * from the topic's {@link ChunkMemory} like its messages, and freed when dropped or outgrown: in
 * the heap, the index of ten million messages (240 MB) was copied by every young collection that
 * found it newly filled, with pauses of tens of milliseconds (docs/PERFORMANCE.md, "The memory
 * store's index outside the heap"). Smaller blocks stay in the heap, so that a topic of a few
 * messages costs no direct buffer.
 *
 * <p>Not thread-safe: its {@link TopicLog} holds the lock, and every read of it must too, since a
 * block is freed at once when dropped.
 */
final class MessageIndex {

  /** Messages per block: 8192, 192 KiB of index once full. */
  static final int BLOCK = 1 << 13;

  /** Entries from which a block is outside the heap. */
  static final int DIRECT_ENTRIES = 1 << 10;

  static final int ENTRY_BYTES = 24;

  private static final int SHIFT = 13;
  private static final int MASK = BLOCK - 1;
  private static final int FIRST_ENTRIES = 16;
  private static final int PLACE = 8;
  private static final int LENGTH = 16;
  private static final int PAYLOAD_LENGTH = 20;

  private final ChunkMemory memory;
  private final List<ByteBuffer> blocks = new ArrayList<>();

  /** The first number of {@code blocks.get(0)}, or the next number while there is no block. */
  private long base;

  /** Bytes of the blocks outside the heap. */
  private long directBytes;

  /**
   * An index whose first message will be numbered {@code firstNumber}, its large blocks in memory.
   */
  MessageIndex(long firstNumber, ChunkMemory memory) {
    this.base = firstNumber;
    this.memory = memory;
  }

  /**
   * Makes room for the numbers from {@code first} (the next number) to {@code last}: afterwards
   * {@link #set} cannot fail for them.
   *
   * @throws OutOfMemoryError if a block could not be had; the index reads as before, with perhaps
   *     more room
   */
  void ensure(long first, long last) {
    int firstBlock = (int) ((first - base) >>> SHIFT);
    int lastBlock = (int) ((last - base) >>> SHIFT);
    for (int k = firstBlock; k <= lastBlock; k++) {
      int needed = k < lastBlock ? BLOCK : (int) ((last - base) & MASK) + 1;
      if (k == blocks.size()) {
        blocks.add(allocate(capacity(FIRST_ENTRIES, needed)));
      } else if (entries(blocks.get(k)) < needed) {
        ByteBuffer old = blocks.get(k);
        ByteBuffer grown = allocate(capacity(entries(old), needed));
        grown.put(0, old, 0, old.capacity());
        blocks.set(k, grown);
        free(old);
      }
    }
  }

  void set(long number, long time, long place, int length, int payloadLength) {
    ByteBuffer block = block(number);
    int at = at(number);
    block.putLong(at, time);
    block.putLong(at + PLACE, place);
    block.putInt(at + LENGTH, length);
    block.putInt(at + PAYLOAD_LENGTH, payloadLength);
  }

  long time(long number) {
    return block(number).getLong(at(number));
  }

  long place(long number) {
    return block(number).getLong(at(number) + PLACE);
  }

  void setPlace(long number, long place) {
    block(number).putLong(at(number) + PLACE, place);
  }

  int length(long number) {
    return block(number).getInt(at(number) + LENGTH);
  }

  int payloadLength(long number) {
    return block(number).getInt(at(number) + PAYLOAD_LENGTH);
  }

  /**
   * Forgets the messages below {@code firstKept}, dropping and freeing the blocks that held only
   * those; with {@code firstKept} the next number, every block. When what is kept would take a
   * quarter or less of what its blocks hold (a topic that keeps a few messages of many that pass),
   * it is copied into one block of twice its size, so that such a topic's index stays small: at
   * most {@value #BLOCK} / 4 entries copied, after at least three times as many were removed.
   * Without memory for that block the index stays as it is: a removal does not fail.
   */
  void removeBelow(long firstKept, long nextNumber) {
    if (firstKept >= nextNumber) {
      blocks.forEach(this::free);
      blocks.clear();
      base = nextNumber;
      return;
    }
    int drop = (int) ((firstKept - base) >>> SHIFT);
    List<ByteBuffer> dropped = blocks.subList(0, drop);
    dropped.forEach(this::free);
    dropped.clear();
    base += (long) drop * BLOCK;
    int kept = (int) Math.min(nextNumber - firstKept, BLOCK);
    if (kept <= BLOCK / 4 && entries() >= 4L * Math.max(kept, FIRST_ENTRIES)) {
      ByteBuffer smaller;
      try {
        smaller = allocate(capacity(FIRST_ENTRIES, 2 * kept));
      } catch (OutOfMemoryError e) {
        return;
      }
      for (int i = 0; i < kept; i++) {
        long number = firstKept + i;
        smaller.put(i * ENTRY_BYTES, block(number), at(number), ENTRY_BYTES);
      }
      blocks.forEach(this::free);
      blocks.clear();
      blocks.add(smaller);
      base = firstKept;
    }
  }

  /** How many entries its blocks hold room for. */
  long entries() {
    long entries = 0;
    for (ByteBuffer block : blocks) {
      entries += entries(block);
    }
    return entries;
  }

  /** How many blocks it holds. */
  int blocks() {
    return blocks.size();
  }

  /** Bytes of its blocks outside the heap, taken from its {@link ChunkMemory}. */
  long directBytes() {
    return directBytes;
  }

  /** {@code from}, doubled until it holds {@code needed}. */
  private static int capacity(int from, int needed) {
    int capacity = from;
    while (capacity < needed) {
      capacity *= 2;
    }
    return capacity;
  }

  private ByteBuffer allocate(int entries) {
    if (entries < DIRECT_ENTRIES) {
      return ByteBuffer.allocate(entries * ENTRY_BYTES).order(ByteOrder.nativeOrder());
    }
    ByteBuffer block = memory.allocate(entries * ENTRY_BYTES).order(ByteOrder.nativeOrder());
    directBytes += block.capacity();
    return block;
  }

  private void free(ByteBuffer block) {
    if (entries(block) >= DIRECT_ENTRIES) {
      directBytes -= block.capacity();
      memory.free(block);
    }
  }

  private static int entries(ByteBuffer block) {
    return block.capacity() / ENTRY_BYTES;
  }

  private ByteBuffer block(long number) {
    return blocks.get((int) ((number - base) >>> SHIFT));
  }

  private int at(long number) {
    return (int) ((number - base) & MASK) * ENTRY_BYTES;
  }
}
