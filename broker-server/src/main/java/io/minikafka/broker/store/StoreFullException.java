package io.minikafka.broker.store;

/**
 * A message could not be stored for lack of space; nothing was stored, later appends may succeed.
 */
public class StoreFullException extends StoreException {

  public StoreFullException(String message, Throwable cause) {
    super(message, cause);
  }
}
