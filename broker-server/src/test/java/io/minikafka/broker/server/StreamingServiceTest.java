package io.minikafka.broker.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.minikafka.broker.config.ServerConfig;
import io.minikafka.broker.store.BackingStore;
import io.minikafka.broker.store.ForwardingStore;
import io.minikafka.broker.store.GatedStore;
import io.minikafka.broker.store.ManualClock;
import io.minikafka.broker.store.PollLimits;
import io.minikafka.broker.store.PollResult;
import io.minikafka.broker.store.memory.MemoryStore;
import io.minikafka.protocol.Endpoint;
import io.minikafka.protocol.MessageRecord;
import io.minikafka.protocol.MiniKafkaGrpc;
import io.minikafka.protocol.MsgNumber;
import io.minikafka.protocol.Payload;
import io.minikafka.protocol.PollRequest;
import io.minikafka.protocol.PollResponse;
import io.minikafka.protocol.ProduceBatchRequest;
import io.minikafka.protocol.ProduceBatchResponse;
import io.minikafka.protocol.ProduceRequest;
import io.minikafka.protocol.SubscribeRequest;
import io.minikafka.protocol.SubscribeResponse;
import io.minikafka.protocol.Topic;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Batch produce, produce streams, long polls and subscriptions, over the in-process transport. */
class StreamingServiceTest {

  private final ManualClock clock = new ManualClock();
  private MemoryStore store;
  private MiniKafkaServer server;
  private ManagedChannel channel;
  private MiniKafkaGrpc.MiniKafkaBlockingStub blocking;
  private MiniKafkaGrpc.MiniKafkaStub async;

  @BeforeEach
  void start() throws IOException {
    String name = InProcessServerBuilder.generateName();
    store = new MemoryStore(clock);
    ServerConfig config = ServerConfig.builder().maxMessageBytes(1000).maxPollBytes(4096).build();
    server =
        new MiniKafkaServer(InProcessServerBuilder.forName(name), store, config, clock).start();
    channel = InProcessChannelBuilder.forName(name).build();
    blocking = MiniKafkaGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    async = MiniKafkaGrpc.newStub(channel);
  }

  @AfterEach
  void stop() throws IOException {
    channel.shutdownNow();
    server.close();
  }

  private static ProduceBatchRequest batch(String topic, String... texts) {
    ProduceBatchRequest.Builder request = ProduceBatchRequest.newBuilder().setTopic(topic);
    for (String text : texts) {
      request.addPayloads(ByteString.copyFromUtf8(text));
    }
    return request.build();
  }

  /** An observer that puts each acknowledgement, the error or "completed" into {@code acks}. */
  private static StreamObserver<ProduceBatchResponse> into(BlockingQueue<Object> acks) {
    return new StreamObserver<>() {
      @Override
      public void onNext(ProduceBatchResponse value) {
        acks.add(value);
      }

      @Override
      public void onError(Throwable t) {
        acks.add(t);
      }

      @Override
      public void onCompleted() {
        acks.add("completed");
      }
    };
  }

  private static List<String> texts(List<MessageRecord> records) {
    return records.stream().map(r -> r.getPayload().toStringUtf8()).toList();
  }

  @Test
  void aBatchGetsConsecutiveNumbersInRequestOrder() throws IOException {
    blocking.produceBatch(batch("t", "zero"));

    ProduceBatchResponse response = blocking.produceBatch(batch("t", "a", "b", "c"));

    assertThat(response.getFirstMsgNumber()).isEqualTo(2);
    assertThat(response.getCount()).isEqualTo(3);
    assertThat(store.poll("t", 2, PollLimits.UNLIMITED).messages())
        .extracting(m -> new String(m.payload()))
        .containsExactly("a", "b", "c");
  }

  @Test
  void aBatchWithAnOversizedMessageStoresNothing() throws IOException {
    ProduceBatchRequest request =
        batch("t", "fine").toBuilder().addPayloads(ByteString.copyFrom(new byte[1001])).build();

    assertThatThrownBy(() -> blocking.produceBatch(request))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.getStatus().getDescription()).contains("1000 bytes");
            });
    assertThatThrownBy(() -> blocking.produceBatch(batch("t")))
        .hasMessageContaining("at least one message");
    assertThat(blocking.produceBatch(batch("t", "first")).getFirstMsgNumber()).isEqualTo(1);
  }

  @Test
  void aProduceStreamAcknowledgesBatchesInOrder() throws Exception {
    BlockingQueue<Object> acks = new LinkedBlockingQueue<>();
    StreamObserver<ProduceBatchRequest> requests = async.produceStream(into(acks));
    requests.onNext(batch("t", "a", "b"));
    requests.onNext(batch("t", "c"));
    requests.onNext(batch("t", "d", "e", "f"));
    requests.onCompleted();

    List<Object> received = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      received.add(acks.poll(30, TimeUnit.SECONDS));
    }

    assertThat(received.subList(0, 3))
        .extracting(a -> ((ProduceBatchResponse) a).getFirstMsgNumber())
        .containsExactly(1L, 3L, 4L);
    assertThat(received.get(3)).isEqualTo("completed");
  }

  @Test
  void aFailedBatchEndsTheProduceStreamAndEarlierBatchesStay() throws Exception {
    BlockingQueue<Object> acks = new LinkedBlockingQueue<>();
    StreamObserver<ProduceBatchRequest> requests = async.produceStream(into(acks));
    requests.onNext(batch("t", "kept"));
    requests.onNext(batch("", "bad topic"));

    assertThat(acks.poll(30, TimeUnit.SECONDS)).isInstanceOf(ProduceBatchResponse.class);
    assertThat(acks.poll(30, TimeUnit.SECONDS))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
    assertThat(store.poll("t", 1, PollLimits.UNLIMITED).messages()).hasSize(1);
  }

  @Test
  void batchesQueuedBehindASlowStoreAreAcknowledgedOneByOneWithTheirOwnNumbers() throws Exception {
    MemoryStore memory = new MemoryStore();
    GatedStore slow = new GatedStore(memory);
    String name = InProcessServerBuilder.generateName();
    try (MiniKafkaServer blocking =
        new MiniKafkaServer(
                InProcessServerBuilder.forName(name), slow, ServerConfig.defaults(), clock)
            .start()) {
      ManagedChannel local = InProcessChannelBuilder.forName(name).build();
      try {
        BlockingQueue<Object> acks = new LinkedBlockingQueue<>();
        StreamObserver<ProduceBatchRequest> requests =
            MiniKafkaGrpc.newStub(local).produceStream(into(acks));
        requests.onNext(batch("t", "first"));
        assertThat(slow.entered.await(30, TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < 10; i++) {
          requests.onNext(batch("t", "a" + i, "b" + i));
        }
        slow.release.countDown();

        List<Long> firstNumbers = new ArrayList<>();
        for (int i = 0; i < 11; i++) {
          Object ack = acks.poll(30, TimeUnit.SECONDS);
          assertThat(ack).isInstanceOf(ProduceBatchResponse.class);
          firstNumbers.add(((ProduceBatchResponse) ack).getFirstMsgNumber());
        }
        assertThat(firstNumbers).containsExactly(1L, 2L, 4L, 6L, 8L, 10L, 12L, 14L, 16L, 18L, 20L);
        assertThat(memory.poll("t", 1, PollLimits.UNLIMITED).messages())
            .extracting(m -> new String(m.payload()))
            .startsWith("first", "a0", "b0", "a1", "b1")
            .hasSize(21);
        requests.onCompleted();
      } finally {
        local.shutdownNow();
      }
    }
  }

  @Test
  void aCaughtUpSubscriberReadsTheStoreTwicePerAppendNotThreeTimes() throws Exception {
    AtomicInteger reads = new AtomicInteger();
    ForwardingStore counting =
        new ForwardingStore(new MemoryStore()) {
          @Override
          public PollResult pollEncoded(String topic, long readFrom, PollLimits limits)
              throws IOException {
            if (topic.equals("t")) {
              reads.incrementAndGet();
            }
            return super.pollEncoded(topic, readFrom, limits);
          }
        };
    try (CaughtUp caughtUp = new CaughtUp(counting, clock)) {
      int appends = 20;
      int before = reads.get();
      for (int i = 0; i < appends; i++) {
        caughtUp.requests.onNext(batch("t", "m" + i));
        assertThat(caughtUp.acks.poll(30, TimeUnit.SECONDS))
            .isInstanceOf(ProduceBatchResponse.class);
      }
      assertThat(caughtUp.subscriber.take(appends)).hasSize(appends);

      // Reads still to come for the last append can only lower the count.
      assertThat(reads.get() - before)
          .as("per append, a read that finds it and one after registering for the next")
          .isLessThanOrEqualTo(2 * appends + 4);
    }
  }

  /**
   * A server of its own on {@code store}, in process; a produce stream that stored "a" in topic
   * "t"; and a subscriber of "t" that received it and said it caught up, which it does once the
   * read after registering for the next append has returned: no read of it is running.
   */
  private static final class CaughtUp implements AutoCloseable {
    final MiniKafkaServer server;
    final ManagedChannel channel;
    final BlockingQueue<Object> acks = new LinkedBlockingQueue<>();
    final StreamObserver<ProduceBatchRequest> requests;
    final Collector subscriber = new Collector();

    CaughtUp(BackingStore store, Clock clock) throws Exception {
      String name = InProcessServerBuilder.generateName();
      server =
          new MiniKafkaServer(
                  InProcessServerBuilder.forName(name), store, ServerConfig.defaults(), clock)
              .start();
      channel = InProcessChannelBuilder.forName(name).build();
      requests = MiniKafkaGrpc.newStub(channel).produceStream(into(acks));
      requests.onNext(batch("t", "a"));
      assertThat(acks.poll(30, TimeUnit.SECONDS)).isInstanceOf(ProduceBatchResponse.class);
      MiniKafkaGrpc.newStub(channel)
          .subscribe(
              SubscribeRequest.newBuilder().setTopic("t").setReadFrom(1).build(), subscriber);
      assertThat(texts(subscriber.take(1))).containsExactly("a");
      subscriber.awaitCaughtUp();
    }

    @Override
    public void close() throws IOException {
      requests.onCompleted();
      channel.shutdownNow();
      server.close();
    }
  }

  @Test
  void serverShutdownEndsProduceStreamsWithUnavailable() throws Exception {
    BlockingQueue<Object> acks = new LinkedBlockingQueue<>();
    StreamObserver<ProduceBatchRequest> requests = async.produceStream(into(acks));
    requests.onNext(batch("t", "a"));
    assertThat(acks.poll(30, TimeUnit.SECONDS)).isInstanceOf(ProduceBatchResponse.class);

    server.close();

    assertThat(acks.poll(30, TimeUnit.SECONDS))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
  }

  @Test
  void pollSaysWhatExpiredBeforeTheReaderGotThere() throws IOException {
    blocking.produceBatch(batch("t", "a", "b"));
    clock.advance(Duration.ofSeconds(1));
    blocking.produceBatch(batch("t", "c"));
    clock.advance(Duration.ofMillis(1));
    store.removeOlderThan(clock.instant().minusMillis(1));

    PollResponse response =
        blocking.poll(
            PollRequest.newBuilder()
                .setTopic("t")
                .setReadFrom(MsgNumber.newBuilder().setMsgNumber(1))
                .build());

    assertThat(response.getPayloadsCount()).isEqualTo(1);
    assertThat(response.getFirstAvailable()).isEqualTo(3);
    assertThat(response.getSkipped()).isEqualTo(2);
    assertThat(response.getNewReadFrom().getMsgNumber()).isEqualTo(4);
  }

  private CompletableFuture<PollResponse> longPoll(String topic, long readFrom, int maxWaitMs) {
    CompletableFuture<PollResponse> answer = new CompletableFuture<>();
    async.poll(
        PollRequest.newBuilder()
            .setTopic(topic)
            .setReadFrom(MsgNumber.newBuilder().setMsgNumber(readFrom))
            .setMaxWaitMs(maxWaitMs)
            .build(),
        new StreamObserver<>() {
          @Override
          public void onNext(PollResponse value) {
            answer.complete(value);
          }

          @Override
          public void onError(Throwable t) {
            answer.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {}
        });
    return answer;
  }

  @Test
  void aLongPollAnswersAsSoonAsAMessageArrives() throws Exception {
    blocking.produceBatch(batch("t", "old"));
    CompletableFuture<PollResponse> waiting = longPoll("t", 2, 60_000);
    assertThat(waiting).isNotDone();

    blocking.produceBatch(batch("t", "new"));

    PollResponse response = waiting.get(30, TimeUnit.SECONDS);
    assertThat(response.getPayloads(0).getPayload().toStringUtf8()).isEqualTo("new");
    assertThat(response.getNewReadFrom().getMsgNumber()).isEqualTo(3);
  }

  @Test
  void aLongPollWithDataAnswersAtOnceAndWithoutAnswersEmptyAtTheDeadline() throws Exception {
    blocking.produceBatch(batch("t", "a"));
    assertThat(longPoll("t", 1, 60_000).get(30, TimeUnit.SECONDS).getPayloadsCount()).isEqualTo(1);

    PollResponse timedOut = longPoll("t", 2, 50).get(30, TimeUnit.SECONDS);

    assertThat(timedOut.getPayloadsCount()).isZero();
    assertThat(timedOut.getNewReadFrom().getMsgNumber()).isEqualTo(2);
  }

  @Test
  void aLongPollOfATopicThatDoesNotExistYetWaitsForIt() throws Exception {
    CompletableFuture<PollResponse> waiting = longPoll("future", 1, 60_000);
    assertThat(waiting).isNotDone();

    blocking.produceBatch(batch("future", "here now"));

    assertThat(waiting.get(30, TimeUnit.SECONDS).getPayloads(0).getPayload().toStringUtf8())
        .isEqualTo("here now");
    PollResponse noTopic = longPoll("never", 1, 20).get(30, TimeUnit.SECONDS);
    assertThat(noTopic.getPayloadsCount()).isZero();
  }

  /** Collects a subscription's responses. */
  private static final class Collector implements StreamObserver<SubscribeResponse> {
    final BlockingQueue<SubscribeResponse> responses = new LinkedBlockingQueue<>();
    final CompletableFuture<Status> end = new CompletableFuture<>();

    @Override
    public void onNext(SubscribeResponse value) {
      responses.add(value);
    }

    @Override
    public void onError(Throwable t) {
      end.complete(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
      end.complete(Status.OK);
    }

    /** Waits for the response saying the subscription caught up, with no records before it. */
    void awaitCaughtUp() throws InterruptedException {
      while (true) {
        SubscribeResponse response = responses.poll(30, TimeUnit.SECONDS);
        assertThat(response).as("a response within 30 s").isNotNull();
        assertThat(response.getRecordsList()).isEmpty();
        if (response.getCaughtUp()) {
          return;
        }
      }
    }

    List<MessageRecord> take(int count) throws InterruptedException {
      List<MessageRecord> records = new ArrayList<>();
      while (records.size() < count) {
        SubscribeResponse response = responses.poll(30, TimeUnit.SECONDS);
        assertThat(response).as("a response within 30 s").isNotNull();
        records.addAll(response.getRecordsList());
      }
      return records;
    }
  }

  private Collector subscribe(String topic, long readFrom) {
    Collector collector = new Collector();
    async.subscribe(
        SubscribeRequest.newBuilder().setTopic(topic).setReadFrom(readFrom).build(), collector);
    return collector;
  }

  @Test
  void aSubscriptionSendsTheBacklogInBoundedBatchesThenNewMessagesAsTheyArrive() throws Exception {
    for (int i = 0; i < 50; i++) {
      blocking.produceBatch(batch("t", "backlog-" + i + "-" + "x".repeat(200)));
    }
    clock.advance(Duration.ofSeconds(3));
    Collector collector = subscribe("t", 1);

    List<MessageRecord> backlog = collector.take(50);
    assertThat(backlog).extracting(MessageRecord::getMsgNumber).startsWith(1L, 2L).endsWith(50L);

    blocking.produceBatch(batch("t", "live"));
    List<MessageRecord> live = collector.take(1);

    assertThat(live)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getMsgNumber()).isEqualTo(51);
              assertThat(r.getPayload().toStringUtf8()).isEqualTo("live");
              assertThat(r.getAppendTimeMs()).isEqualTo(clock.millis());
            });
    assertThat(collector.end).isNotDone();
  }

  @Test
  void everyCaughtUpSubscriberGetsEveryMessageHoweverManyThereAre() throws Exception {
    blocking.produceBatch(batch("t", "first"));
    List<Collector> subscribers = new ArrayList<>();
    // More than the appending thread serves itself, so that some are handed to the push threads.
    for (int i = 0; i < TopicEvents.INLINE_WAITERS * 2 + 1; i++) {
      Collector collector = subscribe("t", 1);
      assertThat(collector.take(1)).extracting(MessageRecord::getMsgNumber).containsExactly(1L);
      subscribers.add(collector);
    }

    BlockingQueue<Object> acks = new LinkedBlockingQueue<>();
    StreamObserver<ProduceBatchRequest> stream = async.produceStream(into(acks));
    for (int i = 2; i <= 40; i++) {
      if (i % 2 == 0) {
        stream.onNext(batch("t", "m" + i));
      } else {
        blocking.produce(
            ProduceRequest.newBuilder()
                .setTopic(Topic.newBuilder().setTopic("t"))
                .setPayload(Payload.newBuilder().setPayload(ByteString.copyFromUtf8("m" + i)))
                .build());
      }
    }
    stream.onCompleted();

    for (Collector collector : subscribers) {
      List<MessageRecord> records = collector.take(39);
      assertThat(records).extracting(MessageRecord::getMsgNumber).hasSize(39);
      assertThat(records)
          .extracting(MessageRecord::getMsgNumber)
          .doesNotHaveDuplicates()
          .isSorted();
      assertThat(records.get(38).getMsgNumber()).isEqualTo(40);
    }
  }

  @Test
  void pollAndSubscribeCanStartFromATime() throws Exception {
    blocking.produceBatch(batch("t", "early"));
    clock.advance(Duration.ofMinutes(10));
    long later = clock.millis();
    blocking.produceBatch(batch("t", "late-1", "late-2"));

    PollResponse polled =
        blocking.poll(PollRequest.newBuilder().setTopic("t").setFromTimeMs(later).build());
    assertThat(polled.getPayloadsList())
        .extracting(p -> p.getPayload().toStringUtf8())
        .containsExactly("late-1", "late-2");
    assertThat(polled.getNewReadFrom().getMsgNumber()).isEqualTo(4);

    Collector collector = new Collector();
    async.subscribe(
        SubscribeRequest.newBuilder().setTopic("t").setFromTimeMs(later).build(), collector);
    assertThat(collector.take(2)).extracting(MessageRecord::getMsgNumber).containsExactly(2L, 3L);

    PollResponse nothingYet =
        blocking.poll(
            PollRequest.newBuilder().setTopic("t").setFromTimeMs(clock.millis() + 1).build());
    assertThat(nothingYet.getPayloadsCount()).isZero();
    assertThat(nothingYet.getNewReadFrom().getMsgNumber()).as("the next number").isEqualTo(4);
  }

  @Test
  void aSubscriptionFromAnExpiredNumberReportsTheSkip() throws Exception {
    blocking.produceBatch(batch("t", "a", "b", "c"));
    clock.advance(Duration.ofSeconds(1));
    blocking.produceBatch(batch("t", "d"));
    store.removeOlderThan(clock.instant());

    Collector collector = subscribe("t", 2);
    SubscribeResponse first = collector.responses.poll(30, TimeUnit.SECONDS);

    assertThat(first).isNotNull();
    assertThat(first.getFirstAvailable()).isEqualTo(4);
    assertThat(first.getSkipped()).isEqualTo(2);
    assertThat(texts(first.getRecordsList())).containsExactly("d");
  }

  @Test
  void aSubscriptionToATopicThatDoesNotExistYetWaitsForIt() throws Exception {
    Collector collector = subscribe("future", 0);
    blocking.produceBatch(batch("future", "first"));

    assertThat(texts(collector.take(1))).containsExactly("first");
  }

  @Test
  void aCallSaysOnceThatItCaughtUpAndWhetherTheTopicIsMissing() throws Exception {
    Collector missing = subscribe("future", 1);
    SubscribeResponse waiting = missing.responses.poll(30, TimeUnit.SECONDS);
    assertThat(waiting).isNotNull();
    assertThat(waiting.getCaughtUp()).isTrue();
    assertThat(waiting.getTopicMissing()).isTrue();
    assertThat(waiting.getRecordsCount()).isZero();

    blocking.produceBatch(batch("t", "a"));
    Collector existing = subscribe("t", 1);
    assertThat(texts(existing.take(1))).containsExactly("a");
    SubscribeResponse caughtUp = existing.responses.poll(30, TimeUnit.SECONDS);
    assertThat(caughtUp).isNotNull();
    assertThat(caughtUp.getCaughtUp()).isTrue();
    assertThat(caughtUp.getTopicMissing()).isFalse();

    // Once per call: catching up again sends only the messages.
    blocking.produceBatch(batch("t", "b"));
    blocking.produceBatch(batch("future", "c"));
    assertThat(texts(existing.take(1))).containsExactly("b");
    assertThat(texts(missing.take(1))).containsExactly("c");
    blocking.produceBatch(batch("t", "d"));
    SubscribeResponse next = existing.responses.poll(30, TimeUnit.SECONDS);
    assertThat(next.getCaughtUp()).isFalse();
    assertThat(texts(next.getRecordsList())).containsExactly("d");
  }

  @Test
  void serverShutdownEndsSubscriptionsWithUnavailable() throws Exception {
    Collector collector = subscribe("t", 1);
    blocking.produceBatch(batch("t", "a"));
    collector.take(1);

    server.close();

    Status status = collector.end.get(30, TimeUnit.SECONDS);
    assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(status.getDescription()).contains("shutting down");
  }

  @Test
  void anInvalidTopicIsRefused() throws Exception {
    Collector collector = subscribe("", 1);
    assertThat(collector.end.get(30, TimeUnit.SECONDS).getCode())
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
  }

  @Test
  void aSubscriberThatNeverReadsMakesTheServerStopReadingTheStore() throws Exception {
    AtomicInteger polls = new AtomicInteger();
    MemoryStore memory = new MemoryStore();
    ForwardingStore counting =
        new ForwardingStore(memory) {
          @Override
          public PollResult poll(String topic, long readFrom, PollLimits limits)
              throws IOException {
            polls.incrementAndGet();
            return super.poll(topic, readFrom, limits);
          }
        };
    byte[] payload = new byte[10_000];
    List<byte[]> batch = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      batch.add(payload);
    }
    for (int i = 0; i < 100; i++) {
      memory.storeBatch("big", batch); // 100 MB of backlog
    }
    try (MiniKafkaServer tcp =
        MiniKafkaServer.start(
            counting,
            ServerConfig.builder().host(Endpoint.parse("127.0.0.1:0")).build(),
            Clock.systemUTC())) {
      ManagedChannel tcpChannel =
          ManagedChannelBuilder.forAddress("127.0.0.1", tcp.port()).usePlaintext().build();
      try {
        CountDownLatch firstResponse = new CountDownLatch(1);
        MiniKafkaGrpc.newStub(tcpChannel)
            .subscribe(
                SubscribeRequest.newBuilder().setTopic("big").setReadFrom(1).build(),
                new ClientResponseObserver<SubscribeRequest, SubscribeResponse>() {
                  @Override
                  public void beforeStart(ClientCallStreamObserver<SubscribeRequest> call) {
                    call.disableAutoRequestWithInitial(1);
                  }

                  @Override
                  public void onNext(SubscribeResponse value) {
                    firstResponse.countDown();
                  }

                  @Override
                  public void onError(Throwable t) {}

                  @Override
                  public void onCompleted() {}
                });
        assertThat(firstResponse.await(30, TimeUnit.SECONDS)).isTrue();
        // A negative check needs a window: give the server half a second to run ahead, which its
        // flow control must prevent. Nothing is synchronised by this wait.
        Thread.sleep(500);
        int pollsWhileStalled = polls.get();
        assertThat(pollsWhileStalled)
            .as("store reads for a subscriber that took 1 of ~100 MB")
            .isLessThan(20);
      } finally {
        tcpChannel.shutdownNow();
      }
    }
  }

  @Test
  void iteratingASubscriptionWithTheBlockingStubWorks() {
    blocking.produceBatch(batch("t", "a", "b"));
    Iterator<SubscribeResponse> responses =
        MiniKafkaGrpc.newBlockingStub(channel)
            .withDeadlineAfter(30, TimeUnit.SECONDS)
            .subscribe(SubscribeRequest.newBuilder().setTopic("t").build());

    assertThat(texts(responses.next().getRecordsList())).containsExactly("a", "b");
  }
}
