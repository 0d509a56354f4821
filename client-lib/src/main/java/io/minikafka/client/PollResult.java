package io.minikafka.client;

import java.util.List;

/**
 * What one {@link Consumer#poll()} returned.
 *
 * @param messages the messages, in number order; empty when nothing new was stored
 * @param newReadFrom the number to read from next time: persist it to resume after a restart
 */
public record PollResult(List<Message> messages, long newReadFrom) {

  public PollResult {
    messages = List.copyOf(messages);
  }
}
