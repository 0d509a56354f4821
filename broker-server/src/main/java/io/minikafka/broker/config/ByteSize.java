package io.minikafka.broker.config;

import java.util.Locale;

/**
 * A number of bytes as every byte setting takes it: digits, with an optional KiB, MiB, GiB or TiB
 * suffix (powers of 1024, any case, a space allowed before it), as in {@code 64MiB}. Decimal units
 * such as MB are refused rather than guessed at.
 */
public final class ByteSize {

  /** The units taken, as a parse error names them. */
  public static final String UNITS = "KiB, MiB, GiB or TiB";

  private static final String[] SUFFIXES = {"KIB", "MIB", "GIB", "TIB"};

  private ByteSize() {}

  /**
   * Parses {@code text} into a number of bytes from {@code min} to {@code max}.
   *
   * @throws IllegalArgumentException saying what is wrong, with the bounds in bytes
   */
  public static long parse(String text, long min, long max) {
    String value = text.strip();
    String upper = value.toUpperCase(Locale.ROOT);
    int shift = 0;
    for (int i = 0; i < SUFFIXES.length; i++) {
      if (upper.endsWith(SUFFIXES[i])) {
        shift = 10 * (i + 1);
        value = value.substring(0, value.length() - 3).strip();
        break;
      }
    }
    long bytes;
    try {
      long number = Long.parseLong(value);
      if (number < 0) {
        throw new IllegalArgumentException("must be at least " + min);
      }
      bytes = Math.multiplyExact(number, 1L << shift);
    } catch (NumberFormatException e) {
      if (!value.isEmpty() && value.chars().allMatch(c -> c >= '0' && c <= '9')) {
        throw new IllegalArgumentException("must be at most " + max);
      }
      throw new IllegalArgumentException(
          "not a whole number of bytes, with or without " + UNITS + " after it");
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("must be at most " + max);
    }
    if (bytes < min) {
      throw new IllegalArgumentException("must be at least " + min);
    }
    if (bytes > max) {
      throw new IllegalArgumentException("must be at most " + max);
    }
    return bytes;
  }

  /** {@code bytes} for people: {@code 500 bytes}, {@code 64 MiB}, {@code 79.3 GiB}. */
  public static String format(long bytes) {
    String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    if (bytes < 1024) {
      return bytes + " bytes";
    }
    int unit = 0;
    while (unit < units.length - 1 && bytes >= 1024L << (10 * (unit + 1))) {
      unit++;
    }
    long size = 1L << (10 * (unit + 1));
    if (bytes % size == 0) {
      return bytes / size + " " + units[unit];
    }
    String shown = String.format(java.util.Locale.ROOT, "%.1f", (double) bytes / size);
    if (shown.equals("1024.0") && unit < units.length - 1) {
      return "1.0 " + units[unit + 1];
    }
    return shown + " " + units[unit];
  }
}
