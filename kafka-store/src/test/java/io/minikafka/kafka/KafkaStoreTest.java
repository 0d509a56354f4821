package io.minikafka.kafka;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.minikafka.broker.store.BackingStore;
import io.minikafka.broker.store.Header;
import io.minikafka.broker.store.PollLimits;
import io.minikafka.broker.store.PollResult;
import io.minikafka.broker.store.Record;
import io.minikafka.broker.store.StoredMessage;
import io.minikafka.broker.store.TopicSize;
import io.minikafka.broker.store.UnknownTopicException;
import io.minikafka.protocol.SubscribeResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the contract does not cover: several gateways on one cluster, Kafka's view of what the store
 * made, and the broker's clock.
 */
class KafkaStoreTest {

  private static final AtomicInteger PREFIXES = new AtomicInteger();
  private static EmbeddedKafka kafka;
  private static Admin admin;

  private final String prefix = "store" + PREFIXES.incrementAndGet() + ".";
  private final List<BackingStore> stores = new ArrayList<>();

  @BeforeAll
  static void startKafka() throws Exception {
    kafka = EmbeddedKafka.start();
    admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrap()));
  }

  @AfterAll
  static void stopKafka() throws Exception {
    admin.close();
    kafka.close();
  }

  @AfterEach
  void closeStores() throws Exception {
    for (BackingStore store : stores) {
      store.close();
    }
  }

  /**
   * A gateway's store: the server's settings, on the test's topics; its tails trust a log start for
   * longer, so that a stall of this host does not send a read to Kafka that a test counts.
   */
  private KafkaStore gateway() throws java.io.IOException {
    KafkaStore store =
        KafkaStore.open(
            KafkaStoreConfig.of(kafka.bootstrap()).withTopicPrefix(prefix),
            Clock.systemUTC(),
            Duration.ofMinutes(1));
    stores.add(store);
    return store;
  }

  @Test
  void gatewaysShareTopicsNumbersDeletionsAndRetention() throws Exception {
    BackingStore a = gateway();
    BackingStore b = gateway();

    assertThat(a.storeBatch("t", List.of(bytes("1"), bytes("2")))).isEqualTo(1);
    assertThat(b.store("t", bytes("3"))).isEqualTo(3);
    assertThat(texts(b.poll("t", 1, PollLimits.UNLIMITED).messages()))
        .containsExactly("1", "2", "3");
    assertThat(b.topics()).containsExactly("t");

    a.setRetention("t", Optional.of(Duration.ofMinutes(3)));
    assertThat(b.describe("t").retention()).contains(Duration.ofMinutes(3));

    assertThat(b.deleteTopic("t")).isEqualTo(3);
    assertThatThrownBy(() -> a.poll("t", 1, PollLimits.UNLIMITED))
        .isInstanceOf(UnknownTopicException.class)
        .hasMessageContaining("deleted");
    assertThat(a.store("t", bytes("back"))).as("numbers are never reused").isEqualTo(4);
    assertThat(texts(b.poll("t", 1, PollLimits.UNLIMITED).messages())).containsExactly("back");
  }

  @Test
  void oneMessageCallsReturnWithoutWaitingForKafkaAndAreNumberedInTheirOrder() throws Exception {
    BackingStore store = gateway();
    assertThat(store.store("t", bytes("first"))).isEqualTo(1);
    List<CompletableFuture<Long>> calls = new ArrayList<>();
    Set<String> completedOn = ConcurrentHashMap.newKeySet();
    int pendingOnReturn = 0;
    for (int i = 0; i < 200; i++) {
      CompletableFuture<Long> call =
          store.storeRecordsAsync("t", List.of(Record.of(bytes("m" + i))));
      if (!call.isDone()) {
        pendingOnReturn++;
      }
      calls.add(call.whenComplete((n, e) -> completedOn.add(Thread.currentThread().getName())));
    }

    assertThat(pendingOnReturn).as("calls still waiting for Kafka when they returned").isPositive();
    // What follows an acknowledgement (answering, waking readers that read from Kafka) must not
    // hold up the producer's only I/O thread, and with it every other send.
    CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    assertThat(completedOn).noneMatch(name -> name.startsWith("kafka-producer-network-thread"));
    assertThat(calls.stream().map(c -> c.orTimeout(30, TimeUnit.SECONDS).join()).toList())
        .containsExactlyElementsOf(LongStream.rangeClosed(2, 201).boxed().toList());
    assertThat(store.poll("t", 2, PollLimits.UNLIMITED).messages())
        .extracting(m -> new String(m.payload(), UTF_8))
        .containsExactlyElementsOf(IntStream.range(0, 200).mapToObj(i -> "m" + i).toList());
  }

  @Test
  void subscribersGetKafkasRecordsAsResponseBytesWithoutMessageObjects() throws Exception {
    BackingStore store = gateway();
    store.storeRecords(
        "t",
        List.of(
            Record.of(bytes("plain")),
            new Record(bytes("k"), List.of(new Header("h", bytes("v"))), bytes("keyed"))));

    PollResult encoded = store.pollEncoded("t", 1, PollLimits.UNLIMITED);

    assertThat(encoded.messages()).isEmpty();
    assertThat(encoded.encoded()).isNotNull();
    SubscribeResponse parsed =
        SubscribeResponse.parseFrom(
            Arrays.copyOf(encoded.encoded().array(), encoded.encoded().length()));
    assertThat(parsed.getRecordsList())
        .extracting(r -> r.getMsgNumber(), r -> r.getPayload().toStringUtf8())
        .containsExactly(tuple(1L, "plain"), tuple(2L, "keyed"));
    assertThat(parsed.getRecords(1).getKey().toStringUtf8()).isEqualTo("k");
    assertThat(parsed.getRecords(1).getHeaders(0).getName()).isEqualTo("h");
    assertThat(parsed.getRecords(0).getAppendTimeMs())
        .isEqualTo(store.poll("t", 1, PollLimits.UNLIMITED).messages().get(0).appendTimeMillis());
  }

  @Test
  void aTopicComingBackNeverShowsWhatReachedItWhileHidden() throws Exception {
    BackingStore store = gateway();
    store.store("t", bytes("before"));
    store.deleteTopic("t");
    // A produce that raced the deletion through a gateway that had not seen it yet.
    try (var raw =
        new org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]>(
            Map.of("bootstrap.servers", kafka.bootstrap()),
            new org.apache.kafka.common.serialization.ByteArraySerializer(),
            new org.apache.kafka.common.serialization.ByteArraySerializer())) {
      raw.send(
              new org.apache.kafka.clients.producer.ProducerRecord<>(
                  prefix + "t", 0, null, bytes("straggler")))
          .get(30, TimeUnit.SECONDS);
    }

    assertThat(store.store("t", bytes("back"))).isEqualTo(3);
    assertThat(texts(store.poll("t", 1, PollLimits.UNLIMITED).messages())).containsExactly("back");
  }

  @Test
  void aWaitOnOneGatewayIsWokenByAnAppendThroughAnother() throws Exception {
    BackingStore writer = gateway();
    BackingStore waiter = gateway();
    writer.store("live", bytes("before"));
    CountDownLatch woken = new CountDownLatch(1);
    waiter.onRemoteAppend(
        topic -> {
          if (topic.equals("live")
              && poll(waiter, "live", 2).stream().anyMatch(m -> text(m).equals("after"))) {
            woken.countDown();
          }
        });

    waiter.watchRemoteAppends("live");
    writer.store("live", bytes("after"));

    assertThat(woken.await(10, TimeUnit.SECONDS)).as("woken with the new message").isTrue();
  }

  @Test
  void aWatcherThatSeesOnlyItsOwnGatewaysAppendsDoesNotFetchEachOfThem() throws Exception {
    KafkaStore store = gateway();
    store.store("own", bytes("0"));
    awaitFollowed(store, "own");
    long before = store.watcherFetchesWithRecords();
    long started = System.nanoTime();
    int appends = 100;
    for (int i = 1; i <= appends; i++) {
      store.store("own", bytes(Integer.toString(i)));
    }
    long rests = (System.nanoTime() - started) / AppendWatcher.REST.toNanos();

    assertThat(store.watcherFetchesWithRecords() - before)
        .as("the watcher's polls that brought records, for %d appends one at a time", appends)
        .isLessThanOrEqualTo(rests + 5)
        .isLessThan(appends);
  }

  @Test
  void anotherGatewaysAppendEndsTheRestAndReachesTheTail() throws Exception {
    KafkaStore waiter = gateway();
    BackingStore writer = gateway();
    waiter.store("shared", bytes("own"));
    awaitFollowed(waiter, "shared");
    appendWhile(waiter, "shared", () -> !waiter.watcherResting());
    assertThat(waiter.watcherResting()).as("at rest, after its own appends alone").isTrue();

    long number = writer.store("shared", bytes("foreign"));
    // Its own appends go on, so that only the other gateway's can end the rest.
    appendWhile(waiter, "shared", () -> !waiter.watcherSawAnotherGateway());

    assertThat(waiter.watcherSawAnotherGateway()).as("another gateway's append seen").isTrue();
    assertThat(waiter.watcherResting())
        .as("fetching at once again, since another gateway appended")
        .isFalse();
    long asked = waiter.readsFromKafka();
    assertThat(texts(waiter.poll("shared", number, new PollLimits(1, Long.MAX_VALUE)).messages()))
        .containsExactly("foreign");
    assertThat(waiter.readsFromKafka()).as("read from the tail").isEqualTo(asked);
  }

  @Test
  void aReaderOfAnotherGatewaysTopicIsWokenWithinASecondWhileTheWatcherRests() throws Exception {
    KafkaStore waiter = gateway();
    BackingStore writer = gateway();
    writer.store("theirs", bytes("before"));
    waiter.store("mine", bytes("own"));
    awaitFollowed(waiter, "theirs");
    awaitFollowed(waiter, "mine");
    appendWhile(waiter, "mine", () -> !waiter.watcherResting());
    assertThat(waiter.watcherResting()).as("at rest, after its own appends alone").isTrue();
    CountDownLatch woken = new CountDownLatch(1);
    waiter.onRemoteAppend(
        topic -> {
          if (topic.equals("theirs")) {
            woken.countDown();
          }
        });

    long appended = System.nanoTime();
    writer.store("theirs", bytes("after"));
    // Its own appends go on, so that the watcher stays at rest but for the other gateway's.
    appendWhile(waiter, "mine", () -> woken.getCount() > 0);

    assertThat(woken.await(10, TimeUnit.SECONDS)).as("woken").isTrue();
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - appended))
        .as("ms from the other gateway's acknowledgement to the wake-up")
        .isLessThan(1_000);
    assertThat(texts(poll(waiter, "theirs", 2))).containsExactly("after");
  }

  /** Appends to the topic one message at a time while the condition holds, for at most 20 s. */
  private static void appendWhile(BackingStore store, String topic, BooleanSupplier condition)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    for (int i = 0; i < 5_000 && condition.getAsBoolean() && System.nanoTime() < deadline; i++) {
      store.store(topic, bytes("own"));
    }
  }

  @Test
  void aRetentionSetThroughOneGatewayReachesTheOthersSweeper() throws Exception {
    BackingStore a = gateway();
    BackingStore b = gateway();
    CountDownLatch told = new CountDownLatch(1);
    b.onRetentionChanged(told::countDown);
    b.topics();

    a.createTopic("fast", Optional.of(Duration.ofSeconds(30)));

    assertThat(told.await(10, TimeUnit.SECONDS)).as("b's sweeper told").isTrue();
    assertThat(b.shortestRetention()).contains(Duration.ofSeconds(30));
  }

  @Test
  void positionsAreKafkaConsumerGroupOffsets() throws Exception {
    BackingStore store = gateway();
    store.storeBatch("t", List.of(bytes("a"), bytes("b"), bytes("c")));

    store.commitPosition("t", "billing", 3);

    TopicPartition partition = new TopicPartition(prefix + "t", 0);
    OffsetAndMetadata committed =
        admin
            .listConsumerGroupOffsets(prefix + "billing")
            .partitionsToOffsetAndMetadata()
            .get(30, TimeUnit.SECONDS)
            .get(partition);
    assertThat(committed.offset())
        .as("Kafka's next offset to read: number 3 is offset 2")
        .isEqualTo(2);
    assertThat(gateway().position("t", "billing")).hasValue(3);
  }

  @Test
  void topicsAreMadeWithTheServersRetentionAndBrokerAppendTimes() throws Exception {
    BackingStore store = gateway();
    long before = System.currentTimeMillis();
    store.store("t", bytes("x"));
    long after = System.currentTimeMillis();

    StoredMessage message = store.poll("t", 1, PollLimits.UNLIMITED).messages().get(0);
    assertThat(message.appendTimeMillis()).isBetween(before - 1_000, after + 1_000);
    Config config = topicConfig(prefix + "t");
    assertThat(config.get("retention.ms").value())
        .isEqualTo(Long.toString(Duration.ofDays(7).toMillis()));
    assertThat(config.get("message.timestamp.type").value()).isEqualTo("LogAppendTime");

    store.setRetention("t", Optional.of(Duration.ofHours(2)));
    assertThat(topicConfig(prefix + "t").get("retention.ms").value()).isEqualTo("7200000");
  }

  @Test
  void namesTooLongForKafkaAreHashedAndStillListedByName() throws Exception {
    BackingStore store = gateway();
    String name = "\u00e9t\u00e9 ".repeat(40) + "fin";
    store.store(name, bytes("x"));

    assertThat(gateway().topics()).containsExactly(name);
    assertThat(texts(gateway().poll(name, 1, PollLimits.UNLIMITED).messages()))
        .containsExactly("x");
    assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS))
        .anyMatch(t -> t.startsWith(prefix + "_x"));
  }

  @Test
  void largeBatchesFromTwoGatewaysAtOnceKeepConsecutiveNumbers() throws Exception {
    BackingStore a = gateway();
    BackingStore b = gateway();
    byte[] chunk = new byte[100_000];
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<Long>> firsts = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        BackingStore store = i % 2 == 0 ? a : b;
        String tag = "batch" + i;
        firsts.add(
            pool.submit(
                () -> {
                  List<Record> batch = new ArrayList<>();
                  for (int j = 0; j < 15; j++) {
                    batch.add(new Record(bytes(tag), List.of(), chunk));
                  }
                  return store.storeRecords("big", batch);
                }));
      }
      List<StoredMessage> all = new ArrayList<>();
      for (Future<Long> first : firsts) {
        first.get(60, TimeUnit.SECONDS);
      }
      long next = 1;
      while (true) {
        List<StoredMessage> page = a.poll("big", next, PollLimits.UNLIMITED).messages();
        if (page.isEmpty()) {
          break;
        }
        all.addAll(page);
        next = page.get(page.size() - 1).number() + 1;
      }
      assertThat(all).hasSize(90);
      for (Future<Long> first : firsts) {
        int index = (int) (first.get() - 1);
        String tag = new String(all.get(index).key(), UTF_8);
        for (int j = 0; j < 15; j++) {
          assertThat(new String(all.get(index + j).key(), UTF_8))
              .as("batch of 1.5 MB, one run")
              .isEqualTo(tag);
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void sizesOfEveryTopicReadNoRecordsWhereDescribingReadsTwoATopic() throws Exception {
    KafkaStore store = gateway();
    store.storeBatch("a", List.of(bytes("1"), bytes("2"), bytes("3")));
    store.store("b", bytes("4"));
    store.createTopic("empty", Optional.empty());
    store.store("gone", bytes("5"));
    store.deleteTopic("gone");

    long lent = store.readersLent();
    List<TopicSize> sizes = store.sizes();

    assertThat(store.readersLent()).as("reads of records").isEqualTo(lent);
    assertThat(sizes)
        .extracting(TopicSize::topic, TopicSize::messageCount, TopicSize::nextNumber)
        .containsExactly(tuple("a", 3L, 4L), tuple("b", 1L, 2L), tuple("empty", 0L, 1L));
    assertThat(sizes.get(0).bytesStored()).isGreaterThan(sizes.get(1).bytesStored());
    assertThat(sizes.get(2).bytesStored()).isZero();

    store.describe("a");
    assertThat(store.readersLent())
        .as("describing reads its oldest and newest records for their times")
        .isEqualTo(lent + 2);
  }

  @Test
  void sizesLeaveOutATopicWhoseKafkaTopicIsGone() throws Exception {
    KafkaStore store = gateway();
    store.store("kept", bytes("1"));
    store.store("gone", bytes("2"));
    // Its leader now known to the store's admin client, which would retry an offsets look-up.
    assertThat(store.sizes()).hasSize(2);
    admin.deleteTopics(List.of(prefix + "gone")).all().get(30, TimeUnit.SECONDS);
    // Gone from the broker's metadata too, not only from the controller's.
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> !admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(prefix + "gone"));

    assertThat(store.sizes())
        .extracting(TopicSize::topic, TopicSize::messageCount)
        .containsExactly(tuple("kept", 1L));
  }

  @Test
  void aCaughtUpReaderTakesWhatWasJustAppendedWithoutAskingKafka() throws Exception {
    KafkaStore store = gateway();
    store.store("live", bytes("before"));
    awaitFollowed(store, "live");

    store.store("live", bytes("one"));
    store.storeRecords(
        "live",
        List.of(
            Record.of(bytes("two")),
            new Record(bytes("k"), List.of(new Header("h", bytes("v"))), bytes("three"))));
    store.storeRecordsAsync("live", List.of(Record.of(bytes("four")))).get(30, TimeUnit.SECONDS);
    long asked = store.readsFromKafka();
    PollResult read = store.poll("live", 2, PollLimits.UNLIMITED);
    PollResult encoded = store.pollEncoded("live", 2, new PollLimits(2, Long.MAX_VALUE));

    assertThat(store.readsFromKafka()).as("reads that asked Kafka").isEqualTo(asked);
    assertThat(texts(read.messages())).containsExactly("one", "two", "three", "four");
    assertThat(read.newReadFrom()).isEqualTo(6);
    assertThat(read.nextNumber()).isEqualTo(6);
    assertThat(read.firstAvailable()).isEqualTo(1);
    assertThat(described(read.messages()))
        .as("as Kafka itself returns them, appended times included")
        .isEqualTo(described(gateway().poll("live", 2, PollLimits.UNLIMITED).messages()));
    SubscribeResponse parsed =
        SubscribeResponse.parseFrom(
            Arrays.copyOf(encoded.encoded().array(), encoded.encoded().length()));
    assertThat(parsed.getRecordsList())
        .extracting(r -> r.getMsgNumber(), r -> r.getPayload().toStringUtf8())
        .containsExactly(tuple(2L, "one"), tuple(3L, "two"));
    assertThat(encoded.newReadFrom()).isEqualTo(4);

    PollResult nothingNew = store.poll("live", 6, PollLimits.UNLIMITED);
    assertThat(nothingNew.messages()).isEmpty();
    assertThat(nothingNew.newReadFrom()).isEqualTo(6);
    assertThat(nothingNew.nextNumber()).isEqualTo(6);
    assertThat(store.readsFromKafka()).as("reads that asked Kafka").isEqualTo(asked);
    assertThat(store.poll("live", 7, PollLimits.UNLIMITED).pastEnd(7))
        .as("past the end, as Kafka says")
        .isTrue();
    assertThat(store.readsFromKafka()).isEqualTo(asked + 1);
  }

  @Test
  void whatAnotherGatewayAppendsReachesTheTailWithItsKeysHeadersAndTimes() throws Exception {
    KafkaStore waiter = gateway();
    BackingStore writer = gateway();
    writer.store("live", bytes("before"));
    awaitFollowed(waiter, "live");
    waiter.poll("live", 2, PollLimits.UNLIMITED);
    CountDownLatch woken = new CountDownLatch(1);
    waiter.onRemoteAppend(
        topic -> {
          if (topic.equals("live")) {
            woken.countDown();
          }
        });

    writer.storeRecords(
        "live",
        List.of(
            Record.of(bytes("plain")),
            new Record(bytes("k"), List.of(new Header("h", bytes("v"))), bytes("keyed"))));
    assertThat(woken.await(10, TimeUnit.SECONDS)).isTrue();
    long asked = waiter.readsFromKafka();
    List<StoredMessage> read = waiter.poll("live", 2, PollLimits.UNLIMITED).messages();

    assertThat(waiter.readsFromKafka()).as("reads that asked Kafka").isEqualTo(asked);
    assertThat(described(read))
        .isEqualTo(described(writer.poll("live", 2, PollLimits.UNLIMITED).messages()))
        .hasSize(2);
  }

  @Test
  void aTailNeverShowsWhatExpired() throws Exception {
    KafkaStore store = gateway();
    store.store("live", bytes("before"));
    awaitFollowed(store, "live");
    store.store("live", bytes("old"));
    long oldTime = store.poll("live", 2, PollLimits.UNLIMITED).messages().get(0).appendTimeMillis();
    long now = System.currentTimeMillis();
    while (now <= oldTime) {
      // Kafka stamps appends in milliseconds: the next one must be stamped later.
      Thread.onSpinWait();
      now = System.currentTimeMillis();
    }
    store.store("live", bytes("new"));
    assertThat(texts(store.poll("live", 2, PollLimits.UNLIMITED).messages()))
        .containsExactly("old", "new");

    assertThat(store.removeOlderThan(Instant.ofEpochMilli(oldTime + 1))).isEqualTo(2);
    long asked = store.readsFromKafka();
    PollResult read = store.poll("live", 2, PollLimits.UNLIMITED);

    assertThat(store.readsFromKafka()).as("reads that asked Kafka").isEqualTo(asked);
    assertThat(texts(read.messages())).containsExactly("new");
    assertThat(read.firstAvailable()).isEqualTo(3);
    assertThat(read.skipped(2)).isEqualTo(1);
  }

  @Test
  void aDeletionThroughAnotherGatewayReachesATailWithTheWatchersNextLookAtTheLogStart()
      throws Exception {
    // This store's tails would trust a log start for a minute: only the watcher's reading of the
    // starts every half second can bring the deletion in time.
    KafkaStore reader = gateway();
    BackingStore deleter = gateway();
    reader.store("live", bytes("before"));
    awaitFollowed(reader, "live");
    reader.store("live", bytes("one"));
    reader.store("live", bytes("two"));
    long asked = reader.readsFromKafka();
    assertThat(texts(reader.poll("live", 2, PollLimits.UNLIMITED).messages()))
        .containsExactly("one", "two");
    assertThat(reader.readsFromKafka()).as("read from the tail").isEqualTo(asked);

    assertThat(deleter.removeOlderThan(Instant.now().plusSeconds(60))).isEqualTo(3);

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    PollResult read = reader.poll("live", 2, PollLimits.UNLIMITED);
    while (!read.messages().isEmpty() && System.nanoTime() < deadline) {
      Thread.onSpinWait();
      read = reader.poll("live", 2, PollLimits.UNLIMITED);
    }
    assertThat(read.messages()).as("deleted through the other gateway").isEmpty();
    assertThat(read.firstAvailable()).isEqualTo(4);
  }

  @Test
  void appendsAcknowledgedOutOfOrderReachTheTailInNumberOrder() throws Exception {
    KafkaStore store = gateway();
    store.store("live", bytes("before"));
    awaitFollowed(store, "live");
    ExecutorService pool = Executors.newFixedThreadPool(4);
    Map<Long, String> numbered = new ConcurrentHashMap<>();
    try {
      List<Future<?>> writers = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        int writer = w;
        writers.add(
            pool.submit(
                () -> {
                  List<CompletableFuture<Long>> calls = new ArrayList<>();
                  for (int i = 0; i < 100; i++) {
                    String one = writer + "-" + i;
                    calls.add(
                        store
                            .storeRecordsAsync("live", List.of(Record.of(bytes(one))))
                            .thenApply(
                                n -> {
                                  numbered.put(n, one);
                                  return n;
                                }));
                    if (i % 10 == 0) {
                      String a = writer + "-" + i + "a";
                      String b = writer + "-" + i + "b";
                      long first = store.storeBatch("live", List.of(bytes(a), bytes(b)));
                      numbered.put(first, a);
                      numbered.put(first + 1, b);
                    }
                  }
                  for (CompletableFuture<Long> call : calls) {
                    call.get(30, TimeUnit.SECONDS);
                  }
                  return null;
                }));
      }
      for (Future<?> writer : writers) {
        writer.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    long asked = store.readsFromKafka();

    List<StoredMessage> read = store.poll("live", 2, PollLimits.UNLIMITED).messages();

    assertThat(store.readsFromKafka()).as("reads that asked Kafka").isEqualTo(asked);
    assertThat(read)
        .extracting(StoredMessage::number)
        .containsExactlyElementsOf(LongStream.rangeClosed(2, 481).boxed().toList());
    for (StoredMessage message : read) {
      assertThat(text(message))
          .as("number %d", message.number())
          .isEqualTo(numbered.get(message.number()));
    }
  }

  /** Waits until the store's watcher follows the topic's end, which it says once it does. */
  private static void awaitFollowed(BackingStore store, String topic) throws Exception {
    CountDownLatch followed = new CountDownLatch(1);
    store.onRemoteAppend(
        told -> {
          if (told.equals(topic)) {
            followed.countDown();
          }
        });
    store.watchRemoteAppends(topic);
    assertThat(followed.await(30, TimeUnit.SECONDS)).as("the watcher follows " + topic).isTrue();
  }

  /** Everything a reader sees of each message, arrays as text. */
  private static List<String> described(List<StoredMessage> messages) {
    return messages.stream()
        .map(
            m ->
                m.number()
                    + "@"
                    + m.appendTimeMillis()
                    + " "
                    + text(m)
                    + " key="
                    + new String(m.key(), UTF_8)
                    + " headers="
                    + m.headers().stream()
                        .map(h -> h.name() + "=" + new String(h.value(), UTF_8))
                        .toList())
        .toList();
  }

  private static Config topicConfig(String topic) throws Exception {
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    return admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
  }

  private static List<StoredMessage> poll(BackingStore store, String topic, long from) {
    try {
      return store.poll(topic, from, PollLimits.UNLIMITED).messages();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static List<String> texts(List<StoredMessage> messages) {
    return messages.stream().map(KafkaStoreTest::text).toList();
  }

  private static String text(StoredMessage message) {
    return new String(message.payload(), UTF_8);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }
}
