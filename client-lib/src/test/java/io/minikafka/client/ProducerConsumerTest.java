package io.minikafka.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.minikafka.broker.config.ServerConfig;
import io.minikafka.broker.server.MiniKafkaServer;
import io.minikafka.broker.store.GatedStore;
import io.minikafka.broker.store.memory.MemoryStore;
import io.minikafka.protocol.Endpoint;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client library against a real server over loopback TCP. */
class ProducerConsumerTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private MiniKafkaServer server;
  private String host;

  @BeforeEach
  void startServer() throws IOException {
    server =
        MiniKafkaServer.start(
            new MemoryStore(),
            ServerConfig.builder()
                .host(Endpoint.parse("127.0.0.1:0"))
                .maxPollBytes(64 * 1024)
                .build(),
            Clock.systemUTC());
    host = "127.0.0.1:" + server.port();
  }

  @AfterEach
  void stopServer() throws IOException {
    server.close();
  }

  @Test
  void sentMessagesArePolledWithTheirNumbers() {
    try (Producer producer = new Producer("some_topic", TIMEOUT, host);
        Consumer consumer = new Consumer("some_topic", 1, TIMEOUT, host)) {
      assertThat(producer.sendMessage("first".getBytes(UTF_8))).isEqualTo(1);
      assertThat(producer.sendMessage("second".getBytes(UTF_8))).isEqualTo(2);

      PollResult result = consumer.poll();

      assertThat(result.messages()).extracting(Message::number).containsExactly(1L, 2L);
      assertThat(result.messages())
          .extracting(m -> new String(m.payload(), UTF_8))
          .containsExactly("first", "second");
      assertThat(result.newReadFrom()).isEqualTo(3);
      assertThat(consumer.readFrom()).isEqualTo(3);

      assertThat(consumer.poll().messages()).isEmpty();
      producer.sendMessage("third".getBytes(UTF_8));
      assertThat(consumer.poll().messages())
          .singleElement()
          .satisfies(m -> assertThat(m.number()).isEqualTo(3));
    }
  }

  @Test
  void aConsumerStartingMidwayGetsTheRightNumbers() {
    try (Producer producer = new Producer("t", TIMEOUT, host);
        Consumer consumer = new Consumer("t", 4, TIMEOUT, host)) {
      for (int i = 1; i <= 5; i++) {
        producer.sendMessage(("m" + i).getBytes(UTF_8));
      }

      PollResult result = consumer.poll();

      assertThat(result.messages()).extracting(Message::number).containsExactly(4L, 5L);
      assertThat(new String(result.messages().get(0).payload(), UTF_8)).isEqualTo("m4");
    }
  }

  @Test
  void aConsumerCatchesUpOverSeveralPollsWhenResponsesAreLimited() {
    int count = 200;
    byte[][] sent = new byte[count][];
    Random random = new Random(42);
    try (Producer producer = new Producer("bulk", TIMEOUT, host);
        Consumer consumer = new Consumer("bulk", 0, TIMEOUT, host)) {
      for (int i = 0; i < count; i++) {
        sent[i] = new byte[random.nextInt(2000)];
        random.nextBytes(sent[i]);
        producer.sendMessage(sent[i]);
      }

      List<Message> received = new ArrayList<>();
      int polls = 0;
      while (received.size() < count && polls < 1000) {
        received.addAll(consumer.poll().messages());
        polls++;
      }

      assertThat(polls).isGreaterThan(1);
      assertThat(received).hasSize(count);
      for (int i = 0; i < count; i++) {
        assertThat(received.get(i).number()).isEqualTo(i + 1L);
        assertThat(received.get(i).payload()).isEqualTo(sent[i]);
      }
    }
  }

  @Test
  void largeMessagesRoundTrip() {
    byte[] large = new byte[10 * 1024 * 1024];
    new Random(1).nextBytes(large);
    try (Producer producer = new Producer("large", TIMEOUT, host);
        Consumer consumer = new Consumer("large", 1, TIMEOUT, host)) {
      producer.sendMessage(large);
      assertThat(consumer.poll().messages().get(0).payload()).isEqualTo(large);
    }
  }

  @Test
  void pollingAnUnknownTopicFailsWithNotFound() {
    try (Consumer consumer = new Consumer("never_written", 1, TIMEOUT, host)) {
      assertThatThrownBy(consumer::poll)
          .isInstanceOfSatisfying(
              MiniKafkaException.class,
              e -> {
                assertThat(e.code()).isEqualTo(Status.Code.NOT_FOUND);
                assertThat(e.getMessage()).contains("topic").contains("never_written");
              });
      assertThat(consumer.readFrom()).isEqualTo(1);
    }
  }

  @Test
  void invalidTopicFailsWithInvalidArgument() {
    try (Producer producer = new Producer("", TIMEOUT, host)) {
      assertThatThrownBy(() -> producer.sendMessage(new byte[1]))
          .isInstanceOfSatisfying(
              MiniKafkaException.class,
              e -> {
                assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                assertThat(e.getMessage()).contains("topic name must not be empty");
              });
    }
  }

  @Test
  void unreachableServerFailsWithUnavailable() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    try (Producer producer = new Producer("t", TIMEOUT, "127.0.0.1:" + closedPort)) {
      assertThatThrownBy(() -> producer.sendMessage(new byte[1]))
          .isInstanceOfSatisfying(
              MiniKafkaException.class,
              e -> {
                assertThat(e.code()).isEqualTo(Status.Code.UNAVAILABLE);
                assertThat(e.getMessage())
                    .contains("cannot reach MiniKafka server at 127.0.0.1:" + closedPort);
              });
    }
  }

  @Test
  void aServerThatDoesNotAnswerInTimeFailsWithDeadlineExceededAndSeesTheCallCancelled()
      throws Exception {
    GatedStore stuck = new GatedStore(new MemoryStore());
    try (MiniKafkaServer slow = MiniKafkaServer.start(stuck, "127.0.0.1:0", Duration.ofHours(1));
        Producer producer = new Producer("t", Duration.ofMillis(200), "127.0.0.1:" + slow.port())) {
      assertThatThrownBy(() -> producer.sendMessage(new byte[1]))
          .isInstanceOfSatisfying(
              MiniKafkaException.class,
              e -> {
                assertThat(e.code()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
                assertThat(e.getMessage()).contains("within 200 ms");
              });
      assertThat(stuck.callCancelled.await(10, TimeUnit.SECONDS))
          .as("the server's call is cancelled once the client gives up")
          .isTrue();
    } finally {
      stuck.release.countDown();
    }
  }

  @Test
  void anInterruptedSendFailsAsCancelledAndKeepsTheInterrupt() throws Exception {
    GatedStore stuck = new GatedStore(new MemoryStore());
    try (MiniKafkaServer slow = MiniKafkaServer.start(stuck, "127.0.0.1:0", Duration.ofHours(1));
        Producer producer = new Producer("t", TIMEOUT, "127.0.0.1:" + slow.port())) {
      AtomicReference<Throwable> failure = new AtomicReference<>();
      AtomicBoolean interruptKept = new AtomicBoolean();
      Thread sender =
          new Thread(
              () -> {
                try {
                  producer.sendMessage(new byte[1]);
                } catch (MiniKafkaException e) {
                  failure.set(e);
                  interruptKept.set(Thread.currentThread().isInterrupted());
                }
              });
      sender.start();
      assertThat(stuck.entered.await(10, TimeUnit.SECONDS)).isTrue();
      sender.interrupt();
      sender.join(10_000);

      assertThat(failure.get())
          .isInstanceOfSatisfying(
              MiniKafkaException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.CANCELLED));
      assertThat(interruptKept).isTrue();
      assertThat(stuck.callCancelled.await(10, TimeUnit.SECONDS)).isTrue();
    } finally {
      stuck.release.countDown();
    }
  }

  @Test
  void malformedArgumentsAreRejectedUpFront() {
    assertThatThrownBy(() -> new Producer("t", TIMEOUT, "no-port"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'no-port'");
    assertThatThrownBy(() -> new Consumer("t", -1, TIMEOUT, host))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Producer("t", Duration.ZERO, host))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
