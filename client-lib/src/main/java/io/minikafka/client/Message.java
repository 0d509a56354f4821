package io.minikafka.client;

import java.util.List;
import java.util.Optional;

/**
 * A message read from a topic.
 *
 * @param number its number in the topic, from 1
 * @param appendTimeMillis when the server stored it (milliseconds since the epoch), or -1 when the
 *     server does not say (the original)
 * @param payload its bytes
 * @param key its key, empty for none
 * @param headers its headers, in the order they were sent
 */
public record Message(
    long number, long appendTimeMillis, byte[] payload, byte[] key, List<Header> headers) {

  private static final byte[] NO_KEY = new byte[0];

  public Message {
    headers = List.copyOf(headers);
  }

  /** A message without key or headers. */
  public Message(long number, long appendTimeMillis, byte[] payload) {
    this(number, appendTimeMillis, payload, NO_KEY, List.of());
  }

  /** A message whose append time is unknown. */
  public Message(long number, byte[] payload) {
    this(number, -1, payload);
  }

  /**
   * {@code Message[number=7, appendTime=2026-12-03T10:00:00Z, payload="hello"]}, with the key and
   * headers when it has them; bytes as {@link Header#describe} shows them, never an array's
   * identity.
   */
  @Override
  public String toString() {
    StringBuilder text = new StringBuilder("Message[number=").append(number);
    if (appendTimeMillis >= 0) {
      text.append(", appendTime=").append(java.time.Instant.ofEpochMilli(appendTimeMillis));
    }
    text.append(", payload=").append(Header.describe(payload));
    if (key == null || key.length > 0) {
      text.append(", key=").append(Header.describe(key));
    }
    if (!headers.isEmpty()) {
      text.append(", headers=").append(headers);
    }
    return text.append(']').toString();
  }

  /** The value of the first header of this name, if there is one. */
  public Optional<byte[]> header(String name) {
    for (Header header : headers) {
      if (header.name().equals(name)) {
        return Optional.of(header.value());
      }
    }
    return Optional.empty();
  }
}
