package io.minikafka.client;

import io.grpc.Status;

/**
 * A consumer asked for numbers past a topic's end: numbers the server never gave, because it lost
 * them (a memory store restarted) or was restored from an older copy. Waiting would only hand the
 * consumer later messages under numbers it believes it has read, so it stops instead; {@link
 * Consumer#seek} to {@link #nextNumber()} (only what comes from now on) or lower (what the topic
 * still holds) to go on.
 */
public final class PositionOutOfRangeException extends MiniKafkaException {

  private final long requested;
  private final long nextNumber;

  PositionOutOfRangeException(String topic, long requested, long nextNumber) {
    super(
        "reading topic '"
            + topic
            + "' from "
            + requested
            + " is past its end: its next number is "
            + nextNumber
            + " (the server lost or never had the numbers in between); seek to "
            + nextNumber
            + " or lower",
        Status.OUT_OF_RANGE);
    this.requested = requested;
    this.nextNumber = nextNumber;
  }

  /** The number the consumer asked for. */
  public long requested() {
    return requested;
  }

  /** The number the topic's next message will get. */
  public long nextNumber() {
    return nextNumber;
  }
}
