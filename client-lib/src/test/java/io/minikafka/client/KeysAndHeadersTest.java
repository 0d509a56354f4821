package io.minikafka.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.minikafka.broker.server.MiniKafkaServer;
import io.minikafka.broker.store.memory.MemoryStore;
import io.minikafka.protocol.MiniKafkaGrpc;
import io.minikafka.protocol.ProduceBatchRequest;
import io.minikafka.protocol.ProduceBatchResponse;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Keys and headers sent with ProducerRecord come back with Poll and Subscribe. */
class KeysAndHeadersTest {

  private static final String TRACEPARENT =
      "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

  private MiniKafkaServer server;
  private ConnectionConfig config;

  @BeforeEach
  void start() throws Exception {
    server = MiniKafkaServer.start(new MemoryStore(), "127.0.0.1:0", Duration.ofHours(1));
    config = ConnectionConfig.of("127.0.0.1:" + server.port(), Duration.ofSeconds(10));
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  @Test
  void batchedPlainAndKeyedMessagesKeepTheirOrderKeysAndHeaders() {
    try (Producer producer = new Producer("t", config);
        Consumer consumer = new Consumer("t", StartAt.start(), config)) {
      List<CompletableFuture<Long>> sent = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        byte[] payload = ("m" + i).getBytes(UTF_8);
        sent.add(
            i % 3 == 0
                ? producer.sendAsync(payload)
                : producer.sendAsync(
                    ProducerRecord.of(payload)
                        .withKey(("key" + i).getBytes(UTF_8))
                        .withHeader("traceparent", TRACEPARENT)
                        .withHeader("i", new byte[] {(byte) i})));
      }
      producer.flush();
      for (int i = 0; i < 30; i++) {
        assertThat(sent.get(i).join()).isEqualTo(i + 1);
      }
      assertThat(producer.sendMessage(ProducerRecord.of(new byte[0]).withKey(new byte[] {7})))
          .isEqualTo(31);

      List<Message> read = consumer.poll().messages();
      assertThat(read).hasSize(31);
      for (int i = 0; i < 30; i++) {
        Message m = read.get(i);
        assertThat(new String(m.payload(), UTF_8)).isEqualTo("m" + i);
        if (i % 3 == 0) {
          assertThat(m.key()).isEmpty();
          assertThat(m.headers()).isEmpty();
        } else {
          assertThat(new String(m.key(), UTF_8)).isEqualTo("key" + i);
          assertThat(m.header("traceparent").map(v -> new String(v, UTF_8))).hasValue(TRACEPARENT);
          byte expected = (byte) i;
          assertThat(m.header("i"))
              .hasValueSatisfying(v -> assertThat(v).containsExactly(expected));
        }
      }
      assertThat(read.get(30).key()).containsExactly(7);
    }
  }

  @Test
  void plainMessagesAfterAKeyedOneStillGoAsPayloadsTheOriginalServerUnderstands() throws Exception {
    // Which fields each batch request used, as a server built from the original's .proto parses
    // them; every batch is held until released, so that batches pile up behind those in flight.
    List<String> requests = new CopyOnWriteArrayList<>();
    CountDownLatch release = new CountDownLatch(1);
    MiniKafkaGrpc.MiniKafkaImplBase original =
        new MiniKafkaGrpc.MiniKafkaImplBase() {
          private final AtomicLong next = new AtomicLong(1);

          @Override
          public StreamObserver<ProduceBatchRequest> produceStream(
              StreamObserver<ProduceBatchResponse> acks) {
            return new StreamObserver<>() {
              @Override
              public void onNext(ProduceBatchRequest r) {
                requests.add(
                    r.getPayloadsCount() + " payloads, " + r.getRecordsCount() + " records");
                try {
                  release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
                int count = r.getPayloadsCount() + r.getRecordsCount();
                acks.onNext(
                    ProduceBatchResponse.newBuilder()
                        .setFirstMsgNumber(next.getAndAdd(count))
                        .setCount(count)
                        .build());
              }

              @Override
              public void onError(Throwable t) {}

              @Override
              public void onCompleted() {
                acks.onCompleted();
              }
            };
          }
        };
    Server recording =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(original)
            .build()
            .start();
    try (Producer producer =
        new Producer(
            "t",
            ConnectionConfig.of("127.0.0.1:" + recording.getPort(), Duration.ofSeconds(10)),
            ProducerOptions.DEFAULTS.withBatchBytes(1))) {
      // Every message fills a batch. With as many in flight as may be, the last keyed batch
      // waits, full, when the plain messages come: they must start a batch of payloads.
      for (int i = 0; i <= BatchSender.MAX_IN_FLIGHT; i++) {
        producer.sendAsync(ProducerRecord.of(new byte[] {1}).withKey("k".getBytes(UTF_8)));
      }
      producer.sendAsync("b".getBytes(UTF_8));
      producer.sendAsync("c".getBytes(UTF_8));
      release.countDown();
      producer.flush();
    } finally {
      recording.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
    assertThat(requests).hasSize(BatchSender.MAX_IN_FLIGHT + 3);
    assertThat(requests.subList(0, BatchSender.MAX_IN_FLIGHT + 1))
        .allMatch(r -> r.equals("0 payloads, 1 records"));
    assertThat(requests.subList(BatchSender.MAX_IN_FLIGHT + 1, requests.size()))
        .allMatch(r -> r.equals("1 payloads, 0 records"));
  }

  @Test
  void aSubscriptionDeliversKeysAndHeaders() throws Exception {
    try (Producer producer = new Producer("s", config);
        Consumer consumer = new Consumer("s", StartAt.start(), config);
        Subscription subscription = consumer.subscribe()) {
      producer.sendMessage(
          ProducerRecord.of("p".getBytes(UTF_8))
              .withKey("k".getBytes(UTF_8))
              .withHeader("traceparent", TRACEPARENT));
      List<Message> got = List.of();
      for (int i = 0; i < 30 && got.isEmpty(); i++) {
        got = subscription.poll(Duration.ofSeconds(1));
      }
      assertThat(got)
          .singleElement()
          .satisfies(
              m -> {
                assertThat(m.key()).isEqualTo("k".getBytes(UTF_8));
                assertThat(m.headers())
                    .singleElement()
                    .satisfies(
                        h -> {
                          assertThat(h.name()).isEqualTo("traceparent");
                          assertThat(h.valueAsString()).isEqualTo(TRACEPARENT);
                        });
              });
    }
  }
}
