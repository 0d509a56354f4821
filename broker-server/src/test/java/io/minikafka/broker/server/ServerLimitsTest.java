package io.minikafka.broker.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.minikafka.broker.config.ServerConfig;
import io.minikafka.broker.store.StoreLimits;
import io.minikafka.broker.store.memory.MemoryStore;
import io.minikafka.protocol.CommitPositionRequest;
import io.minikafka.protocol.Endpoint;
import io.minikafka.protocol.MiniKafkaGrpc;
import io.minikafka.protocol.MsgNumber;
import io.minikafka.protocol.Payload;
import io.minikafka.protocol.PollRequest;
import io.minikafka.protocol.PollResponse;
import io.minikafka.protocol.ProduceRequest;
import io.minikafka.protocol.SubscribeRequest;
import io.minikafka.protocol.SubscribeResponse;
import io.minikafka.protocol.Topic;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Each limit a client can hit, hit on purpose over a real socket: the status and message that name
 * the setting, and the server serving everyone else afterwards.
 */
class ServerLimitsTest {

  private MiniKafkaServer server;
  private final List<ManagedChannel> channels = new ArrayList<>();

  private void start(ServerConfig.Builder config, StoreLimits limits) throws Exception {
    server =
        MiniKafkaServer.start(
            new MemoryStore(Clock.systemUTC(), limits),
            config.host(Endpoint.parse("127.0.0.1:0")).storeLimits(limits).build(),
            Clock.systemUTC());
  }

  /** A connection of its own. */
  private ManagedChannel connection() {
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", server.port())
            .usePlaintext()
            .maxInboundMessageSize(32 << 20)
            .build();
    channels.add(channel);
    return channel;
  }

  @AfterEach
  void stop() throws Exception {
    for (ManagedChannel channel : channels) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.close();
    }
  }

  private static MiniKafkaGrpc.MiniKafkaBlockingStub blocking(ManagedChannel channel) {
    return MiniKafkaGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private static ProduceRequest produce(String topic) {
    return ProduceRequest.newBuilder()
        .setTopic(Topic.newBuilder().setTopic(topic))
        .setPayload(Payload.newBuilder().setPayload(ByteString.copyFromUtf8("m")))
        .build();
  }

  /**
   * A long poll that waits (nearly) forever for the second message, and the future of how it ends;
   * a topic with one message, or none yet, keeps it waiting.
   */
  private static CompletableFuture<Status> longPoll(ManagedChannel channel, String topic) {
    CompletableFuture<Status> ended = new CompletableFuture<>();
    MiniKafkaGrpc.newStub(channel)
        .poll(
            PollRequest.newBuilder()
                .setTopic(topic)
                .setReadFrom(MsgNumber.newBuilder().setMsgNumber(2))
                .setMaxWaitMs(-1)
                .build(),
            new io.grpc.stub.StreamObserver<PollResponse>() {
              @Override
              public void onNext(PollResponse value) {}

              @Override
              public void onError(Throwable t) {
                ended.complete(Status.fromThrowable(t));
              }

              @Override
              public void onCompleted() {
                ended.complete(Status.OK);
              }
            });
    return ended;
  }

  @Test
  void oneCallPastTheConnectionsLimitIsRefusedAndOtherConnectionsAreServed() throws Exception {
    start(ServerConfig.builder().maxCallsPerConnection(3), StoreLimits.DEFAULTS);
    ManagedChannel busy = connection();
    blocking(busy).produce(produce("t"));
    List<CompletableFuture<Status>> polls = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      polls.add(longPoll(busy, "t"));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> server.waitingTopics() == 1);

    CompletableFuture<Status> refused = longPoll(busy, "t");
    Status status = refused.get(10, TimeUnit.SECONDS);
    assertThat(status.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(status.getDescription())
        .isEqualTo(
            "this connection already has its maximum of 3 calls open (MINIKAFKA_MAX_CALLS_PER_CONNECTION)");
    assertThat(blocking(connection()).produce(produce("t")).getMsgNumber()).isEqualTo(2);

    // An answered long poll frees its place.
    blocking(connection()).produce(produce("t"));
    assertThat(polls.get(0).get(10, TimeUnit.SECONDS).getCode())
        .isNotEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> assertThat(blocking(busy).produce(produce("t")).getMsgNumber()).isPositive());
  }

  @Test
  void healthWatchesCountTowardTheConnectionsLimitToo() throws Exception {
    start(ServerConfig.builder().maxCallsPerConnection(1), StoreLimits.DEFAULTS);
    ManagedChannel channel = connection();
    CompletableFuture<io.grpc.health.v1.HealthCheckResponse> watching = new CompletableFuture<>();
    io.grpc.health.v1.HealthGrpc.newStub(channel)
        .watch(
            io.grpc.health.v1.HealthCheckRequest.getDefaultInstance(),
            new io.grpc.stub.StreamObserver<>() {
              @Override
              public void onNext(io.grpc.health.v1.HealthCheckResponse value) {
                watching.complete(value);
              }

              @Override
              public void onError(Throwable t) {
                watching.completeExceptionally(t);
              }

              @Override
              public void onCompleted() {}
            });
    watching.get(10, TimeUnit.SECONDS);

    assertThatThrownBy(() -> blocking(channel).produce(produce("t")))
        .hasMessage(
            "RESOURCE_EXHAUSTED: this connection already has its maximum of 1 calls open"
                + " (MINIKAFKA_MAX_CALLS_PER_CONNECTION)");
    assertThat(blocking(connection()).produce(produce("t")).getMsgNumber()).isEqualTo(1);
  }

  @Test
  void oneSubscriptionPastTheConnectionsLimitIsRefusedWhileOtherCallsGoOn() throws Exception {
    start(ServerConfig.builder().maxSubscriptionsPerConnection(2), StoreLimits.DEFAULTS);
    ManagedChannel channel = connection();
    blocking(channel).produce(produce("t"));
    List<java.util.Iterator<SubscribeResponse>> open = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      java.util.Iterator<SubscribeResponse> subscription =
          MiniKafkaGrpc.newBlockingStub(channel)
              .subscribe(SubscribeRequest.newBuilder().setTopic("t").setReadFrom(1).build());
      assertThat(subscription.next().getRecordsCount()).isEqualTo(1);
      open.add(subscription);
    }

    assertThatThrownBy(
            () ->
                blocking(channel)
                    .subscribe(SubscribeRequest.newBuilder().setTopic("t").setReadFrom(1).build())
                    .next())
        .isInstanceOf(StatusRuntimeException.class)
        .hasMessage(
            "RESOURCE_EXHAUSTED: this connection already has its maximum of 2 subscriptions open"
                + " (MINIKAFKA_MAX_SUBSCRIPTIONS_PER_CONNECTION)");
    assertThat(blocking(channel).produce(produce("t")).getMsgNumber()).isEqualTo(2);
  }

  @Test
  void storeLimitsAreResourceExhaustedNamingTheirSetting() throws Exception {
    start(
        ServerConfig.builder(),
        StoreLimits.DEFAULTS.withMaxTopics(1).withMaxConsumersPerTopic(1).withMaxMemoryBytes(100));
    ManagedChannel channel = connection();
    blocking(channel).produce(produce("t"));

    assertThatThrownBy(() -> blocking(channel).produce(produce("u")))
        .hasMessage(
            "RESOURCE_EXHAUSTED: cannot create topic 'u': the server already has its maximum of 1 topics (MINIKAFKA_MAX_TOPICS)");
    blocking(channel)
        .commitPosition(
            CommitPositionRequest.newBuilder()
                .setTopic("t")
                .setConsumer("a")
                .setNextNumber(1)
                .build());
    assertThatThrownBy(
            () ->
                blocking(channel)
                    .commitPosition(
                        CommitPositionRequest.newBuilder()
                            .setTopic("t")
                            .setConsumer("b")
                            .setNextNumber(1)
                            .build()))
        .hasMessageEndingWith(
            "already keeps its maximum of 1 named consumers (MINIKAFKA_MAX_CONSUMERS_PER_TOPIC)");
    assertThatThrownBy(
            () ->
                blocking(channel)
                    .produce(
                        ProduceRequest.newBuilder()
                            .setTopic(Topic.newBuilder().setTopic("t"))
                            .setPayload(
                                Payload.newBuilder().setPayload(ByteString.copyFrom(new byte[200])))
                            .build()))
        .hasMessageStartingWith(
            "RESOURCE_EXHAUSTED: topic 't': the memory store holds 41 of its 100 bytes")
        .hasMessageEndingWith("(MINIKAFKA_MAX_MEMORY_BYTES)");
    assertThat(blocking(channel).produce(produce("t")).getMsgNumber()).isEqualTo(2);
  }

  @Test
  void aLongPollOnAnInvalidNameIsRefusedBeforeItWaitsAndKeepsNothing() throws Exception {
    start(ServerConfig.builder(), StoreLimits.DEFAULTS);
    String huge = "x".repeat(8 << 20);

    CompletableFuture<Status> refused = longPoll(connection(), huge);

    assertThat(refused.get(10, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(server.waitingTopics()).isZero();
  }

  @Test
  void longPollsAnsweredEarlyLeaveNoWaiterAndNoTimerBehind() throws Exception {
    start(ServerConfig.builder(), StoreLimits.DEFAULTS);
    ManagedChannel channel = connection();
    blocking(channel).produce(produce("t"));
    int timersBefore = server.pendingTimers();
    List<CompletableFuture<Status>> polls = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      polls.add(longPoll(channel, "topic-" + (i % 50)));
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> server.pendingTimers() >= timersBefore + 1_000);
    assertThat(server.waitingTopics()).isEqualTo(50);

    for (CompletableFuture<Status> poll : polls) {
      poll.cancel(true);
    }
    channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);

    await().atMost(Duration.ofSeconds(30)).until(() -> server.waitingTopics() == 0);
    assertThat(server.pendingTimers()).isLessThanOrEqualTo(timersBefore);
  }

  @Test
  void anIdleConnectionIsClosedAndAnOldOneAskedToGoAndTheClientsComeBack() throws Exception {
    start(ServerConfig.builder().idleTimeout(Duration.ofMillis(500)), StoreLimits.DEFAULTS);
    ManagedChannel idle = connection();
    blocking(idle).produce(produce("t"));
    assertThat(idle.getState(false)).isEqualTo(io.grpc.ConnectivityState.READY);

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> idle.getState(false) == io.grpc.ConnectivityState.IDLE);
    assertThat(blocking(idle).produce(produce("t")).getMsgNumber()).isEqualTo(2);
    server.close();

    start(ServerConfig.builder().maxConnectionAge(Duration.ofMillis(500)), StoreLimits.DEFAULTS);
    ManagedChannel old = connection();
    blocking(old).produce(produce("t"));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> old.getState(false) != io.grpc.ConnectivityState.READY);
    assertThat(blocking(old).produce(produce("t")).getMsgNumber()).isEqualTo(2);
  }
}
