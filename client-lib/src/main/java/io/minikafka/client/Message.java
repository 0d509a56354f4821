package io.minikafka.client;

/**
 * A message read from a topic.
 *
 * @param number its number in the topic, from 1
 * @param appendTimeMillis when the server stored it (milliseconds since the epoch), or -1 when the
 *     call that read it does not say (the original's Poll)
 * @param payload its bytes
 */
public record Message(long number, long appendTimeMillis, byte[] payload) {

  /** A message whose append time is unknown. */
  public Message(long number, byte[] payload) {
    this(number, -1, payload);
  }
}
