package io.minikafka.broker.store;

import java.util.List;

/**
 * One message as a store returns it.
 *
 * @param number its number in its topic, from 1
 * @param appendTimeMillis when it was stored, in milliseconds since the epoch
 * @param payload its bytes; shared, not to be changed (see {@link BackingStore})
 * @param key its key, empty for none; shared, not to be changed
 * @param headers its headers, in the order they were given
 */
public record StoredMessage(
    long number, long appendTimeMillis, byte[] payload, byte[] key, List<Header> headers) {

  private static final byte[] NO_KEY = new byte[0];

  /** A message without key or headers. */
  public StoredMessage(long number, long appendTimeMillis, byte[] payload) {
    this(number, appendTimeMillis, payload, NO_KEY, List.of());
  }

  /** A stored record. */
  public StoredMessage(long number, long appendTimeMillis, Record record) {
    this(number, appendTimeMillis, record.payload(), record.key(), record.headers());
  }
}
