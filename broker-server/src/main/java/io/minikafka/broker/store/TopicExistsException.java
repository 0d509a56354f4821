package io.minikafka.broker.store;

/** A topic asked to be created exists already. */
public class TopicExistsException extends StoreException {

  public TopicExistsException(String topic) {
    super(
        "topic '"
            + topic
            + "' already exists (AlterTopic, or mkfk-admin alter, changes its settings)");
  }
}
