package io.minikafka.broker.store;

/** The store was used after {@link BackingStore#close()}. */
public class StoreClosedException extends StoreException {

  public StoreClosedException() {
    super("the store is closed");
  }
}
