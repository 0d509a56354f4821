package io.minikafka.broker.store.memory;

import com.google.protobuf.CodedInputStream;
import io.minikafka.broker.store.Header;
import io.minikafka.broker.store.PollLimits;
import io.minikafka.broker.store.PollResult;
import io.minikafka.broker.store.Record;
import io.minikafka.broker.store.RecordBytes;
import io.minikafka.broker.store.RecordBytesWriter;
import io.minikafka.broker.store.StoreFullException;
import io.minikafka.broker.store.StoredMessage;
import io.minikafka.broker.store.TopicInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * One topic of a {@link MemoryStore}: its messages as the bytes a Subscribe response carries, back
 * to back in chunks of memory outside the heap ({@link ChunkMemory}), with an index of them beside
 * them ({@link MessageIndex}).
 *
 * <p>Each message is one {@code SubscribeResponse.records} entry as {@link RecordBytesWriter}
 * writes it (number, append time, payload, key, headers; no CRC), so a read of consecutive messages
 * is a copy of byte ranges, sent as they are ({@link #readEncoded}). Kept as an array or two per
 * message in the heap, millions of messages made G1 trace and copy them all, with pauses of tens to
 * hundreds of milliseconds (docs/PERFORMANCE.md, "The memory store's messages outside the heap");
 * in chunks outside it they cost a collection nothing.
 *
 * <p>A chunk starts small and doubles as it fills, up to {@code maxChunkBytes} (a message larger
 * than that has a chunk to itself), so its room not yet filled is never more than what it holds, or
 * {@value #FIRST_CHUNK_BYTES} bytes; but a topic holding at least {@code maxChunkBytes} takes a
 * full-size chunk whenever its memory has one ready ({@link ChunkMemory#allocateReady}), so that a
 * busy topic makes each chunk once instead of growing it through every size, each growth new memory
 * and a copy. A new chunk is then never more room than the topic holds. A chunk is freed once
 * retention has removed all its messages; the first chunk, when more of it is removed than kept, is
 * copied smaller. So a topic holds at most about four times the bytes of its messages' entries, and
 * a few KiB.
 *
 * <p>The index gives each message's append time, its place (its chunk's sequence number in the high
 * 32 bits, its offset in the chunk in the low), the bytes it counts for (payload, key and headers)
 * and its payload's length. A message's entry ends where the next message's begins, or at its
 * chunk's fill. Below, an index {@code i} is a message's position from the oldest kept: its number
 * is {@code firstNumber + i}.
 *
 * <p>Thread-safety: appends and removals take the write lock, reads the read lock, so reads run
 * concurrently with each other. A read copies its bytes out before it lets go of the lock, since a
 * removal frees chunks at once: a read holds appends up for a copy of at most its limit's bytes.
 */
final class TopicLog {

  /** A topic's first chunk, and every later chunk's smallest size. */
  static final int FIRST_CHUNK_BYTES = 256;

  /** The most a chunk grows to, but for a message larger than that. */
  static final int MAX_CHUNK_BYTES = 4 * 1024 * 1024;

  /** The largest array the JVM makes: no message's entry, nor any read's, may take more. */
  private static final int MAX_ARRAY_BYTES = Integer.MAX_VALUE - 8;

  private static final byte[] NONE = new byte[0];

  private final ReadWriteLock lock = new ReentrantReadWriteLock();

  private final MessageIndex index;
  private int size;

  /** The chunks holding the messages, oldest first; the last one takes appends. */
  private final List<Chunk> chunks = new ArrayList<>();

  /**
   * Sequence number of {@code chunks.get(0)}; chunks are numbered in the order they were made, in
   * 32 bits that wrap: only differences between the numbers of chunks held at once are used.
   */
  private int firstChunk;

  /** Number of the oldest message kept; the next number when the log is empty. */
  private long firstNumber = 1;

  private long lastAppendTime = Long.MIN_VALUE;
  private long payloadBytes;

  /** Set by {@link #deleteAll}, cleared by the next append: a deleted topic is hidden. */
  private volatile boolean deleted;

  /** The topic's own retention, or empty for the server's. */
  volatile Optional<Duration> retention = Optional.empty();

  /** Committed positions of named consumers. */
  final Map<String, Long> positions = new ConcurrentHashMap<>();

  private final MemoryBudget budget;

  /** Payload bytes kept at most, oldest removed first; 0 for no limit. */
  private final long retentionBytes;

  private final ChunkMemory memory;
  private final int maxChunkBytes;

  /** Memory holding message entries, filled from index 0 up to {@code fill}. */
  private static final class Chunk {
    ByteBuffer buffer;
    int fill;

    Chunk(ByteBuffer buffer) {
      this.buffer = buffer;
    }
  }

  /**
   * A log taking its chunks, of at most {@code maxChunkBytes} but for large messages, and its
   * index's large blocks from memory.
   */
  TopicLog(MemoryBudget budget, long retentionBytes, ChunkMemory memory, int maxChunkBytes) {
    this.budget = budget;
    this.retentionBytes = retentionBytes;
    this.memory = memory;
    this.maxChunkBytes = maxChunkBytes;
    this.index = new MessageIndex(1, memory);
  }

  /**
   * Checks that each record's entry fits in an array, as every stored message and every read of one
   * must: before anything is reserved or made for them.
   *
   * @throws IllegalArgumentException naming the first that does not
   */
  static void checkSizes(List<Record> records) {
    for (int i = 0; i < records.size(); i++) {
      Record record = records.get(i);
      // The largest number and time take the most bytes: a bound for any place in any topic.
      long entry =
          RecordBytesWriter.entryBytes(
              Long.MAX_VALUE, -1, record.payload(), record.key(), record.headers());
      if (entry > MAX_ARRAY_BYTES) {
        throw new IllegalArgumentException(
            "message "
                + i
                + " of the batch would take "
                + entry
                + " bytes with its key and headers; the memory store holds messages of under 2 GiB");
      }
    }
  }

  /**
   * Appends the records in order, with no other append between them; returns the first number. The
   * records must have passed {@link #checkSizes} and their bytes been reserved from the store's
   * budget. Past the topic's retention bytes the oldest messages go, all but the newest.
   *
   * @throws StoreFullException if no memory could be had for them; nothing was appended
   */
  long appendAll(List<Record> batch, long nowMillis) throws StoreFullException {
    lock.writeLock().lock();
    try {
      // A clock stepping back must not reorder append times: removal relies on their order.
      long time = Math.max(lastAppendTime, nowMillis);
      long first = firstNumber + size;
      int[] entries = new int[batch.size()];
      for (int i = 0; i < entries.length; i++) {
        Record record = batch.get(i);
        entries[i] =
            (int)
                RecordBytesWriter.entryBytes(
                    first + i, time, record.payload(), record.key(), record.headers());
      }
      // Before the chunks: an index that cannot grow must leave them as they were.
      try {
        index.ensure(first, first + batch.size() - 1);
      } catch (OutOfMemoryError e) {
        throw storeFull("memory for the index of " + batch.size() + " messages", e);
      }
      List<Chunk> room = room(entries);
      lastAppendTime = time;
      int chunk = 0;
      for (int i = 0; i < entries.length; i++) {
        Record record = batch.get(i);
        Chunk target = room.get(chunk);
        if (target.buffer.capacity() - target.fill < entries[i]) {
          target = room.get(++chunk);
        }
        long place = (long) (firstChunk + chunks.size() - room.size() + chunk) << 32 | target.fill;
        target.buffer.position(target.fill);
        RecordBytesWriter.writeEntry(
            target.buffer, first + i, time, record.payload(), record.key(), record.headers());
        target.fill = target.buffer.position();
        int length = (int) (record.payload().length + record.extraBytes());
        index.set(first + i, time, place, length, record.payload().length);
        payloadBytes += length;
        size++;
      }
      deleted = false;
      if (retentionBytes > 0) {
        int drop = 0;
        long bytes = payloadBytes;
        while (bytes > retentionBytes && drop < size - 1) {
          bytes -= index.length(firstNumber + drop);
          drop++;
        }
        removeFirst(drop);
      }
      return first;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /**
   * Makes room for entries of the given sizes and returns the chunks they go to, in order: the last
   * chunk if the first fits in it, grown if need be, then new ones. Every allocation comes before
   * any change, so that a failed one leaves the log as it was. A chunk grows to twice its size, or
   * to hold exactly the entries that fit in {@code maxChunkBytes} if that is more; a new one holds
   * exactly those (at least {@value #FIRST_CHUNK_BYTES} bytes), or is a ready full-size chunk when
   * the topic holds that much.
   */
  private List<Chunk> room(int[] entries) throws StoreFullException {
    List<ByteBuffer> made = new ArrayList<>();
    List<Chunk> room = new ArrayList<>();
    List<Chunk> added = new ArrayList<>();
    Chunk last = chunks.isEmpty() ? null : chunks.get(chunks.size() - 1);
    ByteBuffer grown = null;
    try {
      long fill = last == null ? 0 : last.fill;
      long capacity = last == null ? 0 : last.buffer.capacity();
      if (last != null && (capacity - fill >= entries[0] || fill + entries[0] <= maxChunkBytes)) {
        if (capacity - fill < entries[0]) {
          capacity = Math.min(Math.max(2 * capacity, fitting(entries, 0, fill)), maxChunkBytes);
          grown = allocate((int) capacity, made);
        }
        room.add(last);
      }
      for (int entry = 0; entry < entries.length; entry++) {
        if (capacity - fill < entries[entry]) {
          int fits =
              (int)
                  Math.max(entries[entry], Math.max(FIRST_CHUNK_BYTES, fitting(entries, entry, 0)));
          ByteBuffer full =
              fits <= maxChunkBytes && payloadBytes >= maxChunkBytes
                  ? memory.allocateReady(maxChunkBytes)
                  : null;
          if (full != null) {
            made.add(full);
          }
          capacity = full != null ? maxChunkBytes : fits;
          fill = 0;
          Chunk chunk = new Chunk(full != null ? full : allocate(fits, made));
          added.add(chunk);
          room.add(chunk);
        }
        fill += entries[entry];
      }
    } catch (StoreFullException | RuntimeException | Error e) {
      made.forEach(memory::free);
      throw e;
    }
    if (grown != null) {
      ByteBuffer old = last.buffer;
      grown.put(0, old, 0, last.fill);
      last.buffer = grown;
      memory.free(old);
    }
    chunks.addAll(added);
    return room;
  }

  private ByteBuffer allocate(int bytes, List<ByteBuffer> made) throws StoreFullException {
    try {
      ByteBuffer buffer = memory.allocate(bytes);
      made.add(buffer);
      return buffer;
    } catch (OutOfMemoryError e) {
      throw storeFull(bytes + " bytes of memory outside the heap", e);
    }
  }

  private static StoreFullException storeFull(String what, OutOfMemoryError e) {
    return new StoreFullException(
        "the memory store could not get "
            + what
            + " (at most -XX:MaxDirectMemorySize, by default the heap's maximum); messages were not"
            + " stored",
        e);
  }

  /** {@code fill} and the bytes of the entries from {@code i} on that fit with it in a chunk. */
  private long fitting(int[] entries, int i, long fill) {
    long bytes = fill;
    for (int j = i; j < entries.length && bytes + entries[j] <= maxChunkBytes; j++) {
      bytes += entries[j];
    }
    return bytes;
  }

  /** How many chunks the topic holds its messages in. */
  int chunkCount() {
    lock.readLock().lock();
    try {
      return chunks.size();
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The bytes its index holds outside the heap, from the same memory as its chunks. */
  long indexBytes() {
    lock.readLock().lock();
    try {
      return index.directBytes();
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The bytes of the topic's chunks, filled or not. */
  long chunkBytes() {
    lock.readLock().lock();
    try {
      long bytes = 0;
      for (Chunk chunk : chunks) {
        bytes += chunk.buffer.capacity();
      }
      return bytes;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The messages numbered {@code readFrom} on, within {@code limits}, as objects. */
  PollResult read(long readFrom, PollLimits limits) {
    lock.readLock().lock();
    try {
      long start = Math.max(Math.max(readFrom, 1), firstNumber);
      int count = measure(start, limits).count;
      List<StoredMessage> found = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        found.add(decode(start + i, (int) (start - firstNumber) + i));
      }
      return new PollResult(
          found, count == 0 ? readFrom : start + count, firstNumber, firstNumber + size);
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * The messages numbered {@code readFrom} on, within {@code limits}, as the bytes of their
   * entries, copied into the reading thread's spare array ({@link RecordBytes#spareArray}).
   */
  PollResult readEncoded(long readFrom, PollLimits limits) {
    lock.readLock().lock();
    try {
      long start = Math.max(Math.max(readFrom, 1), firstNumber);
      Span span = measure(start, limits);
      long end = firstNumber + size;
      if (span.count == 0) {
        return new PollResult(List.of(), readFrom, firstNumber, end);
      }
      byte[] array = RecordBytes.spareArray((int) span.bytes);
      int length = 0;
      for (int run = 0; run < span.runCount; run++) {
        int at = 3 * run;
        int bytes = span.runs[at + 2] - span.runs[at + 1];
        chunks.get(span.runs[at]).buffer.get(span.runs[at + 1], array, length, bytes);
        length += bytes;
      }
      return new PollResult(
          List.of(),
          start + span.count,
          firstNumber,
          end,
          new RecordBytes(array, length, span.count, span.payloads));
    } finally {
      lock.readLock().unlock();
    }
  }

  /** What a read takes: its messages, their entries' bytes, and where those lie in the chunks. */
  private static final class Span {
    int count;
    long bytes;
    long payloads;

    /** Per run of entries back to back in one chunk: its index in {@code chunks}, start, end. */
    int[] runs = new int[6];

    int runCount;

    void add(int chunk, int offset, int end) {
      int last = 3 * (runCount - 1);
      if (runCount > 0 && runs[last] == chunk && runs[last + 2] == offset) {
        runs[last + 2] = end;
        return;
      }
      if (3 * runCount == runs.length) {
        runs = Arrays.copyOf(runs, 2 * runs.length);
      }
      runs[3 * runCount] = chunk;
      runs[3 * runCount + 1] = offset;
      runs[3 * runCount + 2] = end;
      runCount++;
    }
  }

  /**
   * The messages from number {@code start} on that a read returns within {@code limits}, and within
   * one array's worth of entries (a read that asks for more returns less). One pass that reads each
   * message's index entry once: every read through the index costs a lookup of its block. Read
   * lock.
   */
  private Span measure(long start, PollLimits limits) {
    Span span = new Span();
    long available = firstNumber + size - start;
    if (available <= 0) {
      return span;
    }
    long last = firstNumber + size - 1;
    long costs = 0;
    long number = start;
    long place = index.place(number);
    while (span.count < available && span.count < limits.maxMessages()) {
      boolean more = number < last;
      long next = more ? index.place(number + 1) : 0;
      int chunk = (int) (place >>> 32) - firstChunk;
      int offset = (int) place;
      int end = more && next >>> 32 == place >>> 32 ? (int) next : chunks.get(chunk).fill;
      long cost = PollLimits.cost(index.length(number));
      if (span.count > 0
          && (costs + cost > limits.maxBytes() || span.bytes + end - offset > MAX_ARRAY_BYTES)) {
        break;
      }
      costs += cost;
      span.bytes += end - offset;
      span.payloads += index.payloadLength(number);
      span.add(chunk, offset, end);
      span.count++;
      number++;
      place = next;
    }
    return span;
  }

  private Chunk chunk(int at) {
    return chunks.get(chunkIndex(at));
  }

  /** Where in {@code chunks} the message at {@code at} is. */
  private int chunkIndex(int at) {
    return (int) (index.place(firstNumber + at) >>> 32) - firstChunk;
  }

  private int offset(int at) {
    return (int) index.place(firstNumber + at);
  }

  /** Where the entry of the message at {@code at} ends in its chunk. */
  private int entryEnd(int at) {
    if (at + 1 < size && chunkIndex(at + 1) == chunkIndex(at)) {
      return offset(at + 1);
    }
    return chunk(at).fill;
  }

  /** The message at {@code at} as an object, its bytes copied out of its chunk. Read lock. */
  private StoredMessage decode(long number, int at) {
    int offset = offset(at);
    CodedInputStream in =
        CodedInputStream.newInstance(chunk(at).buffer.slice(offset, entryEnd(at) - offset));
    byte[] payload = NONE;
    byte[] key = NONE;
    List<Header> headers = List.of();
    try {
      in.readTag();
      in.pushLimit(in.readRawVarint32());
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        switch (tag) {
          case 0x1A -> payload = in.readByteArray();
          case 0x22 -> key = in.readByteArray();
          case 0x2A -> {
            headers = headers.isEmpty() ? new ArrayList<>() : headers;
            headers.add(header(in));
          }
          default -> in.skipField(tag);
        }
      }
    } catch (IOException e) {
      // The bytes are this topic's own, written by RecordBytesWriter: they always parse.
      throw new UncheckedIOException("message " + number + " does not parse", e);
    }
    return new StoredMessage(number, index.time(number), payload, key, headers);
  }

  private static Header header(CodedInputStream in) throws IOException {
    int limit = in.pushLimit(in.readRawVarint32());
    String name = "";
    byte[] value = NONE;
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      switch (tag) {
        case 0x0A -> name = in.readString();
        case 0x12 -> value = in.readByteArray();
        default -> in.skipField(tag);
      }
    }
    in.popLimit(limit);
    return new Header(name, value);
  }

  long removeOlderThan(long cutoffMillis) {
    lock.writeLock().lock();
    try {
      int keepFrom = firstAtOrAfter(cutoffMillis);
      removeFirst(keepFrom);
      return keepFrom;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /**
   * Removes the oldest {@code count} messages, gives their bytes back and frees the chunks they
   * leave empty. Write lock.
   */
  private void removeFirst(int count) {
    if (count == 0) {
      return;
    }
    long freed = 0;
    for (int i = 0; i < count; i++) {
      freed += index.length(firstNumber + i);
    }
    payloadBytes -= freed;
    budget.release(freed + (long) count * MemoryBudget.MESSAGE_OVERHEAD_BYTES);
    size -= count;
    firstNumber += count;
    int drop = size == 0 ? chunks.size() : chunkIndex(0);
    List<Chunk> gone = chunks.subList(0, drop);
    gone.forEach(chunk -> memory.free(chunk.buffer));
    gone.clear();
    firstChunk += drop;
    if (size > 0) {
      compactFirstChunk();
    }
    index.removeBelow(firstNumber, firstNumber + size);
  }

  /**
   * Copies the first chunk's messages into a smaller chunk when more of it was removed than is
   * kept, so that removed messages never hold more memory than the kept ones (and a few KiB). At
   * worst it copies as many bytes as its removals freed. Write lock; size above 0.
   */
  private void compactFirstChunk() {
    Chunk first = chunks.get(0);
    int removed = offset(0);
    int kept = first.fill - removed;
    if (removed < FIRST_CHUNK_BYTES || removed <= kept) {
      return;
    }
    // The last chunk takes appends: room for as many again.
    long capacity = Math.max(FIRST_CHUNK_BYTES, chunks.size() == 1 ? 2L * kept : kept);
    ByteBuffer smaller;
    try {
      smaller = memory.allocate((int) Math.min(capacity, Math.max(kept, maxChunkBytes)));
    } catch (OutOfMemoryError e) {
      // Removal must not fail for want of memory: the chunk stays as it is, and is freed later.
      return;
    }
    smaller.put(0, first.buffer, removed, kept);
    memory.free(first.buffer);
    first.buffer = smaller;
    first.fill = kept;
    for (int i = 0; i < size && chunkIndex(i) == 0; i++) {
      index.setPlace(firstNumber + i, index.place(firstNumber + i) - removed);
    }
  }

  boolean deleted() {
    return deleted;
  }

  /** The number the next message gets. */
  long nextNumber() {
    lock.readLock().lock();
    try {
      return firstNumber + size;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** A deleted topic comes back without a message: created again. */
  void comeBack() {
    deleted = false;
  }

  TopicInfo describe(String topic) {
    lock.readLock().lock();
    try {
      return new TopicInfo(
          topic,
          firstNumber,
          firstNumber + size,
          size,
          payloadBytes,
          size == 0 ? -1 : index.time(firstNumber),
          size == 0 ? -1 : index.time(firstNumber + size - 1),
          retention);
    } finally {
      lock.readLock().unlock();
    }
  }

  long firstNumberAtOrAfter(long millis) {
    lock.readLock().lock();
    try {
      return firstNumber + firstAtOrAfter(millis);
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Drops every message, frees every chunk and hides the topic; numbering continues when it comes
   * back.
   */
  long deleteAll() {
    lock.writeLock().lock();
    try {
      long removed = size;
      firstNumber += size;
      budget.release(payloadBytes + removed * MemoryBudget.MESSAGE_OVERHEAD_BYTES);
      size = 0;
      payloadBytes = 0;
      chunks.forEach(chunk -> memory.free(chunk.buffer));
      firstChunk += chunks.size();
      chunks.clear();
      index.removeBelow(firstNumber, firstNumber);
      deleted = true;
      return removed;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Index of the first message appended at or after {@code millis}; size if none. */
  private int firstAtOrAfter(long millis) {
    int low = 0;
    int high = size;
    while (low < high) {
      int mid = (low + high) >>> 1;
      if (index.time(firstNumber + mid) < millis) {
        low = mid + 1;
      } else {
        high = mid;
      }
    }
    return low;
  }
}
