package io.minikafka.broker.store;

/** A poll named a topic that has never been stored to. */
public class UnknownTopicException extends StoreException {

  public UnknownTopicException(String topic) {
    super("unknown topic '" + topic + "': no message has ever been produced to it");
  }
}
