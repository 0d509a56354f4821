package io.minikafka.broker.store;

/**
 * One message as a store returns it.
 *
 * @param number its number in its topic, from 1
 * @param appendTimeMillis when it was stored, in milliseconds since the epoch
 * @param payload its bytes; shared, not to be changed (see {@link BackingStore})
 */
public record StoredMessage(long number, long appendTimeMillis, byte[] payload) {}
