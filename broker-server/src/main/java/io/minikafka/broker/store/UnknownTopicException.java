package io.minikafka.broker.store;

/** A call named a topic that has never been stored to, or that was deleted since. */
public class UnknownTopicException extends StoreException {

  private final boolean deleted;
  private final long nextNumber;

  public UnknownTopicException(String topic) {
    this(topic, false);
  }

  /**
   * @param deleted whether the topic existed and was deleted, rather than never produced to
   */
  public UnknownTopicException(String topic, boolean deleted) {
    this(topic, deleted, 0);
  }

  private UnknownTopicException(String topic, boolean deleted, long nextNumber) {
    super(
        "unknown topic '"
            + topic
            + (deleted
                ? "': it was deleted, and nothing has been produced to it since"
                : "': no message has ever been produced to it"));
    this.deleted = deleted;
    this.nextNumber = nextNumber;
  }

  /** A deleted topic, whose numbering goes on at {@code nextNumber} when it comes back. */
  public static UnknownTopicException deleted(String topic, long nextNumber) {
    return new UnknownTopicException(topic, true, nextNumber);
  }

  /** Whether the topic existed and was deleted. */
  public boolean deleted() {
    return deleted;
  }

  /**
   * The number a deleted topic's next message will get: where a reader of only new messages starts.
   * 0 when the topic never existed, or the store did not say.
   */
  public long nextNumber() {
    return nextNumber;
  }
}
