package io.minikafka.broker.store.memory;

import io.minikafka.broker.store.BackingStore;
import io.minikafka.broker.store.PollLimits;
import io.minikafka.broker.store.PollResult;
import io.minikafka.broker.store.StoreClosedException;
import io.minikafka.broker.store.TopicInfo;
import io.minikafka.broker.store.TopicName;
import io.minikafka.broker.store.TopicTable;
import io.minikafka.broker.store.UnknownTopicException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;

/**
 * A volatile {@link BackingStore} holding every message in memory; the original's {@code
 * NewMemStore()}.
 *
 * <p>Each topic is a {@link TopicLog} with its own lock, so topics never contend with each other.
 * Appends are O(1), a poll finds its first message in O(1) (numbers are consecutive), and removal
 * finds its cut by binary search over append times.
 */
public final class MemoryStore implements BackingStore {

  private final TopicTable<TopicLog> topics = new TopicTable<>(TopicLog::deleted);
  private final Clock clock;
  private volatile boolean closed;

  /** A store that timestamps messages with the system clock. */
  public MemoryStore() {
    this(Clock.systemUTC());
  }

  /** A store that timestamps messages with {@code clock}, so tests can control time. */
  public MemoryStore(Clock clock) {
    this.clock = clock;
  }

  @Override
  public long store(String topic, byte[] payload) throws StoreClosedException {
    TopicName.validate(topic);
    ensureOpen();
    return topics.computeIfAbsent(topic, t -> new TopicLog()).append(payload, clock.millis());
  }

  @Override
  public long storeBatch(String topic, List<byte[]> payloads) throws StoreClosedException {
    TopicName.validate(topic);
    if (payloads.isEmpty()) {
      throw new IllegalArgumentException("a batch needs at least one message");
    }
    ensureOpen();
    return topics.computeIfAbsent(topic, t -> new TopicLog()).appendAll(payloads, clock.millis());
  }

  @Override
  public PollResult poll(String topic, long readFrom, PollLimits limits)
      throws UnknownTopicException, StoreClosedException {
    TopicName.validate(topic);
    if (readFrom < 0) {
      throw new IllegalArgumentException("readFrom must not be negative, was " + readFrom);
    }
    ensureOpen();
    return topics.existing(topic).read(readFrom, limits);
  }

  @Override
  public long firstAtOrAfter(String topic, Instant time)
      throws UnknownTopicException, StoreClosedException {
    TopicName.validate(topic);
    ensureOpen();
    return topics.existing(topic).firstNumberAtOrAfter(time.toEpochMilli());
  }

  @Override
  public void commitPosition(String topic, String consumer, long nextNumber)
      throws UnknownTopicException, StoreClosedException {
    TopicName.validate(topic);
    TopicName.validate(consumer, "consumer name");
    ensureOpen();
    TopicLog log = topics.get(topic);
    if (log == null) {
      throw new UnknownTopicException(topic);
    }
    log.positions.put(consumer, nextNumber);
  }

  @Override
  public OptionalLong position(String topic, String consumer) throws StoreClosedException {
    TopicName.validate(topic);
    TopicName.validate(consumer, "consumer name");
    ensureOpen();
    TopicLog log = topics.get(topic);
    Long next = log == null ? null : log.positions.get(consumer);
    return next == null ? OptionalLong.empty() : OptionalLong.of(next);
  }

  @Override
  public List<String> topics() throws StoreClosedException {
    ensureOpen();
    return topics.names();
  }

  @Override
  public TopicInfo describe(String topic) throws UnknownTopicException, StoreClosedException {
    TopicName.validate(topic);
    ensureOpen();
    return topics.existing(topic).describe(topic);
  }

  @Override
  public long deleteTopic(String topic) throws UnknownTopicException, StoreClosedException {
    TopicName.validate(topic);
    ensureOpen();
    return topics.existing(topic).deleteAll();
  }

  @Override
  public long removeOlderThan(Instant cutoff) throws StoreClosedException {
    ensureOpen();
    long cutoffMillis = cutoff.toEpochMilli();
    long removed = 0;
    for (TopicLog log : topics.values()) {
      removed += log.removeOlderThan(cutoffMillis);
    }
    return removed;
  }

  @Override
  public void deleteContents() throws StoreClosedException {
    ensureOpen();
    topics.clear();
  }

  @Override
  public boolean neverBlocks() {
    return true;
  }

  @Override
  public String description() {
    return "memory (volatile)";
  }

  @Override
  public void close() {
    closed = true;
    topics.clear();
  }

  private void ensureOpen() throws StoreClosedException {
    if (closed) {
      throw new StoreClosedException();
    }
  }
}
