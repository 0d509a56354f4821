package io.minikafka.broker.store.file;

import io.minikafka.broker.config.ByteSize;
import io.minikafka.broker.store.LimitExceededException;
import java.io.IOException;
import java.nio.file.FileStore;
import java.util.Optional;

/**
 * Keeps a file store's disk from filling up: produces are refused while the file system has less
 * usable space than the {@link DiskFloor}, and go through again by themselves once it has more. The
 * file system is asked at most every {@value #CHECK_EVERY_MILLIS} ms, so the check costs nothing on
 * the append path. Thread-safe.
 */
final class FreeSpace {

  static final long CHECK_EVERY_MILLIS = 100;

  private final FileStore fileSystem;
  private final DiskFloor floor;
  private final String where;
  private volatile long checkedAtNanos;
  private volatile String shortage;

  FreeSpace(FileStore fileSystem, DiskFloor floor, String where) {
    this.fileSystem = fileSystem;
    this.floor = floor;
    this.where = where;
    this.checkedAtNanos = System.nanoTime() - CHECK_EVERY_MILLIS * 2_000_000;
  }

  /**
   * @throws LimitExceededException while the disk is below the floor
   */
  void checkForAppend(String topic) throws LimitExceededException {
    String why = shortage();
    if (why != null) {
      throw new LimitExceededException(
          LimitExceededException.Limit.MIN_FREE_DISK,
          "topic '"
              + topic
              + "': the message was not stored: "
              + why
              + "; producing resumes once space is freed");
    }
  }

  /** What is short, for health reports; empty while there is room. */
  Optional<String> problem() {
    return Optional.ofNullable(shortage());
  }

  private String shortage() {
    long now = System.nanoTime();
    if (now - checkedAtNanos >= CHECK_EVERY_MILLIS * 1_000_000) {
      checkedAtNanos = now;
      try {
        long usable = fileSystem.getUsableSpace();
        long minimum = floor.bytesOf(fileSystem.getTotalSpace());
        shortage =
            usable < minimum
                ? "the disk of "
                    + where
                    + " has "
                    + ByteSize.format(usable)
                    + " free, below the floor of "
                    + ByteSize.format(minimum)
                    + (minimum > fileSystem.getTotalSpace()
                        ? ", more than the whole disk ("
                            + ByteSize.format(fileSystem.getTotalSpace())
                            + "): lower MINIKAFKA_MIN_FREE_DISK"
                        : "")
                : null;
      } catch (IOException e) {
        // The space could not be asked for: the write itself will say if the disk is full.
        shortage = null;
      }
    }
    return shortage;
  }
}
