package io.minikafka.broker.store.file;

import io.minikafka.broker.store.Record;
import io.minikafka.broker.store.StoreException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Group commit for one topic's appends. Appenders add their records to the pending {@link Chunk}
 * (in memory, under the append lock) while the previous chunk is written and forced; the first of
 * them to take the flush lock then has the whole pending chunk written with one write and, under
 * fsync always, one fsync, so appends arriving during an fsync share the next one. Every appender
 * learns its chunk's outcome. A failed chunk fails the one pending after it too: its numbers
 * followed the failed ones, which are free again.
 *
 * <p>Thread-safety: the append lock guards numbering and the pending chunk and is held only for
 * in-memory work; the flush lock serialises everything that touches the topic's files, which run
 * through {@link #exclusive}. Waiting appenders park on a monitor rather than queue for the flush
 * lock: a queue would hand the lock to each waiter in turn just to tell it its chunk is done, and
 * the next chunk would be written before they could add to it.
 */
final class GroupCommit {

  /** Writes a chunk; called with the flush lock held. Throwing fails the chunk. */
  @FunctionalInterface
  interface Writer {
    void write(Chunk chunk) throws IOException;
  }

  /** Work on the topic's files. */
  @FunctionalInterface
  interface FileWork<T> {
    T run() throws IOException;
  }

  private static final int CHUNK_BUFFER_BYTES = 64 * 1024;

  /**
   * Spare chunk buffers, shared by every topic of the JVM: a chunk takes one while it is being
   * filled and written, so a topic costs no direct memory while idle, and the spares never take
   * more than {@value #MAX_SPARE_BUFFERS} x 64 KiB however many topics there are.
   */
  private static final Queue<ByteBuffer> SPARE_BUFFERS = new ConcurrentLinkedQueue<>();

  private static final AtomicInteger SPARES = new AtomicInteger();
  private static final int MAX_SPARE_BUFFERS = 64;

  /**
   * Appenders wait for a chunk this full to be written before they start the next one, so that a
   * topic's encoded copy of what producers sent stays near this size (one request more at most)
   * however fast they send.
   */
  static final int MAX_CHUNK_BYTES = 4 * 1024 * 1024;

  private final String topic;
  private final Writer writer;
  private final ReentrantLock appendLock = new ReentrantLock();
  private final ReentrantLock flushLock = new ReentrantLock();

  /** Where appenders wait while another writes; {@code waiting} counts them. */
  private final Object leader = new Object();

  private final AtomicInteger waiting = new AtomicInteger();

  /** Guarded by appendLock: the next number to give, the records waiting, the last time given. */
  private long assignedNext;

  private Chunk pending;
  private long lastAppendTime;

  /**
   * @param nextNumber the number the next record gets
   * @param lastAppendTime the newest append time stored, which later ones never go below
   */
  GroupCommit(String topic, long nextNumber, long lastAppendTime, Writer writer) {
    this.topic = topic;
    this.assignedNext = nextNumber;
    this.lastAppendTime = lastAppendTime;
    this.writer = writer;
  }

  /**
   * Appends the records as consecutive ones, all or nothing, and returns once they are written (and
   * forced, if the writer forces).
   *
   * @return the first record's number
   */
  long append(List<Record> records, long nowMillis) throws IOException {
    Chunk chunk;
    long first;
    while (true) {
      Chunk full = null;
      appendLock.lock();
      try {
        if (pending != null && pending.bytes() >= MAX_CHUNK_BYTES) {
          full = pending;
        } else {
          // A clock stepping back must not reorder append times: retention binary-searches them.
          long time = Math.max(nowMillis, lastAppendTime);
          if (pending == null) {
            pending = new Chunk(assignedNext, takeSpareBuffer());
          }
          chunk = pending;
          first = chunk.nextNumber();
          chunk.add(records, time);
          assignedNext = chunk.nextNumber();
          lastAppendTime = time;
          break;
        }
      } finally {
        appendLock.unlock();
      }
      // A full chunk is written before another starts: its copy of the payloads stays bounded.
      awaitWritten(full);
    }
    awaitWritten(chunk);
    chunk.throwIfFailed();
    return first;
  }

  /** Bytes of the records waiting for the next write. */
  long pendingBytes() {
    appendLock.lock();
    try {
      return pending == null ? 0 : pending.bytes();
    } finally {
      appendLock.unlock();
    }
  }

  /** Waits until the chunk is written, writing it (and whatever joined it) if nobody else is. */
  private void awaitWritten(Chunk chunk) throws IOException {
    while (!chunk.done()) {
      if (flushLock.tryLock()) {
        // Java closes a file channel when a thread whose interrupt status is set does I/O on it.
        boolean interrupted = Thread.interrupted();
        try {
          if (!chunk.done()) {
            writePending();
          }
        } finally {
          unlockFlush();
          if (interrupted) {
            Thread.currentThread().interrupt();
          }
        }
      } else {
        waiting.incrementAndGet();
        try {
          synchronized (leader) {
            // The writer unlocks before it notifies, under this monitor: no wake-up is lost.
            while (!chunk.done() && flushLock.isLocked()) {
              leader.wait();
            }
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while waiting for the log write");
        } finally {
          waiting.decrementAndGet();
        }
      }
    }
  }

  /**
   * Runs work on the topic's files with the flush lock held, so no chunk is written meanwhile;
   * appenders wait for it.
   */
  <T> T exclusive(FileWork<T> work) throws IOException {
    flushLock.lock();
    boolean interrupted = Thread.interrupted();
    try {
      return work.run();
    } finally {
      unlockFlush();
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Releases the flush lock and wakes appenders waiting for it to be free. */
  private void unlockFlush() {
    flushLock.unlock();
    if (waiting.get() > 0) {
      synchronized (leader) {
        leader.notifyAll();
      }
    }
  }

  /**
   * Has the pending chunk written, if there is one. Holds the flush lock. Whatever happens, the
   * chunk ends written or failed, so that no appender waits for it forever.
   */
  void writePending() {
    Chunk chunk;
    appendLock.lock();
    try {
      chunk = pending;
      pending = null;
    } finally {
      appendLock.unlock();
    }
    if (chunk == null) {
      return;
    }
    try {
      writer.write(chunk);
      chunk.written();
      recycle(chunk.buffer());
    } catch (IOException e) {
      fail(chunk, e);
    } catch (RuntimeException | Error e) {
      fail(
          chunk,
          new StoreException("topic '" + topic + "': writing the message failed (" + e + ")", e));
      throw e;
    }
  }

  private void fail(Chunk chunk, IOException cause) {
    appendLock.lock();
    try {
      if (pending != null) {
        pending.failed(cause);
        pending = null;
      }
      assignedNext = chunk.firstNumber;
    } finally {
      appendLock.unlock();
    }
    chunk.failed(cause);
  }

  /**
   * A written chunk's buffer if one is free, else a new one: direct, so writing it costs no copy.
   */
  private static ByteBuffer takeSpareBuffer() {
    ByteBuffer buffer = SPARE_BUFFERS.poll();
    if (buffer == null) {
      return ByteBuffer.allocateDirect(CHUNK_BUFFER_BYTES);
    }
    SPARES.decrementAndGet();
    return buffer;
  }

  /**
   * Keeps a written chunk's buffer for a later chunk, unless it grew (to the heap) or enough are
   * kept.
   */
  private static void recycle(ByteBuffer buffer) {
    if (!buffer.isDirect() || buffer.capacity() != CHUNK_BUFFER_BYTES) {
      return;
    }
    if (SPARES.incrementAndGet() <= MAX_SPARE_BUFFERS) {
      SPARE_BUFFERS.add(buffer);
    } else {
      SPARES.decrementAndGet();
    }
  }
}
