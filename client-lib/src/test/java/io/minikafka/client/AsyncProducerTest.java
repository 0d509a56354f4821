package io.minikafka.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.minikafka.broker.config.ServerConfig;
import io.minikafka.broker.server.MiniKafkaServer;
import io.minikafka.broker.store.GatedStore;
import io.minikafka.broker.store.PollLimits;
import io.minikafka.broker.store.StoredMessage;
import io.minikafka.broker.store.memory.MemoryStore;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Producer.sendAsync against a real server over loopback TCP. */
class AsyncProducerTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private MemoryStore store;
  private MiniKafkaServer server;
  private String host;

  @BeforeEach
  void startServer() throws IOException {
    store = new MemoryStore();
    server = MiniKafkaServer.start(store, "127.0.0.1:0", Duration.ofHours(1));
    host = "127.0.0.1:" + server.port();
  }

  @AfterEach
  void stopServer() throws IOException {
    server.close();
  }

  @Test
  void asyncSendsAreBatchedAndNumberedInSendOrder() throws Exception {
    int count = 10_000;
    List<CompletableFuture<Long>> futures = new ArrayList<>();
    try (Producer producer =
        new Producer("t", TIMEOUT, host, ProducerOptions.DEFAULTS.withBatchBytes(16 * 1024))) {
      for (int i = 0; i < count; i++) {
        futures.add(producer.sendAsync(("m" + i).getBytes(UTF_8)));
      }
      producer.flush();
      for (CompletableFuture<Long> f : futures) {
        assertThat(f).isDone();
      }
    }
    for (int i = 0; i < count; i++) {
      assertThat(futures.get(i).get()).isEqualTo(i + 1L);
    }
    List<StoredMessage> stored = store.poll("t", 1, PollLimits.UNLIMITED).messages();
    assertThat(stored).hasSize(count);
    for (int i = 0; i < count; i++) {
      assertThat(new String(stored.get(i).payload(), UTF_8)).isEqualTo("m" + i);
    }
  }

  @Test
  void aLoneMessageGoesOutAfterTheLingerTime() throws Exception {
    try (Producer producer =
        new Producer(
            "t", TIMEOUT, host, ProducerOptions.DEFAULTS.withLinger(Duration.ofMillis(20)))) {
      CompletableFuture<Long> number = producer.sendAsync("alone".getBytes(UTF_8));
      assertThat(number.get(30, TimeUnit.SECONDS)).isEqualTo(1);
    }
  }

  @Test
  void closeFlushesWhatIsStillWaiting() throws Exception {
    CompletableFuture<Long> last;
    try (Producer producer =
        new Producer(
            "t", TIMEOUT, host, ProducerOptions.DEFAULTS.withLinger(Duration.ofHours(1)))) {
      producer.sendAsync("a".getBytes(UTF_8));
      last = producer.sendAsync("b".getBytes(UTF_8));
    }
    assertThat(last).isCompletedWithValue(2L);
  }

  @Test
  void asyncAndBlockingSendsMix() throws Exception {
    try (Producer producer = new Producer("t", TIMEOUT, host)) {
      CompletableFuture<Long> async = producer.sendAsync("async".getBytes(UTF_8));
      producer.flush();
      long blocking = producer.sendMessage("blocking".getBytes(UTF_8));
      assertThat(async.get()).isEqualTo(1);
      assertThat(blocking).isEqualTo(2);
    }
  }

  @Test
  void aRefusedBatchFailsItsFuturesWithTheServersReason() throws Exception {
    try (Producer producer = new Producer("", TIMEOUT, host)) {
      CompletableFuture<Long> future = producer.sendAsync("x".getBytes(UTF_8));
      producer.flush();
      assertThatThrownBy(future::get)
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOfSatisfying(
              MiniKafkaException.class,
              e -> {
                assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                assertThat(e.getMessage()).contains("topic name must not be empty");
              });
    }
  }

  @Test
  void aFullBufferBlocksThenFailsClearly() throws Exception {
    GatedStore stuck = new GatedStore(new MemoryStore());
    ProducerOptions tiny = new ProducerOptions(Duration.ZERO, 1000, 2000, Duration.ofMillis(200));
    // Two messages fill the buffer exactly: each counts its size and the producer's overhead.
    int size = 1000 - ProducerOptions.MESSAGE_OVERHEAD_BYTES;
    try (MiniKafkaServer slow = MiniKafkaServer.start(stuck, "127.0.0.1:0", Duration.ofHours(1));
        Producer producer = new Producer("t", TIMEOUT, "127.0.0.1:" + slow.port(), tiny)) {
      producer.sendAsync(new byte[size]);
      producer.sendAsync(new byte[size]);

      long start = System.nanoTime();
      assertThatThrownBy(() -> producer.sendAsync(new byte[1]))
          .isInstanceOfSatisfying(
              MiniKafkaException.class,
              e -> {
                assertThat(e.code()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
                assertThat(e.getMessage()).contains("buffer of 2000 bytes").contains("200 ms");
              });
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .isGreaterThanOrEqualTo(Duration.ofMillis(200));
      stuck.release.countDown();
    }
  }

  @Test
  void smallMessagesFillTheBufferByTheirNumberTooAndGoOnceTheServerAcknowledges() throws Exception {
    GatedStore stuck = new GatedStore(new MemoryStore());
    int perMessage = 10 + ProducerOptions.MESSAGE_OVERHEAD_BYTES;
    ProducerOptions tenMessages =
        new ProducerOptions(Duration.ZERO, 10, 10L * perMessage, Duration.ofMillis(200));
    try (MiniKafkaServer slow = MiniKafkaServer.start(stuck, "127.0.0.1:0", Duration.ofHours(1));
        Producer producer = new Producer("t", TIMEOUT, "127.0.0.1:" + slow.port(), tenMessages)) {
      List<CompletableFuture<Long>> sent = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        sent.add(producer.sendAsync(new byte[10]));
      }
      // 100 payload bytes in a buffer of 740: full all the same, at ten messages.
      assertThatThrownBy(() -> producer.sendAsync(new byte[10]))
          .isInstanceOfSatisfying(
              MiniKafkaException.class,
              e -> assertThat(e.code()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
      stuck.release.countDown();
      for (int i = 0; i < 10; i++) {
        assertThat(sent.get(i).get(30, TimeUnit.SECONDS)).isEqualTo(i + 1);
      }
      assertThat(producer.sendAsync(new byte[10]).get(30, TimeUnit.SECONDS)).isEqualTo(11);
    }
  }

  @Test
  void aMessageLargerThanTheBufferTakesItWholeAndGoesAlone() throws Exception {
    GatedStore stuck = new GatedStore(new MemoryStore());
    ProducerOptions small = new ProducerOptions(Duration.ZERO, 1000, 1000, Duration.ofMillis(200));
    try (MiniKafkaServer slow = MiniKafkaServer.start(stuck, "127.0.0.1:0", Duration.ofHours(1));
        Producer producer = new Producer("t", TIMEOUT, "127.0.0.1:" + slow.port(), small)) {
      CompletableFuture<Long> large = producer.sendAsync(new byte[5000]);
      // The buffer is the large message's until the server acknowledges it.
      assertThatThrownBy(() -> producer.sendAsync(new byte[1]))
          .isInstanceOfSatisfying(
              MiniKafkaException.class,
              e -> assertThat(e.code()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
      stuck.release.countDown();
      assertThat(large.get(30, TimeUnit.SECONDS)).isEqualTo(1);
      assertThat(producer.sendAsync(new byte[5000]).get(30, TimeUnit.SECONDS)).isEqualTo(2);
    }
  }

  @Test
  void aFullBufferSendsWhatWaitsWithoutLingering() throws Exception {
    // The buffer fills (overhead counted) before a batch does: the batch must not wait an hour.
    ProducerOptions full =
        new ProducerOptions(Duration.ofHours(1), 1000, 1000, Duration.ofSeconds(10));
    try (Producer producer = new Producer("t", TIMEOUT, host, full)) {
      CompletableFuture<List<Long>> numbers =
          CompletableFuture.supplyAsync(
              () -> {
                List<CompletableFuture<Long>> sent = new ArrayList<>();
                for (int i = 0; i < 30; i++) {
                  sent.add(producer.sendAsync(new byte[100]));
                }
                // Only the last batch, which the buffer did not fill, is flushed.
                producer.flush();
                return sent.stream().map(CompletableFuture::join).toList();
              });
      assertThat(numbers.get(30, TimeUnit.SECONDS)).hasSize(30).first().isEqualTo(1L);
      assertThat(numbers.get()).last().isEqualTo(30L);
    }
  }

  @Test
  void aServerThatGoesAwayFailsTheUnacknowledgedSendsAndTheNextSendsReconnect() throws Exception {
    int port = server.port();
    try (Producer producer =
        new Producer(
            "t", Duration.ofSeconds(5), host, ProducerOptions.DEFAULTS.withLinger(Duration.ZERO))) {
      assertThat(producer.sendAsync("before".getBytes(UTF_8)).get(30, TimeUnit.SECONDS))
          .isEqualTo(1);
      server.close();

      CompletableFuture<Long> lost = producer.sendAsync("lost".getBytes(UTF_8));
      assertThatThrownBy(() -> lost.get(30, TimeUnit.SECONDS))
          .cause()
          .isInstanceOfSatisfying(
              MiniKafkaException.class,
              e -> assertThat(e.code()).isIn(Status.Code.UNAVAILABLE, Status.Code.CANCELLED));

      store = new MemoryStore();
      server = MiniKafkaServer.start(store, "127.0.0.1:" + port, Duration.ofHours(1));
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions()
          .until(() -> producer.sendAsync("after".getBytes(UTF_8)).get(10, TimeUnit.SECONDS) >= 1);
    }
  }

  @Test
  void aBatchThatCanStillGrowWaitsWhileAnotherIsUnacknowledgedAndTakesWhatIsSentMeanwhile()
      throws Exception {
    try (GatedServer slow = new GatedServer();
        Producer producer = slow.producer(ProducerOptions.DEFAULTS.withLinger(Duration.ZERO))) {
      List<CompletableFuture<Long>> sent = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        sent.add(producer.sendAsync(new byte[] {(byte) i}));
      }
      // The first went alone over the idle stream and waits in the store, unacknowledged.
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> slow.requests.get() >= 1);
      slow.store.release.countDown();
      producer.flush();

      assertThat(slow.requests.get())
          .as("one batch of one, then the other 99 together")
          .isEqualTo(2);
      for (int i = 0; i < 100; i++) {
        assertThat(sent.get(i).get()).isEqualTo(i + 1L);
      }
    }
  }

  @Test
  void fullBatchesPipelineButNoMoreThanEightAreUnacknowledged() throws Exception {
    try (GatedServer slow = new GatedServer();
        Producer producer =
            slow.producer(ProducerOptions.DEFAULTS.withLinger(Duration.ZERO).withBatchBytes(1))) {
      List<CompletableFuture<Long>> sent = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        sent.add(producer.sendAsync(new byte[] {(byte) i}));
      }
      // Each message fills a batch. The first waits in the store, so none is acknowledged.
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> slow.requests.get() >= BatchSender.MAX_IN_FLIGHT);
      // A ninth would come at once; what follows, only as acknowledgements come back.
      org.awaitility.Awaitility.await()
          .during(Duration.ofMillis(300))
          .atMost(Duration.ofSeconds(30))
          .until(() -> slow.requests.get() == BatchSender.MAX_IN_FLIGHT);
      slow.store.release.countDown();
      producer.flush();

      assertThat(slow.requests.get()).isEqualTo(20);
      // The server counts a request acknowledged when it answers, before the client hears it.
      assertThat(slow.mostUnacknowledged.get()).isEqualTo(BatchSender.MAX_IN_FLIGHT);
      for (int i = 0; i < 20; i++) {
        assertThat(sent.get(i).get()).isEqualTo(i + 1L);
      }
    }
  }

  @Test
  void whileASendWaitsForBufferSpaceABatchThatCanStillGrowGoesBesideOneInFlight() throws Exception {
    int perMessage = 10 + ProducerOptions.MESSAGE_OVERHEAD_BYTES;
    ProducerOptions threeMessages =
        new ProducerOptions(Duration.ZERO, 100, 3L * perMessage, Duration.ofSeconds(30));
    try (GatedServer slow = new GatedServer();
        Producer producer = slow.producer(threeMessages)) {
      List<CompletableFuture<Long>> sent = new ArrayList<>();
      // The first goes alone and waits in the store; the next two wait in a batch behind it.
      for (int i = 0; i < 3; i++) {
        sent.add(producer.sendAsync(new byte[10]));
      }
      // The buffer is full: this send waits for space, and the batch waiting goes meanwhile.
      CompletableFuture<Long> fourth =
          CompletableFuture.supplyAsync(() -> producer.sendAsync(new byte[10])).thenCompose(f -> f);
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> slow.requests.get() >= 2);
      slow.store.release.countDown();

      assertThat(fourth.get(30, TimeUnit.SECONDS)).isEqualTo(4);
      for (int i = 0; i < 3; i++) {
        assertThat(sent.get(i).get(30, TimeUnit.SECONDS)).isEqualTo(i + 1L);
      }
    }
  }

  /**
   * A server whose store holds appends until released, counting the produce stream's requests and
   * the most that were ever unacknowledged at once.
   */
  private static final class GatedServer implements AutoCloseable {
    final GatedStore store = new GatedStore(new MemoryStore());
    final AtomicInteger requests = new AtomicInteger();
    final AtomicInteger acknowledgements = new AtomicInteger();
    final AtomicInteger mostUnacknowledged = new AtomicInteger();
    final MiniKafkaServer server;

    GatedServer() throws IOException {
      ServerInterceptor countRequests =
          new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(
                ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
              boolean produceStream =
                  call.getMethodDescriptor().getBareMethodName().equals("ProduceStream");
              ServerCall<Q, R> counted =
                  new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
                    @Override
                    public void sendMessage(R message) {
                      if (produceStream) {
                        acknowledgements.incrementAndGet();
                      }
                      super.sendMessage(message);
                    }
                  };
              return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(
                  next.startCall(counted, headers)) {
                @Override
                public void onMessage(Q message) {
                  if (produceStream) {
                    int unacknowledged = requests.incrementAndGet() - acknowledgements.get();
                    mostUnacknowledged.accumulateAndGet(unacknowledged, Math::max);
                  }
                  super.onMessage(message);
                }
              };
            }
          };
      server =
          new MiniKafkaServer(
                  NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                      .intercept(countRequests),
                  store,
                  ServerConfig.defaults(),
                  Clock.systemUTC())
              .start();
    }

    Producer producer(ProducerOptions options) {
      return new Producer("t", TIMEOUT, "127.0.0.1:" + server.port(), options);
    }

    @Override
    public void close() throws IOException {
      store.release.countDown();
      server.close();
    }
  }
}
