package io.minikafka.broker.store.file;

import io.minikafka.broker.store.Record;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Encoded records waiting to be written to a topic's log together: appenders add to the topic's
 * pending chunk (cheap, in memory) while the previous chunk is written and forced, then one of them
 * writes this one with a single write and a single fsync (group commit). Every appender whose
 * records are in it learns the outcome from {@link #await()}.
 *
 * <p>Thread-safety: filled under the topic's append lock, written under its flush lock; the outcome
 * is published through a volatile field.
 */
final class Chunk {

  private static final int PENDING = 0;
  private static final int WRITTEN = 1;
  private static final int FAILED = 2;

  final long firstNumber;
  private final ChunkBuffers buffers;
  private ByteBuffer buffer;
  private int[] starts = new int[64];
  private int count;
  private long firstTime = -1;
  private long lastTime = -1;
  private volatile int state = PENDING;
  private IOException failure;

  /** Completed once the outcome is settled and the flush lock released: see {@link #publish}. */
  private final CompletableFuture<Void> published = new CompletableFuture<>();

  /** A chunk writing into {@code buffer}, taken from {@code buffers}, where it grows. */
  Chunk(long firstNumber, ChunkBuffers buffers, ByteBuffer buffer) {
    this.firstNumber = firstNumber;
    this.buffers = buffers;
    this.buffer = buffer;
    buffer.clear();
  }

  /** Encodes the records as the next ones of the log, all stamped {@code time}. */
  void add(List<Record> records, long time) {
    long bytes = 0;
    for (Record record : records) {
      bytes += WireRecordFormat.maxRecordBytes(record);
    }
    if (buffer.position() + bytes > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "a batch must be under 2 GiB, this one is " + bytes + " bytes");
    }
    if (buffer.remaining() < bytes) {
      // Doubling, but not past the chunk's size cap: with large records a doubled buffer would be
      // mostly empty, and each one a humongous allocation of the garbage collector.
      long wanted =
          Math.max(
              Math.min(buffer.capacity() * 2L, GroupCommit.MAX_CHUNK_BYTES),
              buffer.position() + bytes);
      ByteBuffer bigger = buffers.take(wanted);
      buffer.flip();
      bigger.put(buffer);
      buffers.give(buffer);
      buffer = bigger;
    }
    if (count + records.size() > starts.length) {
      starts = Arrays.copyOf(starts, Math.max(starts.length * 2, count + records.size()));
    }
    long number = firstNumber + count;
    for (Record record : records) {
      starts[count++] = buffer.position();
      WireRecordFormat.encode(buffer, number++, time, record);
    }
    if (firstTime < 0) {
      firstTime = time;
    }
    lastTime = time;
  }

  long nextNumber() {
    return firstNumber + count;
  }

  long bytes() {
    return buffer.position();
  }

  long firstTime() {
    return firstTime;
  }

  long lastTime() {
    return lastTime;
  }

  int count() {
    return count;
  }

  int[] starts() {
    return starts;
  }

  /** The encoded records, ready to be written. */
  ByteBuffer records() {
    return buffer.duplicate().flip();
  }

  /** The buffer, for reuse by a later chunk once this one is written or has failed. */
  ByteBuffer buffer() {
    return buffer;
  }

  boolean done() {
    return state != PENDING;
  }

  void written() {
    state = WRITTEN;
  }

  void failed(IOException cause) {
    failure = cause;
    state = FAILED;
  }

  /**
   * Tells the appenders waiting on {@link #published()} the outcome, which is settled. Called by
   * the thread that settled it, once it has released the flush lock: their callbacks (sending
   * acknowledgements, waking readers) must not run under it.
   */
  void publish() {
    if (state == FAILED) {
      published.completeExceptionally(failure);
    } else {
      published.complete(null);
    }
  }

  /** Completes when the chunk is written, or fails with why it was not; see {@link #publish}. */
  CompletableFuture<Void> published() {
    return published;
  }

  /** Throws the write failure, if the chunk was not written. Call once {@link #done()}. */
  void throwIfFailed() throws IOException {
    if (state == FAILED) {
      throw failure;
    }
  }
}
