package io.minikafka.broker.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.minikafka.broker.config.ServerConfig;
import io.minikafka.broker.security.AuthRules;
import io.minikafka.broker.store.memory.MemoryStore;
import io.minikafka.protocol.Endpoint;
import io.minikafka.protocol.ListTopicsRequest;
import io.minikafka.protocol.MiniKafkaGrpc;
import io.minikafka.protocol.ProduceBatchRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A refused call is logged once, with the client's address, the method and why; one client refused
 * again and again does not flood the log.
 */
class CallLogTest {

  private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

  @BeforeEach
  void capture() {
    logged.start();
    ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).addAppender(logged);
  }

  @AfterEach
  void release() {
    ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).detachAppender(logged);
  }

  private List<String> warnings() {
    return logged.list.stream()
        .filter(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN)
        .map(ILoggingEvent::getFormattedMessage)
        .toList();
  }

  private static MiniKafkaGrpc.MiniKafkaBlockingStub withToken(
      MiniKafkaGrpc.MiniKafkaBlockingStub stub, String token) {
    io.grpc.Metadata headers = new io.grpc.Metadata();
    headers.put(
        io.grpc.Metadata.Key.of("authorization", io.grpc.Metadata.ASCII_STRING_MARSHALLER),
        "Bearer " + token);
    return stub.withInterceptors(io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  private static Status.Code failure(Runnable call) {
    try {
      call.run();
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
    throw new AssertionError("the call was served");
  }

  @Test
  void aCallWithoutATokenAndOneWithABadTopicAreEachLoggedOnceWithTheClientsAddress(
      @TempDir Path dir) throws Exception {
    Path auth =
        Files.writeString(
            dir.resolve("auth"), AuthRules.hashToken("good-token") + " app produce:* consume:*\n");
    try (MiniKafkaServer server =
        MiniKafkaServer.start(
            new MemoryStore(),
            ServerConfig.builder().host(Endpoint.parse("127.0.0.1:0")).authFile(auth).build(),
            Clock.systemUTC())) {
      ManagedChannel channel =
          ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
      try {
        MiniKafkaGrpc.MiniKafkaBlockingStub anonymous =
            MiniKafkaGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
        MiniKafkaGrpc.MiniKafkaBlockingStub app = withToken(anonymous, "good-token");

        assertThat(failure(() -> anonymous.listTopics(ListTopicsRequest.getDefaultInstance())))
            .isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(
                failure(
                    () ->
                        app.produceBatch(
                            ProduceBatchRequest.newBuilder()
                                .setTopic("bad\u0001name")
                                .addPayloads(ByteString.copyFromUtf8("x"))
                                .build())))
            .isEqualTo(Status.Code.INVALID_ARGUMENT);
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }

    assertThat(warnings())
        .filteredOn(w -> w.startsWith("Refused "))
        .satisfiesExactly(
            w ->
                assertThat(w)
                    .startsWith("Refused ListTopics from /127.0.0.1:")
                    .contains("UNAUTHENTICATED"),
            w ->
                assertThat(w)
                    .startsWith("Refused ProduceBatch from /127.0.0.1:")
                    .contains("INVALID_ARGUMENT")
                    .contains("control characters"));
    assertThat(warnings()).filteredOn(w -> w.contains("control characters")).hasSize(1);
  }

  @Test
  void whatCreateAlterAndDeleteChangedIsLoggedWithWhoAskedAndABadAlterSaysWhy(@TempDir Path dir)
      throws Exception {
    Path auth =
        Files.writeString(dir.resolve("auth"), AuthRules.hashToken("ops-token") + " ops admin\n");
    Logger service = (Logger) LoggerFactory.getLogger(MiniKafkaService.class);
    service.setLevel(ch.qos.logback.classic.Level.INFO);
    try (MiniKafkaServer server =
        MiniKafkaServer.start(
            new MemoryStore(),
            ServerConfig.builder().host(Endpoint.parse("127.0.0.1:0")).authFile(auth).build(),
            Clock.systemUTC())) {
      ManagedChannel channel =
          ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
      try {
        MiniKafkaGrpc.MiniKafkaBlockingStub ops =
            withToken(
                MiniKafkaGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS),
                "ops-token");

        ops.createTopic(
            io.minikafka.protocol.CreateTopicRequest.newBuilder()
                .setTopic("orders")
                .setRetentionMs(3_600_000)
                .build());
        assertThatThrownBy(
                () ->
                    ops.alterTopic(
                        io.minikafka.protocol.AlterTopicRequest.newBuilder()
                            .setTopic("orders")
                            .build()))
            .hasMessageContaining(
                "an alter sets exactly one of retention_ms (1 or more) and server_retention;"
                    + " this one sets neither (retention_ms 0 means not set)");
        ops.alterTopic(
            io.minikafka.protocol.AlterTopicRequest.newBuilder()
                .setTopic("orders")
                .setServerRetention(true)
                .build());
        ops.produceBatch(
            ProduceBatchRequest.newBuilder()
                .setTopic("orders")
                .addPayloads(ByteString.copyFromUtf8("x"))
                .build());
        ops.deleteTopic(
            io.minikafka.protocol.DeleteTopicRequest.newBuilder().setTopic("orders").build());
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    } finally {
      service.setLevel(null);
    }

    List<String> infos =
        logged.list.stream()
            .filter(e -> e.getLevel() == ch.qos.logback.classic.Level.INFO)
            .map(ILoggingEvent::getFormattedMessage)
            .filter(m -> m.contains("topic 'orders'"))
            .toList();
    assertThat(infos)
        .satisfiesExactly(
            m ->
                assertThat(m)
                    .startsWith(
                        "Created topic 'orders' with 1h0m0s retention, for principal 'ops' at"
                            + " /127.0.0.1:"),
            m ->
                assertThat(m)
                    .startsWith(
                        "Set topic 'orders' to the server's retention, for principal 'ops' at"
                            + " /127.0.0.1:"),
            m ->
                assertThat(m)
                    .startsWith(
                        "Deleted topic 'orders' (1 messages), for principal 'ops' at /127.0.0.1:"));
  }

  @Test
  void pastItsLinesAMinuteAStatusIsCountedAndTheNextLineSaysHowManyWentUnlogged() {
    AtomicLong now = new AtomicLong();
    CallLog refusals = new CallLog(now::get);
    Status invalid = Status.INVALID_ARGUMENT.withDescription("a bad topic name");
    Status denied = Status.PERMISSION_DENIED.withDescription("may not consume");

    for (int i = 0; i < 25; i++) {
      refusals.refused("/127.0.0.1:5000", "Produce", invalid);
    }
    for (int i = 0; i < 3; i++) {
      refusals.refused("/127.0.0.1:5001", "Poll", denied);
    }
    assertThat(warnings()).hasSize(CallLog.LINES_PER_WINDOW + 3);

    now.addAndGet(CallLog.WINDOW.toNanos());
    refusals.refused("/127.0.0.1:5000", "Produce", invalid);

    assertThat(warnings().get(warnings().size() - 1))
        .isEqualTo(
            "Refused Produce from /127.0.0.1:5000: INVALID_ARGUMENT a bad topic name (and 15"
                + " earlier INVALID_ARGUMENT refusals not logged, past 10 a minute)");
    assertThat(warnings()).hasSize(CallLog.LINES_PER_WINDOW + 4);
  }
}
