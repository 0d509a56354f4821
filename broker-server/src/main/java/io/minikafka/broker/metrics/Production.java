package io.minikafka.broker.metrics;

/**
 * A request that produces messages, as the metrics count it: how many messages and how many payload
 * bytes. Implemented by requests that are not protobuf objects.
 */
public interface Production {

  /** How many messages the request carries. */
  int messageCount();

  /** The sum of their payloads' lengths. */
  long payloadBytes();
}
