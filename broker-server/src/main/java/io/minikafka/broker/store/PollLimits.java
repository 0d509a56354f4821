package io.minikafka.broker.store;

/**
 * How much one {@link BackingStore#poll} may return. The first message is always returned, even
 * when it alone is over {@code maxBytes}; later ones only while both limits hold.
 *
 * @param maxMessages at most this many messages; at least 1
 * @param maxBytes at most this many bytes, counting each message as its payload length plus {@link
 *     #MESSAGE_OVERHEAD_BYTES}, so the limit also bounds responses of many tiny messages
 */
public record PollLimits(int maxMessages, long maxBytes) {

  /** What each message counts for beyond its payload: an upper bound of its framing on the wire. */
  public static final int MESSAGE_OVERHEAD_BYTES = 16;

  /** No limit but the store's own. */
  public static final PollLimits UNLIMITED = new PollLimits(Integer.MAX_VALUE, Long.MAX_VALUE);

  public PollLimits {
    if (maxMessages < 1) {
      throw new IllegalArgumentException("maxMessages must be at least 1, was " + maxMessages);
    }
    if (maxBytes < 1) {
      throw new IllegalArgumentException("maxBytes must be at least 1, was " + maxBytes);
    }
  }

  /**
   * What one message counts for against {@code maxBytes}: its length (payload, and key and headers
   * if it has them) and the framing of each message.
   */
  public static long cost(long length) {
    return length + MESSAGE_OVERHEAD_BYTES;
  }

  /** These limits, lowered by a request's optional ones (0 meaning "not given"). */
  public PollLimits lowerTo(long requestedMessages, long requestedBytes) {
    int messages =
        requestedMessages > 0 && requestedMessages < maxMessages
            ? (int) requestedMessages
            : maxMessages;
    long bytes = requestedBytes > 0 && requestedBytes < maxBytes ? requestedBytes : maxBytes;
    return new PollLimits(messages, bytes);
  }
}
