package io.minikafka.kafka;

import io.minikafka.broker.concurrent.DaemonThreadFactory;
import io.minikafka.broker.store.BackingStore;
import io.minikafka.broker.store.CheckedStore;
import io.minikafka.broker.store.Header;
import io.minikafka.broker.store.LimitExceededException;
import io.minikafka.broker.store.PollLimits;
import io.minikafka.broker.store.PollResult;
import io.minikafka.broker.store.Record;
import io.minikafka.broker.store.RecordBytesWriter;
import io.minikafka.broker.store.StoreHealth;
import io.minikafka.broker.store.StoredMessage;
import io.minikafka.broker.store.TopicInfo;
import io.minikafka.broker.store.TopicSize;
import io.minikafka.broker.store.UnknownTopicException;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link BackingStore} over an Apache Kafka cluster: any number of MiniKafka servers on one
 * cluster are stateless gateways to the same topics, and Kafka does replication, leadership and
 * failover.
 *
 * <ul>
 *   <li>Each MiniKafka topic is one Kafka topic of one partition ({@link KafkaTopicNames}), so
 *       order is total per topic; message number = Kafka offset + 1.
 *   <li>Which topics exist, which are deleted and their own retention are kept in a compacted
 *       catalog topic ({@link TopicCatalog}) that every gateway follows.
 *   <li>Produces are idempotent with {@code acks=all}. A single message goes through one shared
 *       producer; a batch through a producer of its own for the moment, flushed as one Kafka record
 *       batch, which Kafka appends whole: its numbers are consecutive, all stored or none.
 *   <li>Expiry is exact to the millisecond: the sweeper moves each topic's log start past its
 *       expired records ({@code deleteRecords} before the first offset at or after the cut-off);
 *       the topic's {@code retention.ms} is Kafka's own backstop. Deleting a topic moves its log
 *       start to its end and hides it in the catalog, so numbers are never reused.
 *   <li>Named consumers' positions are the committed offsets of Kafka consumer groups named prefix
 *       + consumer, so Kafka's own tools show them and their lag.
 *   <li>Reads go to a few shared Kafka consumers ({@link Readers}), except where a topic's readers
 *       have caught up: the newest messages of the topics waited on are kept in memory ({@link
 *       Tails}), from this gateway's acknowledgements and the append watcher's fetches.
 * </ul>
 *
 * <p>When Kafka cannot be reached every call fails with {@link KafkaUnavailableException}
 * (UNAVAILABLE, naming the bootstrap servers) and {@link #health()} reports it; both recover by
 * themselves. A produce whose acknowledgement was lost may still have been stored, as with any
 * Kafka producer. Thread-safe.
 */
public final class KafkaStore extends CheckedStore {

  private static final Logger LOG = LoggerFactory.getLogger(KafkaStore.class);

  /** How long Kafka may hold a reader's fetch that finds nothing new. */
  private static final int READER_FETCH_WAIT_MILLIS = 10;

  /**
   * The same for the watcher, whose fetches wait for appends: short enough to follow new topics.
   */
  private static final int WATCH_FETCH_WAIT_MILLIS = 100;

  /** Consumers shared by reads. */
  private static final int READERS = 8;

  /** What the tails of the topics waited on may take of the heap together ({@link Tails}). */
  private static final long TAIL_BYTES = 8L * 1024 * 1024;

  /** Producers lent to batches, one batch at a time each. */
  private static final int BATCH_PRODUCERS = 4;

  /** Batches estimated larger go through the large-batch producer. */
  private static final int BATCH_BYTES = 1024 * 1024;

  /**
   * How long a batch producer waits before it sends on its own: a batch is sent by its flush, and
   * only a stall this long while its messages are handed over could split it.
   */
  private static final int BATCH_LINGER_MILLIS = 5_000;

  /** Kafka framing per record, at most: attributes, length, deltas, key and value lengths. */
  private static final int RECORD_FRAMING = 40;

  private static final Duration HEALTH_INTERVAL = Duration.ofSeconds(2);

  /** How long Kafka may take to describe itself before it counts as unreachable. */
  private static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(3);

  private static final Duration LOG_START_STALE = Duration.ofSeconds(1);

  /**
   * How old a log start a tail's reader may trust: the watcher reads them every {@link
   * AppendWatcher#STARTS_EVERY}, so this is reached only while it is held up or has stopped
   * following the topic.
   */
  private static final Duration TAIL_START_STALE = Duration.ofSeconds(2);

  private static final Duration CLOSE_WAIT = Duration.ofSeconds(1);

  private final KafkaStoreConfig config;
  private final Clock clock;
  private final KafkaTopicNames names;
  private final KafkaClients clients;
  private final KafkaFailures failures;
  private final Admin admin;
  private final KafkaProducer<byte[], byte[]> producer;
  private final ProducerPool batchProducers;
  private final ProducerPool largeBatchProducers;
  private final TopicCatalog catalog;
  private final Readers readers;
  private final Tails tails;
  private final AtomicLong readsFromKafka = new AtomicLong();
  private final ExecutorService notifier;
  private final ExecutorService acknowledgements;
  private final AppendWatcher watcher;
  private final ScheduledExecutorService healthCheck;
  private final Object topicChanges = new Object();
  private final Map<String, Long> lastAppendTimes = new ConcurrentHashMap<>();
  private final Map<TopicPartition, LogStart> logStarts = new ConcurrentHashMap<>();

  /**
   * Each partition's end as far as this gateway's own acknowledged produces show it: a subscriber
   * woken by a produce here reads at once, without asking Kafka for the end first.
   */
  private final Map<TopicPartition, Long> acknowledgedEnds = new ConcurrentHashMap<>();

  private final Map<String, Set<String>> consumersWithPositions = new ConcurrentHashMap<>();
  private volatile String unreachable;

  private record LogStart(long offset, long readAtNanos) {}

  private KafkaStore(KafkaStoreConfig config, Clock clock, Duration tailStartStale) {
    this.config = config;
    this.clock = clock;
    this.tails = new Tails(TAIL_BYTES, tailStartStale, System::nanoTime);
    this.names = new KafkaTopicNames(config.topicPrefix());
    this.clients = new KafkaClients(config);
    this.failures = new KafkaFailures(config.bootstrap());
    this.admin = clients.admin();
    this.producer = clients.producer("produce", Map.of());
    Map<String, Object> whole =
        Map.of(
            ProducerConfig.LINGER_MS_CONFIG,
            BATCH_LINGER_MILLIS,
            ProducerConfig.COMPRESSION_TYPE_CONFIG,
            "none");
    this.batchProducers =
        new ProducerPool(
            () ->
                clients.producer(
                    "batch", with(whole, ProducerConfig.BATCH_SIZE_CONFIG, BATCH_BYTES)),
            BATCH_PRODUCERS,
            config.timeout());
    int large = clients.maxBatchBytes();
    this.largeBatchProducers =
        new ProducerPool(
            () ->
                clients.producer(
                    "large-batch",
                    with(
                        with(whole, ProducerConfig.BATCH_SIZE_CONFIG, large),
                        ProducerConfig.BUFFER_MEMORY_CONFIG,
                        (long) large + BATCH_BYTES)),
            1,
            config.timeout());
    this.catalog =
        new TopicCatalog(
            names.catalogTopic(),
            clients.consumer("catalog", Map.of("fetch.max.wait.ms", 100)),
            admin,
            producer,
            config.timeout(),
            failures,
            this::ensureCatalogTopic);
    this.readers =
        new Readers(
            () ->
                clients.consumer(
                    "read",
                    // A fetch left waiting in Kafka blocks the next one to that broker: a reader
                    // lent to another topic must not wait Kafka's default half second for it.
                    Map.of(
                        "max.poll.records", 10_000, "fetch.max.wait.ms", READER_FETCH_WAIT_MILLIS)),
            READERS,
            config.timeout());
    this.notifier =
        Executors.newFixedThreadPool(2, new DaemonThreadFactory("minikafka-kafka-wake"));
    // What a one-message call does once Kafka acknowledges it (answer the caller, wake readers,
    // which read from Kafka) must not run on the producer's only I/O thread: it would hold up
    // every other send. As many threads as readers, which each such wake-up may borrow.
    this.acknowledgements =
        Executors.newFixedThreadPool(READERS, new DaemonThreadFactory("minikafka-kafka-acked"));
    this.watcher =
        new AppendWatcher(
            clients.consumer(
                "watch",
                Map.of(
                    "fetch.max.wait.ms",
                    WATCH_FETCH_WAIT_MILLIS,
                    "max.poll.records",
                    AppendWatcher.MAX_POLL_RECORDS)),
            topic ->
                catalog
                    .get(topic)
                    .filter(e -> !e.deleted())
                    .map(e -> new TopicPartition(e.kafkaTopic(), 0))
                    .orElse(null),
            partition -> catalog.topicOf(partition.topic()).orElse(null),
            partition -> acknowledgedEnds.getOrDefault(partition, -1L),
            tails,
            notifier);
    this.healthCheck =
        Executors.newSingleThreadScheduledExecutor(
            new DaemonThreadFactory("minikafka-kafka-health"));
    healthCheck.scheduleWithFixedDelay(
        this::checkReachable, 0, HEALTH_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * A store on the cluster the configuration names. Returns at once: it connects in the background,
   * and until it has read its catalog calls wait for it (up to the configured timeout) or fail
   * UNAVAILABLE.
   *
   * @throws IllegalArgumentException if Kafka's clients refuse a setting of the properties
   * @throws KafkaUnavailableException if they cannot start (no bootstrap server resolves)
   */
  public static BackingStore open(KafkaStoreConfig config, Clock clock) throws IOException {
    return open(config, clock, TAIL_START_STALE);
  }

  /**
   * {@link #open(KafkaStoreConfig, Clock)}, its tails trusting log starts up to {@code
   * tailStartStale} old: tests that count reads from Kafka allow for a host that stalls.
   */
  static KafkaStore open(KafkaStoreConfig config, Clock clock, Duration tailStartStale)
      throws IOException {
    try {
      return new KafkaStore(config, clock, tailStartStale);
    } catch (org.apache.kafka.common.config.ConfigException e) {
      throw new IllegalArgumentException("Kafka refused a client setting: " + e.getMessage(), e);
    } catch (org.apache.kafka.common.KafkaException e) {
      throw new KafkaUnavailableException(
          "cannot start Kafka clients for " + config.bootstrap() + ": " + e.getMessage(), e);
    }
  }

  private static Map<String, Object> with(Map<String, Object> map, String key, Object value) {
    Map<String, Object> copy = new HashMap<>(map);
    copy.put(key, value);
    return copy;
  }

  // --- produce ---

  /**
   * A single message goes to the shared producer and the call returns at once: Kafka's
   * acknowledgement completes it on one of the store's acknowledgement threads, so that concurrent
   * one-message calls (the original API's Produce) share Kafka requests without a gateway thread
   * waiting for each. {@code send} itself may still wait for the topic's metadata, up to the
   * timeout. A batch is stored before returning ({@link #doStoreRecords}).
   */
  @Override
  protected CompletableFuture<Long> doStoreRecordsAsync(String topic, List<Record> records)
      throws IOException {
    if (records.size() > 1) {
      return CompletableFuture.completedFuture(doStoreRecords(topic, records));
    }
    ensureReady();
    return sendOne(topic, records.get(0), outgoing(topic, records));
  }

  @Override
  protected long doStoreRecords(String topic, List<Record> records) throws IOException {
    ensureReady();
    Outgoing outgoing = outgoing(topic, records);
    List<ProducerRecord<byte[], byte[]>> out = outgoing.records();
    String what = "store to topic '" + topic + "'";
    if (out.size() == 1) {
      // The caller waits here: Kafka's own future, without the hand-off the asynchronous path
      // makes.
      try {
        RecordMetadata stored = await(producer.send(out.get(0)), what);
        acknowledged(outgoing.kafkaTopic(), records.get(0), stored);
        return stored.offset() + 1;
      } catch (RuntimeException e) {
        throw failures.translate(what, e);
      }
    }
    long estimate = outgoing.estimatedBytes();
    ProducerPool pool = estimate < BATCH_BYTES - 4096 ? batchProducers : largeBatchProducers;
    KafkaProducer<byte[], byte[]> own = pool.borrow();
    try {
      List<Future<RecordMetadata>> sent = new ArrayList<>(out.size());
      for (ProducerRecord<byte[], byte[]> record : out) {
        sent.add(own.send(record));
      }
      // The producer is this batch's alone and lingers long: the flush sends it as one batch.
      own.flush();
      List<RecordMetadata> stored = new ArrayList<>(sent.size());
      for (Future<RecordMetadata> future : sent) {
        stored.add(await(future, what));
      }
      RecordMetadata first = stored.get(0);
      RecordMetadata last = stored.get(stored.size() - 1);
      if (last.offset() - first.offset() != out.size() - 1) {
        // Kafka split the batch (the producer stalled past its linger) and others' messages came
        // between: the caller would number them wrong, so it is told, and told where they went.
        throw new IOException(
            "the batch of "
                + out.size()
                + " messages to topic '"
                + topic
                + "' was split by Kafka and stored at numbers "
                + (first.offset() + 1)
                + " to "
                + (last.offset() + 1)
                + " with other messages between");
      }
      for (int i = 0; i < stored.size(); i++) {
        acknowledged(outgoing.kafkaTopic(), records.get(i), stored.get(i));
      }
      return first.offset() + 1;
    } catch (RuntimeException e) {
      throw failures.translate(what, e);
    } finally {
      pool.release(own);
    }
  }

  /** A store's messages as Kafka records of the topic's partition, and about what they take. */
  private record Outgoing(
      String kafkaTopic, List<ProducerRecord<byte[], byte[]>> records, long estimatedBytes) {}

  private Outgoing outgoing(String topic, List<Record> records) throws IOException {
    CatalogEntry entry = liveForWrite(topic);
    Long timestamp = null;
    if (config.appendTimes() == KafkaStoreConfig.AppendTimes.STORE_CLOCK) {
      // Clamped, so that a clock stepping back never makes newer messages look older.
      timestamp = lastAppendTimes.merge(topic, clock.millis(), Math::max);
    }
    List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>(records.size());
    long estimate = 61;
    for (Record record : records) {
      List<org.apache.kafka.common.header.Header> headers =
          new ArrayList<>(record.headers().size());
      for (Header header : record.headers()) {
        headers.add(new RecordHeader(header.name(), header.value()));
      }
      out.add(
          new ProducerRecord<>(
              entry.kafkaTopic(),
              0,
              timestamp,
              record.key().length == 0 ? null : record.key(),
              record.payload(),
              headers));
      estimate += RECORD_FRAMING + record.payload().length + record.extraBytes();
    }
    return new Outgoing(entry.kafkaTopic(), out, estimate);
  }

  /** Sends one record through the shared producer; the future completes with its number. */
  private CompletableFuture<Long> sendOne(String topic, Record record, Outgoing outgoing)
      throws IOException {
    String what = "store to topic '" + topic + "'";
    CompletableFuture<Long> stored = new CompletableFuture<>();
    try {
      producer.send(
          outgoing.records().get(0),
          (metadata, failure) -> {
            if (failure != null) {
              IOException translated = failures.translate(what, failure);
              offProducerThread(() -> stored.completeExceptionally(translated));
              return;
            }
            acknowledged(outgoing.kafkaTopic(), record, metadata);
            long number = metadata.offset() + 1;
            offProducerThread(() -> stored.complete(number));
          });
    } catch (RuntimeException e) {
      throw failures.translate(what, e);
    }
    return stored;
  }

  /**
   * Runs what completes a one-message call, and what depends on it, off the producer's I/O thread;
   * inline once the store has closed.
   */
  private void offProducerThread(Runnable completion) {
    try {
      acknowledgements.execute(completion);
    } catch (RejectedExecutionException closed) {
      completion.run();
    }
  }

  private RecordMetadata await(Future<RecordMetadata> sent, String what) throws IOException {
    try {
      return sent.get(config.timeout().toMillis() + 2_000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for Kafka to " + what, e);
    } catch (ExecutionException | TimeoutException e) {
      throw failures.translate(what, e);
    }
  }

  /** The topic's live entry, making the topic (or bringing a deleted one back) if needed. */
  private CatalogEntry liveForWrite(String topic) throws IOException {
    Optional<CatalogEntry> known = catalog.get(topic);
    if (known.isPresent() && !known.get().deleted()) {
      return known.get();
    }
    synchronized (topicChanges) {
      catalog.catchUp();
      known = catalog.get(topic);
      if (known.isPresent() && !known.get().deleted()) {
        return known.get();
      }
      checkTopicLimit(topic);
      String kafkaTopic = known.map(CatalogEntry::kafkaTopic).orElse(names.kafkaName(topic));
      if (known.isEmpty()) {
        createKafkaTopic(kafkaTopic, Optional.empty());
      } else {
        clearHidden(known.get());
      }
      CatalogEntry live = new CatalogEntry(topic, kafkaTopic, false, Optional.empty());
      catalog.put(live);
      return live;
    }
  }

  private void checkTopicLimit(String topic) throws LimitExceededException {
    int max = config.limits().maxTopics();
    if (catalog.live().size() >= max) {
      throw new LimitExceededException(
          LimitExceededException.Limit.TOPICS,
          "cannot create topic '"
              + topic
              + "': the server already has its maximum of "
              + max
              + " topics");
    }
  }

  private void createKafkaTopic(String kafkaTopic, Optional<Duration> retention)
      throws IOException {
    Map<String, String> configs = new HashMap<>();
    configs.put(TopicConfig.RETENTION_MS_CONFIG, Long.toString(retentionMillis(retention)));
    configs.put(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(clients.maxBatchBytes()));
    if (config.appendTimes() == KafkaStoreConfig.AppendTimes.BROKER) {
      configs.put(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime");
    } else {
      configs.put(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "CreateTime");
      configs.put(
          TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS_CONFIG, Long.toString(Long.MAX_VALUE));
      configs.put(TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG, Long.toString(Long.MAX_VALUE));
    }
    NewTopic topic =
        new NewTopic(kafkaTopic, Optional.of(1), config.replication()).configs(configs);
    try {
      admin
          .createTopics(List.of(topic))
          .all()
          .get(config.timeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw failures.translate("create Kafka topic " + kafkaTopic, e);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while creating Kafka topic " + kafkaTopic, e);
    } catch (TimeoutException e) {
      throw failures.translate("create Kafka topic " + kafkaTopic, e);
    }
  }

  private void ensureCatalogTopic() {
    NewTopic topic =
        new NewTopic(names.catalogTopic(), Optional.of(1), config.replication())
            .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
    try {
      admin
          .createTopics(List.of(topic))
          .all()
          .get(config.timeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new IllegalStateException(
            failures.translate("create the topic catalog", e).getMessage(), e);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          failures.translate("create the topic catalog", e).getMessage(), e);
    }
  }

  private long retentionMillis(Optional<Duration> retention) {
    return retention.orElse(config.defaultRetention()).toMillis();
  }

  private void setKafkaRetention(String kafkaTopic, Optional<Duration> retention)
      throws IOException {
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, kafkaTopic);
    AlterConfigOp op =
        new AlterConfigOp(
            new ConfigEntry(
                TopicConfig.RETENTION_MS_CONFIG, Long.toString(retentionMillis(retention))),
            AlterConfigOp.OpType.SET);
    get(
        admin.incrementalAlterConfigs(Map.of(resource, List.of(op))).all(),
        "set the retention of " + kafkaTopic);
  }

  // --- read ---

  @Override
  protected PollResult doPoll(String topic, long readFrom, PollLimits limits) throws IOException {
    return poll(topic, readFrom, limits, false);
  }

  /**
   * Kafka's records written straight as the response's bytes: no message object per record in
   * between, which a gateway's subscribers would otherwise cost it. Poll re-tags the same bytes.
   */
  @Override
  protected PollResult doPollEncoded(String topic, long readFrom, PollLimits limits)
      throws IOException {
    return poll(topic, readFrom, limits, true);
  }

  private PollResult poll(String topic, long readFrom, PollLimits limits, boolean encoded)
      throws IOException {
    ensureReady();
    TopicPartition partition = partition(liveForRead(topic));
    long offset = Math.max(readFrom, 1) - 1;
    PollResult fromTail = readTail(partition, readFrom, offset, limits, encoded);
    if (fromTail != null) {
      return fromTail;
    }
    readsFromKafka.incrementAndGet();
    Readers.Reader reader = readers.borrow(partition, offset);
    boolean healthy = false;
    try {
      PollResult result = read(reader, partition, readFrom, offset, limits, encoded);
      healthy = true;
      return result;
    } catch (RuntimeException e) {
      throw failures.translate("read topic '" + topic + "'", e);
    } finally {
      readers.release(reader, healthy);
    }
  }

  private PollResult read(
      Readers.Reader reader,
      TopicPartition partition,
      long readFrom,
      long offset,
      PollLimits limits,
      boolean encoded)
      throws IOException {
    long start = logStart(reader, partition, false);
    long from = Math.max(offset, start);
    reader.position(partition, from);
    List<ConsumerRecord<byte[], byte[]>> taken = new ArrayList<>();
    long bytes = reader.take(limits, taken, 0);
    long end = -1;
    long deadline = System.nanoTime() + config.timeout().toNanos();
    // Fills the limits from what the topic held when the read began: never waits for more. Kafka
    // is asked for the topic's end only once the end its last fetch reported is reached.
    while (bytes >= 0) {
      if (reader.next() >= knownEnd(reader, partition)) {
        if (end < 0) {
          end = reader.consumer.endOffsets(List.of(partition), config.timeout()).get(partition);
          if (taken.isEmpty() && from >= end) {
            return new PollResult(List.of(), readFrom, Math.min(start, end) + 1, end + 1);
          }
        }
        if (reader.next() >= end) {
          break;
        }
      }
      if (System.nanoTime() > deadline) {
        if (!taken.isEmpty()) {
          break;
        }
        throw new KafkaUnavailableException(
            "Kafka at " + config.bootstrap() + " returned no records of " + partition + " in time");
      }
      try {
        reader.fetch(Duration.ofMillis(100));
      } catch (OffsetOutOfRangeException e) {
        if (!taken.isEmpty()) {
          break;
        }
        // Expired or deleted under the reader: start at what the topic holds now.
        start = logStart(reader, partition, true);
        from = Math.max(from, start);
        reader.reset();
        end = -1;
        reader.position(partition, from);
      }
      bytes = reader.take(limits, taken, bytes);
    }
    if (taken.isEmpty()) {
      return new PollResult(List.of(), readFrom, Math.min(start, end) + 1, end + 1);
    }
    long lastNumber = taken.get(taken.size() - 1).offset() + 1;
    long next = Math.max(end, knownEnd(reader, partition));
    if (next < 0) {
      next = reader.consumer.endOffsets(List.of(partition), config.timeout()).get(partition);
    }
    List<StoredMessage> messages = new ArrayList<>(encoded ? 0 : taken.size());
    RecordBytesWriter writer = encoded ? new RecordBytesWriter(encodedSizeHint(taken)) : null;
    for (ConsumerRecord<byte[], byte[]> record : taken) {
      if (encoded) {
        writer.add(
            record.offset() + 1, record.timestamp(), record.value(), record.key(), headers(record));
      } else {
        messages.add(message(record));
      }
    }
    return new PollResult(
        messages,
        lastNumber + 1,
        Math.min(start + 1, taken.get(0).offset() + 1),
        Math.max(next + 1, lastNumber + 1),
        encoded ? writer.toRecordBytes() : null);
  }

  /**
   * Records from the partition's tail ({@link Tails}), or null when Kafka must be asked: the tail
   * does not reach {@code offset}, an append this gateway acknowledged is not in it yet, or it has
   * not seen where the log starts lately. "Nothing new" from the tail holds for everything this
   * gateway acknowledged; another gateway's appends reach it with the watcher's next fetch, which
   * also wakes whoever waits, as records reach a Kafka consumer with its next fetch.
   */
  private PollResult readTail(
      TopicPartition partition, long readFrom, long offset, PollLimits limits, boolean encoded) {
    List<Tails.Entry> taken = new ArrayList<>();
    Tails.View view = tails.take(partition, offset, limits, taken);
    long acknowledgedEnd = acknowledgedEnds.getOrDefault(partition, -1L);
    if (view == null || (taken.isEmpty() && view.end() < acknowledgedEnd)) {
      return null;
    }
    long start = view.start();
    long end = view.end();
    if (taken.isEmpty()) {
      return new PollResult(List.of(), readFrom, Math.min(start, end) + 1, end + 1);
    }
    Tails.Entry first = taken.get(0);
    long lastNumber = taken.get(taken.size() - 1).offset() + 1;
    long next = Math.max(end, acknowledgedEnd);
    List<StoredMessage> messages = new ArrayList<>(encoded ? 0 : taken.size());
    RecordBytesWriter writer = null;
    if (encoded) {
      long hint = 0;
      for (Tails.Entry entry : taken) {
        hint += 24 + entry.value().length + entry.key().length;
      }
      writer = new RecordBytesWriter((int) Math.min(hint, 1 << 30));
    }
    for (Tails.Entry entry : taken) {
      if (encoded) {
        writer.add(
            entry.offset() + 1, entry.timestamp(), entry.value(), entry.key(), entry.headers());
      } else {
        messages.add(
            new StoredMessage(
                entry.offset() + 1,
                entry.timestamp(),
                entry.value(),
                entry.key(),
                entry.headers()));
      }
    }
    return new PollResult(
        messages,
        lastNumber + 1,
        Math.min(start + 1, first.offset() + 1),
        Math.max(next + 1, lastNumber + 1),
        encoded ? writer.toRecordBytes() : null);
  }

  /** How many of the watcher's polls brought records: for tests. */
  long watcherFetchesWithRecords() {
    return watcher.fetchesWithRecords();
  }

  /** Whether the watcher rests between fetches: for tests. */
  boolean watcherResting() {
    return watcher.resting();
  }

  /** Whether the watcher saw another gateway's appends lately: for tests. */
  boolean watcherSawAnotherGateway() {
    return watcher.anotherAppendedLately();
  }

  /** How many reads asked Kafka, not a topic's tail: for tests. */
  long readsFromKafka() {
    return readsFromKafka.get();
  }

  /** How many times a read of records borrowed a Kafka consumer, for any purpose: for tests. */
  long readersLent() {
    return readers.lent();
  }

  /**
   * About what the records take as response bytes (framing, number and time in 24 bytes; headers,
   * which are rare, left for the writer to grow into), so that the array is seldom grown.
   */
  private static int encodedSizeHint(List<ConsumerRecord<byte[], byte[]>> records) {
    long bytes = 0;
    for (ConsumerRecord<byte[], byte[]> record : records) {
      bytes +=
          24 + Math.max(0, record.serializedValueSize()) + Math.max(0, record.serializedKeySize());
    }
    return (int) Math.min(bytes, 1 << 30);
  }

  /** The partition's end as its last fetch reported it (a lower bound); -1 before any fetch. */
  private long knownEnd(Readers.Reader reader, TopicPartition partition) {
    OptionalLong lag = reader.consumer.currentLag(partition);
    long fetched = lag.isPresent() ? reader.consumer.position(partition) + lag.getAsLong() : -1;
    return Math.max(fetched, acknowledgedEnds.getOrDefault(partition, -1L));
  }

  /**
   * Notes that Kafka acknowledged a record: its topic's readers need not ask Kafka for the end up
   * to there, and a caught-up reader takes it from the topic's tail.
   */
  private void acknowledged(String kafkaTopic, Record record, RecordMetadata stored) {
    TopicPartition partition = new TopicPartition(kafkaTopic, 0);
    tails.acknowledged(partition, stored.offset(), stored.timestamp(), record);
    acknowledgedEnds.merge(partition, stored.offset() + 1, Math::max);
  }

  private long logStart(Readers.Reader reader, TopicPartition partition, boolean fresh) {
    LogStart known = logStarts.get(partition);
    long now = System.nanoTime();
    if (!fresh && known != null && now - known.readAtNanos() < LOG_START_STALE.toNanos()) {
      return known.offset();
    }
    long offset =
        reader.consumer.beginningOffsets(List.of(partition), config.timeout()).get(partition);
    logStarts.put(partition, new LogStart(offset, now));
    return offset;
  }

  private static final byte[] NONE = new byte[0];

  private static StoredMessage message(ConsumerRecord<byte[], byte[]> record) {
    return new StoredMessage(
        record.offset() + 1,
        record.timestamp(),
        record.value() == null ? NONE : record.value(),
        record.key() == null ? NONE : record.key(),
        headers(record));
  }

  /** A Kafka record's headers as the store's; a header without a value has an empty one. */
  static List<Header> headers(ConsumerRecord<byte[], byte[]> record) {
    org.apache.kafka.common.header.Header[] kafkaHeaders = record.headers().toArray();
    if (kafkaHeaders.length == 0) {
      return List.of();
    }
    List<Header> headers = new ArrayList<>(kafkaHeaders.length);
    for (org.apache.kafka.common.header.Header header : kafkaHeaders) {
      headers.add(new Header(header.key(), header.value() == null ? NONE : header.value()));
    }
    return headers;
  }

  /** The live entry of a topic, looking at the catalog's latest if this gateway has not seen it. */
  private CatalogEntry liveForRead(String topic) throws IOException {
    Optional<CatalogEntry> known = catalog.get(topic);
    if (known.isEmpty() || known.get().deleted()) {
      catalog.catchUp();
      known = catalog.get(topic);
    }
    if (known.isEmpty()) {
      throw new UnknownTopicException(topic);
    }
    if (known.get().deleted()) {
      throw new UnknownTopicException(topic, true);
    }
    return known.get();
  }

  private static TopicPartition partition(CatalogEntry entry) {
    return new TopicPartition(entry.kafkaTopic(), 0);
  }

  @Override
  protected long doFirstAtOrAfter(String topic, Instant time) throws IOException {
    ensureReady();
    TopicPartition partition = partition(liveForRead(topic));
    long offset =
        offsets(Map.of(partition, OffsetSpec.forTimestamp(time.toEpochMilli()))).get(partition);
    if (offset < 0) {
      offset = offsets(Map.of(partition, OffsetSpec.latest())).get(partition);
    }
    return offset + 1;
  }

  private Map<TopicPartition, Long> offsets(Map<TopicPartition, OffsetSpec> specs)
      throws IOException {
    Map<TopicPartition, Long> offsets = new HashMap<>();
    if (specs.isEmpty()) {
      return offsets;
    }
    Map<TopicPartition, ListOffsetsResultInfo> infos =
        get(admin.listOffsets(specs).all(), "look up offsets");
    infos.forEach((partition, info) -> offsets.put(partition, info.offset()));
    return offsets;
  }

  // --- topics ---

  @Override
  protected List<String> doTopics() throws IOException {
    ensureReady();
    catalog.catchUp();
    List<String> topics = new ArrayList<>();
    for (CatalogEntry entry : catalog.live()) {
      topics.add(entry.topic());
    }
    topics.sort(null);
    return topics;
  }

  @Override
  protected TopicInfo doDescribe(String topic) throws IOException {
    ensureReady();
    catalog.catchUp();
    CatalogEntry entry;
    try {
      entry = liveForRead(topic);
    } catch (UnknownTopicException unknown) {
      Optional<CatalogEntry> gone = catalog.get(topic);
      if (!unknown.deleted() || gone.isEmpty()) {
        throw unknown;
      }
      // Its Kafka topic stays, emptied: its end is where the numbers go on.
      TopicPartition partition = partition(gone.get());
      throw UnknownTopicException.deleted(
          topic, offsets(Map.of(partition, OffsetSpec.latest())).get(partition) + 1);
    }
    TopicPartition partition = partition(entry);
    long start = offsets(Map.of(partition, OffsetSpec.earliest())).get(partition);
    long end = offsets(Map.of(partition, OffsetSpec.latest())).get(partition);
    long oldest = -1;
    long newest = -1;
    if (start < end) {
      oldest = appendTimeAt(partition, start);
      newest = appendTimeAt(partition, end - 1);
    }
    return new TopicInfo(
        topic,
        start + 1,
        end + 1,
        end - start,
        bytesStored(partition),
        oldest,
        newest,
        entry.retention());
  }

  private long appendTimeAt(TopicPartition partition, long offset) throws IOException {
    Readers.Reader reader = readers.borrow(partition, offset);
    boolean healthy = false;
    try {
      PollResult one = read(reader, partition, offset + 1, offset, new PollLimits(1, 1), false);
      healthy = true;
      return one.messages().isEmpty() ? -1 : one.messages().get(0).appendTimeMillis();
    } catch (RuntimeException e) {
      throw failures.translate("read " + partition, e);
    } finally {
      readers.release(reader, healthy);
    }
  }

  /** What the partition's leader holds on disk, records below the log start included. */
  private long bytesStored(TopicPartition partition) throws IOException {
    return bytesStored(described(List.of(partition))).getOrDefault(partition, 0L);
  }

  /**
   * The descriptions of the partitions' topics, asked for together; a topic Kafka no longer has is
   * left out. Kafka says so at once, where an offsets look-up for a partition whose leader the
   * admin client remembers retries until the timeout.
   */
  private Map<TopicPartition, TopicDescription> described(List<TopicPartition> partitions)
      throws IOException {
    Map<TopicPartition, TopicDescription> described = new HashMap<>();
    if (partitions.isEmpty()) {
      return described;
    }
    var futures =
        admin
            .describeTopics(partitions.stream().map(TopicPartition::topic).toList())
            .topicNameValues();
    for (TopicPartition partition : partitions) {
      try {
        described.put(
            partition, get(futures.get(partition.topic()), "describe " + partition.topic()));
      } catch (IOException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
          throw e;
        }
      }
    }
    return described;
  }

  /**
   * What each described partition's leader holds on disk, records below the log start included: one
   * request for the log directories of all the leaders. A partition without a leader is left out.
   */
  private Map<TopicPartition, Long> bytesStored(Map<TopicPartition, TopicDescription> described)
      throws IOException {
    Map<TopicPartition, Long> bytes = new HashMap<>();
    Map<Integer, List<TopicPartition>> byLeader = new HashMap<>();
    described.forEach(
        (partition, description) -> {
          org.apache.kafka.common.Node leader = description.partitions().get(0).leader();
          if (leader != null) {
            byLeader.computeIfAbsent(leader.id(), id -> new ArrayList<>()).add(partition);
          }
        });
    if (byLeader.isEmpty()) {
      return bytes;
    }
    var dirs = get(admin.describeLogDirs(byLeader.keySet()).allDescriptions(), "describe log dirs");
    byLeader.forEach(
        (leader, led) -> {
          for (var dir : dirs.getOrDefault(leader, Map.of()).values()) {
            for (TopicPartition partition : led) {
              var replica = dir.replicaInfos().get(partition);
              if (replica != null) {
                bytes.merge(partition, replica.size(), Long::sum);
              }
            }
          }
        });
    return bytes;
  }

  /**
   * Every live topic's counts from a few requests whatever the number of topics (the catalog's
   * catch-up, one description of them all, their log starts and ends, and their leaders' log
   * directories), where describing each made at least seven per topic and read two of its records.
   * A topic whose Kafka topic is gone (a cleared store) is left out, as a deleted one: it is
   * described first, as Kafka answers that at once.
   */
  @Override
  protected List<TopicSize> doSizes() throws IOException {
    ensureReady();
    catalog.catchUp();
    List<CatalogEntry> live = catalog.live();
    live.sort(Comparator.comparing(CatalogEntry::topic));
    Map<TopicPartition, TopicDescription> described =
        described(live.stream().map(KafkaStore::partition).toList());
    Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (TopicPartition partition : described.keySet()) {
      earliest.put(partition, OffsetSpec.earliest());
      latest.put(partition, OffsetSpec.latest());
    }
    Map<TopicPartition, Long> starts = existingOffsets(earliest);
    Map<TopicPartition, Long> ends = existingOffsets(latest);
    Map<TopicPartition, Long> bytes = bytesStored(described);
    List<TopicSize> sizes = new ArrayList<>(live.size());
    for (CatalogEntry entry : live) {
      TopicPartition partition = partition(entry);
      Long start = starts.get(partition);
      Long end = ends.get(partition);
      if (start != null && end != null) {
        sizes.add(
            new TopicSize(entry.topic(), end - start, bytes.getOrDefault(partition, 0L), end + 1));
      }
    }
    return sizes;
  }

  @Override
  protected long doDeleteTopic(String topic) throws IOException {
    ensureReady();
    synchronized (topicChanges) {
      CatalogEntry entry = liveForRead(topic);
      TopicPartition partition = partition(entry);
      long start = offsets(Map.of(partition, OffsetSpec.earliest())).get(partition);
      // Messages first, then the topic hidden: a deletion that fails half-way leaves a visible
      // topic to delete again, never hidden messages that a topic coming back would show.
      long deleted = deleteAll(partition, start);
      catalog.put(entry.withDeleted(true));
      if (entry.retention().isPresent()) {
        setKafkaRetention(entry.kafkaTopic(), Optional.empty());
      }
      // A produce that raced the deletion through another gateway.
      return deleted + deleteAll(partition, start + deleted);
    }
  }

  /** Removes every record the partition holds now; how many, counted from {@code start}. */
  private long deleteAll(TopicPartition partition, long start) throws IOException {
    long end = offsets(Map.of(partition, OffsetSpec.latest())).get(partition);
    return deleteBefore(Map.of(partition, end), Map.of(partition, start));
  }

  /**
   * Brings a deleted topic back: whatever reached it while it was hidden (a produce that raced its
   * deletion through another gateway) goes first, so that nothing from before comes back.
   */
  private void clearHidden(CatalogEntry entry) throws IOException {
    TopicPartition partition = partition(entry);
    long start = offsets(Map.of(partition, OffsetSpec.earliest())).get(partition);
    deleteAll(partition, start);
  }

  /** Moves log starts up to the given offsets; how many records that removed. */
  private long deleteBefore(Map<TopicPartition, Long> targets, Map<TopicPartition, Long> starts)
      throws IOException {
    Map<TopicPartition, RecordsToDelete> deletions = new HashMap<>();
    targets.forEach(
        (partition, offset) -> {
          if (offset > starts.getOrDefault(partition, 0L)) {
            deletions.put(partition, RecordsToDelete.beforeOffset(offset));
          }
        });
    if (deletions.isEmpty()) {
      return 0;
    }
    var result = admin.deleteRecords(deletions).lowWatermarks();
    long removed = 0;
    for (var entry : result.entrySet()) {
      TopicPartition partition = entry.getKey();
      long low = get(entry.getValue(), "delete records of " + partition).lowWatermark();
      removed += Math.max(0, low - starts.getOrDefault(partition, 0L));
      logStarts.put(partition, new LogStart(low, System.nanoTime()));
      tails.removeBefore(partition, low);
    }
    return removed;
  }

  @Override
  protected long doRemoveOlderThan(Instant cutoff) throws IOException {
    ensureReady();
    Map<TopicPartition, Long> cutoffs = new HashMap<>();
    for (CatalogEntry entry : catalog.live()) {
      cutoffs.put(partition(entry), cutoff.toEpochMilli());
    }
    return removeBefore(cutoffs);
  }

  @Override
  protected long doRemoveExpired(long nowMillis, long defaultMillis) throws IOException {
    ensureReady();
    Map<TopicPartition, Long> cutoffs = new HashMap<>();
    for (CatalogEntry entry : catalog.live()) {
      cutoffs.put(
          partition(entry),
          nowMillis - entry.retention().map(Duration::toMillis).orElse(defaultMillis));
    }
    return removeBefore(cutoffs);
  }

  /** Removes, in each partition, the records before the first one at or after its cut-off. */
  private long removeBefore(Map<TopicPartition, Long> cutoffs) throws IOException {
    if (cutoffs.isEmpty()) {
      return 0;
    }
    Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    Map<TopicPartition, OffsetSpec> byTime = new HashMap<>();
    cutoffs.forEach(
        (partition, millis) -> {
          earliest.put(partition, OffsetSpec.earliest());
          latest.put(partition, OffsetSpec.latest());
          byTime.put(partition, OffsetSpec.forTimestamp(millis));
        });
    Map<TopicPartition, Long> starts = existingOffsets(earliest);
    // The ends before the search by time: when nothing is at or after a cut-off, everything up to
    // that end is expired, and a message acknowledged meanwhile lies past it, never removed.
    Map<TopicPartition, Long> ends = existingOffsets(latest);
    Map<TopicPartition, Long> firstKept = existingOffsets(byTime);
    firstKept.replaceAll(
        (partition, offset) -> offset >= 0 ? offset : ends.getOrDefault(partition, 0L));
    return deleteBefore(firstKept, starts);
  }

  /** Offsets of the partitions that exist; one that vanished is left out. */
  private Map<TopicPartition, Long> existingOffsets(Map<TopicPartition, OffsetSpec> specs)
      throws IOException {
    Map<TopicPartition, Long> offsets = new HashMap<>();
    if (specs.isEmpty()) {
      return offsets;
    }
    var result = admin.listOffsets(specs);
    for (TopicPartition partition : specs.keySet()) {
      try {
        offsets.put(partition, get(result.partitionResult(partition), "look up offsets").offset());
      } catch (IOException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
          throw e;
        }
      }
    }
    return offsets;
  }

  @Override
  protected void doCreateTopic(String topic, Optional<Duration> retention) throws IOException {
    ensureReady();
    synchronized (topicChanges) {
      catalog.catchUp();
      Optional<CatalogEntry> known = catalog.get(topic);
      if (known.isPresent() && !known.get().deleted()) {
        throw new io.minikafka.broker.store.TopicExistsException(topic);
      }
      checkTopicLimit(topic);
      String kafkaTopic = known.map(CatalogEntry::kafkaTopic).orElse(names.kafkaName(topic));
      if (known.isEmpty()) {
        createKafkaTopic(kafkaTopic, retention);
      } else {
        clearHidden(known.get());
        if (retention.isPresent()) {
          setKafkaRetention(kafkaTopic, retention);
        }
      }
      catalog.put(new CatalogEntry(topic, kafkaTopic, false, retention));
    }
  }

  @Override
  protected void doSetRetention(String topic, Optional<Duration> retention) throws IOException {
    ensureReady();
    synchronized (topicChanges) {
      CatalogEntry entry = liveForRead(topic);
      setKafkaRetention(entry.kafkaTopic(), retention);
      catalog.put(entry.withRetention(retention));
    }
  }

  @Override
  public Optional<Duration> shortestRetention() {
    Optional<Duration> shortest = Optional.empty();
    for (CatalogEntry entry : catalog.live()) {
      if (entry.retention().isPresent()
          && (shortest.isEmpty() || entry.retention().get().compareTo(shortest.get()) < 0)) {
        shortest = entry.retention();
      }
    }
    return shortest;
  }

  @Override
  protected void doDeleteContents() throws IOException {
    ensureReady();
    synchronized (topicChanges) {
      catalog.catchUp();
      List<CatalogEntry> all = catalog.all();
      List<String> kafkaTopics = new ArrayList<>();
      for (CatalogEntry entry : all) {
        kafkaTopics.add(entry.kafkaTopic());
      }
      if (!kafkaTopics.isEmpty()) {
        try {
          get(admin.deleteTopics(kafkaTopics).all(), "delete Kafka topics");
        } catch (IOException e) {
          if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
            throw e;
          }
        }
      }
      for (CatalogEntry entry : all) {
        catalog.forget(entry.topic());
      }
      List<String> groups = new ArrayList<>();
      Set<TopicPartition> ours = new java.util.HashSet<>();
      for (CatalogEntry entry : all) {
        ours.add(partition(entry));
      }
      // Only groups that hold positions in these topics: another prefix may start with this one.
      positionsByGroup(ours)
          .forEach(
              (group, byPartition) -> {
                if (byPartition.keySet().stream().anyMatch(ours::contains)) {
                  groups.add(group);
                }
              });
      if (!groups.isEmpty()) {
        get(admin.deleteConsumerGroups(groups).all(), "delete consumer groups");
      }
      readers.forgetPositions();
      tails.clear();
      logStarts.clear();
      acknowledgedEnds.clear();
      lastAppendTimes.clear();
      consumersWithPositions.clear();
    }
  }

  // --- positions ---

  private String group(String consumer) {
    return config.topicPrefix() + consumer;
  }

  @Override
  protected void doCommitPosition(String topic, String consumer, long nextNumber)
      throws IOException {
    ensureReady();
    Optional<CatalogEntry> entry = catalog.get(topic);
    if (entry.isEmpty()) {
      catalog.catchUp();
      entry = catalog.get(topic);
    }
    if (entry.isEmpty()) {
      throw new UnknownTopicException(topic);
    }
    TopicPartition partition = partition(entry.get());
    Set<String> known = consumersWithPositions(topic, partition);
    if (!known.contains(consumer)) {
      synchronized (known) {
        if (!known.contains(consumer) && known.size() >= config.limits().maxConsumersPerTopic()) {
          throw LimitExceededException.consumers(
              topic, consumer, config.limits().maxConsumersPerTopic());
        }
        known.add(consumer);
      }
    }
    // Kafka offsets start at 0, numbers at 1; the exact number rides in the metadata.
    OffsetAndMetadata offset =
        new OffsetAndMetadata(Math.max(0, nextNumber - 1), "n=" + nextNumber);
    get(
        admin.alterConsumerGroupOffsets(group(consumer), Map.of(partition, offset)).all(),
        "commit the position of consumer '" + consumer + "'");
  }

  /** The consumers with a position in the topic: read from Kafka once, then kept up. */
  private Set<String> consumersWithPositions(String topic, TopicPartition partition)
      throws IOException {
    Set<String> known = consumersWithPositions.get(topic);
    if (known != null) {
      return known;
    }
    Set<String> found = ConcurrentHashMap.newKeySet();
    positionsByGroup(Set.of(partition))
        .forEach(
            (group, byPartition) -> {
              if (byPartition.get(partition) != null) {
                found.add(group.substring(config.topicPrefix().length()));
              }
            });
    Set<String> raced = consumersWithPositions.putIfAbsent(topic, found);
    return raced == null ? found : raced;
  }

  /** The committed offsets in these partitions of every group under the prefix. */
  private Map<String, Map<TopicPartition, OffsetAndMetadata>> positionsByGroup(
      Set<TopicPartition> partitions) throws IOException {
    Map<String, ListConsumerGroupOffsetsSpec> specs = new HashMap<>();
    for (var group : get(admin.listGroups().all(), "list consumer groups")) {
      if (group.groupId().startsWith(config.topicPrefix())) {
        specs.put(
            group.groupId(),
            new ListConsumerGroupOffsetsSpec().topicPartitions(List.copyOf(partitions)));
      }
    }
    if (specs.isEmpty() || partitions.isEmpty()) {
      return Map.of();
    }
    Map<String, Map<TopicPartition, OffsetAndMetadata>> offsets = new HashMap<>();
    get(admin.listConsumerGroupOffsets(specs).all(), "list consumer positions")
        .forEach(
            (group, byPartition) -> {
              Map<TopicPartition, OffsetAndMetadata> held = new HashMap<>();
              byPartition.forEach(
                  (partition, offset) -> {
                    if (offset != null) {
                      held.put(partition, offset);
                    }
                  });
              offsets.put(group, held);
            });
    return offsets;
  }

  @Override
  protected OptionalLong doPosition(String topic, String consumer) throws IOException {
    ensureReady();
    Optional<CatalogEntry> entry = catalog.get(topic);
    if (entry.isEmpty()) {
      return OptionalLong.empty();
    }
    TopicPartition partition = partition(entry.get());
    Map<TopicPartition, OffsetAndMetadata> offsets =
        get(
            admin
                .listConsumerGroupOffsets(
                    Map.of(
                        group(consumer),
                        new ListConsumerGroupOffsetsSpec().topicPartitions(List.of(partition))))
                .partitionsToOffsetAndMetadata(group(consumer)),
            "read the position of consumer '" + consumer + "'");
    OffsetAndMetadata offset = offsets.get(partition);
    return offset == null ? OptionalLong.empty() : OptionalLong.of(number(offset));
  }

  /** The number a committed offset stands for: exact in its metadata, else from the offset. */
  private static long number(OffsetAndMetadata offset) {
    String metadata = offset.metadata();
    if (metadata != null && metadata.startsWith("n=")) {
      try {
        return Long.parseLong(metadata.substring(2));
      } catch (NumberFormatException e) {
        // Committed by another tool: the offset says it.
      }
    }
    return offset.offset() + 1;
  }

  @Override
  protected java.util.SortedMap<String, Long> doPositions(String topic) throws IOException {
    ensureReady();
    Optional<CatalogEntry> entry = catalog.get(topic);
    if (entry.isEmpty()) {
      return java.util.Collections.emptySortedMap();
    }
    TopicPartition partition = partition(entry.get());
    java.util.SortedMap<String, Long> positions = new java.util.TreeMap<>();
    positionsByGroup(Set.of(partition))
        .forEach(
            (group, byPartition) -> {
              OffsetAndMetadata offset = byPartition.get(partition);
              if (offset != null) {
                positions.put(group.substring(config.topicPrefix().length()), number(offset));
              }
            });
    return java.util.Collections.unmodifiableSortedMap(positions);
  }

  // --- watching, health, lifecycle ---

  @Override
  public void watchRemoteAppends(String topic) {
    watcher.watch(topic);
  }

  @Override
  public void onRemoteAppend(Consumer<String> listener) {
    watcher.listener(listener);
  }

  @Override
  public void onRetentionChanged(Runnable listener) {
    catalog.onRetentionChanged(listener);
  }

  @Override
  public StoreHealth health() {
    List<String> problems = new ArrayList<>();
    String down = unreachable;
    if (down != null) {
      problems.add(down);
    } else {
      catalog.problem().ifPresent(problems::add);
    }
    return problems.isEmpty() ? StoreHealth.HEALTHY : new StoreHealth(false, problems);
  }

  private void checkReachable() {
    try {
      admin
          .describeCluster()
          .clusterId()
          .get(
              Math.min(HEALTH_TIMEOUT.toMillis(), config.timeout().toMillis()),
              TimeUnit.MILLISECONDS);
      if (unreachable != null) {
        LOG.info("Kafka at {} answers again", config.bootstrap());
      }
      unreachable = null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      String problem = "Kafka at " + config.bootstrap() + " " + KafkaFailures.describe(e);
      if (unreachable == null) {
        LOG.warn("{}", problem);
      }
      unreachable = problem;
    }
  }

  /** Fails at once while Kafka is known to be unreachable; waits for the catalog at start. */
  private void ensureReady() throws IOException {
    String down = unreachable;
    if (down != null) {
      throw new KafkaUnavailableException(down);
    }
    catalog.awaitLoaded(() -> unreachable != null);
    String now = unreachable;
    if (now != null) {
      throw new KafkaUnavailableException(now);
    }
  }

  private <T> T get(KafkaFuture<T> future, String what) throws IOException {
    try {
      return future.get(config.timeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for Kafka to " + what, e);
    } catch (ExecutionException | TimeoutException e) {
      throw failures.translate(what, e);
    }
  }

  @Override
  public String description() {
    return "Kafka at " + config.bootstrap() + " (topics " + config.topicPrefix() + "*)";
  }

  @Override
  protected void doClose() {
    healthCheck.shutdownNow();
    watcher.close();
    catalog.close();
    readers.close();
    batchProducers.close();
    largeBatchProducers.close();
    // Every call has returned by now (the server closes the store last), but one-message calls may
    // still wait for Kafka's acknowledgement: closing the producer completes them, through the
    // acknowledgement threads, which finish what is queued. What else is pending is the health
    // check's.
    producer.close(CLOSE_WAIT);
    acknowledgements.shutdown();
    admin.close(CLOSE_WAIT);
    notifier.shutdownNow();
  }

  /** Producers each lent to one batch at a time, made as needed up to a maximum. */
  private static final class ProducerPool implements AutoCloseable {
    private final java.util.function.Supplier<KafkaProducer<byte[], byte[]>> factory;
    private final int max;
    private final Duration timeout;
    private final java.util.ArrayDeque<KafkaProducer<byte[], byte[]>> idle =
        new java.util.ArrayDeque<>();
    private final List<KafkaProducer<byte[], byte[]>> all = new ArrayList<>();
    private boolean closed;

    ProducerPool(
        java.util.function.Supplier<KafkaProducer<byte[], byte[]>> factory,
        int max,
        Duration timeout) {
      this.factory = factory;
      this.max = max;
      this.timeout = timeout;
    }

    synchronized KafkaProducer<byte[], byte[]> borrow() throws IOException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (true) {
        if (closed) {
          throw new IOException("the store is closed");
        }
        if (!idle.isEmpty()) {
          return idle.pop();
        }
        if (all.size() < max) {
          KafkaProducer<byte[], byte[]> made;
          try {
            made = factory.get();
          } catch (RuntimeException e) {
            throw new KafkaUnavailableException(
                "cannot make a Kafka producer: " + KafkaFailures.describe(e), e);
          }
          all.add(made);
          return made;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new KafkaUnavailableException(
              "all " + max + " batch producers stayed busy for " + timeout.toSeconds() + "s");
        }
        try {
          wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while waiting for a producer", e);
        }
      }
    }

    synchronized void release(KafkaProducer<byte[], byte[]> producer) {
      idle.push(producer);
      notifyAll();
    }

    @Override
    public void close() {
      List<KafkaProducer<byte[], byte[]>> toClose;
      synchronized (this) {
        closed = true;
        toClose = new ArrayList<>(all);
        notifyAll();
      }
      for (KafkaProducer<byte[], byte[]> producer : toClose) {
        producer.close(CLOSE_WAIT);
      }
    }
  }
}
