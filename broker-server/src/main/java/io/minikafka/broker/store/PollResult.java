package io.minikafka.broker.store;

import java.util.List;

/**
 * What {@link BackingStore#poll} found.
 *
 * @param messages the messages, in number order, with consecutive numbers
 * @param newReadFrom one past the last returned number, or the {@code readFrom} asked for when none
 *     was returned
 */
public record PollResult(List<StoredMessage> messages, long newReadFrom) {

  public PollResult {
    messages = List.copyOf(messages);
  }
}
