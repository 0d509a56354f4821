package io.minikafka.broker.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.minikafka.broker.store.memory.MemoryStore;
import io.minikafka.protocol.MiniKafkaGrpc;
import io.minikafka.protocol.ProduceBatchRequest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Request bytes that are not the method's message are the client's mistake: INVALID_ARGUMENT naming
 * the method, one WARN line without a stack trace, and nothing through java.util.logging (gRPC's
 * own logger), whose SEVERE stack traces a client could use to flood the log.
 */
class MalformedRequestTest {

  /** Field 1 says length-delimited, 100 bytes, but the input ends after 2. */
  private static final byte[] GARBAGE = {0x0a, 0x64, 0x01, 0x02};

  private static final MethodDescriptor.Marshaller<byte[]> RAW =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
          return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
          try {
            return stream.readAllBytes();
          } catch (IOException e) {
            throw new IllegalStateException(e);
          }
        }
      };

  private MiniKafkaServer server;
  private ManagedChannel channel;
  private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
  private final List<LogRecord> julRecords = new CopyOnWriteArrayList<>();
  private final Handler julHandler =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
            julRecords.add(record);
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  @BeforeEach
  void start() throws IOException {
    server = MiniKafkaServer.start(new MemoryStore(), "127.0.0.1:0", Duration.ofHours(1));
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    logged.start();
    ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).addAppender(logged);
    java.util.logging.Logger.getLogger("").addHandler(julHandler);
  }

  @AfterEach
  void stop() throws IOException {
    java.util.logging.Logger.getLogger("").removeHandler(julHandler);
    ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).detachAppender(logged);
    channel.shutdownNow();
    server.close();
  }

  private static <Req, Resp> MethodDescriptor<byte[], byte[]> raw(
      MethodDescriptor<Req, Resp> method) {
    return method.toBuilder(RAW, RAW).build();
  }

  @Test
  void aMalformedUnaryRequestIsInvalidArgumentNamingTheMethodWithOneWarnLine() {
    assertThatThrownBy(
            () ->
                ClientCalls.blockingUnaryCall(
                    channel, raw(MiniKafkaGrpc.getProduceMethod()), CallOptions.DEFAULT, GARBAGE))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.getStatus().getDescription()).contains("Produce").contains("malformed");
            });

    assertThat(logged.list)
        .filteredOn(e -> e.getFormattedMessage().contains("malformed"))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getLevel()).isEqualTo(ch.qos.logback.classic.Level.WARN);
              assertThat(e.getThrowableProxy()).isNull();
            });
    assertThat(julRecords).isEmpty();
  }

  @Test
  void aMalformedMessageInAProduceStreamEndsItWithInvalidArgumentNamingTheMethod()
      throws Exception {
    CompletableFuture<Status> ended = new CompletableFuture<>();
    List<byte[]> acks = new CopyOnWriteArrayList<>();
    StreamObserver<byte[]> requests =
        ClientCalls.asyncBidiStreamingCall(
            channel.newCall(raw(MiniKafkaGrpc.getProduceStreamMethod()), CallOptions.DEFAULT),
            new StreamObserver<>() {
              @Override
              public void onNext(byte[] ack) {
                acks.add(ack);
              }

              @Override
              public void onError(Throwable t) {
                ended.complete(Status.fromThrowable(t));
              }

              @Override
              public void onCompleted() {
                ended.complete(Status.OK);
              }
            });
    requests.onNext(
        ProduceBatchRequest.newBuilder()
            .setTopic("t")
            .addPayloads(com.google.protobuf.ByteString.copyFromUtf8("good"))
            .build()
            .toByteArray());
    requests.onNext(GARBAGE);

    Status status = ended.get(30, TimeUnit.SECONDS);
    assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(status.getDescription())
        .contains("ProduceStream")
        .contains("not a protocol.ProduceBatchRequest");
    assertThat(julRecords).isEmpty();
  }
}
