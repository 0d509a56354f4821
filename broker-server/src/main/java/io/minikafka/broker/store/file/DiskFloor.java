package io.minikafka.broker.store.file;

import io.minikafka.broker.config.ByteSize;

/**
 * The free space a file store keeps on its disk: below it, produces are refused (consumers go on)
 * until space is back. Either a number of bytes or a percentage of the file system's size.
 *
 * @param bytes the floor in bytes, when not a percentage
 * @param percent the floor as a percentage of the file system, 0 to 100; negative when in bytes
 */
public record DiskFloor(long bytes, double percent) {

  /**
   * 64 MiB: room for positions, indexes and recovery to go on writing when producers are stopped.
   */
  public static final DiskFloor DEFAULT = new DiskFloor(64L * 1024 * 1024, -1);

  /** Examples shown in parse errors. */
  public static final String EXAMPLES = "67108864, 512MiB, 2GiB or 5%";

  public DiskFloor {
    if (percent > 100 || (percent < 0 && bytes < 0)) {
      throw new IllegalArgumentException("a disk floor is 0 or more bytes, or 0% to 100%");
    }
  }

  /**
   * Parses a number of bytes, with an optional KiB, MiB, GiB or TiB suffix, or a percentage.
   *
   * @throws IllegalArgumentException saying what is wrong
   */
  public static DiskFloor parse(String text) {
    String value = text.strip();
    if (value.endsWith("%")) {
      double percent;
      try {
        percent = Double.parseDouble(value.substring(0, value.length() - 1).strip());
      } catch (NumberFormatException e) {
        percent = Double.NaN;
      }
      if (!(percent >= 0 && percent <= 100)) {
        throw new IllegalArgumentException("a percentage must be between 0% and 100%");
      }
      return new DiskFloor(-1, percent);
    }
    try {
      return new DiskFloor(ByteSize.parse(value, 0, Long.MAX_VALUE), -1);
    } catch (IllegalArgumentException e) {
      if (!e.getMessage().startsWith("not ")) {
        throw e;
      }
      throw new IllegalArgumentException(
          "not a number of bytes (with " + ByteSize.UNITS + ") or a percentage");
    }
  }

  /** The floor in bytes on a file system of {@code totalBytes}. */
  public long bytesOf(long totalBytes) {
    return percent >= 0 ? (long) (totalBytes * percent / 100) : bytes;
  }

  @Override
  public String toString() {
    return percent >= 0
        ? (percent == Math.rint(percent) ? Long.toString((long) percent) : Double.toString(percent))
            + "%"
        : Long.toString(bytes);
  }
}
