package io.minikafka.broker.store;

import java.io.IOException;

/** A store failure with a precise meaning; subclasses say which. */
public class StoreException extends IOException {

  public StoreException(String message) {
    super(message);
  }

  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
