package io.minikafka.broker.store.memory;

import io.minikafka.broker.store.CheckedStore;
import io.minikafka.broker.store.LimitExceededException;
import io.minikafka.broker.store.PollLimits;
import io.minikafka.broker.store.PollResult;
import io.minikafka.broker.store.Record;
import io.minikafka.broker.store.StoreFullException;
import io.minikafka.broker.store.StoreLimits;
import io.minikafka.broker.store.TopicInfo;
import io.minikafka.broker.store.TopicTable;
import io.minikafka.broker.store.UnknownTopicException;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A volatile {@link io.minikafka.broker.store.BackingStore} holding every message in memory; the
 * original's {@code NewMemStore()}.
 *
 * <p>Each topic is a {@link TopicLog} with its own lock, so topics never contend with each other.
 * It keeps its messages as the bytes a Subscribe response carries, in chunks of memory outside the
 * heap: a read for a subscriber copies byte ranges, and the garbage collector has nothing per
 * message to trace or move. Appends are O(1), a poll finds its first message in O(1) (numbers are
 * consecutive), and removal finds its cut by binary search over append times.
 */
public final class MemoryStore extends CheckedStore {

  private static final Logger LOG = LoggerFactory.getLogger(MemoryStore.class);

  private final TopicTable<TopicLog> topics;
  private final Clock clock;
  private final StoreLimits limits;
  private final MemoryBudget budget;
  private final ChunkMemory memory;

  /** A store that timestamps messages with the system clock. */
  public MemoryStore() {
    this(Clock.systemUTC());
  }

  /** A store that timestamps messages with {@code clock}, so tests can control time. */
  public MemoryStore(Clock clock) {
    this(clock, StoreLimits.DEFAULTS);
  }

  /** A store within {@code limits}: topics, consumers per topic, memory, retention by size. */
  public MemoryStore(Clock clock, StoreLimits limits) {
    this(clock, limits, ChunkMemory.DIRECT);
  }

  /** Chunks made ready for appends: two, 8 MiB, keep one busy topic's appends from waiting. */
  static final int READY_CHUNKS = 2;

  /** A store whose topics take their chunks from {@code memory}. */
  MemoryStore(Clock clock, StoreLimits limits, ChunkMemory memory) {
    this.clock = clock;
    this.limits = limits;
    this.memory = new ReadyChunks(memory, TopicLog.MAX_CHUNK_BYTES, READY_CHUNKS);
    if (memory == ChunkMemory.DIRECT) {
      directMemoryWarning(limits.maxMemoryBytes(), ChunkMemory.Direct.limit()).ifPresent(LOG::warn);
    }
    this.budget = new MemoryBudget(limits.maxMemoryBytes());
    this.topics = new TopicTable<>(TopicLog::deleted, TopicLog::nextNumber, limits.maxTopics());
  }

  @Override
  protected long doStoreRecords(String topic, List<Record> records) throws IOException {
    TopicLog.checkSizes(records);
    long bytes = 0;
    for (Record record : records) {
      bytes += MemoryBudget.cost(record.payload().length + record.extraBytes());
    }
    // Reserved before the topic is made, so that a refused batch leaves no empty topic behind.
    budget.reserve(topic, bytes);
    try {
      return topics.storeTo(
          topic,
          t -> new TopicLog(budget, limits.retentionBytes(), memory, TopicLog.MAX_CHUNK_BYTES),
          log -> log.appendAll(records, clock.millis()));
    } catch (StoreFullException e) {
      budget.release(bytes);
      throw new StoreFullException("topic '" + topic + "': " + e.getMessage(), e.getCause());
    } catch (IOException | RuntimeException | Error e) {
      budget.release(bytes);
      throw e;
    }
  }

  @Override
  protected PollResult doPoll(String topic, long readFrom, PollLimits limits)
      throws UnknownTopicException {
    return topics.existing(topic).read(readFrom, limits);
  }

  @Override
  protected PollResult doPollEncoded(String topic, long readFrom, PollLimits limits)
      throws UnknownTopicException {
    return topics.existing(topic).readEncoded(readFrom, limits);
  }

  @Override
  protected long doFirstAtOrAfter(String topic, Instant time) throws UnknownTopicException {
    return topics.existing(topic).firstNumberAtOrAfter(time.toEpochMilli());
  }

  @Override
  protected void doCommitPosition(String topic, String consumer, long nextNumber)
      throws UnknownTopicException, LimitExceededException {
    TopicLog log = topics.get(topic);
    if (log == null) {
      throw new UnknownTopicException(topic);
    }
    if (log.positions.replace(consumer, nextNumber) != null) {
      return;
    }
    synchronized (log.positions) {
      if (!log.positions.containsKey(consumer)
          && log.positions.size() >= limits.maxConsumersPerTopic()) {
        throw LimitExceededException.consumers(topic, consumer, limits.maxConsumersPerTopic());
      }
      log.positions.put(consumer, nextNumber);
    }
  }

  @Override
  protected OptionalLong doPosition(String topic, String consumer) {
    TopicLog log = topics.get(topic);
    Long next = log == null ? null : log.positions.get(consumer);
    return next == null ? OptionalLong.empty() : OptionalLong.of(next);
  }

  @Override
  protected java.util.SortedMap<String, Long> doPositions(String topic) {
    TopicLog log = topics.get(topic);
    return log == null
        ? java.util.Collections.emptySortedMap()
        : java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(log.positions));
  }

  @Override
  protected List<String> doTopics() {
    return topics.names();
  }

  @Override
  protected TopicInfo doDescribe(String topic) throws UnknownTopicException {
    return topics.existing(topic).describe(topic);
  }

  @Override
  protected long doDeleteTopic(String topic) throws UnknownTopicException {
    TopicLog log = topics.existing(topic);
    // A topic that comes back by a produce has the server's settings, as a new one would.
    log.retention = Optional.empty();
    return log.deleteAll();
  }

  @Override
  protected long doRemoveOlderThan(Instant cutoff) {
    long cutoffMillis = cutoff.toEpochMilli();
    long removed = 0;
    for (TopicLog log : topics.values()) {
      removed += log.removeOlderThan(cutoffMillis);
    }
    return removed;
  }

  @Override
  protected long doRemoveExpired(long nowMillis, long defaultMillis) {
    long removed = 0;
    for (TopicLog log : topics.values()) {
      removed +=
          log.removeOlderThan(
              nowMillis - log.retention.map(Duration::toMillis).orElse(defaultMillis));
    }
    return removed;
  }

  @Override
  protected void doCreateTopic(String topic, Optional<Duration> retention) throws IOException {
    topics.create(
        topic,
        t -> new TopicLog(budget, limits.retentionBytes(), memory, TopicLog.MAX_CHUNK_BYTES),
        log -> {
          log.comeBack();
          log.retention = retention;
          return 0;
        });
  }

  @Override
  protected void doSetRetention(String topic, Optional<Duration> retention)
      throws UnknownTopicException {
    topics.existing(topic).retention = retention;
  }

  @Override
  public Optional<Duration> shortestRetention() {
    Optional<Duration> shortest = Optional.empty();
    for (TopicLog log : topics.values()) {
      if (!log.deleted()
          && log.retention.isPresent()
          && (shortest.isEmpty() || log.retention.get().compareTo(shortest.get()) < 0)) {
        shortest = log.retention;
      }
    }
    return shortest;
  }

  @Override
  protected void doDeleteContents() {
    for (TopicLog log : topics.values()) {
      log.deleteAll();
    }
    topics.clear();
  }

  @Override
  public boolean neverBlocks() {
    return true;
  }

  @Override
  public String description() {
    return "memory (volatile), up to "
        + limits.maxMemoryBytes()
        + " bytes of messages in direct memory, of which the JVM allows "
        + ChunkMemory.Direct.limit();
  }

  /**
   * A warning when the store may hold more than the JVM's direct memory: appends would then be
   * refused below the store's own limit, for want of memory.
   */
  static Optional<String> directMemoryWarning(long maxMemoryBytes, long directLimit) {
    if (maxMemoryBytes <= directLimit) {
      return Optional.empty();
    }
    return Optional.of(
        "MINIKAFKA_MAX_MEMORY_BYTES ("
            + maxMemoryBytes
            + ") is above the JVM's direct memory limit ("
            + directLimit
            + " bytes, -XX:MaxDirectMemorySize, by default the heap's maximum): producers will be"
            + " refused before the store is full; raise -XX:MaxDirectMemorySize in"
            + " MINIKAFKA_HEAP_OPTS or lower MINIKAFKA_MAX_MEMORY_BYTES");
  }

  @Override
  protected void doClose() {
    // Their chunks are outside the heap: freed now, not when a collection finds them.
    for (TopicLog log : topics.values()) {
      log.deleteAll();
    }
    topics.clear();
    memory.close();
  }
}
