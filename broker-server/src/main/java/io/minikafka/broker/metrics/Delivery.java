package io.minikafka.broker.metrics;

/**
 * A response that delivers messages, as the metrics count it: how many messages and how many
 * payload bytes. Implemented by responses that are not protobuf objects.
 */
public interface Delivery {

  /** How many messages the response carries. */
  int messageCount();

  /** The sum of their payloads' lengths. */
  long payloadBytes();
}
