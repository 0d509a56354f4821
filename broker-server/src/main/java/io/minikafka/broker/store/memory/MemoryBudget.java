package io.minikafka.broker.store.memory;

import io.minikafka.broker.store.LimitExceededException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes a {@link MemoryStore} may hold, payloads, keys and headers plus {@value
 * #MESSAGE_OVERHEAD_BYTES} per message, shared by its topics: appends reserve their bytes first and
 * are refused past the cap; removals give them back. Thread-safe.
 */
final class MemoryBudget {

  /**
   * What a message costs beyond its payload, key and headers: its slot in the topic's index (24
   * bytes, outside the heap once its block holds 1,024) and its entry's framing (number, time,
   * lengths: 8 to 20 bytes for most), about 40 together. Charged so that a flood of empty messages
   * meets the cap too. Not charged: a chunk's room not yet filled, and removed messages' bytes in a
   * chunk that still holds others, each at most about what the chunk keeps ({@link TopicLog}).
   */
  static final int MESSAGE_OVERHEAD_BYTES = 40;

  private final long maxBytes;
  private final AtomicLong used = new AtomicLong();

  MemoryBudget(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  /** What a message of {@code bytes} (payload, key and headers) is charged. */
  static long cost(long bytes) {
    return bytes + MESSAGE_OVERHEAD_BYTES;
  }

  /** Takes {@code bytes} for an append to {@code topic}, or refuses without taking anything. */
  void reserve(String topic, long bytes) throws LimitExceededException {
    long now = used.get();
    while (true) {
      if (now + bytes > maxBytes) {
        throw new LimitExceededException(
            LimitExceededException.Limit.MEMORY_BYTES,
            "topic '"
                + topic
                + "': the memory store holds "
                + now
                + " of its "
                + maxBytes
                + " bytes, too many to take "
                + bytes
                + " more; messages were not stored (older ones go as they expire, or delete a topic)");
      }
      long witness = used.compareAndExchange(now, now + bytes);
      if (witness == now) {
        return;
      }
      now = witness;
    }
  }

  void release(long bytes) {
    used.addAndGet(-bytes);
  }
}
