package io.minikafka.client;

import java.util.List;

/**
 * What one {@link Consumer#poll()} returned.
 *
 * @param messages the messages, in number order; empty when nothing new was stored
 * @param newReadFrom the number to read from next time: persist it to resume after a restart
 * @param skipped how many numbers from the read-from number on had expired before this poll could
 *     return them (the reader fell behind retention); 0 when none had
 * @param firstAvailable the oldest number the topic still held; 0 from servers that do not say
 */
public record PollResult(
    List<Message> messages, long newReadFrom, long skipped, long firstAvailable) {

  public PollResult {
    messages = List.copyOf(messages);
  }

  /** A result without expired messages skipped. */
  public PollResult(List<Message> messages, long newReadFrom) {
    this(messages, newReadFrom, 0, 0);
  }
}
