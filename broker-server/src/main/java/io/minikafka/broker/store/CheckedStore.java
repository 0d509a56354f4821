package io.minikafka.broker.store;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

/**
 * The part of the {@link BackingStore} contract every store checks the same way, checked here once:
 * topic and consumer names ({@link TopicName}), a batch that is not empty, a {@code readFrom} that
 * is not negative, and a store that is still open; then the store's own {@code do...} method runs.
 * Invalid arguments fail with {@link IllegalArgumentException} before anything is looked at, a
 * closed store with {@link StoreClosedException}. {@link #close()} closes once.
 */
public abstract class CheckedStore implements BackingStore {

  private volatile boolean closed;

  @Override
  public final long store(String topic, byte[] payload) throws IOException {
    Objects.requireNonNull(payload, "payload");
    return storeBatch(topic, List.of(payload));
  }

  @Override
  public final long storeBatch(String topic, List<byte[]> payloads) throws IOException {
    List<Record> records = new ArrayList<>(payloads.size());
    for (byte[] payload : payloads) {
      records.add(Record.of(payload));
    }
    return storeRecords(topic, records);
  }

  @Override
  public final long storeRecords(String topic, List<Record> records) throws IOException {
    TopicName.validate(topic);
    if (records.isEmpty()) {
      throw new IllegalArgumentException("a batch needs at least one message");
    }
    ensureOpen();
    return doStoreRecords(topic, records);
  }

  @Override
  public final CompletableFuture<Long> storeRecordsAsync(String topic, List<Record> records) {
    try {
      TopicName.validate(topic);
      if (records.isEmpty()) {
        throw new IllegalArgumentException("a batch needs at least one message");
      }
      ensureOpen();
      return doStoreRecordsAsync(topic, records);
    } catch (IOException | RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * {@link #storeRecordsAsync} once the arguments are checked; by default stores before returning.
   */
  protected CompletableFuture<Long> doStoreRecordsAsync(String topic, List<Record> records)
      throws IOException {
    return CompletableFuture.completedFuture(doStoreRecords(topic, records));
  }

  @Override
  public final PollResult poll(String topic, long readFrom, PollLimits limits) throws IOException {
    TopicName.validate(topic);
    if (readFrom < 0) {
      throw new IllegalArgumentException("readFrom must not be negative, was " + readFrom);
    }
    ensureOpen();
    return doPoll(topic, readFrom, limits);
  }

  @Override
  public final PollResult pollEncoded(String topic, long readFrom, PollLimits limits)
      throws IOException {
    TopicName.validate(topic);
    if (readFrom < 0) {
      throw new IllegalArgumentException("readFrom must not be negative, was " + readFrom);
    }
    ensureOpen();
    return doPollEncoded(topic, readFrom, limits);
  }

  @Override
  public final long firstAtOrAfter(String topic, Instant time) throws IOException {
    TopicName.validate(topic);
    ensureOpen();
    return doFirstAtOrAfter(topic, time);
  }

  @Override
  public final void commitPosition(String topic, String consumer, long nextNumber)
      throws IOException {
    TopicName.validate(topic);
    TopicName.validate(consumer, "consumer name");
    ensureOpen();
    doCommitPosition(topic, consumer, nextNumber);
  }

  @Override
  public final OptionalLong position(String topic, String consumer) throws IOException {
    TopicName.validate(topic);
    TopicName.validate(consumer, "consumer name");
    ensureOpen();
    return doPosition(topic, consumer);
  }

  @Override
  public final java.util.SortedMap<String, Long> positions(String topic) throws IOException {
    TopicName.validate(topic);
    ensureOpen();
    return doPositions(topic);
  }

  @Override
  public final List<String> topics() throws IOException {
    ensureOpen();
    return doTopics();
  }

  @Override
  public final TopicInfo describe(String topic) throws IOException {
    TopicName.validate(topic);
    ensureOpen();
    return doDescribe(topic);
  }

  @Override
  public final List<TopicSize> sizes() throws IOException {
    ensureOpen();
    return doSizes();
  }

  @Override
  public final long deleteTopic(String topic) throws IOException {
    TopicName.validate(topic);
    ensureOpen();
    return doDeleteTopic(topic);
  }

  @Override
  public final long removeOlderThan(Instant cutoff) throws IOException {
    ensureOpen();
    return doRemoveOlderThan(cutoff);
  }

  @Override
  public final long removeExpired(Instant now, Duration defaultRetention) throws IOException {
    ensureOpen();
    return doRemoveExpired(now.toEpochMilli(), defaultRetention.toMillis());
  }

  @Override
  public final void createTopic(String topic, Optional<Duration> retention) throws IOException {
    TopicName.validate(topic);
    checkRetention(retention);
    ensureOpen();
    doCreateTopic(topic, retention);
  }

  @Override
  public final void setRetention(String topic, Optional<Duration> retention) throws IOException {
    TopicName.validate(topic);
    checkRetention(retention);
    ensureOpen();
    doSetRetention(topic, retention);
  }

  private static void checkRetention(Optional<Duration> retention) {
    if (retention.isPresent() && retention.get().toMillis() < 1) {
      throw new IllegalArgumentException(
          "a retention must be at least 1ms, was " + retention.get());
    }
  }

  @Override
  public final void deleteContents() throws IOException {
    ensureOpen();
    doDeleteContents();
  }

  /** Closes the store the first time; later calls do nothing. */
  @Override
  public final void close() throws IOException {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    doClose();
  }

  /** Whether {@link #close()} has been called. */
  protected final boolean isClosed() {
    return closed;
  }

  private void ensureOpen() throws StoreClosedException {
    if (closed) {
      throw new StoreClosedException();
    }
  }

  /** {@link #storeRecords} of a valid topic and a non-empty batch, on an open store. */
  protected abstract long doStoreRecords(String topic, List<Record> records) throws IOException;

  /** {@link #poll} of a valid topic from a number of 0 or more, on an open store. */
  protected abstract PollResult doPoll(String topic, long readFrom, PollLimits limits)
      throws IOException;

  /** {@link #pollEncoded} of a valid topic from a number of 0 or more, on an open store. */
  protected PollResult doPollEncoded(String topic, long readFrom, PollLimits limits)
      throws IOException {
    return doPoll(topic, readFrom, limits);
  }

  protected abstract long doFirstAtOrAfter(String topic, Instant time) throws IOException;

  protected abstract void doCommitPosition(String topic, String consumer, long nextNumber)
      throws IOException;

  protected abstract OptionalLong doPosition(String topic, String consumer) throws IOException;

  protected abstract java.util.SortedMap<String, Long> doPositions(String topic) throws IOException;

  protected abstract List<String> doTopics() throws IOException;

  protected abstract TopicInfo doDescribe(String topic) throws IOException;

  /** {@link BackingStore#sizes}' default; stores that can count all topics at once do. */
  protected List<TopicSize> doSizes() throws IOException {
    return BackingStore.super.sizes();
  }

  protected abstract long doDeleteTopic(String topic) throws IOException;

  protected abstract long doRemoveOlderThan(Instant cutoff) throws IOException;

  protected abstract void doDeleteContents() throws IOException;

  /**
   * {@link #removeExpired} on an open store: each topic drops what is older than {@code nowMillis}
   * minus its own retention, or minus {@code defaultMillis}.
   */
  protected abstract long doRemoveExpired(long nowMillis, long defaultMillis) throws IOException;

  /** {@link #createTopic} of a valid name and a positive or empty retention, on an open store. */
  protected abstract void doCreateTopic(String topic, Optional<Duration> retention)
      throws IOException;

  /** {@link #setRetention} of a valid name and a positive or empty retention, on an open store. */
  protected abstract void doSetRetention(String topic, Optional<Duration> retention)
      throws IOException;

  /** Releases what the store holds; called once, by the first {@link #close()}. */
  protected abstract void doClose() throws IOException;
}
