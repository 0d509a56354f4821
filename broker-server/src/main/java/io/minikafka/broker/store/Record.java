package io.minikafka.broker.store;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * One message to store: its payload, and optionally a key and headers (as Kafka's records). An
 * empty key is no key.
 *
 * @param key the key's bytes, empty for none; shared, not to be changed
 * @param headers the headers in order, names may repeat
 * @param payload the payload's bytes (any length, empty included); shared, not to be changed
 */
public record Record(byte[] key, List<Header> headers, byte[] payload) {

  private static final byte[] NO_KEY = new byte[0];

  public Record {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(payload, "payload");
    headers = List.copyOf(headers);
  }

  /** A message of a payload alone, as the original's clients send. */
  public static Record of(byte[] payload) {
    return new Record(NO_KEY, List.of(), payload);
  }

  /** Whether the message has neither key nor headers. */
  public boolean plain() {
    return key.length == 0 && headers.isEmpty();
  }

  /**
   * Bytes of key and headers, as they count toward a message's size: the key, each header's name
   * (UTF-8) and value, and 6 bytes per header for their lengths.
   */
  public long extraBytes() {
    long bytes = key.length;
    for (Header header : headers) {
      bytes += 6 + header.name().getBytes(StandardCharsets.UTF_8).length + header.value().length;
    }
    return bytes;
  }
}
