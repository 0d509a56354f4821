package io.minikafka.broker.store;

import java.util.List;

/**
 * What {@link BackingStore#poll} found.
 *
 * @param messages the messages, in number order, with consecutive numbers
 * @param newReadFrom one past the last returned number, or the {@code readFrom} asked for when none
 *     was returned
 * @param firstAvailable the oldest number the topic holds, or its next number when it holds none
 * @param nextNumber the number the topic's next message will get: a {@code readFrom} above it is
 *     past the end of the topic (a reader that resumes beyond a store that lost or never had those
 *     numbers), which no amount of waiting fills
 * @param encoded the messages as their wire bytes, when {@link BackingStore#pollEncoded} returned
 *     them so; {@code messages} is then empty. Null otherwise
 */
public record PollResult(
    List<StoredMessage> messages,
    long newReadFrom,
    long firstAvailable,
    long nextNumber,
    RecordBytes encoded) {

  public PollResult {
    messages = List.copyOf(messages);
    if (encoded != null && !messages.isEmpty()) {
      throw new IllegalArgumentException("messages come either as objects or as bytes, not both");
    }
  }

  /** A result of messages as objects. */
  public PollResult(
      List<StoredMessage> messages, long newReadFrom, long firstAvailable, long nextNumber) {
    this(messages, newReadFrom, firstAvailable, nextNumber, null);
  }

  /** How many messages the result holds, in either form. */
  public int count() {
    return encoded != null ? encoded.count() : messages.size();
  }

  /** Whether {@code readFrom} is beyond the topic's next number. */
  public boolean pastEnd(long readFrom) {
    return readFrom > nextNumber;
  }

  /** How many numbers from {@code readFrom} on had expired before this poll could return them. */
  public long skipped(long readFrom) {
    return Math.max(0, firstAvailable - Math.max(readFrom, 1));
  }
}
