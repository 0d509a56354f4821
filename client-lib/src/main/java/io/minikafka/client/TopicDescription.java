package io.minikafka.client;

/**
 * What a topic holds, as {@link Admin#describe} reports it.
 *
 * @param topic its name
 * @param firstAvailable the oldest number held, or {@code nextNumber} when none is
 * @param nextNumber the number the next message will get
 * @param messageCount how many messages are held
 * @param bytesStored bytes the topic takes on the server (payloads in memory; files on disk)
 * @param oldestAppendTimeMillis append time of the oldest message held, or 0 when none is
 * @param newestAppendTimeMillis append time of the newest message held, or 0 when none is
 * @param retention how long the topic keeps a message (zero from servers that do not say)
 * @param ownRetention whether that is the topic's own retention rather than the server's
 * @param consumers every named consumer's committed position, the number it reads next, by name
 *     ({@link Admin#describe} only; empty from servers that do not say)
 */
public record TopicDescription(
    String topic,
    long firstAvailable,
    long nextNumber,
    long messageCount,
    long bytesStored,
    long oldestAppendTimeMillis,
    long newestAppendTimeMillis,
    java.time.Duration retention,
    boolean ownRetention,
    java.util.SortedMap<String, Long> consumers) {

  public TopicDescription {
    consumers = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(consumers));
  }

  /** How far the named consumer is behind the topic's end, if it has a position. */
  public java.util.OptionalLong lag(String consumer) {
    Long next = consumers.get(consumer);
    return next == null
        ? java.util.OptionalLong.empty()
        : java.util.OptionalLong.of(Math.max(0, nextNumber - next));
  }

  /** A description as the wire carries it. */
  static TopicDescription of(io.minikafka.protocol.TopicDescription d) {
    return new TopicDescription(
        d.getTopic(),
        d.getFirstAvailable(),
        d.getNextNumber(),
        d.getMessageCount(),
        d.getBytesStored(),
        d.getOldestAppendTimeMs(),
        d.getNewestAppendTimeMs(),
        java.time.Duration.ofMillis(d.getRetentionMs()),
        d.getOwnRetention(),
        consumers(d));
  }

  private static java.util.SortedMap<String, Long> consumers(
      io.minikafka.protocol.TopicDescription d) {
    java.util.SortedMap<String, Long> consumers = new java.util.TreeMap<>();
    for (io.minikafka.protocol.ConsumerPosition position : d.getConsumersList()) {
      consumers.put(position.getConsumer(), position.getNextNumber());
    }
    return consumers;
  }
}
