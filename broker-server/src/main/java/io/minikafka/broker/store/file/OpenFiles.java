package io.minikafka.broker.store.file;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The segment files a store holds open, at most {@code maxOpen} of them outside the moments they
 * are used: opening one more closes idle ones, chosen by a clock (a file used since the clock last
 * passed it is spared once), so the recently read and written stay open. Files in use are never
 * closed under their users, so a burst of concurrent operations may briefly hold more; the end of
 * each use closes idle ones again while more are open, so the burst leaves no excess behind.
 *
 * <p>Thread-safety: thread-safe; closing happens outside this object's monitor.
 */
final class OpenFiles {

  private final int maxOpen;

  /** The open files, the clock's hand at the head. Guarded by this. */
  private final ArrayDeque<FileHandle> ring = new ArrayDeque<>();

  /**
   * The ring's size, read without the monitor at the end of every use of a file: the common case,
   * within the limit, costs no lock.
   */
  private volatile int listed;

  OpenFiles(int maxOpen) {
    if (maxOpen < 1) {
      throw new IllegalArgumentException("maxOpen must be positive: " + maxOpen);
    }
    this.maxOpen = maxOpen;
  }

  /** How many files are open now. */
  synchronized int count() {
    return ring.size();
  }

  /** {@code file} has been opened: closes idle files while more than the limit are open. */
  void opened(FileHandle file) {
    List<FileHandle> victims = new ArrayList<>();
    synchronized (this) {
      if (!file.listed) {
        file.listed = true;
        ring.addLast(file);
        listed = ring.size();
      }
      chooseVictims(file, victims);
    }
    close(victims);
  }

  /**
   * A use of a file has ended: while more than the limit are open (files that were in use when
   * others opened could not be closed then), closes idle ones.
   */
  void released() {
    if (listed <= maxOpen) {
      return;
    }
    List<FileHandle> victims = new ArrayList<>();
    synchronized (this) {
      chooseVictims(null, victims);
    }
    close(victims);
  }

  /** Takes idle candidates off the ring while it is over the limit, sparing {@code file}. */
  private void chooseVictims(FileHandle file, List<FileHandle> victims) {
    int excess = ring.size() - maxOpen;
    for (int looked = 0, size = ring.size(); excess > 0 && looked < 2 * size; looked++) {
      FileHandle h = ring.pollFirst();
      if (h == file || h.recentlyUsed) {
        h.recentlyUsed = false;
        ring.addLast(h);
      } else {
        h.listed = false;
        victims.add(h);
        excess--;
      }
    }
    listed = ring.size();
  }

  /** Closes the victims not in use, outside the monitor; one in use goes back on the ring. */
  private void close(List<FileHandle> victims) {
    for (FileHandle h : victims) {
      if (!h.closeIfIdle()) {
        relist(h);
      }
    }
  }

  /** {@code file} is closed: it no longer counts, unless another thread has opened it again. */
  synchronized void closed(FileHandle file) {
    if (file.listed && !file.isOpen()) {
      file.listed = false;
      ring.remove(file);
      listed = ring.size();
    }
  }

  private synchronized void relist(FileHandle file) {
    if (!file.listed && file.isOpen()) {
      file.listed = true;
      ring.addLast(file);
      listed = ring.size();
    }
  }
}
