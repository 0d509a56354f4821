package io.minikafka.broker.store;

/**
 * The store refuses writes because its storage failed in a way that makes later writes unsafe (a
 * failed fsync); reads go on. Cleared only by a restart, which recovers from what the storage
 * really holds.
 */
public class StoreFailedException extends StoreException {

  public StoreFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
