package io.minikafka.broker.config;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;

/**
 * Durations written as the original Go MiniKafka read them ({@code time.ParseDuration}), plus
 * {@code d} for days: {@code 500ms}, {@code 10s}, {@code 1h30m}, {@code 2h45m30.5s}, {@code 7d}.
 *
 * <p>Units are {@code ns}, {@code us} (or {@code µs}), {@code ms}, {@code s}, {@code m}, {@code h}
 * and {@code d}; each number may have a fraction; a bare {@code 0} is zero.
 */
public final class GoDuration {

  /** Examples shown in parse errors. */
  public static final String EXAMPLES = "500ms, 10s, 1h30m or 7d";

  private static final Map<String, Long> NANOS_PER_UNIT =
      Map.of(
          "ns", 1L,
          "us", 1_000L,
          "µs", 1_000L,
          "μs", 1_000L,
          "ms", 1_000_000L,
          "s", 1_000_000_000L,
          "m", 60_000_000_000L,
          "h", 3_600_000_000_000L,
          "d", 86_400_000_000_000L);

  private GoDuration() {}

  /**
   * Parses a duration.
   *
   * @throws IllegalArgumentException saying what is wrong with {@code text}
   */
  public static Duration parse(String text) {
    String s = text.trim();
    boolean negative = false;
    if (s.startsWith("-") || s.startsWith("+")) {
      negative = s.charAt(0) == '-';
      s = s.substring(1);
    }
    if (s.equals("0")) {
      return Duration.ZERO;
    }
    if (s.isEmpty()) {
      throw new IllegalArgumentException("empty duration");
    }
    BigDecimal totalNanos = BigDecimal.ZERO;
    int i = 0;
    while (i < s.length()) {
      int numberStart = i;
      while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
        i++;
      }
      String number = s.substring(numberStart, i);
      if (number.isEmpty()
          || number.equals(".")
          || number.indexOf('.') != number.lastIndexOf('.')) {
        throw new IllegalArgumentException(
            "expected a number at '" + s.substring(numberStart) + "'");
      }
      int unitStart = i;
      while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') {
        i++;
      }
      String unit = s.substring(unitStart, i);
      if (unit.isEmpty()) {
        throw new IllegalArgumentException("missing unit after '" + number + "'");
      }
      Long nanos = NANOS_PER_UNIT.get(unit);
      if (nanos == null) {
        throw new IllegalArgumentException("unknown unit '" + unit + "'");
      }
      totalNanos = totalNanos.add(new BigDecimal(number).multiply(BigDecimal.valueOf(nanos)));
    }
    BigDecimal maxNanos = BigDecimal.valueOf(Long.MAX_VALUE);
    if (totalNanos.compareTo(maxNanos) > 0) {
      throw new IllegalArgumentException("duration is too long");
    }
    long nanos = totalNanos.longValue();
    return Duration.ofNanos(negative ? -nanos : nanos);
  }

  /** Formats a duration the way Go prints one, such as {@code 168h0m0s} or {@code 1.5s}. */
  public static String format(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    String sign = d.isNegative() ? "-" : "";
    Duration abs = d.abs();
    long totalNanos = abs.toNanos();
    if (totalNanos < 1_000) {
      return sign + totalNanos + "ns";
    }
    if (totalNanos < 1_000_000) {
      return sign + fraction(totalNanos, 1_000) + "µs";
    }
    if (totalNanos < 1_000_000_000) {
      return sign + fraction(totalNanos, 1_000_000) + "ms";
    }
    long hours = abs.toHours();
    long minutes = abs.toMinutesPart();
    String seconds = fraction(totalNanos % 60_000_000_000L, 1_000_000_000);
    StringBuilder out = new StringBuilder(sign);
    if (hours > 0) {
      out.append(hours).append('h');
    }
    if (hours > 0 || minutes > 0) {
      out.append(minutes).append('m');
    }
    return out.append(seconds).append('s').toString();
  }

  private static String fraction(long value, long unit) {
    return BigDecimal.valueOf(value)
        .divide(BigDecimal.valueOf(unit))
        .stripTrailingZeros()
        .toPlainString();
  }
}
