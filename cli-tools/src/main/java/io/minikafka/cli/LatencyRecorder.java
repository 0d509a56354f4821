package io.minikafka.cli;

import java.util.Arrays;

/** Latencies of one perf run, in nanoseconds; thread-safe. Percentiles are exact (sorted). */
final class LatencyRecorder {

  private long[] samples = new long[1 << 16];
  private int count;
  private long max;
  private long sum;

  synchronized void record(long nanos) {
    if (count == samples.length) {
      samples = Arrays.copyOf(samples, count * 2);
    }
    samples[count++] = nanos;
    sum += nanos;
    max = Math.max(max, nanos);
  }

  /** Count, average and max so far, and resets them (for the progress lines). */
  synchronized long[] window(int[] windowStart) {
    int from = windowStart[0];
    long windowSum = 0;
    long windowMax = 0;
    for (int i = from; i < count; i++) {
      windowSum += samples[i];
      windowMax = Math.max(windowMax, samples[i]);
    }
    windowStart[0] = count;
    return new long[] {count - from, windowSum, windowMax};
  }

  /** "avg, p50, p99, p99.9, max" in milliseconds, for the final line. */
  synchronized String summary() {
    if (count == 0) {
      return "no latencies recorded";
    }
    long[] sorted = Arrays.copyOf(samples, count);
    Arrays.sort(sorted);
    return String.format(
        "%.2f ms avg latency, %.2f ms p50, %.2f ms p99, %.2f ms p99.9, %.2f ms max latency",
        sum / (double) count / 1e6,
        percentile(sorted, 0.50) / 1e6,
        percentile(sorted, 0.99) / 1e6,
        percentile(sorted, 0.999) / 1e6,
        max / 1e6);
  }

  private static long percentile(long[] sorted, double p) {
    int index = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }
}
