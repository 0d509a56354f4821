package io.minikafka.broker.store.file;

import io.minikafka.broker.concurrent.DaemonThreadFactory;
import io.minikafka.broker.store.Record;
import io.minikafka.broker.store.StoreException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicBoolean;
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
 *
 * <p>An appender that must not wait ({@link #appendAsync}, a network thread) adds its records the
 * same way and learns the outcome from its chunk's {@link Chunk#published()} future, completed once
 * the flush lock is released. If the writer calls the chunk quick ({@link Writer#isQuick}) and no
 * write is under way or queued, it writes the chunk itself: handing a small write to another thread
 * and its outcome back cost more than the write (docs/PERFORMANCE.md, "Small writes on the network
 * thread"). Otherwise it leaves the write to a thread of {@link #FLUSHES}, or to an appender
 * already writing. One thread of {@link #FLUSHES} at a time writes for them, and goes on to the
 * next pending chunk itself while the topic keeps it busy: handing each chunk to a thread of its
 * own woke that thread, parked it on the flush lock and woke it again (docs/PERFORMANCE.md, "One
 * writer per topic"). Work on the topic's files ({@link #exclusive}) goes before writers waiting
 * for the flush lock.
 */
final class GroupCommit {

  /** Writes a chunk; called with the flush lock held. Throwing fails the chunk. */
  @FunctionalInterface
  interface Writer {
    void write(Chunk chunk) throws IOException;

    /**
     * Whether writing {@code chunk} only hands a few kilobytes to the OS, without a force or a new
     * file, so that an appender that must not wait (a network thread) may do it; called with the
     * flush lock and the append lock held. False by default.
     */
    default boolean isQuick(Chunk chunk) {
      return false;
    }
  }

  /** Work on the topic's files. */
  @FunctionalInterface
  interface FileWork<T> {
    T run() throws IOException;
  }

  /**
   * Appenders wait for a chunk this full to be written before they start the next one, so that a
   * topic's encoded copy of what producers sent stays near this size (one request more at most)
   * however fast they send.
   */
  static final int MAX_CHUNK_BYTES = 4 * 1024 * 1024;

  /**
   * Threads that write chunks for appenders that do not wait, shared by every topic of the JVM: one
   * write (and fsync) at a time each, so a few serve many topics, whose appends group meanwhile.
   * They also append for such appenders when an append has to wait (see {@code FileStore}).
   */
  static final ThreadPoolExecutor FLUSHES =
      (ThreadPoolExecutor)
          Executors.newFixedThreadPool(4, new DaemonThreadFactory("minikafka-append"));

  private final String topic;
  private final Writer writer;

  /**
   * Whether a thread of {@link #FLUSHES} writes for the appenders that do not wait, or is queued
   * to: while it is, their records are left to it.
   */
  private final AtomicBoolean flushQueued = new AtomicBoolean();

  /** Chunks settled under the flush lock, published when it is released. Flush lock. */
  private final List<Chunk> settled = new ArrayList<>(2);

  private final ReentrantLock appendLock = new ReentrantLock();
  private final ReentrantLock flushLock = new ReentrantLock();

  /** Where appenders wait while another writes; {@code waiting} counts them. */
  private final Object leader = new Object();

  private final AtomicInteger waiting = new AtomicInteger();

  /**
   * Threads waiting in {@link #exclusive} for the flush lock: writers let them go first, or a
   * writer that goes on from chunk to chunk would take the lock back each time before they woke.
   */
  private final AtomicInteger exclusiveWaiting = new AtomicInteger();

  /** Guarded by appendLock: the next number to give, the records waiting, the last time given. */
  private long assignedNext;

  private Chunk pending;

  /**
   * How many bytes the last chunk taken for writing held. Append lock. The next chunk starts with
   * room for as much: a chunk that grows copies what it holds into a buffer twice the size, and a
   * topic under steady load would otherwise copy each chunk's records about once more on the way.
   */
  private long lastChunkBytes;

  private long lastAppendTime;

  /** Where chunks take their buffers and give them back. */
  private final ChunkBuffers buffers;

  /**
   * @param nextNumber the number the next record gets
   * @param lastAppendTime the newest append time stored, which later ones never go below
   */
  GroupCommit(String topic, long nextNumber, long lastAppendTime, Writer writer) {
    this(topic, nextNumber, lastAppendTime, writer, ChunkBuffers.SHARED);
  }

  /** As above, with the chunks' buffers from {@code buffers}. */
  GroupCommit(
      String topic, long nextNumber, long lastAppendTime, Writer writer, ChunkBuffers buffers) {
    this.topic = topic;
    this.assignedNext = nextNumber;
    this.lastAppendTime = lastAppendTime;
    this.writer = writer;
    this.buffers = buffers;
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
          first = addToPending(records, nowMillis);
          chunk = pending;
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

  /**
   * Appends the records as consecutive ones, all or nothing, without waiting: the future completes
   * with the first record's number once they are written (and forced, if the writer forces), on the
   * thread that wrote them: this one, before it returns, for a quick write. Null, and nothing
   * appended, if the pending chunk is full: the caller then appends with {@link #append} from a
   * thread that may wait.
   */
  CompletableFuture<Long> appendAsync(List<Record> records, long nowMillis) {
    Chunk chunk;
    long first;
    appendLock.lock();
    try {
      if (pending != null && pending.bytes() >= MAX_CHUNK_BYTES) {
        return null;
      }
      first = addToPending(records, nowMillis);
      chunk = pending;
    } finally {
      appendLock.unlock();
    }
    if (!(writtenIfQuick(chunk) || chunk.done()) && flushQueued.compareAndSet(false, true)) {
      FLUSHES.execute(this::flushQueued);
    }
    return chunk.published().thenApply(written -> first);
  }

  /**
   * Writes what is pending on this thread if the writer says it is quick and no write is under way
   * or queued: a thread of {@link #FLUSHES} writing, or about to, would take it with whatever joins
   * meanwhile.
   *
   * @return whether {@code chunk} is written (or failed) now
   */
  private boolean writtenIfQuick(Chunk chunk) {
    // A caller holding the flush lock already would publish chunks settled under it too early.
    if (flushQueued.get()
        || exclusiveWaiting.get() > 0
        || flushLock.isHeldByCurrentThread()
        || !flushLock.tryLock()) {
      return false;
    }
    // Java closes a file channel when a thread whose interrupt status is set does I/O on it.
    boolean interrupted = Thread.interrupted();
    try {
      if (!chunk.done()) {
        writePending(true);
      }
      return chunk.done();
    } catch (RuntimeException e) {
      // The chunk is failed with a StoreException that its appenders learn from its future.
      return chunk.done();
    } finally {
      unlockFlush();
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Adds the records to the pending chunk, starting one if there is none. Append lock.
   *
   * @return the first record's number
   */
  private long addToPending(List<Record> records, long nowMillis) {
    // A clock stepping back must not reorder append times: retention binary-searches them.
    long time = Math.max(nowMillis, lastAppendTime);
    if (pending == null) {
      // A chunk takes a buffer only while filled and written: an idle topic holds none.
      pending =
          new Chunk(
              assignedNext,
              buffers,
              buffers.take(
                  Math.max(ChunkBuffers.SMALLEST, Math.min(lastChunkBytes, MAX_CHUNK_BYTES))));
    }
    long first = pending.nextNumber();
    pending.add(records, time);
    assignedNext = pending.nextNumber();
    lastAppendTime = time;
    return first;
  }

  /**
   * Writes what is pending, on a thread of {@link #FLUSHES}, and what comes meanwhile, until
   * nothing is pending or other work waits for the pool: then this goes to the back of its queue,
   * so that a topic kept busy never holds a thread from the others.
   */
  private void flushQueued() {
    try {
      while (true) {
        // A callback run by an earlier publish may have interrupted this thread: its waits below
        // would then end at once, again and again.
        Thread.interrupted();
        Chunk chunk = pendingChunk();
        if (chunk == null) {
          flushQueued.set(false);
          // An appender that found the flag still set left its records to this thread: look again.
          if (pendingChunk() == null || !flushQueued.compareAndSet(false, true)) {
            return;
          }
          continue;
        }
        try {
          awaitWritten(chunk);
        } catch (IOException | RuntimeException e) {
          // Its appenders learn the failure from the chunk; this thread has no caller to tell.
        }
        if (!FLUSHES.getQueue().isEmpty() && pendingChunk() != null) {
          FLUSHES.execute(this::flushQueued);
          return;
        }
      }
    } catch (Error e) {
      // What is pending still needs a writer, or its appenders would wait forever.
      flushQueued.set(false);
      if (pendingChunk() != null && flushQueued.compareAndSet(false, true)) {
        FLUSHES.execute(this::flushQueued);
      }
      throw e;
    }
  }

  private Chunk pendingChunk() {
    appendLock.lock();
    try {
      return pending;
    } finally {
      appendLock.unlock();
    }
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
      if (exclusiveWaiting.get() == 0 && flushLock.tryLock()) {
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
            // The writer unlocks before it notifies, under this monitor: no wake-up is lost. Work
            // waiting for the lock takes it before it counts itself out, and notifies on release.
            while (!chunk.done() && (flushLock.isLocked() || exclusiveWaiting.get() > 0)) {
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
    exclusiveWaiting.incrementAndGet();
    try {
      flushLock.lock();
    } finally {
      exclusiveWaiting.decrementAndGet();
    }
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

  /**
   * Releases the flush lock, wakes appenders waiting for it to be free, and publishes the outcome
   * of the chunks settled meanwhile.
   */
  private void unlockFlush() {
    Chunk[] toPublish = settled.isEmpty() ? null : settled.toArray(new Chunk[0]);
    settled.clear();
    flushLock.unlock();
    if (waiting.get() > 0) {
      synchronized (leader) {
        leader.notifyAll();
      }
    }
    if (toPublish != null) {
      for (Chunk chunk : toPublish) {
        chunk.publish();
      }
    }
  }

  /**
   * Has the pending chunk written, if there is one. Holds the flush lock. Whatever happens, the
   * chunk ends written or failed, so that no appender waits for it forever.
   */
  void writePending() {
    writePending(false);
  }

  /** {@link #writePending()}, only if the writer calls it quick when {@code onlyIfQuick}. */
  private void writePending(boolean onlyIfQuick) {
    Chunk chunk;
    appendLock.lock();
    try {
      chunk = pending;
      if (chunk == null || (onlyIfQuick && !writer.isQuick(chunk))) {
        return;
      }
      pending = null;
      lastChunkBytes = chunk.bytes();
    } finally {
      appendLock.unlock();
    }
    try {
      writer.write(chunk);
      chunk.written();
      settled.add(chunk);
      buffers.give(chunk.buffer());
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
        settled.add(pending);
        buffers.give(pending.buffer());
        pending = null;
      }
      assignedNext = chunk.firstNumber;
    } finally {
      appendLock.unlock();
    }
    chunk.failed(cause);
    settled.add(chunk);
    buffers.give(chunk.buffer());
  }
}
