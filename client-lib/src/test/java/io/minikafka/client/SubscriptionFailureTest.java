package io.minikafka.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.minikafka.broker.config.ServerConfig;
import io.minikafka.broker.server.MiniKafkaServer;
import io.minikafka.broker.store.CorruptRecordException;
import io.minikafka.broker.store.ForwardingStore;
import io.minikafka.broker.store.PollLimits;
import io.minikafka.broker.store.PollResult;
import io.minikafka.broker.store.TopicUnavailableException;
import io.minikafka.broker.store.file.FileStore;
import io.minikafka.broker.store.memory.MemoryStore;
import io.minikafka.protocol.Endpoint;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A subscription retries only what retrying can fix (the server unreachable, restarting); every
 * other failure reaches the application at once instead of a silent, endless retry. Its inbound
 * limit follows the server's message size limit, so a message the server accepted is delivered.
 */
class SubscriptionFailureTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private MiniKafkaServer server;

  @AfterEach
  void stopServer() throws IOException {
    if (server != null) {
      server.close();
    }
  }

  private String start(io.minikafka.broker.store.BackingStore store, ServerConfig config)
      throws IOException {
    server =
        MiniKafkaServer.start(
            store,
            config.toBuilder().host(Endpoint.parse("127.0.0.1:0")).build(),
            Clock.systemUTC());
    return "127.0.0.1:" + server.port();
  }

  /** Polls until something is thrown or 30 s pass; returns what was delivered meanwhile. */
  private static List<Message> pollFor30Seconds(Subscription subscription)
      throws InterruptedException {
    List<Message> got = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      got.addAll(subscription.poll(Duration.ofMillis(200)));
    }
    return got;
  }

  static Stream<Arguments> failuresRetryingCannotFix() {
    return Stream.of(
        Arguments.of(
            new CorruptRecordException("topic 't' message 1 is damaged on disk (injected)"),
            Status.Code.DATA_LOSS),
        Arguments.of(
            new TopicUnavailableException("topic 't' is unavailable (injected)"),
            Status.Code.FAILED_PRECONDITION),
        Arguments.of(new IllegalStateException("a bug (injected)"), Status.Code.INTERNAL));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("failuresRetryingCannotFix")
  void aFailureRetryingCannotFixEndsTheSubscriptionWithThatError(
      Exception injected, Status.Code code) throws Exception {
    String host =
        start(
            new ForwardingStore(new MemoryStore()) {
              @Override
              public PollResult poll(String topic, long readFrom, PollLimits limits)
                  throws IOException {
                if (injected instanceof IOException io) {
                  throw io;
                }
                throw (RuntimeException) injected;
              }
            },
            ServerConfig.defaults());
    try (Producer producer = new Producer("t", TIMEOUT, host)) {
      producer.sendMessage(new byte[] {1});
    }
    try (Consumer consumer = new Consumer("t", 1, TIMEOUT, host);
        Subscription subscription = consumer.subscribe()) {
      assertThatThrownBy(() -> pollFor30Seconds(subscription))
          .isInstanceOfSatisfying(
              MiniKafkaException.class,
              e -> {
                assertThat(e.code()).isEqualTo(code);
                assertThat(e.getMessage()).contains("(injected)");
              });
    }
  }

  /**
   * A file-store server under {@code root} holding topic 't' with a message per word, then one byte
   * of the second one's payload flipped under it, as a failing disk would.
   */
  private String serverWithSecondMessageDamaged(Path root, String... words) throws IOException {
    String host = start(FileStore.open(root), ServerConfig.defaults());
    try (Producer producer = new Producer("t", TIMEOUT, host)) {
      for (String word : words) {
        producer.sendMessage((word + "-message").getBytes(StandardCharsets.UTF_8));
      }
    }
    Path log;
    try (Stream<Path> files = Files.walk(root)) {
      log = files.filter(p -> p.toString().endsWith(".log")).findFirst().orElseThrow();
    }
    byte[] bytes = Files.readAllBytes(log);
    int at = new String(bytes, StandardCharsets.ISO_8859_1).indexOf(words[1] + "-message") + 3;
    try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "rw")) {
      file.seek(at);
      file.write(bytes[at] ^ 0x20);
    }
    return host;
  }

  @Test
  void aMessageDamagedOnDiskReachesNeitherASubscriberNorAPollerAndBothAreToldWhich(
      @TempDir Path root) throws Exception {
    String host = serverWithSecondMessageDamaged(root, "first", "second", "third");

    try (Consumer consumer = new Consumer("t", 1, TIMEOUT, host)) {
      try (Subscription subscription = consumer.subscribe()) {
        List<Message> before = new ArrayList<>();
        assertThatThrownBy(
                () -> {
                  long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                  while (System.nanoTime() < deadline) {
                    before.addAll(subscription.poll(Duration.ofMillis(200)));
                  }
                })
            .isInstanceOfSatisfying(
                MiniKafkaException.class,
                e -> {
                  assertThat(e.code()).isEqualTo(Status.Code.DATA_LOSS);
                  assertThat(e.getMessage()).contains("message 2 arrived damaged");
                });
        assertThat(before)
            .as("what came before the damage")
            .extracting(Message::number)
            .containsExactly(1L);
        subscription.seek(3);
        List<Message> after = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (after.isEmpty() && System.nanoTime() < deadline) {
          after.addAll(subscription.poll(Duration.ofMillis(200)));
        }
        assertThat(after)
            .as("what comes after a seek past it")
            .extracting(Message::number)
            .containsExactly(3L);
      }
      assertThatThrownBy(consumer::poll)
          .isInstanceOfSatisfying(
              MiniKafkaException.class,
              e -> {
                assertThat(e.code()).isEqualTo(Status.Code.DATA_LOSS);
                assertThat(e.getMessage()).contains("message 2 is damaged on disk");
              });
    }
  }

  @Test
  void aNamedConsumerHasTheMessagesBeforeADamagedOneCommittedWhenThePollThatFailsComes(
      @TempDir Path root) throws Exception {
    String host = serverWithSecondMessageDamaged(root, "first", "second");

    // Left open, as by an application that stops at the failure without closing.
    Consumer first = new Consumer("t", "reader", 1, TIMEOUT, host);
    Subscription reading = first.subscribe();
    List<Message> got = new ArrayList<>();
    assertThatThrownBy(
            () -> {
              long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
              while (System.nanoTime() < deadline) {
                got.addAll(reading.poll(Duration.ofMillis(200)));
              }
            })
        .hasMessageContaining("message 2 arrived damaged");
    assertThat(got).extracting(Message::number).containsExactly(1L);

    try (Consumer again = new Consumer("t", "reader", 1, TIMEOUT, host);
        Subscription resumed = again.subscribe()) {
      List<Message> resumedGot = new ArrayList<>();
      assertThatThrownBy(
              () -> {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (System.nanoTime() < deadline) {
                  resumedGot.addAll(resumed.poll(Duration.ofMillis(200)));
                }
              })
          .hasMessageContaining("message 2 arrived damaged");
      assertThat(resumedGot)
          .as("resumes at the damaged message: message 1 was committed")
          .isEmpty();
    } finally {
      reading.close();
      first.close();
    }
  }

  @Test
  void aReplyThatDoesNotParseEndsTheSubscriptionInsteadOfBeingRetried() throws Exception {
    // A server whose Subscribe sends bytes that are no SubscribeResponse (a record cut short).
    io.grpc.MethodDescriptor.Marshaller<byte[]> raw =
        new io.grpc.MethodDescriptor.Marshaller<>() {
          @Override
          public java.io.InputStream stream(byte[] value) {
            return new java.io.ByteArrayInputStream(value);
          }

          @Override
          public byte[] parse(java.io.InputStream stream) {
            throw new UnsupportedOperationException();
          }
        };
    io.grpc.MethodDescriptor<io.minikafka.protocol.SubscribeRequest, byte[]> subscribe =
        io.minikafka.protocol.MiniKafkaGrpc.getSubscribeMethod().toBuilder(
                io.minikafka.protocol.MiniKafkaGrpc.getSubscribeMethod().getRequestMarshaller(),
                raw)
            .build();
    io.grpc.Server broken =
        io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder.forAddress(
                new java.net.InetSocketAddress("127.0.0.1", 0))
            .addService(
                io.grpc.ServerServiceDefinition.builder(
                        io.minikafka.protocol.MiniKafkaGrpc.SERVICE_NAME)
                    .addMethod(
                        subscribe,
                        io.grpc.stub.ServerCalls.asyncServerStreamingCall(
                            (request, responses) -> responses.onNext(new byte[] {10, 5, 8})))
                    .build())
            .build()
            .start();
    try (Consumer consumer = new Consumer("t", 1, TIMEOUT, "127.0.0.1:" + broken.getPort());
        Subscription subscription = consumer.subscribe()) {
      assertThatThrownBy(() -> pollFor30Seconds(subscription))
          .isInstanceOfSatisfying(
              MiniKafkaException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.INTERNAL))
          .hasMessageContaining("a reply that does not parse");
    } finally {
      broken.shutdownNow();
    }
  }

  @Test
  void aBacklogOfSmallMessagesFitsTheResponseLimitTheServerAnnounces() throws Exception {
    // A message limit below the poll limit: responses are bounded by the poll limit and framing.
    String host = start(new MemoryStore(), ServerConfig.builder().maxMessageBytes(1000).build());
    int count = 30_000;
    try (Producer producer = new Producer("small", TIMEOUT, host)) {
      for (int i = 0; i < count; i++) {
        producer.sendAsync(new byte[200]);
      }
      producer.flush();
    }
    try (Consumer consumer = new Consumer("small", 1, TIMEOUT, host);
        Subscription subscription = consumer.subscribe()) {
      long received = 0;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (received < count && System.nanoTime() < deadline) {
        received += subscription.poll(Duration.ofMillis(200)).size();
      }
      assertThat(received).isEqualTo(count);
    }
  }

  @Test
  void aMessageLargerThanSixteenMebibytesThatTheServerAcceptedIsDelivered() throws Exception {
    int size = 17 * 1024 * 1024;
    String host =
        start(new MemoryStore(), ServerConfig.builder().maxMessageBytes(24 * 1024 * 1024).build());
    try (Producer producer = new Producer("big", Duration.ofSeconds(30), host)) {
      producer.sendMessage(new byte[size]);
    }
    try (Consumer polling = new Consumer("big", 1, Duration.ofSeconds(30), host)) {
      assertThat(polling.poll().messages())
          .singleElement()
          .satisfies(m -> assertThat(m.payload()).hasSize(size));
    }
    try (Consumer consumer = new Consumer("big", 1, Duration.ofSeconds(30), host);
        Subscription subscription = consumer.subscribe()) {
      List<Message> got = new ArrayList<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (got.isEmpty() && System.nanoTime() < deadline) {
        got.addAll(subscription.poll(Duration.ofMillis(200)));
      }
      assertThat(got).singleElement().satisfies(m -> assertThat(m.payload()).hasSize(size));
    }
  }
}
