package io.minikafka.client;

/**
 * A message read from a topic.
 *
 * @param number its number in the topic, from 1
 * @param payload its bytes
 */
public record Message(long number, byte[] payload) {}
