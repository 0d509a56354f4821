package io.minikafka.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.minikafka.protocol.DeleteTopicRequest;
import io.minikafka.protocol.MiniKafkaGrpc;
import io.minikafka.protocol.MsgNumber;
import io.minikafka.protocol.PollRequest;
import io.minikafka.protocol.PollResponse;
import io.minikafka.protocol.ProduceBatchRequest;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The real server, its memory store's messages in direct memory capped small by the JVM: past the
 * cap a batch is refused, naming the topic and the cap, nothing acknowledged is lost, and deleting
 * the topic gives the memory back at once, so that producing goes on.
 */
class MemoryStoreDirectMemoryIT {

  private static final int BATCH = 256;
  private static final ByteString KIB = ByteString.copyFrom(new byte[1024]);

  @Test
  void pastTheDirectMemoryCapABatchIsRefusedNothingAcknowledgedIsLostAndDeletingFreesIt()
      throws Exception {
    Map<String, String> env =
        Map.of(
            "MINIKAFKA_HEAP_OPTS",
            "-Xmx256m -XX:MaxDirectMemorySize=32m",
            "MINIKAFKA_MAX_MEMORY_BYTES",
            Long.toString(1L << 30));
    try (ServerProcess server = ServerProcess.start(env)) {
      assertThat(server.log())
          .as("warned at start that the store's limit is above the JVM's")
          .anyMatch(
              line ->
                  line.contains(
                      "MINIKAFKA_MAX_MEMORY_BYTES (1073741824) is above the JVM's direct memory"
                          + " limit (33554432 bytes"));
      ManagedChannel channel =
          NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
      try {
        MiniKafkaGrpc.MiniKafkaBlockingStub stub = MiniKafkaGrpc.newBlockingStub(channel);
        long acknowledged = 0;
        StatusRuntimeException refused = null;
        // 200 batches of 256 KiB: 50 MiB, more than the 32 MiB the JVM allows.
        for (int batch = 0; batch < 200 && refused == null; batch++) {
          try {
            produce(stub, "t");
            acknowledged += BATCH;
          } catch (StatusRuntimeException e) {
            refused = e;
          }
        }

        assertThat(refused).as("refused before 50 MiB").isNotNull();
        assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(refused.getStatus().getDescription())
            .startsWith("topic 't': the memory store could not get ")
            .contains("MaxDirectMemorySize")
            .endsWith("messages were not stored");
        assertThat(acknowledged).isGreaterThan(10L * BATCH);
        long read = 0;
        long next = 1;
        while (next <= acknowledged) {
          PollResponse poll =
              stub.withDeadlineAfter(30, TimeUnit.SECONDS)
                  .poll(
                      PollRequest.newBuilder()
                          .setTopic("t")
                          .setReadFrom(MsgNumber.newBuilder().setMsgNumber(next))
                          .build());
          assertThat(poll.getPayloadsCount()).isPositive();
          read += poll.getPayloadsCount();
          next += poll.getPayloadsCount();
        }
        assertThat(read).as("every acknowledged message, and only those").isEqualTo(acknowledged);

        stub.withDeadlineAfter(30, TimeUnit.SECONDS)
            .deleteTopic(DeleteTopicRequest.newBuilder().setTopic("t").build());
        for (int batch = 0; batch < 20; batch++) {
          produce(stub, "after");
        }
      } finally {
        channel.shutdownNow();
      }
    }
  }

  private static void produce(MiniKafkaGrpc.MiniKafkaBlockingStub stub, String topic) {
    ProduceBatchRequest.Builder request = ProduceBatchRequest.newBuilder().setTopic(topic);
    for (int i = 0; i < BATCH; i++) {
      request.addPayloads(KIB);
    }
    stub.withDeadlineAfter(30, TimeUnit.SECONDS).produceBatch(request.build());
  }
}
