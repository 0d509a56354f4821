package io.minikafka.broker.store;

/**
 * A topic exists in the store but cannot be used until an operator repairs it (its files could not
 * be read at start-up); its data is kept as it is.
 */
public class TopicUnavailableException extends StoreException {

  public TopicUnavailableException(String message) {
    super(message);
  }
}
