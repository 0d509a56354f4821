package io.minikafka.broker.store.file;

import io.minikafka.broker.store.StoreLimits;
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
 */
public record FileStoreConfig(
    FsyncPolicy fsync,
    int segmentBytes,
    Duration segmentMaxAge,
    Duration indexFlushInterval,
    StoreLimits limits,
    DiskFloor minFreeDisk) {

  public static final int DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;
  public static final Duration DEFAULT_SEGMENT_MAX_AGE = Duration.ofDays(7);
  public static final Duration DEFAULT_INDEX_FLUSH_INTERVAL = Duration.ofSeconds(1);

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
  }

  /** fsync always, 64 MiB segments rolled at least weekly. */
  public static FileStoreConfig defaults() {
    return new FileStoreConfig(
        new FsyncPolicy.Always(),
        DEFAULT_SEGMENT_BYTES,
        DEFAULT_SEGMENT_MAX_AGE,
        DEFAULT_INDEX_FLUSH_INTERVAL,
        StoreLimits.DEFAULTS,
        DiskFloor.DEFAULT);
  }

  public FileStoreConfig withFsync(FsyncPolicy policy) {
    return new FileStoreConfig(
        policy, segmentBytes, segmentMaxAge, indexFlushInterval, limits, minFreeDisk);
  }

  public FileStoreConfig withSegmentBytes(int bytes) {
    return new FileStoreConfig(
        fsync, bytes, segmentMaxAge, indexFlushInterval, limits, minFreeDisk);
  }

  public FileStoreConfig withLimits(StoreLimits value) {
    return new FileStoreConfig(
        fsync, segmentBytes, segmentMaxAge, indexFlushInterval, value, minFreeDisk);
  }

  public FileStoreConfig withMinFreeDisk(DiskFloor value) {
    return new FileStoreConfig(
        fsync, segmentBytes, segmentMaxAge, indexFlushInterval, limits, value);
  }

  public FileStoreConfig withSegmentMaxAge(Duration age) {
    return new FileStoreConfig(fsync, segmentBytes, age, indexFlushInterval, limits, minFreeDisk);
  }
}
