package io.minikafka.broker.store;

import java.util.List;

/**
 * What {@link BackingStore#poll} found.
 *
 * @param messages the messages, in number order, with consecutive numbers
 * @param newReadFrom one past the last returned number, or the {@code readFrom} asked for when none
 *     was returned
 * @param firstAvailable the oldest number the topic holds, or its next number when it holds none
 */
public record PollResult(List<StoredMessage> messages, long newReadFrom, long firstAvailable) {

  public PollResult {
    messages = List.copyOf(messages);
  }

  /** How many numbers from {@code readFrom} on had expired before this poll could return them. */
  public long skipped(long readFrom) {
    return Math.max(0, firstAvailable - Math.max(readFrom, 1));
  }
}
