package io.minikafka.kafka;

import io.minikafka.broker.store.StoreException;

/**
 * Kafka did not answer, or refused the store's clients: the call did nothing that can be relied on,
 * and may be tried again (the server answers UNAVAILABLE). A produce that failed this way may still
 * have been stored, as with any Kafka producer whose acknowledgement was lost.
 */
public class KafkaUnavailableException extends StoreException {

  public KafkaUnavailableException(String message) {
    super(message);
  }

  public KafkaUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
