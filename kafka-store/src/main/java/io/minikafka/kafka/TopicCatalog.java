package io.minikafka.kafka;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every MiniKafka topic of a store, kept in a compacted Kafka topic that every gateway reads from
 * start to end and then follows: the one place that says which topics exist, which are deleted,
 * what retention each has of its own, and which Kafka topic holds each.
 *
 * <p>Writes go to Kafka first and count once this gateway has read them back ({@link #put} waits
 * for that), so a gateway always sees its own changes, in the order Kafka gave all gateways'
 * changes. Thread-safe.
 */
final class TopicCatalog implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(TopicCatalog.class);

  private final TopicPartition partition;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Admin admin;
  private final KafkaProducer<byte[], byte[]> producer;
  private final Duration timeout;
  private final KafkaFailures failures;
  private final Map<String, CatalogEntry> entries = new ConcurrentHashMap<>();
  private final Map<String, String> byKafkaTopic = new ConcurrentHashMap<>();
  private final Thread follower;
  private final Object progress = new Object();
  private final Runnable ensureTopic;

  /** The offset after the last entry applied; -1 until the catalog has been read to its end. */
  private long applied = -1;

  private long readTo;
  private volatile boolean closed;
  private volatile Runnable retentionChanged = () -> {};
  private boolean loggedFailure;
  private volatile String problem = "the topic catalog has not been read yet";

  /**
   * @param ensureTopic makes the catalog's Kafka topic if it does not exist; retried until it works
   */
  TopicCatalog(
      String catalogTopic,
      KafkaConsumer<byte[], byte[]> consumer,
      Admin admin,
      KafkaProducer<byte[], byte[]> producer,
      Duration timeout,
      KafkaFailures failures,
      Runnable ensureTopic) {
    this.partition = new TopicPartition(catalogTopic, 0);
    this.consumer = consumer;
    this.admin = admin;
    this.producer = producer;
    this.timeout = timeout;
    this.failures = failures;
    this.ensureTopic = ensureTopic;
    this.follower = new Thread(this::follow, "minikafka-kafka-catalog");
    follower.setDaemon(true);
    follower.start();
  }

  /** Why the catalog cannot be used yet, if it cannot. */
  Optional<String> problem() {
    return Optional.ofNullable(problem);
  }

  /** The entry of a topic, deleted or not, if the topic was ever made. */
  Optional<CatalogEntry> get(String topic) {
    return Optional.ofNullable(entries.get(topic));
  }

  /** The MiniKafka topic held by a Kafka topic. */
  Optional<String> topicOf(String kafkaTopic) {
    return Optional.ofNullable(byKafkaTopic.get(kafkaTopic));
  }

  /** Every entry that is not deleted. */
  List<CatalogEntry> live() {
    List<CatalogEntry> live = new ArrayList<>();
    for (CatalogEntry entry : entries.values()) {
      if (!entry.deleted()) {
        live.add(entry);
      }
    }
    return live;
  }

  /** Told when an entry read from Kafka gives a topic a retention of its own, or a new one. */
  void onRetentionChanged(Runnable listener) {
    retentionChanged = listener;
  }

  /** Every entry, deleted or not. */
  List<CatalogEntry> all() {
    return new ArrayList<>(entries.values());
  }

  /**
   * Waits until the catalog has been read to its end once (at start), or until {@code giveUp} says
   * that waiting is pointless (Kafka is known to be unreachable).
   */
  void awaitLoaded(java.util.function.BooleanSupplier giveUp) throws IOException {
    awaitApplied(0, giveUp);
  }

  /** Writes an entry and waits until this gateway has read it back. */
  void put(CatalogEntry entry) throws IOException {
    write(entry.topic(), entry.encode());
  }

  /** Forgets a topic entirely (a tombstone), as if it had never been made. */
  void forget(String topic) throws IOException {
    write(topic, null);
  }

  /**
   * Reads the catalog up to what Kafka holds now: another gateway's change made before this call is
   * then seen.
   */
  void catchUp() throws IOException {
    long end;
    try {
      end =
          admin
              .listOffsets(Map.of(partition, OffsetSpec.latest()))
              .partitionResult(partition)
              .get(timeout.toMillis(), TimeUnit.MILLISECONDS)
              .offset();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while reading the topic catalog", e);
    } catch (ExecutionException | TimeoutException e) {
      throw failures.translate("read the topic catalog", e);
    }
    awaitApplied(end, () -> false);
  }

  private void write(String topic, byte[] value) throws IOException {
    RecordMetadata written;
    try {
      written =
          producer
              .send(
                  new ProducerRecord<>(
                      partition.topic(), 0, topic.getBytes(StandardCharsets.UTF_8), value))
              .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while writing the topic catalog", e);
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      throw failures.translate("write the topic catalog", e);
    }
    awaitApplied(written.offset() + 1, () -> false);
  }

  /** Waits until every entry before {@code offset} has been applied. */
  private void awaitApplied(long offset, java.util.function.BooleanSupplier giveUp)
      throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (progress) {
      while (applied < offset) {
        if (closed) {
          throw new IOException("the store is closed");
        }
        long left = deadline - System.nanoTime();
        if (left <= 0 || giveUp.getAsBoolean()) {
          String why = problem;
          throw failures.unavailable(
              "the topic catalog was not read in time" + (why == null ? "" : " (" + why + ")"));
        }
        try {
          // Woken by progress; the give-up condition is looked at every 100 ms.
          progress.wait(Math.max(1, Math.min(100, TimeUnit.NANOSECONDS.toMillis(left))));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while reading the topic catalog", e);
        }
      }
    }
  }

  private void follow() {
    boolean assigned = false;
    while (!closed) {
      try {
        if (!assigned) {
          ensureTopic.run();
          consumer.assign(List.of(partition));
          consumer.seekToBeginning(List.of(partition));
          readTo = consumer.endOffsets(List.of(partition), timeout).get(partition);
          assigned = true;
        }
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
        for (ConsumerRecord<byte[], byte[]> record : records.records(partition)) {
          apply(record);
        }
        long position = consumer.position(partition, timeout);
        synchronized (progress) {
          if (applied >= 0 || position >= readTo) {
            applied = position;
            problem = null;
            progress.notifyAll();
          }
        }
      } catch (WakeupException e) {
        // close() wakes the follower so that it stops at once.
      } catch (RuntimeException e) {
        if (closed) {
          break;
        }
        // Once per outage: the health check reports it for as long as it lasts.
        if (problem == null || applied < 0 && !loggedFailure) {
          LOG.warn("Cannot read the topic catalog {}: {}", partition.topic(), e.toString());
          loggedFailure = true;
        }
        problem = "cannot read the topic catalog: " + KafkaFailures.describe(e);
        try {
          Thread.sleep(1_000);
        } catch (InterruptedException interrupted) {
          break;
        }
      }
    }
  }

  private void apply(ConsumerRecord<byte[], byte[]> record) {
    String topic = new String(record.key(), StandardCharsets.UTF_8);
    if (record.value() == null) {
      CatalogEntry gone = entries.remove(topic);
      if (gone != null) {
        byKafkaTopic.remove(gone.kafkaTopic());
      }
      return;
    }
    try {
      CatalogEntry entry = CatalogEntry.decode(topic, record.value());
      CatalogEntry before = entries.put(topic, entry);
      byKafkaTopic.put(entry.kafkaTopic(), topic);
      if (entry.retention().isPresent()
          && (before == null || !before.retention().equals(entry.retention()))) {
        retentionChanged.run();
      }
    } catch (IOException e) {
      LOG.error("Skipped catalog entry at offset {}: {}", record.offset(), e.getMessage());
    }
  }

  @Override
  public void close() {
    closed = true;
    consumer.wakeup();
    // Making the catalog's topic waits on the admin client, which only an interrupt ends.
    follower.interrupt();
    try {
      follower.join(timeout.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!follower.isAlive()) {
      consumer.close(Duration.ZERO);
    }
    synchronized (progress) {
      progress.notifyAll();
    }
  }
}
