package io.minikafka.broker.server;

import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.minikafka.broker.config.GoDuration;
import io.minikafka.broker.config.Setting;
import io.minikafka.broker.security.AccessControl;
import io.minikafka.broker.security.Operation;
import io.minikafka.broker.store.BackingStore;
import io.minikafka.broker.store.CorruptRecordException;
import io.minikafka.broker.store.Header;
import io.minikafka.broker.store.PollLimits;
import io.minikafka.broker.store.PollResult;
import io.minikafka.broker.store.Record;
import io.minikafka.broker.store.TopicInfo;
import io.minikafka.broker.store.TopicName;
import io.minikafka.broker.store.UnknownTopicException;
import io.minikafka.protocol.AlterTopicRequest;
import io.minikafka.protocol.CommitPositionRequest;
import io.minikafka.protocol.CommitPositionResponse;
import io.minikafka.protocol.ConsumerPosition;
import io.minikafka.protocol.CreateTopicRequest;
import io.minikafka.protocol.DeleteTopicRequest;
import io.minikafka.protocol.DeleteTopicResponse;
import io.minikafka.protocol.DescribeServerRequest;
import io.minikafka.protocol.DescribeTopicRequest;
import io.minikafka.protocol.FetchPositionRequest;
import io.minikafka.protocol.ListTopicsRequest;
import io.minikafka.protocol.ListTopicsResponse;
import io.minikafka.protocol.MiniKafkaGrpc;
import io.minikafka.protocol.MsgNumber;
import io.minikafka.protocol.Payload;
import io.minikafka.protocol.PollRequest;
import io.minikafka.protocol.PositionResponse;
import io.minikafka.protocol.ProduceBatchResponse;
import io.minikafka.protocol.ProduceRequest;
import io.minikafka.protocol.ServerDescription;
import io.minikafka.protocol.SubscribeRequest;
import io.minikafka.protocol.TopicDescription;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The {@code protocol.MiniKafka} gRPC service: thin handlers over a {@link BackingStore}. Pushes
 * (subscriptions, long polls) run on {@code pushExecutor}, produce streams' stores on {@code
 * storeExecutor}; every append, once acknowledged, wakes the pushes waiting for its topic through
 * {@link TopicEvents}, which sends caught-up subscriptions their new messages on the appending
 * thread.
 */
final class MiniKafkaService implements MiniKafkaGrpc.AsyncService {

  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(MiniKafkaService.class);

  /** Room in a response beyond its messages, for the numbers and counts that go with them. */
  private static final int RESPONSE_HEADROOM_BYTES = 1024;

  /**
   * How often a shared store is told again of the topics readers wait on; well inside the time it
   * keeps watching a topic nobody asked about (30 s for Kafka).
   */
  private static final Duration WATCH_RENEWAL = Duration.ofSeconds(10);

  /**
   * The most a message record's framing takes on the wire: tags and lengths of the record and its
   * payload, its CRC (a file store's records carry one), a 10-byte number and a 10-byte time.
   */
  private static final int MAX_RECORD_FRAMING_BYTES = 40;

  private final BackingStore store;
  private final AccessControl access;
  private final int maxMessageBytes;
  private final int maxRequestBytes;
  private final ProduceQueue produceQueue;
  private final PollLimits serverLimits;
  private final TopicEvents events;
  private final ExecutorService pushExecutor;
  private final ScheduledExecutorService timer;

  /** Open subscriptions, with who opened them on which topic: revoked ones are ended. */
  private final Map<Subscription, Subscriber> subscriptions = new ConcurrentHashMap<>();

  private record Subscriber(AccessControl.Identity caller, String topic) {}

  private final Set<ProduceStream> produceStreams = ConcurrentHashMap.newKeySet();
  private final Executor storeExecutor;

  /** The server's retention, which topics without their own keep. */
  private final Duration defaultRetention;

  /** Told after a topic's retention was set, so that sweeps follow the shortest. */
  private final Runnable retentionChanged;

  MiniKafkaService(
      BackingStore store,
      AccessControl access,
      int maxMessageBytes,
      int maxRequestBytes,
      int maxPollBytes,
      long produceQueueBytes,
      ExecutorService pushExecutor,
      Executor storeExecutor,
      ScheduledExecutorService timer,
      Duration defaultRetention,
      Runnable retentionChanged) {
    this.defaultRetention = defaultRetention;
    this.retentionChanged = retentionChanged;
    this.store = store;
    this.access = access;
    this.maxMessageBytes = maxMessageBytes;
    this.maxRequestBytes = maxRequestBytes;
    this.produceQueue = new ProduceQueue(produceQueueBytes);
    access.onRulesChanged(this::endRevokedSubscriptions);
    this.serverLimits = new PollLimits(Integer.MAX_VALUE, maxPollBytes);
    this.pushExecutor = pushExecutor;
    this.events = new TopicEvents(pushExecutor, store::watchRemoteAppends);
    store.onRemoteAppend(events::appended);
    this.storeExecutor = storeExecutor;
    this.timer = timer;
    timer.scheduleWithFixedDelay(
        events::renewWatches,
        WATCH_RENEWAL.toMillis(),
        WATCH_RENEWAL.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  @Override
  public void produce(ProduceRequest request, StreamObserver<MsgNumber> responses) {
    try {
      String topic = request.getTopic().getTopic();
      access.check(access.current(), Operation.PRODUCE, topic);
      store
          .storeRecordsAsync(topic, List.of(checkedRecord(request.getPayload())))
          .whenComplete(
              (number, failure) -> {
                if (failure != null) {
                  responses.onError(StatusMapper.toException(failure));
                  return;
                }
                try {
                  responses.onNext(MsgNumber.newBuilder().setMsgNumber(number).build());
                  responses.onCompleted();
                } finally {
                  // Readers are woken whether or not the producer is still there to hear.
                  events.appended(topic);
                }
              });
    } catch (Exception e) {
      responses.onError(StatusMapper.toException(e));
    }
  }

  private void storeBatch(IncomingBatch request, StreamObserver<ProduceBatchResponse> responses) {
    try {
      access.check(access.current(), Operation.PRODUCE, request.topic());
      List<Record> records = checkedRecords(request);
      store
          .storeRecordsAsync(request.topic(), records)
          .whenComplete(
              (first, failure) -> {
                if (failure != null) {
                  responses.onError(StatusMapper.toException(failure));
                  return;
                }
                try {
                  responses.onNext(
                      ProduceBatchResponse.newBuilder()
                          .setFirstMsgNumber(first)
                          .setCount(records.size())
                          .build());
                  responses.onCompleted();
                } finally {
                  events.appended(request.topic());
                }
              });
    } catch (Exception e) {
      responses.onError(StatusMapper.toException(e));
    }
  }

  private StreamObserver<IncomingBatch> openProduceStream(
      StreamObserver<ProduceBatchResponse> responses) {
    AccessControl.Identity caller = access.current();
    ProduceStream[] self = new ProduceStream[1];
    self[0] =
        new ProduceStream(
            (ServerCallStreamObserver<ProduceBatchResponse>) responses,
            new ProduceStream.Handler() {
              @Override
              public List<Record> records(IncomingBatch request) {
                access.check(caller, Operation.PRODUCE, request.topic());
                return checkedRecords(request);
              }

              @Override
              public long store(String topic, List<Record> records) throws IOException {
                return store.storeRecords(topic, records);
              }

              @Override
              public void stored(String topic) {
                events.appended(topic);
              }
            },
            storeExecutor,
            produceQueue,
            () -> produceStreams.remove(self[0]));
    produceStreams.add(self[0]);
    self[0].start();
    return self[0];
  }

  private List<Record> checkedRecords(IncomingBatch request) {
    if (request.messages().isEmpty()) {
      throw new IllegalArgumentException("a batch needs at least one message");
    }
    if (request.payloadCount() > 0 && request.recordCount() > 0) {
      throw new IllegalArgumentException(
          "a batch carries payloads or records, not both (it has "
              + request.payloadCount()
              + " payloads and "
              + request.recordCount()
              + " records)");
    }
    if (request.problem() != null) {
      throw new IllegalArgumentException(request.problem());
    }
    for (Record record : request.messages()) {
      checkSize(record.payload().length + record.extraBytes());
    }
    return request.messages();
  }

  /** A message, with its key and headers if it has them, within the maximum message size. */
  private Record checkedRecord(Payload message) {
    if (message.getKey().isEmpty() && message.getHeadersCount() == 0) {
      checkSize(message.getPayload().size());
      return Record.of(message.getPayload().toByteArray());
    }
    List<Header> headers = new ArrayList<>(message.getHeadersCount());
    for (io.minikafka.protocol.Header header : message.getHeadersList()) {
      headers.add(new Header(header.getName(), header.getValue().toByteArray()));
    }
    Record record =
        new Record(message.getKey().toByteArray(), headers, message.getPayload().toByteArray());
    checkSize(record.payload().length + record.extraBytes());
    return record;
  }

  private void checkSize(long bytes) {
    if (bytes > maxMessageBytes) {
      throw new IllegalArgumentException(
          "message of "
              + bytes
              + " bytes is over the maximum message size of "
              + maxMessageBytes
              + " bytes ("
              + Setting.MAX_MESSAGE_BYTES.envVar()
              + ")");
    }
  }

  /**
   * The generated binding, except that Poll and Subscribe answer with responses encoded straight
   * from the store's messages ({@link PollAnswer}, {@link SubscribeBatch}): the same bytes on the
   * wire, without a protobuf object per message.
   */
  ServerServiceDefinition definition() {
    ServerServiceDefinition generated = MiniKafkaGrpc.bindService(this);
    ServiceDescriptor.Builder descriptor =
        ServiceDescriptor.newBuilder(generated.getServiceDescriptor().getName())
            .setSchemaDescriptor(generated.getServiceDescriptor().getSchemaDescriptor());
    List<ServerMethodDefinition<?, ?>> methods = new ArrayList<>();
    for (ServerMethodDefinition<?, ?> method : generated.getMethods()) {
      String name = method.getMethodDescriptor().getFullMethodName();
      if (name.equals(PollAnswer.METHOD.getFullMethodName())) {
        methods.add(
            ServerMethodDefinition.create(
                PollAnswer.METHOD, ServerCalls.asyncUnaryCall(this::answerPoll)));
      } else if (name.equals(IncomingBatch.PRODUCE_BATCH.getFullMethodName())) {
        methods.add(
            ServerMethodDefinition.create(
                IncomingBatch.PRODUCE_BATCH, ServerCalls.asyncUnaryCall(this::storeBatch)));
      } else if (name.equals(IncomingBatch.PRODUCE_STREAM.getFullMethodName())) {
        methods.add(
            ServerMethodDefinition.create(
                IncomingBatch.PRODUCE_STREAM,
                ServerCalls.asyncBidiStreamingCall(this::openProduceStream)));
      } else if (name.equals(SubscribeBatch.METHOD.getFullMethodName())) {
        methods.add(
            ServerMethodDefinition.create(
                SubscribeBatch.METHOD,
                ServerCalls.asyncServerStreamingCall(this::openSubscription)));
      } else {
        methods.add(method);
      }
    }
    methods.forEach(method -> descriptor.addMethod(method.getMethodDescriptor()));
    ServerServiceDefinition.Builder binding = ServerServiceDefinition.builder(descriptor.build());
    methods.forEach(binding::addMethod);
    return binding.build();
  }

  private void answerPoll(PollRequest request, StreamObserver<PollAnswer> responses) {
    try {
      String topic = request.getTopic();
      access.check(access.current(), Operation.POLL, topic);
      long fromTime = request.getFromTimeMs();
      long givenReadFrom = request.getReadFrom().getMsgNumber();
      PollLimits limits =
          serverLimits.lowerTo(
              Integer.toUnsignedLong(request.getMaxMessages()),
              Integer.toUnsignedLong(request.getMaxBytes()));
      long maxWait = Integer.toUnsignedLong(request.getMaxWaitMs());
      // Before anything waits on the name: a waiter would keep whatever name it was given.
      TopicName.validate(topic);
      if (maxWait == 0) {
        long readFrom = readFrom(topic, givenReadFrom, fromTime);
        responses.onNext(
            answer(topic, store.pollEncoded(topic, readFrom, limits), readFrom, givenReadFrom));
        responses.onCompleted();
        return;
      }
      LongPoll longPoll =
          new LongPoll(
              topic,
              events,
              pushExecutor,
              (ServerCallStreamObserver<PollAnswer>) responses,
              new LongPoll.Attempt() {
                @Override
                public PollAnswer tryAnswer() throws IOException {
                  return pollNow(false);
                }

                @Override
                public PollAnswer answerNow() throws IOException {
                  return pollNow(true);
                }

                /**
                 * What the store holds now; null if nothing worth answering with, unless {@code
                 * always}.
                 */
                private PollAnswer pollNow(boolean always) throws IOException {
                  try {
                    long readFrom = readFrom(topic, givenReadFrom, fromTime);
                    PollResult result = store.pollEncoded(topic, readFrom, limits);
                    // Past the end, waiting brings nothing the reader asked for: say so now.
                    return always || result.count() > 0 || result.pastEnd(readFrom)
                        ? answer(topic, result, readFrom, givenReadFrom)
                        : null;
                  } catch (UnknownTopicException notYet) {
                    return always ? PollAnswer.empty(givenReadFrom) : null;
                  }
                }
              });
      longPoll.start(timer, maxWait);
    } catch (Exception e) {
      responses.onError(StatusMapper.toException(e));
    }
  }

  /**
   * Where a poll starts: at the first message at or after {@code fromTime} if given, else as asked.
   * A read_from above any number a message can have (a uint64 of 2^63 or more, negative here) is
   * past every end.
   */
  private long readFrom(String topic, long given, long fromTime) throws IOException {
    if (fromTime != 0) {
      return store.firstAtOrAfter(topic, Instant.ofEpochMilli(fromTime));
    }
    return given < 0 ? Long.MAX_VALUE : given;
  }

  /**
   * What a poll that read {@code result} from {@code readFrom} answers. For a read_from above any
   * number ({@code given} negative, {@code readFrom} then Long.MAX_VALUE) it is the original's
   * answer to any poll past the end: empty, with read_from as sent.
   */
  private static PollAnswer answer(String topic, PollResult result, long readFrom, long given)
      throws CorruptRecordException {
    return given < 0 && readFrom == Long.MAX_VALUE && result.count() == 0
        ? PollAnswer.pastEnd(given, result)
        : PollAnswer.of(topic, result, readFrom);
  }

  private void openSubscription(
      SubscribeRequest request, StreamObserver<SubscribeBatch> responses) {
    long readFrom;
    try {
      access.check(access.current(), Operation.SUBSCRIBE, request.getTopic());
      TopicName.validate(request.getTopic());
      readFrom =
          request.getFromTimeMs() == 0
              ? number("read_from", request.getReadFrom())
              : Math.max(0, request.getReadFrom());
    } catch (RuntimeException e) {
      responses.onError(StatusMapper.toException(e));
      return;
    }
    PollLimits limits = serverLimits.lowerTo(0, Integer.toUnsignedLong(request.getMaxBatchBytes()));
    Subscription[] self = new Subscription[1];
    self[0] =
        new Subscription(
            store,
            events,
            pushExecutor,
            (ServerCallStreamObserver<SubscribeBatch>) responses,
            request.getTopic(),
            readFrom,
            request.getFromTimeMs(),
            limits,
            () -> subscriptions.remove(self[0]));
    subscriptions.put(self[0], new Subscriber(access.current(), request.getTopic()));
    self[0].start();
  }

  @Override
  public void listTopics(ListTopicsRequest request, StreamObserver<ListTopicsResponse> responses) {
    try {
      AccessControl.Identity caller = access.current();
      List<String> visible = new ArrayList<>();
      for (String topic : store.topics()) {
        if (access.mayList(caller, topic)) {
          visible.add(topic);
        }
      }
      responses.onNext(
          ListTopicsResponse.newBuilder()
              .addAllTopics(visible)
              .addAllProblems(access.mayAdminister(caller) ? store.health().problems() : List.of())
              .build());
      responses.onCompleted();
    } catch (Exception e) {
      responses.onError(StatusMapper.toException(e));
    }
  }

  @Override
  public void describeTopic(
      DescribeTopicRequest request, StreamObserver<TopicDescription> responses) {
    try {
      access.check(access.current(), Operation.DESCRIBE, request.getTopic());
      TopicDescription.Builder description =
          description(store.describe(request.getTopic())).toBuilder();
      store
          .positions(request.getTopic())
          .forEach(
              (consumer, next) ->
                  description.addConsumers(
                      ConsumerPosition.newBuilder().setConsumer(consumer).setNextNumber(next)));
      responses.onNext(description.build());
      responses.onCompleted();
    } catch (Exception e) {
      responses.onError(StatusMapper.toException(e));
    }
  }

  private TopicDescription description(TopicInfo info) {
    return TopicDescription.newBuilder()
        .setTopic(info.topic())
        .setFirstAvailable(info.firstAvailable())
        .setNextNumber(info.nextNumber())
        .setMessageCount(info.messageCount())
        .setBytesStored(info.bytesStored())
        .setOldestAppendTimeMs(Math.max(0, info.oldestAppendTimeMillis()))
        .setNewestAppendTimeMs(Math.max(0, info.newestAppendTimeMillis()))
        .setRetentionMs(info.retention().orElse(defaultRetention).toMillis())
        .setOwnRetention(info.retention().isPresent())
        .build();
  }

  @Override
  public void createTopic(CreateTopicRequest request, StreamObserver<TopicDescription> responses) {
    try {
      access.check(access.current(), Operation.CREATE, request.getTopic());
      Optional<Duration> retention = retention(request.getRetentionMs());
      store.createTopic(request.getTopic(), retention);
      retentionChanged.run();
      LOG.info(
          "Created topic '{}' with {} retention, for {}",
          request.getTopic(),
          retention.map(GoDuration::format).orElse("the server's"),
          caller());
      responses.onNext(description(store.describe(request.getTopic())));
      responses.onCompleted();
    } catch (Exception e) {
      responses.onError(StatusMapper.toException(e));
    }
  }

  @Override
  public void alterTopic(AlterTopicRequest request, StreamObserver<TopicDescription> responses) {
    try {
      access.check(access.current(), Operation.ALTER, request.getTopic());
      if (request.getServerRetention() == (request.getRetentionMs() != 0)) {
        throw new IllegalArgumentException(
            "an alter sets exactly one of retention_ms (1 or more) and server_retention; this one"
                + (request.getServerRetention()
                    ? " sets both"
                    : " sets neither (retention_ms 0 means not set)"));
      }
      Optional<Duration> retention =
          request.getServerRetention() ? Optional.empty() : retention(request.getRetentionMs());
      store.setRetention(request.getTopic(), retention);
      retentionChanged.run();
      LOG.info(
          "Set topic '{}' to {} retention, for {}",
          request.getTopic(),
          retention.map(GoDuration::format).orElse("the server's"),
          caller());
      responses.onNext(description(store.describe(request.getTopic())));
      responses.onCompleted();
    } catch (Exception e) {
      responses.onError(StatusMapper.toException(e));
    }
  }

  /** Who made the call now running, for the log: the principal, if any, and the address. */
  private String caller() {
    AccessControl.Identity identity = access.current();
    return (identity == null ? "" : "principal '" + identity.name() + "' at ") + CallLog.client();
  }

  /** A retention in ms from the wire: 0 for none of the topic's own. */
  private static Optional<Duration> retention(long millis) {
    if (millis < 0) {
      throw new IllegalArgumentException(
          "retention_ms "
              + Long.toUnsignedString(millis)
              + " is too large (at most "
              + Long.MAX_VALUE
              + ")");
    }
    return millis == 0 ? Optional.empty() : Optional.of(Duration.ofMillis(millis));
  }

  @Override
  public void deleteTopic(
      DeleteTopicRequest request, StreamObserver<DeleteTopicResponse> responses) {
    try {
      access.check(access.current(), Operation.DELETE, request.getTopic());
      long deleted = store.deleteTopic(request.getTopic());
      LOG.info("Deleted topic '{}' ({} messages), for {}", request.getTopic(), deleted, caller());
      responses.onNext(DeleteTopicResponse.newBuilder().setMessagesDeleted(deleted).build());
      responses.onCompleted();
    } catch (Exception e) {
      responses.onError(StatusMapper.toException(e));
    }
  }

  @Override
  public void commitPosition(
      CommitPositionRequest request, StreamObserver<CommitPositionResponse> responses) {
    try {
      access.check(access.current(), Operation.COMMIT, request.getTopic());
      store.commitPosition(
          request.getTopic(),
          request.getConsumer(),
          number("next_number", request.getNextNumber()));
      responses.onNext(CommitPositionResponse.getDefaultInstance());
      responses.onCompleted();
    } catch (Exception e) {
      responses.onError(StatusMapper.toException(e));
    }
  }

  @Override
  public void fetchPosition(
      FetchPositionRequest request, StreamObserver<PositionResponse> responses) {
    try {
      access.check(access.current(), Operation.FETCH, request.getTopic());
      OptionalLong next = store.position(request.getTopic(), request.getConsumer());
      responses.onNext(
          next.isPresent()
              ? PositionResponse.newBuilder().setFound(true).setNextNumber(next.getAsLong()).build()
              : PositionResponse.getDefaultInstance());
      responses.onCompleted();
    } catch (Exception e) {
      responses.onError(StatusMapper.toException(e));
    }
  }

  @Override
  public void describeServer(
      DescribeServerRequest request, StreamObserver<ServerDescription> responses) {
    responses.onNext(
        ServerDescription.newBuilder()
            .setMaxMessageBytes(maxMessageBytes)
            .setMaxRequestBytes(maxRequestBytes)
            .setMaxResponseBytes(maxResponseBytes())
            .build());
    responses.onCompleted();
  }

  /**
   * The largest response sent. A poll or a subscription batch stops at the poll limit, which counts
   * each message as its payload plus {@link PollLimits#MESSAGE_OVERHEAD_BYTES}; on the wire a
   * record's framing (its number, time, lengths and tags) takes up to {@value
   * #MAX_RECORD_FRAMING_BYTES}, so a batch of tiny messages can be that much larger per message.
   * One message is always sent whole, however large.
   */
  private long maxResponseBytes() {
    long pollLimit = serverLimits.maxBytes();
    long manySmall =
        pollLimit / PollLimits.MESSAGE_OVERHEAD_BYTES * MAX_RECORD_FRAMING_BYTES + pollLimit;
    long oneLarge = (long) maxMessageBytes + MAX_RECORD_FRAMING_BYTES;
    return Math.max(manySmall, oneLarge) + RESPONSE_HEADROOM_BYTES;
  }

  int waitingTopics() {
    return events.topicsWaitedOn();
  }

  /**
   * Ends the subscriptions whose caller may no longer read their topic (the auth file changed): a
   * revoked reader gets nothing more, not even what is already stored.
   */
  private void endRevokedSubscriptions() {
    subscriptions.forEach(
        (subscription, subscriber) -> {
          if (!access.allows(subscriber.caller(), Operation.SUBSCRIBE, subscriber.topic())) {
            subscription.requestEnd(
                Status.PERMISSION_DENIED.withDescription(
                    "principal '"
                        + subscriber.caller().name()
                        + "' may no longer subscribe to topic '"
                        + subscriber.topic()
                        + "' (the auth file changed)"));
          }
        });
  }

  /**
   * Ends every open-ended call, subscriptions and produce streams (after the batch each may be
   * storing): called when the server starts shutting down, so that in-flight calls can drain.
   */
  void endStreams(Status status) {
    for (Subscription subscription : subscriptions.keySet()) {
      subscription.requestEnd(status);
    }
    for (ProduceStream stream : produceStreams) {
      stream.requestEnd(status);
    }
  }

  /**
   * A message number sent as uint64. Values past Long.MAX_VALUE arrive negative; no message can
   * have one, so they are refused as sent rather than taken as some other number.
   */
  private static long number(String field, long wire) {
    if (wire < 0) {
      throw new IllegalArgumentException(
          field
              + " "
              + Long.toUnsignedString(wire)
              + " is above any message number (at most "
              + Long.MAX_VALUE
              + ")");
    }
    return wire;
  }
}
