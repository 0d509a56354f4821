package io.minikafka.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A message to send with a key and headers, as Kafka's {@code ProducerRecord}: {@code
 * ProducerRecord.of(payload).withKey(key).withHeader("traceparent", value)}. Immutable; the arrays
 * are not copied, so do not change them after sending.
 *
 * @param key the key, empty for none
 * @param headers the headers, in order
 * @param payload the message's bytes (any length, empty included)
 */
public record ProducerRecord(byte[] key, List<Header> headers, byte[] payload) {

  private static final byte[] NO_KEY = new byte[0];

  public ProducerRecord {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(payload, "payload");
    headers = List.copyOf(headers);
  }

  /** A record of this payload, without key or headers. */
  public static ProducerRecord of(byte[] payload) {
    return new ProducerRecord(NO_KEY, List.of(), payload);
  }

  /** This record with {@code key} as its key. */
  public ProducerRecord withKey(byte[] key) {
    return new ProducerRecord(key, headers, payload);
  }

  /** This record with one more header. */
  public ProducerRecord withHeader(String name, byte[] value) {
    List<Header> more = new ArrayList<>(headers);
    more.add(new Header(name, value));
    return new ProducerRecord(key, more, payload);
  }

  /** This record with one more header whose value is text. */
  public ProducerRecord withHeader(String name, String value) {
    return withHeader(name, value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /** Bytes counted against the server's maximum message size: payload, key and headers. */
  long size() {
    long bytes = (long) payload.length + key.length;
    for (Header header : headers) {
      bytes +=
          6
              + header.name().getBytes(java.nio.charset.StandardCharsets.UTF_8).length
              + header.value().length;
    }
    return bytes;
  }
}
