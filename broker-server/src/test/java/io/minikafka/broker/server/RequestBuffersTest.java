package io.minikafka.broker.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.minikafka.broker.store.GatedStore;
import io.minikafka.broker.store.PollLimits;
import io.minikafka.broker.store.memory.MemoryStore;
import io.minikafka.protocol.MiniKafkaGrpc;
import io.minikafka.protocol.ProduceBatchRequest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Produce requests are read where gRPC received them, and hold those buffers until the store has
 * copied their payloads: over a real socket, every way a request can end gives them back, so that
 * no client can make the server hold network memory it never frees.
 */
class RequestBuffersTest {

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

  /** Field 1 says length-delimited, 100 bytes, but the input ends after 2. */
  private static final byte[] GARBAGE = {0x0a, 0x64, 0x01, 0x02};

  private final MemoryStore memory = new MemoryStore();
  private MiniKafkaServer server;
  private ManagedChannel channel;

  private void start(io.minikafka.broker.store.BackingStore store) throws IOException {
    server = MiniKafkaServer.start(store, "127.0.0.1:0", Duration.ofHours(1));
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
  }

  @AfterEach
  void stop() throws IOException {
    if (channel != null) {
      channel.shutdownNow();
    }
    if (server != null) {
      server.close();
    }
  }

  private static byte[] batch(String topic, int payloads, int size) {
    ProduceBatchRequest.Builder request = ProduceBatchRequest.newBuilder().setTopic(topic);
    for (int i = 0; i < payloads; i++) {
      byte[] payload = new byte[size];
      payload[0] = (byte) i;
      request.addPayloads(ByteString.copyFrom(payload));
    }
    return request.build().toByteArray();
  }

  /**
   * The method as raw bytes; a stream on the client's side whatever the server's, so that each
   * request is sent as it is given (gRPC holds a unary call's request until it half-closes).
   */
  private static MethodDescriptor<byte[], byte[]> raw(MethodDescriptor<?, ?> method) {
    return MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(MethodDescriptor.MethodType.BIDI_STREAMING)
        .setFullMethodName(method.getFullMethodName())
        .setRequestMarshaller(RAW)
        .setResponseMarshaller(RAW)
        .build();
  }

  /** A call whose future completes with its status. */
  private ClientCall<byte[], byte[]> call(
      MethodDescriptor<?, ?> method, CompletableFuture<Status> ended) {
    ClientCall<byte[], byte[]> call = channel.newCall(raw(method), CallOptions.DEFAULT);
    call.start(
        new ClientCall.Listener<>() {
          @Override
          public void onClose(Status status, Metadata trailers) {
            ended.complete(status);
          }
        },
        new Metadata());
    call.request(Integer.MAX_VALUE);
    return call;
  }

  /** Requests other tests of this JVM read in place and left to the garbage collector. */
  private final long heldBefore = IncomingBatch.heldBytes();

  private void awaitNoneHeld() {
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(IncomingBatch.heldBytes()).isEqualTo(heldBefore));
  }

  private long stored(String topic) throws IOException {
    return memory.poll(topic, 1, PollLimits.UNLIMITED).messages().size();
  }

  @Test
  void storedAndRefusedBatchesGiveTheirBuffersBack() throws Exception {
    start(memory);
    for (int i = 0; i < 20; i++) {
      CompletableFuture<Status> ended = new CompletableFuture<>();
      ClientCall<byte[], byte[]> call = call(MiniKafkaGrpc.getProduceBatchMethod(), ended);
      // Every third batch names no topic, which the service refuses.
      call.sendMessage(batch(i % 3 == 0 ? "" : "t", 10, 3000));
      call.halfClose();
      assertThat(ended.get(10, TimeUnit.SECONDS).getCode())
          .isEqualTo(i % 3 == 0 ? Status.Code.INVALID_ARGUMENT : Status.Code.OK);
    }
    assertThat(stored("t")).isEqualTo(130);
    awaitNoneHeld();
  }

  @Test
  void aBatchCancelledBeforeItsCallHalfClosesIsGivenBackAndNotStored() throws Exception {
    start(memory);
    CompletableFuture<Status> ended = new CompletableFuture<>();
    ClientCall<byte[], byte[]> call = call(MiniKafkaGrpc.getProduceBatchMethod(), ended);
    call.sendMessage(batch("t", 10, 3000));
    call.cancel("the client gave up", null);

    assertThat(ended.get(10, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.CANCELLED);
    awaitNoneHeld();
    assertThat(memory.topics()).doesNotContain("t");
  }

  @Test
  void aUnaryCallWithTwoBatchesIsRefusedAndGivesBothBack() throws Exception {
    start(memory);
    CompletableFuture<Status> ended = new CompletableFuture<>();
    ClientCall<byte[], byte[]> call = call(MiniKafkaGrpc.getProduceBatchMethod(), ended);
    call.sendMessage(batch("t", 10, 3000));
    call.sendMessage(batch("t", 10, 3000));
    call.halfClose();

    // gRPC's transport resets such a stream, or its unary handler refuses the second request.
    assertThat(ended.get(10, TimeUnit.SECONDS).getCode())
        .isIn(Status.Code.CANCELLED, Status.Code.INTERNAL);
    awaitNoneHeld();
    assertThat(memory.topics()).doesNotContain("t");
  }

  @Test
  void aStreamCancelledWhileItsBatchesWaitGivesThemAllBack() throws Exception {
    GatedStore gated = new GatedStore(memory);
    start(gated);
    CompletableFuture<Status> ended = new CompletableFuture<>();
    ClientCall<byte[], byte[]> call = call(MiniKafkaGrpc.getProduceStreamMethod(), ended);
    for (int i = 0; i < 5; i++) {
      call.sendMessage(batch("t", 10, 3000));
    }
    assertThat(gated.entered.await(10, TimeUnit.SECONDS)).isTrue();
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(IncomingBatch.heldBytes() - heldBefore)
                    .isGreaterThan(batch("t", 10, 3000).length));

    call.cancel("the client gave up", null);
    gated.release.countDown();

    awaitNoneHeld();
    assertThat(ended.get(10, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.CANCELLED);
  }

  @Test
  void batchesAfterAMalformedOneInAStreamAreGivenBack() throws Exception {
    start(memory);
    CompletableFuture<Status> ended = new CompletableFuture<>();
    ClientCall<byte[], byte[]> call = call(MiniKafkaGrpc.getProduceStreamMethod(), ended);
    call.sendMessage(batch("t", 10, 3000));
    call.sendMessage(GARBAGE);
    for (int i = 0; i < 20; i++) {
      call.sendMessage(batch("t", 10, 3000));
    }

    assertThat(ended.get(10, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    call.cancel("done", null);
    awaitNoneHeld();
  }
}
