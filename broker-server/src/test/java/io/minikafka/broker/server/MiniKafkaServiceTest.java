package io.minikafka.broker.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.minikafka.broker.config.ServerConfig;
import io.minikafka.broker.store.ManualClock;
import io.minikafka.broker.store.PollLimits;
import io.minikafka.broker.store.memory.MemoryStore;
import io.minikafka.protocol.MiniKafkaGrpc;
import io.minikafka.protocol.MsgNumber;
import io.minikafka.protocol.Payload;
import io.minikafka.protocol.PollRequest;
import io.minikafka.protocol.PollResponse;
import io.minikafka.protocol.ProduceRequest;
import io.minikafka.protocol.Topic;
import io.minikafka.protocol.original.OriginalMiniKafkaProto;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The gRPC service over the in-process transport: wire behaviour and error statuses. */
class MiniKafkaServiceTest {

  private static final int MAX_MESSAGE = 1000;
  private static final int MAX_POLL = 4096;

  private final ManualClock clock = new ManualClock();
  private MemoryStore store;
  private MiniKafkaServer server;
  private ManagedChannel channel;
  private MiniKafkaGrpc.MiniKafkaBlockingStub stub;

  @BeforeEach
  void start() throws IOException {
    String name = InProcessServerBuilder.generateName();
    store = new MemoryStore(clock);
    ServerConfig config =
        ServerConfig.builder()
            .retention(Duration.ofSeconds(10))
            .maxMessageBytes(MAX_MESSAGE)
            .maxPollBytes(MAX_POLL)
            .build();
    server =
        new MiniKafkaServer(
                InProcessServerBuilder.forName(name).directExecutor(), store, config, clock)
            .start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    stub = MiniKafkaGrpc.newBlockingStub(channel);
  }

  @AfterEach
  void stop() throws IOException {
    channel.shutdownNow();
    server.close();
  }

  private long produce(String topic, ByteString payload) {
    return stub.produce(
            ProduceRequest.newBuilder()
                .setTopic(Topic.newBuilder().setTopic(topic))
                .setPayload(Payload.newBuilder().setPayload(payload))
                .build())
        .getMsgNumber();
  }

  private PollResponse poll(String topic, long readFrom) {
    return stub.poll(
        PollRequest.newBuilder()
            .setTopic(topic)
            .setReadFrom(MsgNumber.newBuilder().setMsgNumber(readFrom))
            .build());
  }

  @Test
  void produceNumbersMessagesAndPollReturnsThem() {
    assertThat(produce("t", ByteString.copyFromUtf8("one"))).isEqualTo(1);
    assertThat(produce("t", ByteString.copyFromUtf8("two"))).isEqualTo(2);

    PollResponse response = poll("t", 1);

    assertThat(response.getPayloadsList())
        .extracting(p -> p.getPayload().toStringUtf8())
        .containsExactly("one", "two");
    assertThat(response.getNewReadFrom().getMsgNumber()).isEqualTo(3);
  }

  @Test
  void emptyPayloadIsAValidMessage() {
    assertThat(produce("t", ByteString.EMPTY)).isEqualTo(1);

    PollResponse response = poll("t", 0);

    assertThat(response.getPayloadsCount()).isEqualTo(1);
    assertThat(response.getPayloads(0).getPayload().isEmpty()).isTrue();
    assertThat(response.getNewReadFrom().getMsgNumber()).isEqualTo(2);
  }

  @Test
  void pollOfUnknownTopicIsNotFoundMentioningTopic() {
    assertThatThrownBy(() -> poll("nothing-here", 1))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
              assertThat(e.getStatus().getDescription()).contains("topic").contains("nothing-here");
            });
  }

  @Test
  void invalidTopicNamesAreInvalidArgumentNamingTheRule() {
    assertThatThrownBy(() -> produce("", ByteString.EMPTY))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.getStatus().getDescription()).contains("must not be empty");
            });
    assertThatThrownBy(() -> produce("x".repeat(250), ByteString.EMPTY))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getDescription()).contains("at most 249 bytes"));
    assertThatThrownBy(() -> produce("bell\u0007", ByteString.EMPTY))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getDescription()).contains("control characters"));
    assertThatThrownBy(() -> poll("", 1))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
  }

  @Test
  void oversizedMessageIsRejectedNamingTheLimitAndNothingIsStored() throws IOException {
    produce("t", ByteString.copyFromUtf8("kept"));

    assertThatThrownBy(() -> produce("t", ByteString.copyFrom(new byte[MAX_MESSAGE + 1])))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.getStatus().getDescription())
                  .contains(Integer.toString(MAX_MESSAGE))
                  .contains("MINIKAFKA_MAX_MESSAGE_BYTES");
            });

    assertThat(produce("t", ByteString.copyFrom(new byte[MAX_MESSAGE]))).isEqualTo(2);
    assertThat(store.poll("t", 1, PollLimits.UNLIMITED).messages()).hasSize(2);
  }

  @Test
  void pollResponsesStayWithinTheServerLimitAndOldClientsCatchUpByPollingAgain() {
    int count = 40;
    for (int i = 0; i < count; i++) {
      produce("t", ByteString.copyFrom(new byte[200]));
    }

    long readFrom = 1;
    int polls = 0;
    int received = 0;
    while (received < count) {
      PollResponse response = poll("t", readFrom);
      assertThat(response.getSerializedSize()).isLessThanOrEqualTo(MAX_POLL);
      assertThat(response.getPayloadsCount()).isPositive();
      received += response.getPayloadsCount();
      readFrom = response.getNewReadFrom().getMsgNumber();
      polls++;
    }

    assertThat(polls).isGreaterThan(1);
    assertThat(readFrom).isEqualTo(count + 1);
  }

  @Test
  void requestLimitsCanOnlyLowerTheServerLimit() {
    for (int i = 0; i < 30; i++) {
      produce("t", ByteString.copyFrom(new byte[200]));
    }
    PollRequest.Builder request =
        PollRequest.newBuilder().setTopic("t").setReadFrom(MsgNumber.newBuilder().setMsgNumber(1));

    assertThat(stub.poll(request.setMaxMessages(3).build()).getPayloadsCount()).isEqualTo(3);
    assertThat(stub.poll(request.setMaxMessages(0).setMaxBytes(500).build()).getPayloadsCount())
        .isEqualTo(2);
    PollResponse raised = stub.poll(request.setMaxMessages(0).setMaxBytes(1 << 30).build());
    assertThat(raised.getSerializedSize()).isLessThanOrEqualTo(MAX_POLL);
  }

  @Test
  void aSingleMessageLargerThanThePollLimitIsStillDelivered() {
    produce("t", ByteString.copyFrom(new byte[MAX_MESSAGE]));
    produce("t", ByteString.copyFrom(new byte[MAX_MESSAGE]));

    PollResponse first =
        stub.poll(
            PollRequest.newBuilder()
                .setTopic("t")
                .setReadFrom(MsgNumber.newBuilder().setMsgNumber(1))
                .setMaxBytes(10)
                .build());

    assertThat(first.getPayloadsCount()).isEqualTo(1);
    assertThat(first.getNewReadFrom().getMsgNumber()).isEqualTo(2);
  }

  @Test
  void readFromBeyondEveryNumberReturnsNothingUnchanged() {
    produce("t", ByteString.copyFromUtf8("a"));
    for (long huge : new long[] {-2L, Long.MIN_VALUE, Long.MAX_VALUE}) {
      PollResponse response = poll("t", huge); // -2L is 2^64 - 2 as an unsigned wire value

      assertThat(response.getPayloadsCount()).isZero();
      assertThat(response.getNewReadFrom().getMsgNumber()).isEqualTo(huge);
      assertThat(response.getNextNumber()).isEqualTo(2);
    }
  }

  @Test
  void aClientBuiltFromTheOriginalProtoWorksUnchanged() {
    var original = io.minikafka.protocol.original.MiniKafkaGrpc.newBlockingStub(channel);
    OriginalMiniKafkaProto.MsgNumber number =
        original.produce(
            OriginalMiniKafkaProto.ProduceRequest.newBuilder()
                .setTopic(OriginalMiniKafkaProto.Topic.newBuilder().setTopic("topic_foo"))
                .setPayload(
                    OriginalMiniKafkaProto.Payload.newBuilder()
                        .setPayload(ByteString.copyFromUtf8("hello")))
                .build());
    assertThat(number.getMsgNumber()).isEqualTo(1);

    OriginalMiniKafkaProto.PollResponse response =
        original.poll(
            OriginalMiniKafkaProto.PollRequest.newBuilder()
                .setTopic("topic_foo")
                .setReadFrom(OriginalMiniKafkaProto.MsgNumber.newBuilder().setMsgNumber(1))
                .build());
    assertThat(response.getPayloads(0).getPayload().toStringUtf8()).isEqualTo("hello");
    assertThat(response.getNewReadFrom().getMsgNumber()).isEqualTo(2);
  }
}
