package io.minikafka.broker.store;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;

/**
 * A store that forwards every call, for tests that override one method to inject a fault or a
 * pause.
 */
public class ForwardingStore implements BackingStore {

  private final BackingStore delegate;

  public ForwardingStore(BackingStore delegate) {
    this.delegate = delegate;
  }

  @Override
  public long store(String topic, byte[] payload) throws IOException {
    return delegate.store(topic, payload);
  }

  @Override
  public long storeBatch(String topic, List<byte[]> payloads) throws IOException {
    return delegate.storeBatch(topic, payloads);
  }

  @Override
  public long storeRecords(String topic, List<Record> records) throws IOException {
    return delegate.storeRecords(topic, records);
  }

  @Override
  public long removeExpired(java.time.Instant now, java.time.Duration defaultRetention)
      throws IOException {
    return delegate.removeExpired(now, defaultRetention);
  }

  @Override
  public void createTopic(String topic, java.util.Optional<java.time.Duration> retention)
      throws IOException {
    delegate.createTopic(topic, retention);
  }

  @Override
  public void setRetention(String topic, java.util.Optional<java.time.Duration> retention)
      throws IOException {
    delegate.setRetention(topic, retention);
  }

  @Override
  public java.util.Optional<java.time.Duration> shortestRetention() throws IOException {
    return delegate.shortestRetention();
  }

  @Override
  public PollResult poll(String topic, long readFrom, PollLimits limits) throws IOException {
    return delegate.poll(topic, readFrom, limits);
  }

  @Override
  public long removeOlderThan(Instant cutoff) throws IOException {
    return delegate.removeOlderThan(cutoff);
  }

  @Override
  public long firstAtOrAfter(String topic, Instant time) throws IOException {
    return delegate.firstAtOrAfter(topic, time);
  }

  @Override
  public void commitPosition(String topic, String consumer, long nextNumber) throws IOException {
    delegate.commitPosition(topic, consumer, nextNumber);
  }

  @Override
  public OptionalLong position(String topic, String consumer) throws IOException {
    return delegate.position(topic, consumer);
  }

  @Override
  public java.util.SortedMap<String, Long> positions(String topic) throws IOException {
    return delegate.positions(topic);
  }

  @Override
  public List<String> topics() throws IOException {
    return delegate.topics();
  }

  @Override
  public TopicInfo describe(String topic) throws IOException {
    return delegate.describe(topic);
  }

  @Override
  public List<TopicSize> sizes() throws IOException {
    return delegate.sizes();
  }

  @Override
  public long deleteTopic(String topic) throws IOException {
    return delegate.deleteTopic(topic);
  }

  @Override
  public void deleteContents() throws IOException {
    delegate.deleteContents();
  }

  @Override
  public StoreHealth health() {
    return delegate.health();
  }

  @Override
  public String description() {
    return delegate.description();
  }

  @Override
  public void close() throws IOException {
    delegate.close();
  }
}
