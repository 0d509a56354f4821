package io.minikafka.broker.store.file;

import com.sun.management.UnixOperatingSystemMXBean;
import io.minikafka.broker.store.StoreLimits;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of a {@link FileStore}.
 *
 * @param fsync when appended records are forced to disk
 * @param segmentBytes a segment rolls before it would grow past this size
 * @param segmentMaxAge a segment rolls once its first record is this old, so quiet topics still
 *     free their disk space on time
 * @param indexFlushInterval how often index entries and the recovery point are written out in the
 *     background; bounds how much of a log start-up after a crash scans
 * @param limits topics, consumers per topic and retention by size ({@link StoreLimits})
 * @param minFreeDisk produces are refused while the disk has less free space than this
 * @param maxOpenFiles segment files (logs and indexes) held open at most; the least recently used
 *     are closed and opened again when next used
 */
public record FileStoreConfig(
    FsyncPolicy fsync,
    int segmentBytes,
    Duration segmentMaxAge,
    Duration indexFlushInterval,
    StoreLimits limits,
    DiskFloor minFreeDisk,
    int maxOpenFiles) {

  public static final int DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;
  public static final Duration DEFAULT_SEGMENT_MAX_AGE = Duration.ofDays(7);
  public static final Duration DEFAULT_INDEX_FLUSH_INTERVAL = Duration.ofSeconds(1);

  /**
   * Half the file handles the process may open (at least 8, at most 100,000): the other half is for
   * connections, directories and the JVM.
   */
  public static final int DEFAULT_MAX_OPEN_FILES = defaultMaxOpenFiles();

  public FileStoreConfig {
    Objects.requireNonNull(fsync, "fsync");
    Objects.requireNonNull(segmentMaxAge, "segmentMaxAge");
    Objects.requireNonNull(indexFlushInterval, "indexFlushInterval");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(minFreeDisk, "minFreeDisk");
    if (segmentBytes < RecordFormat.HEADER_BYTES + 1) {
      throw new IllegalArgumentException("segmentBytes is too small: " + segmentBytes);
    }
    if (segmentMaxAge.isNegative() || segmentMaxAge.isZero()) {
      throw new IllegalArgumentException("segmentMaxAge must be positive");
    }
    if (maxOpenFiles < 1) {
      throw new IllegalArgumentException("maxOpenFiles must be positive: " + maxOpenFiles);
    }
  }

  private static int defaultMaxOpenFiles() {
    return (int) Math.max(8, Math.min(100_000, fileHandleLimit().orElse(8192) / 2));
  }

  /** The file handles this process may open ({@code ulimit -n}), where the JVM can tell. */
  public static java.util.OptionalLong fileHandleLimit() {
    return ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix
            && unix.getMaxFileDescriptorCount() > 0
        ? java.util.OptionalLong.of(unix.getMaxFileDescriptorCount())
        : java.util.OptionalLong.empty();
  }

  /** fsync always, 64 MiB segments rolled at least weekly. */
  public static FileStoreConfig defaults() {
    return new FileStoreConfig(
        new FsyncPolicy.Always(),
        DEFAULT_SEGMENT_BYTES,
        DEFAULT_SEGMENT_MAX_AGE,
        DEFAULT_INDEX_FLUSH_INTERVAL,
        StoreLimits.DEFAULTS,
        DiskFloor.DEFAULT,
        DEFAULT_MAX_OPEN_FILES);
  }

  public FileStoreConfig withFsync(FsyncPolicy policy) {
    return new FileStoreConfig(
        policy, segmentBytes, segmentMaxAge, indexFlushInterval, limits, minFreeDisk, maxOpenFiles);
  }

  public FileStoreConfig withSegmentBytes(int bytes) {
    return new FileStoreConfig(
        fsync, bytes, segmentMaxAge, indexFlushInterval, limits, minFreeDisk, maxOpenFiles);
  }

  public FileStoreConfig withLimits(StoreLimits value) {
    return new FileStoreConfig(
        fsync, segmentBytes, segmentMaxAge, indexFlushInterval, value, minFreeDisk, maxOpenFiles);
  }

  public FileStoreConfig withMinFreeDisk(DiskFloor value) {
    return new FileStoreConfig(
        fsync, segmentBytes, segmentMaxAge, indexFlushInterval, limits, value, maxOpenFiles);
  }

  public FileStoreConfig withMaxOpenFiles(int value) {
    return new FileStoreConfig(
        fsync, segmentBytes, segmentMaxAge, indexFlushInterval, limits, minFreeDisk, value);
  }

  public FileStoreConfig withSegmentMaxAge(Duration age) {
    return new FileStoreConfig(
        fsync, segmentBytes, age, indexFlushInterval, limits, minFreeDisk, maxOpenFiles);
  }
}
