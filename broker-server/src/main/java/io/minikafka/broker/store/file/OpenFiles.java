package io.minikafka.broker.store.file;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The segment files a store holds open, at most {@code maxOpen} of them outside the moments they
 * are used: opening one more closes idle ones, chosen by a clock (a file used since the clock last
 * passed it is spared once), so the recently read and written stay open. Files in use are never
 * closed under their users, so a burst of concurrent operations may briefly hold more.
 *
 * <p>Thread-safety: thread-safe; closing happens outside this object's monitor.
 */
final class OpenFiles {

  private final int maxOpen;

  /** The open files, the clock's hand at the head. Guarded by this. */
  private final ArrayDeque<FileHandle> ring = new ArrayDeque<>();

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
      }
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
    }
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
    }
  }

  private synchronized void relist(FileHandle file) {
    if (!file.listed && file.isOpen()) {
      file.listed = true;
      ring.addLast(file);
    }
  }
}
