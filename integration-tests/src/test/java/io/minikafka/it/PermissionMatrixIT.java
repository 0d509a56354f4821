package io.minikafka.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.minikafka.broker.security.AuthRules;
import io.minikafka.protocol.CommitPositionRequest;
import io.minikafka.protocol.DeleteTopicRequest;
import io.minikafka.protocol.DescribeServerRequest;
import io.minikafka.protocol.DescribeTopicRequest;
import io.minikafka.protocol.FetchPositionRequest;
import io.minikafka.protocol.ListTopicsRequest;
import io.minikafka.protocol.MiniKafkaGrpc;
import io.minikafka.protocol.MsgNumber;
import io.minikafka.protocol.Payload;
import io.minikafka.protocol.PollRequest;
import io.minikafka.protocol.ProduceBatchRequest;
import io.minikafka.protocol.ProduceBatchResponse;
import io.minikafka.protocol.ProduceRequest;
import io.minikafka.protocol.SubscribeRequest;
import io.minikafka.protocol.Topic;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every principal against every operation on every topic, against the real server process over a
 * real socket: each call's status is the one the auth file implies, identity is checked before
 * anything else, the file's changes apply to calls and streams already open, and no token ever
 * reaches a line of the server's log, even at TRACE.
 */
class PermissionMatrixIT {

  private static final String PRODUCER = "producer-token-7f3a9c";
  private static final String CONSUMER = "consumer-token-2b8e41";
  private static final String PREFIXED = "prefixed-token-c0ffee";
  private static final String ADMIN = "admin-token-d15ea5e";
  private static final String NOBODY = "nobody-token-0badf00d";
  private static final String UNKNOWN = "unknown-token-5ca1ab1e";
  private static final List<String> TOKENS =
      List.of(PRODUCER, CONSUMER, PREFIXED, ADMIN, NOBODY, UNKNOWN);

  private static final List<String> TOPICS = List.of("orders", "logs.web", "secret");

  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  @TempDir Path dir;
  private Path authFile;
  private Path storeDir;
  private ServerProcess server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    authFile =
        Files.writeString(
            dir.resolve("auth"),
            String.join(
                "\n",
                "# principals of the matrix",
                AuthRules.hashToken(PRODUCER) + " producer produce:orders",
                AuthRules.hashToken(CONSUMER) + " consumer consume:orders",
                AuthRules.hashToken(PREFIXED) + " prefixed produce:logs.* consume:logs.*",
                AuthRules.hashToken(ADMIN) + " root admin",
                AuthRules.hashToken(NOBODY) + " nobody",
                ""));
    // A topic directory without its name: a store problem, which names a path on the server.
    storeDir = dir.resolve("store");
    Files.createDirectories(storeDir.resolve("broken"));
    Files.writeString(storeDir.resolve("broken").resolve("topic.name"), "");
    server =
        ServerProcess.start(
            Map.of(
                "MINIKAFKA_AUTH_FILE",
                authFile.toString(),
                "MINIKAFKA_ROOT_DIR",
                storeDir.toString(),
                "MINIKAFKA_FSYNC",
                "never",
                "MINIKAFKA_LOG_LEVEL",
                "TRACE"));
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    for (String topic : TOPICS) {
      stub(ADMIN).produce(produce(topic));
    }
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.close();
  }

  /** Who may do what, as the auth file says; every other pair is PERMISSION_DENIED. */
  private static final Map<String, Set<String>> ALLOWED =
      Map.of(
          PRODUCER, Set.of("produce orders", "batch orders", "stream orders"),
          CONSUMER,
              Set.of(
                  "poll orders",
                  "subscribe orders",
                  "describe orders",
                  "commit orders",
                  "fetch orders"),
          PREFIXED,
              Set.of(
                  "produce logs.web",
                  "batch logs.web",
                  "stream logs.web",
                  "poll logs.web",
                  "subscribe logs.web",
                  "describe logs.web",
                  "commit logs.web",
                  "fetch logs.web"),
          NOBODY, Set.of());

  private static final List<String> OPERATIONS =
      List.of(
          "produce",
          "batch",
          "stream",
          "poll",
          "subscribe",
          "describe",
          "commit",
          "fetch",
          "delete");

  @Test
  void everyPrincipalGetsExactlyWhatTheFileGrants() {
    List<String> wrong = new ArrayList<>();
    for (Map.Entry<String, Set<String>> principal : ALLOWED.entrySet()) {
      for (String operation : OPERATIONS) {
        for (String topic : TOPICS) {
          String pair = operation + " " + topic;
          Status.Code expected =
              principal.getValue().contains(pair) ? Status.Code.OK : Status.Code.PERMISSION_DENIED;
          Status actual = call(principal.getKey(), operation, topic);
          if (actual.getCode() != expected) {
            wrong.add(
                principal.getKey() + ": " + pair + " gave " + actual + ", expected " + expected);
          } else if (expected == Status.Code.PERMISSION_DENIED) {
            String word =
                operation.equals("batch") || operation.equals("stream") ? "produce" : operation;
            String description = actual.getDescription();
            if (!description.contains("not allowed to " + word + " on topic '" + topic + "'")) {
              wrong.add(principal.getKey() + ": " + pair + " said " + description);
            }
          }
        }
      }
    }
    assertThat(wrong).isEmpty();
  }

  @Test
  void onlyAdminsCreateTopicsAndChangeTheirSettings() {
    for (String token : List.of(PRODUCER, CONSUMER, PREFIXED, NOBODY)) {
      for (String operation : List.of("create", "alter")) {
        Status status = call(token, operation, "logs.web");
        assertThat(status.getCode())
            .as(token + " " + operation)
            .isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(status.getDescription())
            .contains("not allowed to " + operation + " on topic 'logs.web'");
      }
    }
    assertThat(call(ADMIN, "create", "fresh").getCode()).isEqualTo(Status.Code.OK);
    assertThat(call(ADMIN, "alter", "fresh").getCode()).isEqualTo(Status.Code.OK);
    assertThat(call(UNKNOWN, "create", "other").getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
  }

  @Test
  void adminMayDoEverythingIncludingDelete() {
    for (String operation : OPERATIONS) {
      assertThat(call(ADMIN, operation, "orders").getCode())
          .as(operation)
          .isEqualTo(Status.Code.OK);
      if (operation.equals("delete")) {
        stub(ADMIN).produce(produce("orders"));
      }
    }
  }

  @Test
  void aTopicListShowsOnlyTheTopicsThePrincipalMayConsume() {
    assertThat(stub(ADMIN).listTopics(ListTopicsRequest.getDefaultInstance()).getTopicsList())
        .containsExactlyInAnyOrderElementsOf(TOPICS);
    assertThat(stub(CONSUMER).listTopics(ListTopicsRequest.getDefaultInstance()).getTopicsList())
        .containsExactly("orders");
    assertThat(stub(PREFIXED).listTopics(ListTopicsRequest.getDefaultInstance()).getTopicsList())
        .containsExactly("logs.web");
    assertThat(stub(PRODUCER).listTopics(ListTopicsRequest.getDefaultInstance()).getTopicsList())
        .isEmpty();
    assertThat(stub(NOBODY).listTopics(ListTopicsRequest.getDefaultInstance()).getTopicsList())
        .isEmpty();
  }

  @Test
  void onlyAdminsAreToldTheStoresProblems() {
    assertThat(stub(ADMIN).listTopics(ListTopicsRequest.getDefaultInstance()).getProblemsList())
        .singleElement()
        .asString()
        .contains(storeDir.resolve("broken").toString());
    for (String token : List.of(CONSUMER, PRODUCER, PREFIXED, NOBODY)) {
      assertThat(stub(token).listTopics(ListTopicsRequest.getDefaultInstance()).getProblemsList())
          .isEmpty();
    }
  }

  @Test
  void withoutAKnownIdentityEveryCallIsUnauthenticatedBeforeAnythingElse() {
    for (String token : new String[] {UNKNOWN, null}) {
      for (String operation : OPERATIONS) {
        // A topic that does not exist, and a name that is not valid: identity comes first.
        for (String topic : List.of("missing", "")) {
          Status status = call(token, operation, topic);
          assertThat(status.getCode())
              .as(operation + " " + topic)
              .isEqualTo(Status.Code.UNAUTHENTICATED);
        }
      }
      Metadata headers = new Metadata();
      assertThatThrownBy(() -> stub(token).listTopics(ListTopicsRequest.getDefaultInstance()))
          .satisfies(
              e ->
                  assertThat(Status.fromThrowable(e).getCode())
                      .isEqualTo(Status.Code.UNAUTHENTICATED));
      assertThatThrownBy(
              () -> stub(token).describeServer(DescribeServerRequest.getDefaultInstance()))
          .satisfies(
              e ->
                  assertThat(Status.fromThrowable(e).getCode())
                      .isEqualTo(Status.Code.UNAUTHENTICATED));
      assertThat(headers.keys()).isEmpty();
    }
    Status malformed = callWithAuthorization("Basic dXNlcjpwYXNz", "poll", "orders");
    assertThat(malformed.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(malformed.getDescription()).contains("'Bearer <token>'");
  }

  @Test
  void healthAndReflectionStayOpen() throws Exception {
    HealthCheckResponse health =
        HealthGrpc.newBlockingStub(channel)
            .withDeadlineAfter(5, TimeUnit.SECONDS)
            .check(HealthCheckRequest.getDefaultInstance());
    assertThat(health.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);

    CompletableFuture<ServerReflectionResponse> listed = new CompletableFuture<>();
    StreamObserver<ServerReflectionRequest> reflection =
        ServerReflectionGrpc.newStub(channel)
            .serverReflectionInfo(
                new StreamObserver<>() {
                  @Override
                  public void onNext(ServerReflectionResponse value) {
                    listed.complete(value);
                  }

                  @Override
                  public void onError(Throwable t) {
                    listed.completeExceptionally(t);
                  }

                  @Override
                  public void onCompleted() {}
                });
    reflection.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
    reflection.onCompleted();
    assertThat(listed.get(10, TimeUnit.SECONDS).getListServicesResponse().getServiceList())
        .anyMatch(service -> service.getName().equals("protocol.MiniKafka"));
  }

  @Test
  void tokensNeverReachALogLine() throws Exception {
    callEverythingWithEveryToken();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> server.log().stream().anyMatch(l -> l.contains("reloaded")));
    List<String> lines = List.copyOf(server.log());
    // TRACE: gRPC's and Netty's own logs are in it, bridged from java.util.logging.
    assertThat(lines).anyMatch(l -> l.contains("TRACE") || l.contains("DEBUG"));
    for (String line : lines) {
      for (String token : TOKENS) {
        assertThat(line).doesNotContain(token);
      }
    }
  }

  private void callEverythingWithEveryToken() throws Exception {
    for (String token : TOKENS) {
      for (String operation : OPERATIONS) {
        call(token, operation, "orders");
        call(token, operation, "bad\u0001name");
      }
      stub(ADMIN).produce(produce("orders"));
    }
    callWithAuthorization("Bearer", "poll", "orders");
    server.hangUp();
  }

  @Test
  void aChangedFileAppliesToNewCallsWithinSeconds() throws Exception {
    assertThat(call(CONSUMER, "produce", "orders").getCode())
        .isEqualTo(Status.Code.PERMISSION_DENIED);

    Files.writeString(
        authFile,
        Files.readString(authFile)
            .replace(" consumer consume:orders", " consumer consume:orders produce:orders"));

    await().atMost(Duration.ofSeconds(10)).until(() -> call(CONSUMER, "produce", "orders").isOk());
  }

  @Test
  void aPrincipalRemovedFromTheFileLosesItsOpenProduceStream() throws Exception {
    CompletableFuture<Status> ended = new CompletableFuture<>();
    List<ProduceBatchResponse> acks = new java.util.concurrent.CopyOnWriteArrayList<>();
    StreamObserver<ProduceBatchRequest> requests =
        MiniKafkaGrpc.newStub(channel)
            .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer(PRODUCER)))
            .produceStream(observer(acks::add, ended));
    requests.onNext(batch("orders"));
    await().atMost(Duration.ofSeconds(10)).until(() -> acks.size() == 1);

    Files.writeString(
        authFile, Files.readString(authFile).replace(" producer produce:orders", " producer"));
    reload();
    requests.onNext(batch("orders"));

    Status status = ended.get(10, TimeUnit.SECONDS);
    assertThat(status.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(acks).hasSize(1);
  }

  @Test
  void aReaderRemovedFromTheFileLosesItsOpenSubscription() throws Exception {
    java.util.Iterator<io.minikafka.protocol.SubscribeResponse> subscription =
        MiniKafkaGrpc.newBlockingStub(channel)
            .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer(CONSUMER)))
            .withDeadlineAfter(30, TimeUnit.SECONDS)
            .subscribe(SubscribeRequest.newBuilder().setTopic("orders").setReadFrom(1).build());
    assertThat(subscription.next().getRecordsCount()).isEqualTo(1);

    Files.writeString(
        authFile, Files.readString(authFile).replace(" consumer consume:orders", " consumer"));
    reload();

    assertThatThrownBy(
            () -> {
              // The subscription says it caught up before the change ends it.
              while (subscription.next().getCaughtUp()) {
                // Nothing else comes before the end.
              }
            })
        .isInstanceOf(StatusRuntimeException.class)
        .hasMessage(
            "PERMISSION_DENIED: principal 'consumer' may no longer subscribe to topic 'orders'"
                + " (the auth file changed)");
  }

  /** Sends SIGHUP and waits until the server has read the auth file again. */
  private void reload() throws Exception {
    long before = server.log().stream().filter(l -> l.contains("reloaded")).count();
    server.hangUp();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> server.log().stream().filter(l -> l.contains("reloaded")).count() > before);
  }

  private Status call(String token, String operation, String topic) {
    return token == null
        ? callWithAuthorization(null, operation, topic)
        : callWithAuthorization("Bearer " + token, operation, topic);
  }

  private Status callWithAuthorization(String authorization, String operation, String topic) {
    Metadata headers = new Metadata();
    if (authorization != null) {
      headers.put(AUTHORIZATION, authorization);
    }
    MiniKafkaGrpc.MiniKafkaBlockingStub stub =
        MiniKafkaGrpc.newBlockingStub(channel)
            .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
            .withDeadlineAfter(10, TimeUnit.SECONDS);
    try {
      switch (operation) {
        case "produce" -> stub.produce(produce(topic));
        case "batch" -> stub.produceBatch(batch(topic));
        case "stream" -> {
          return produceStream(headers, topic);
        }
        case "poll" ->
            stub.poll(
                PollRequest.newBuilder()
                    .setTopic(topic)
                    .setReadFrom(MsgNumber.newBuilder().setMsgNumber(1))
                    .build());
        case "subscribe" ->
            stub.subscribe(SubscribeRequest.newBuilder().setTopic(topic).setReadFrom(1).build())
                .next();
        case "describe" ->
            stub.describeTopic(DescribeTopicRequest.newBuilder().setTopic(topic).build());
        case "commit" ->
            stub.commitPosition(
                CommitPositionRequest.newBuilder()
                    .setTopic(topic)
                    .setConsumer("c")
                    .setNextNumber(1)
                    .build());
        case "fetch" ->
            stub.fetchPosition(
                FetchPositionRequest.newBuilder().setTopic(topic).setConsumer("c").build());
        case "delete" -> stub.deleteTopic(DeleteTopicRequest.newBuilder().setTopic(topic).build());
        case "create" ->
            stub.createTopic(
                io.minikafka.protocol.CreateTopicRequest.newBuilder().setTopic(topic).build());
        case "alter" ->
            stub.alterTopic(
                io.minikafka.protocol.AlterTopicRequest.newBuilder()
                    .setTopic(topic)
                    .setRetentionMs(60_000)
                    .build());
        default -> throw new IllegalArgumentException(operation);
      }
      return Status.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus();
    }
  }

  private Status produceStream(Metadata headers, String topic) {
    CompletableFuture<Status> ended = new CompletableFuture<>();
    StreamObserver<ProduceBatchRequest> requests =
        MiniKafkaGrpc.newStub(channel)
            .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .produceStream(observer(ack -> {}, ended));
    requests.onNext(batch(topic));
    requests.onCompleted();
    return ended.join();
  }

  private static StreamObserver<ProduceBatchResponse> observer(
      Consumer<ProduceBatchResponse> onAck, CompletableFuture<Status> ended) {
    return new StreamObserver<>() {
      @Override
      public void onNext(ProduceBatchResponse value) {
        onAck.accept(value);
      }

      @Override
      public void onError(Throwable t) {
        ended.complete(Status.fromThrowable(t));
      }

      @Override
      public void onCompleted() {
        ended.complete(Status.OK);
      }
    };
  }

  private MiniKafkaGrpc.MiniKafkaBlockingStub stub(String token) {
    MiniKafkaGrpc.MiniKafkaBlockingStub stub =
        MiniKafkaGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    return token == null
        ? stub
        : stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer(token)));
  }

  private static Metadata bearer(String token) {
    Metadata headers = new Metadata();
    headers.put(AUTHORIZATION, "Bearer " + token);
    return headers;
  }

  private static ProduceRequest produce(String topic) {
    return ProduceRequest.newBuilder()
        .setTopic(Topic.newBuilder().setTopic(topic))
        .setPayload(Payload.newBuilder().setPayload(ByteString.copyFromUtf8("m")))
        .build();
  }

  private static ProduceBatchRequest batch(String topic) {
    return ProduceBatchRequest.newBuilder()
        .setTopic(topic)
        .addPayloads(ByteString.copyFromUtf8("m"))
        .build();
  }
}
