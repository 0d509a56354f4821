package io.minikafka.broker.store.file;

import io.minikafka.broker.store.StoreFailedException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A file store's access to its disk: every operation goes through {@link FileOps}, forces follow
 * the {@link FsyncPolicy}, and the first failed fsync stops every later write. After a failed fsync
 * Linux may have dropped the dirty pages it could not write and reports the next fsync as good, so
 * nothing written since the last good one can be trusted to be on disk; only a restart, which
 * recovers the log from what the disk really holds, makes writing safe again (PostgreSQL and Kafka
 * do the same).
 *
 * <p>Thread-safe.
 */
final class Disk {

  private static final Logger LOG = LoggerFactory.getLogger(FileStore.class);

  private final FileOps ops;
  private final FsyncPolicy policy;
  private final FsyncObserver fsyncs;
  private final OpenFiles openFiles;

  /** Why writes are refused; null while the disk is trusted. */
  private volatile StoreFailedException failure;

  Disk(FileOps ops, FsyncPolicy policy, FsyncObserver fsyncs) {
    this(ops, policy, fsyncs, FileStoreConfig.DEFAULT_MAX_OPEN_FILES);
  }

  /**
   * @param maxOpenFiles segment files held open at most, outside the moments they are used
   */
  Disk(FileOps ops, FsyncPolicy policy, FsyncObserver fsyncs, int maxOpenFiles) {
    this.ops = ops;
    this.policy = policy;
    this.fsyncs = fsyncs;
    this.openFiles = new OpenFiles(maxOpenFiles);
  }

  /** A segment file, open as {@code open} is now, opened again with {@code options} once closed. */
  FileHandle handle(Path path, FileChannel open, OpenOption... options) {
    return new FileHandle(path, open, this, openFiles, options);
  }

  FileOps ops() {
    return ops;
  }

  FsyncPolicy policy() {
    return policy;
  }

  FileChannel open(Path path, OpenOption... options) throws IOException {
    return ops.open(path, options);
  }

  /**
   * Replaces {@code dir/name} with {@code content} atomically: written to {@code name.tmp}, forced
   * (per policy), then renamed into place. The caller syncs the directory once its own state says
   * what the file now says.
   */
  void renameIntoPlace(Path dir, String name, byte[] content) throws IOException {
    Path temp = dir.resolve(name + ".tmp");
    try (FileChannel out =
        open(
            temp,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer bytes = ByteBuffer.wrap(content);
      while (bytes.hasRemaining()) {
        out.write(bytes);
      }
      if (policy.forcesFiles()) {
        force(out, temp, true);
      }
    }
    ops.move(temp, dir.resolve(name));
  }

  /** Forces a segment log's data, reporting how long it took. */
  void forceLog(FileChannel log, Path path) throws IOException {
    long start = System.nanoTime();
    force(log, path, false);
    fsyncs.record(System.nanoTime() - start);
  }

  /** Forces a file; a failure (other than the file having been closed meanwhile) fails the disk. */
  void force(FileChannel channel, Path path, boolean metadata) throws IOException {
    try {
      ops.force(channel, metadata);
    } catch (ClosedChannelException e) {
      throw e;
    } catch (IOException e) {
      throw failed("an fsync of " + path + " failed", e);
    }
  }

  /**
   * Makes the entries of {@code dir} durable, unless the policy forces nothing. Failing to open the
   * directory (no file handles left) fails this call only; failing to force it fails the disk.
   */
  void syncDirectory(Path dir) throws IOException {
    if (!policy.forcesFiles()) {
      return;
    }
    try (FileChannel channel = ops.openDirectory(dir)) {
      try {
        ops.force(channel, true);
      } catch (IOException e) {
        throw failed("an fsync of directory " + dir + " failed", e);
      }
    }
  }

  /** Refuses a write once an fsync has failed. */
  void checkWritable() throws StoreFailedException {
    StoreFailedException failed = failure;
    if (failed != null) {
      throw new StoreFailedException(failed.getMessage(), failed.getCause());
    }
  }

  /** Why writes are refused, if they are. */
  Optional<String> failure() {
    StoreFailedException failed = failure;
    return failed == null ? Optional.empty() : Optional.of(failed.getMessage());
  }

  private synchronized StoreFailedException failed(String what, IOException cause) {
    if (failure == null) {
      String reason = cause.getMessage() == null ? cause.toString() : cause.getMessage();
      failure =
          new StoreFailedException(
              what
                  + " ("
                  + reason
                  + "); the store refuses writes until the server restarts and recovers the log"
                  + " from what the disk holds",
              cause);
      LOG.error("{}", failure.getMessage());
    }
    return new StoreFailedException(failure.getMessage(), cause);
  }
}
