package io.minikafka.broker.store.file;

import io.minikafka.broker.store.StoreFailedException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;

/**
 * One segment file, open while it is used: {@link OpenFiles} closes the least recently used files
 * when the store holds more than its limit, and the next use opens the file again. So the file
 * handles a store holds are bounded however many topics and segments it has.
 *
 * <p>A file written since its last force is forced before it is closed (unless the policy forces
 * nothing): Linux reports a failed write-back only to descriptors open when it happened, so closing
 * a dirty file and forcing a new descriptor later could acknowledge records the disk lost. A force
 * that fails there fails the disk and is thrown by this file's next {@link #force}.
 *
 * <p>Thread-safety: thread-safe. Each operation holds the file open ({@code users}) while it runs,
 * so it is never closed under one; the monitor guards the channel, the counts and opening and
 * closing (a closing force included), never reads and writes.
 */
final class FileHandle {

  final Path path;
  private final Disk disk;
  private final OpenFiles pool;
  private final OpenOption[] reopenOptions;

  /** Null while closed. Guarded by this. */
  private FileChannel channel;

  /** Operations running on {@code channel}. Guarded by this. */
  private int users;

  /** Closed by its segment: every later use fails with {@link ClosedChannelException}. */
  private boolean closedForGood;

  /** Writes so far, and how many of them a force has covered. Guarded by this. */
  private long writes;

  private long forcedWrites;

  /** The force made before closing this file failed; every later force fails. Guarded by this. */
  private StoreFailedException closingForceFailed;

  /** Used since the pool last looked: spared once by its clock. */
  volatile boolean recentlyUsed = true;

  /** In the pool's ring. Guarded by the pool. */
  boolean listed;

  FileHandle(Path path, FileChannel open, Disk disk, OpenFiles pool, OpenOption... reopenOptions) {
    this.path = path;
    this.channel = open;
    this.disk = disk;
    this.pool = pool;
    this.reopenOptions = reopenOptions;
    pool.opened(this);
  }

  /** Reads exactly {@code buffer.remaining()} bytes from {@code position}, flipped for reading. */
  ByteBuffer readFully(ByteBuffer buffer, long position) throws IOException {
    FileChannel c = acquire();
    try {
      return Segment.readFully(c, buffer, position);
    } finally {
      release();
    }
  }

  /** Writes all of {@code buffer} at {@code position}, a heap buffer a slice at a time. */
  void writeFully(ByteBuffer buffer, long position) throws IOException {
    FileChannel c = acquire();
    int start = buffer.position();
    int end = buffer.limit();
    try {
      while (buffer.position() < end) {
        if (!buffer.isDirect()) {
          buffer.limit(Math.min(end, buffer.position() + Segment.IO_SLICE_BYTES));
        }
        c.write(buffer, position + buffer.position() - start);
      }
    } finally {
      buffer.limit(end);
      wrote();
      release();
    }
  }

  void truncate(long size) throws IOException {
    FileChannel c = acquire();
    try {
      c.truncate(size);
    } finally {
      wrote();
      release();
    }
  }

  /**
   * Counts a write once it is done (or failed part-way), never before: a force that starts while a
   * write runs must not count that write as forced.
   */
  private synchronized void wrote() {
    writes++;
  }

  long size() throws IOException {
    FileChannel c = acquire();
    try {
      return c.size();
    } finally {
      release();
    }
  }

  /**
   * Forces what was written to disk ({@link Disk#forceLog} for a log, so its time is reported). A
   * file closed since its last write was forced when it closed, and is not opened again for this.
   */
  void force(boolean log) throws IOException {
    long upTo;
    synchronized (this) {
      if (closedForGood) {
        throw new ClosedChannelException();
      }
      throwIfWritesWereLost();
      if (channel == null && writes == forcedWrites) {
        return;
      }
      upTo = writes;
    }
    FileChannel c = acquire();
    try {
      // Checked again now that the file is in use and cannot be closed: a close between the first
      // look and here may have failed to force it, and the fresh descriptor would never tell.
      synchronized (this) {
        throwIfWritesWereLost();
      }
      if (log) {
        disk.forceLog(c, path);
      } else {
        disk.force(c, path, false);
      }
    } finally {
      release();
    }
    synchronized (this) {
      forcedWrites = Math.max(forcedWrites, upTo);
    }
  }

  /** Throws if writes to this file may have been lost when it closed. Holds the monitor. */
  private void throwIfWritesWereLost() throws StoreFailedException {
    if (closingForceFailed != null) {
      throw new StoreFailedException(
          closingForceFailed.getMessage(), closingForceFailed.getCause());
    }
  }

  private FileChannel acquire() throws IOException {
    boolean reopened = false;
    FileChannel c;
    synchronized (this) {
      if (closedForGood) {
        throw new ClosedChannelException();
      }
      if (channel == null || !channel.isOpen()) {
        if (channel != null && dirty()) {
          // Java closed it under an interrupted thread before its writes were forced.
          writesLost("it was closed by an interrupted thread before its writes were forced", null);
        }
        channel = disk.open(path, reopenOptions);
        reopened = true;
      }
      users++;
      c = channel;
    }
    recentlyUsed = true;
    if (reopened) {
      pool.opened(this);
    }
    return c;
  }

  private void release() {
    synchronized (this) {
      users--;
    }
    pool.released();
  }

  /**
   * Closes the file unless an operation is using it; the next use opens it again.
   *
   * @return whether the file is closed now
   */
  boolean closeIfIdle() {
    synchronized (this) {
      if (channel == null) {
        return true;
      }
      if (users > 0) {
        return false;
      }
      if (writes == forcedWrites || !disk.policy().forcesFiles()) {
        forcedWrites = writes;
      } else {
        try {
          disk.force(channel, path, false);
          forcedWrites = writes;
        } catch (ClosedChannelException e) {
          writesLost("it was closed by an interrupted thread before its writes were forced", e);
        } catch (StoreFailedException e) {
          closingForceFailed = e;
        } catch (IOException e) {
          writesLost("an fsync of it failed (" + e.getMessage() + ")", e);
        }
      }
      closeQuietly(channel);
      channel = null;
    }
    pool.closed(this);
    return true;
  }

  /** Whether writes since the last force would need a force, under the store's policy. */
  private boolean dirty() {
    return writes != forcedWrites && disk.policy().forcesFiles();
  }

  /**
   * Remembers that writes to this file may not be on disk and no later fsync can tell: every later
   * force fails, as after any failed fsync, until a restart recovers the log from the disk.
   */
  private void writesLost(String why, Throwable cause) {
    if (closingForceFailed == null) {
      closingForceFailed =
          new StoreFailedException(
              path
                  + ": "
                  + why
                  + "; the store refuses writes to it until the server restarts and recovers the"
                  + " log from what the disk holds",
              cause);
    }
  }

  /** Whether the file is open now. */
  synchronized boolean isOpen() {
    return channel != null;
  }

  /** Closes the file for good: its segment is closed or deleted. */
  void close() throws IOException {
    FileChannel c;
    synchronized (this) {
      closedForGood = true;
      c = channel;
      channel = null;
    }
    pool.closed(this);
    if (c != null) {
      c.close();
    }
  }

  private static void closeQuietly(FileChannel c) {
    try {
      c.close();
    } catch (IOException ignored) {
      // Nothing written is lost: it was forced above, or the policy never forces.
    }
  }
}
