package io.minikafka.client;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Where a {@link Consumer} that has no position yet starts reading, with the choices Kafka users
 * know: the oldest message, only the new ones, a message number, or a point in time.
 */
public sealed interface StartAt {

  /** At message {@code number} (1 for the oldest; 0 counts as 1). */
  record Number(long number) implements StartAt {
    public Number {
      if (number < 0) {
        throw new IllegalArgumentException("a message number must not be negative, was " + number);
      }
    }
  }

  /** At the first message appended at or after {@code time}. */
  record Time(Instant time) implements StartAt {
    public Time {
      Objects.requireNonNull(time, "time");
    }
  }

  /**
   * Only messages produced after the consumer starts reading (Kafka's "latest"): the topic's next
   * number when the first poll or subscription opens, or 1 if the topic does not exist yet.
   */
  record End() implements StartAt {}

  /** At the oldest message the topic holds (Kafka's "earliest"). */
  static StartAt start() {
    return new Number(1);
  }

  /** Only messages produced from now on. */
  static StartAt end() {
    return new End();
  }

  static StartAt number(long number) {
    return new Number(number);
  }

  static StartAt time(Instant time) {
    return new Time(time);
  }

  /** At the first message appended at most {@code age} ago. */
  static StartAt ago(Duration age, Clock clock) {
    if (age.isNegative()) {
      throw new IllegalArgumentException("an age must not be negative, was " + age);
    }
    return new Time(clock.instant().minus(age));
  }
}
