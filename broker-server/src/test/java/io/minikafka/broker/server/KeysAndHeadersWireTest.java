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
import io.minikafka.broker.store.memory.MemoryStore;
import io.minikafka.protocol.Header;
import io.minikafka.protocol.MiniKafkaGrpc;
import io.minikafka.protocol.MsgNumber;
import io.minikafka.protocol.Payload;
import io.minikafka.protocol.PollRequest;
import io.minikafka.protocol.PollResponse;
import io.minikafka.protocol.ProduceBatchRequest;
import io.minikafka.protocol.ProduceRequest;
import io.minikafka.protocol.Topic;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Keys and headers on the wire: new fields only, so the original's clients send and receive the
 * bytes they always did; a message's key and headers count toward its size.
 */
class KeysAndHeadersWireTest {

  private MiniKafkaServer server;
  private ManagedChannel channel;
  private MiniKafkaGrpc.MiniKafkaBlockingStub blocking;

  @BeforeEach
  void start() throws IOException {
    String name = InProcessServerBuilder.generateName();
    server =
        new MiniKafkaServer(
                InProcessServerBuilder.forName(name),
                new MemoryStore(new ManualClock()),
                ServerConfig.builder().maxMessageBytes(100).build(),
                new ManualClock())
            .start();
    channel = InProcessChannelBuilder.forName(name).build();
    blocking = MiniKafkaGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.close();
  }

  private PollResponse poll(String topic) {
    return blocking.poll(
        PollRequest.newBuilder()
            .setTopic(topic)
            .setReadFrom(MsgNumber.newBuilder().setMsgNumber(1))
            .build());
  }

  @Test
  void anOriginalClientsMessageComesBackAsTheBytesItAlwaysWas() {
    Payload original = Payload.newBuilder().setPayload(ByteString.copyFromUtf8("hello")).build();
    blocking.produce(
        ProduceRequest.newBuilder()
            .setTopic(Topic.newBuilder().setTopic("t"))
            .setPayload(original)
            .build());

    assertThat(poll("t").getPayloads(0).toByteString()).isEqualTo(original.toByteString());
  }

  @Test
  void keysAndHeadersGoInByProduceAndBatchAndComeBackByPoll() {
    Payload keyed =
        Payload.newBuilder()
            .setPayload(ByteString.copyFromUtf8("p"))
            .setKey(ByteString.copyFromUtf8("k"))
            .addHeaders(
                Header.newBuilder().setName("traceparent").setValue(ByteString.copyFromUtf8("x")))
            .build();
    blocking.produce(
        ProduceRequest.newBuilder()
            .setTopic(Topic.newBuilder().setTopic("t"))
            .setPayload(keyed)
            .build());
    blocking.produceBatch(
        ProduceBatchRequest.newBuilder()
            .setTopic("t")
            .addRecords(keyed)
            .addRecords(Payload.newBuilder().setPayload(ByteString.copyFromUtf8("plain")))
            .build());

    PollResponse response = poll("t");
    assertThat(response.getPayloads(0)).isEqualTo(keyed);
    assertThat(response.getPayloads(1)).isEqualTo(keyed);
    assertThat(response.getPayloads(2).getKey()).isEmpty();
    assertThat(response.getPayloads(2).getPayload().toStringUtf8()).isEqualTo("plain");
  }

  @Test
  void aBatchOfPayloadsAndRecordsTogetherIsRefused() {
    assertThatThrownBy(
            () ->
                blocking.produceBatch(
                    ProduceBatchRequest.newBuilder()
                        .setTopic("t")
                        .addPayloads(ByteString.copyFromUtf8("a"))
                        .addRecords(Payload.newBuilder().setPayload(ByteString.copyFromUtf8("b")))
                        .build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.getStatus().getDescription())
                  .isEqualTo(
                      "a batch carries payloads or records, not both (it has 1 payloads and 1"
                          + " records)");
            });
  }

  @Test
  void aKeyAndHeadersCountTowardTheMaximumMessageSize() {
    Payload heavy =
        Payload.newBuilder()
            .setPayload(ByteString.copyFrom(new byte[60]))
            .setKey(ByteString.copyFrom(new byte[60]))
            .build();
    assertThatThrownBy(
            () ->
                blocking.produce(
                    ProduceRequest.newBuilder()
                        .setTopic(Topic.newBuilder().setTopic("t"))
                        .setPayload(heavy)
                        .build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.getStatus().getDescription())
                  .contains("message of 120 bytes")
                  .contains("MINIKAFKA_MAX_MESSAGE_BYTES");
            });
  }
}
