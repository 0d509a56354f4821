package io.minikafka.broker.store.file;

import io.minikafka.broker.config.GoDuration;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * When the file store forces appended records to disk.
 *
 * <ul>
 *   <li>{@link Always}: a store returns only once its record is on disk; concurrent appends to a
 *       topic share one fsync (group commit). Survives power loss.
 *   <li>{@link Interval}: records are forced every interval in the background; a store returns once
 *       the record is written to the OS. Survives a process crash; power loss may lose up to one
 *       interval.
 *   <li>{@link Never}: the OS decides when to write. Survives a process crash only.
 * </ul>
 */
public sealed interface FsyncPolicy {

  /** Example shown in parse errors. */
  String EXAMPLES = "always, interval:1s or never";

  /** Whether each append is forced to disk before it is acknowledged. */
  boolean forcesEachAppend();

  /**
   * Whether the store forces anything at all: sealed segments, directory entries of files it
   * creates, renames or deletes, and its small state files. Only {@link Never} leaves it all to the
   * OS.
   */
  boolean forcesFiles();

  /** How often the log is forced in the background, if it is. */
  default Optional<Duration> backgroundInterval() {
    return Optional.empty();
  }

  /** Forced before acknowledging. */
  record Always() implements FsyncPolicy {
    @Override
    public boolean forcesEachAppend() {
      return true;
    }

    @Override
    public boolean forcesFiles() {
      return true;
    }

    @Override
    public String toString() {
      return "always";
    }
  }

  /** Forced in the background every {@code every}. */
  record Interval(Duration every) implements FsyncPolicy {
    public Interval {
      Objects.requireNonNull(every, "every");
      if (every.isNegative() || every.isZero()) {
        throw new IllegalArgumentException("the fsync interval must be positive");
      }
    }

    @Override
    public boolean forcesEachAppend() {
      return false;
    }

    @Override
    public boolean forcesFiles() {
      return true;
    }

    @Override
    public Optional<Duration> backgroundInterval() {
      return Optional.of(every);
    }

    @Override
    public String toString() {
      return "interval:" + GoDuration.format(every);
    }
  }

  /** Never forced by the store. */
  record Never() implements FsyncPolicy {
    @Override
    public boolean forcesEachAppend() {
      return false;
    }

    @Override
    public boolean forcesFiles() {
      return false;
    }

    @Override
    public String toString() {
      return "never";
    }
  }

  /**
   * Parses {@code always}, {@code interval:<duration>} or {@code never}.
   *
   * @throws IllegalArgumentException saying what is wrong
   */
  static FsyncPolicy parse(String text) {
    String t = text.trim();
    if (t.equals("always")) {
      return new Always();
    }
    if (t.equals("never")) {
      return new Never();
    }
    if (t.startsWith("interval:")) {
      return new Interval(GoDuration.parse(t.substring("interval:".length())));
    }
    throw new IllegalArgumentException("expected always, interval:<duration> or never");
  }
}
