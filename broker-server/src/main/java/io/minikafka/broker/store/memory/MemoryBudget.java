package io.minikafka.broker.store.memory;

import io.minikafka.broker.store.LimitExceededException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The payload bytes a {@link MemoryStore} may hold, shared by its topics: appends reserve their
 * bytes first and are refused past the cap; removals give them back. Thread-safe.
 */
final class MemoryBudget {

  private final long maxBytes;
  private final AtomicLong used = new AtomicLong();

  MemoryBudget(long maxBytes) {
    this.maxBytes = maxBytes;
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

  long used() {
    return used.get();
  }
}
