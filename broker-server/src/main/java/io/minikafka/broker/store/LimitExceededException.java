package io.minikafka.broker.store;

/**
 * A request would take a store past one of its {@link StoreLimits}; nothing was changed, and the
 * same request may succeed once the resource is freed. The server answers RESOURCE_EXHAUSTED,
 * naming the setting of {@link #limit()}.
 */
public final class LimitExceededException extends StoreException {

  /** Which limit was hit. */
  public enum Limit {
    TOPICS,
    CONSUMERS_PER_TOPIC,
    MEMORY_BYTES,
    MIN_FREE_DISK
  }

  private final Limit limit;

  public LimitExceededException(Limit limit, String message) {
    super(message);
    this.limit = limit;
  }

  /** The refusal of one more named consumer on a topic, as every store words it. */
  public static LimitExceededException consumers(String topic, String consumer, int max) {
    return new LimitExceededException(
        Limit.CONSUMERS_PER_TOPIC,
        "cannot keep a position for consumer '"
            + consumer
            + "': topic '"
            + topic
            + "' already keeps its maximum of "
            + max
            + " named consumers");
  }

  public Limit limit() {
    return limit;
  }
}
