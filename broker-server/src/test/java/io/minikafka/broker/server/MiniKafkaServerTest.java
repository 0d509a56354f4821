package io.minikafka.broker.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.minikafka.broker.store.BackingStore;
import io.minikafka.broker.store.ForwardingStore;
import io.minikafka.broker.store.GatedStore;
import io.minikafka.broker.store.StoreClosedException;
import io.minikafka.broker.store.memory.MemoryStore;
import io.minikafka.protocol.ListTopicsRequest;
import io.minikafka.protocol.MiniKafkaGrpc;
import io.minikafka.protocol.MsgNumber;
import io.minikafka.protocol.Payload;
import io.minikafka.protocol.ProduceRequest;
import io.minikafka.protocol.Topic;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The server over real loopback sockets. */
class MiniKafkaServerTest {

  private static ProduceRequest request(String topic, String text) {
    return ProduceRequest.newBuilder()
        .setTopic(Topic.newBuilder().setTopic(topic))
        .setPayload(Payload.newBuilder().setPayload(ByteString.copyFromUtf8(text)))
        .build();
  }

  @Test
  void portZeroPicksAFreePortThatServesCalls() throws Exception {
    MemoryStore store = new MemoryStore();
    try (MiniKafkaServer server =
        MiniKafkaServer.start(store, "127.0.0.1:0", Duration.ofSeconds(10))) {
      assertThat(server.port()).isPositive();
      assertThat(server.address().toString()).isEqualTo("127.0.0.1:" + server.port());
      ManagedChannel channel =
          ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
      try {
        MsgNumber number =
            MiniKafkaGrpc.newBlockingStub(channel)
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .produce(request("t", "over tcp"));
        assertThat(number.getMsgNumber()).isEqualTo(1);
      } finally {
        channel.shutdownNow();
      }
    }
    assertThatThrownBy(() -> store.store("t", new byte[0]))
        .isInstanceOf(StoreClosedException.class);
  }

  @Test
  void closeLetsAnInFlightCallFinishBeforeClosingTheStore() throws Exception {
    MemoryStore memory = new MemoryStore();
    GatedStore slow = new GatedStore(memory);
    MiniKafkaServer server = MiniKafkaServer.start(slow, "127.0.0.1:0", Duration.ofSeconds(10));
    ManagedChannel channel =
        ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    try {
      CompletableFuture<MsgNumber> inFlight =
          CompletableFuture.supplyAsync(
              () ->
                  MiniKafkaGrpc.newBlockingStub(channel)
                      .withDeadlineAfter(30, TimeUnit.SECONDS)
                      .produce(request("t", "in flight")));
      assertThat(slow.entered.await(30, TimeUnit.SECONDS)).isTrue();

      CompletableFuture<Void> closing =
          CompletableFuture.runAsync(
              () -> {
                try {
                  server.close();
                } catch (IOException e) {
                  throw new RuntimeException(e);
                }
              });
      slow.release.countDown();

      assertThat(inFlight.get(30, TimeUnit.SECONDS).getMsgNumber()).isEqualTo(1);
      closing.get(30, TimeUnit.SECONDS);
      assertThatThrownBy(() -> memory.store("t", new byte[0]))
          .isInstanceOf(StoreClosedException.class);
    } finally {
      channel.shutdownNow();
      server.close();
    }
  }

  @Test
  void aCallWaitingOnABlockingStoreDoesNotHoldUpOtherCallsOnItsConnection() throws Exception {
    MemoryStore memory = new MemoryStore();
    memory.store("ready", new byte[1]);
    GatedStore stuck = new GatedStore(memory);
    try (MiniKafkaServer server =
        MiniKafkaServer.start(stuck, "127.0.0.1:0", Duration.ofSeconds(10))) {
      ManagedChannel channel =
          ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
      try {
        MiniKafkaGrpc.MiniKafkaBlockingStub stub =
            MiniKafkaGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
        CompletableFuture<MsgNumber> waiting =
            CompletableFuture.supplyAsync(() -> stub.produce(request("t", "waits")));
        assertThat(stuck.entered.await(30, TimeUnit.SECONDS)).isTrue();

        // Same connection, so the same network thread: it must not be the one that waits.
        assertThat(
                MiniKafkaGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(5, TimeUnit.SECONDS)
                    .listTopics(ListTopicsRequest.getDefaultInstance())
                    .getTopicsList())
            .containsExactly("ready");
        assertThat(waiting).isNotDone();
        stuck.release.countDown();
        assertThat(waiting.get(30, TimeUnit.SECONDS).getMsgNumber()).isEqualTo(1);
      } finally {
        stuck.release.countDown();
        channel.shutdownNow();
      }
    }
  }

  @Test
  void aRetentionSweepThatFailsAtStartDoesNotKeepTheServerFromStarting() throws Exception {
    BackingStore failingSweeps =
        new ForwardingStore(new MemoryStore()) {
          @Override
          public long removeOlderThan(java.time.Instant cutoff) throws IOException {
            throw new io.minikafka.broker.store.StoreException(
                "retention failed for some topics: no space (injected)");
          }
        };
    try (MiniKafkaServer server =
        MiniKafkaServer.start(failingSweeps, "127.0.0.1:0", Duration.ofSeconds(10))) {
      ManagedChannel channel =
          ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
      try {
        assertThat(
                MiniKafkaGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(30, TimeUnit.SECONDS)
                    .produce(request("t", "served"))
                    .getMsgNumber())
            .isEqualTo(1);
      } finally {
        channel.shutdownNow();
      }
    }
  }
}
