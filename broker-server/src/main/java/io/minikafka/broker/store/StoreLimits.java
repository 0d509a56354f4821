package io.minikafka.broker.store;

/**
 * How much a store may hold, whatever keeps the bytes. Each limit refuses what would pass it with a
 * {@link LimitExceededException}, except retention by size, which deletes the oldest messages.
 *
 * @param maxTopics topics that may exist at once; creating one more is refused
 * @param maxConsumersPerTopic named consumers whose positions a topic keeps; committing for one
 *     more is refused
 * @param maxMemoryBytes payload bytes the memory store holds at most; past it producers are refused
 *     (acknowledged messages are never dropped to make room); ignored by the file store
 * @param retentionBytes payload bytes a topic keeps at most, oldest deleted first (as Kafka's
 *     {@code retention.bytes}); 0 for no limit
 */
public record StoreLimits(
    int maxTopics, int maxConsumersPerTopic, long maxMemoryBytes, long retentionBytes) {

  public static final int DEFAULT_MAX_TOPICS = 10_000;
  public static final int DEFAULT_MAX_CONSUMERS_PER_TOPIC = 1_000;

  /** No limit but the defaults on topics and consumers; memory up to a third of the heap. */
  public static final StoreLimits DEFAULTS =
      new StoreLimits(DEFAULT_MAX_TOPICS, DEFAULT_MAX_CONSUMERS_PER_TOPIC, defaultMemoryBytes(), 0);

  public StoreLimits {
    if (maxTopics < 1 || maxConsumersPerTopic < 1 || maxMemoryBytes < 1 || retentionBytes < 0) {
      throw new IllegalArgumentException(
          "store limits must be positive (retention bytes 0 for none)");
    }
  }

  /**
   * A third of the heap the JVM may use: the rest is for requests being received (the produce
   * queue), responses being sent, and the server itself.
   */
  public static long defaultMemoryBytes() {
    return Runtime.getRuntime().maxMemory() / 3;
  }

  public StoreLimits withMaxTopics(int value) {
    return new StoreLimits(value, maxConsumersPerTopic, maxMemoryBytes, retentionBytes);
  }

  public StoreLimits withMaxConsumersPerTopic(int value) {
    return new StoreLimits(maxTopics, value, maxMemoryBytes, retentionBytes);
  }

  public StoreLimits withMaxMemoryBytes(long value) {
    return new StoreLimits(maxTopics, maxConsumersPerTopic, value, retentionBytes);
  }

  public StoreLimits withRetentionBytes(long value) {
    return new StoreLimits(maxTopics, maxConsumersPerTopic, maxMemoryBytes, value);
  }
}
