package io.minikafka.broker.store;

/** A call named a topic that has never been stored to, or that was deleted since. */
public class UnknownTopicException extends StoreException {

  public UnknownTopicException(String topic) {
    this(topic, false);
  }

  /**
   * @param deleted whether the topic existed and was deleted, rather than never produced to
   */
  public UnknownTopicException(String topic, boolean deleted) {
    super(
        "unknown topic '"
            + topic
            + (deleted
                ? "': it was deleted, and nothing has been produced to it since"
                : "': no message has ever been produced to it"));
  }
}
