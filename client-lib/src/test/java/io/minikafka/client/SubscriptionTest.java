package io.minikafka.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.minikafka.broker.server.MiniKafkaServer;
import io.minikafka.broker.store.file.FileStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Live subscriptions against a real server over loopback TCP, including server restarts. */
class SubscriptionTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  @TempDir Path root;
  private MiniKafkaServer server;
  private int port;
  private String host;

  @BeforeEach
  void startServer() throws IOException {
    server = MiniKafkaServer.start(FileStore.open(root), "127.0.0.1:0", Duration.ofHours(1));
    port = server.port();
    host = "127.0.0.1:" + port;
  }

  @AfterEach
  void stopServer() throws IOException {
    server.close();
  }

  private void restartServer() throws IOException {
    server.close();
    server = MiniKafkaServer.start(FileStore.open(root), "127.0.0.1:" + port, Duration.ofHours(1));
  }

  private static List<Message> take(Subscription subscription, int count)
      throws InterruptedException {
    List<Message> messages = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (messages.size() < count && System.nanoTime() < deadline) {
      messages.addAll(subscription.poll(Duration.ofMillis(500)));
    }
    return messages;
  }

  @Test
  void aSubscriptionDeliversTheBacklogThenNewMessagesWithTheirTimes() throws Exception {
    try (Producer producer = new Producer("t", TIMEOUT, host);
        Consumer consumer = new Consumer("t", 2, TIMEOUT, host)) {
      producer.sendMessage("one".getBytes(UTF_8));
      producer.sendMessage("two".getBytes(UTF_8));
      try (Subscription subscription = consumer.subscribe()) {
        List<Message> backlog = take(subscription, 1);
        assertThat(backlog).extracting(Message::number).containsExactly(2L);

        long before = System.currentTimeMillis();
        producer.sendMessage("three".getBytes(UTF_8));
        List<Message> live = take(subscription, 1);

        assertThat(live)
            .singleElement()
            .satisfies(
                m -> {
                  assertThat(m.number()).isEqualTo(3);
                  assertThat(new String(m.payload(), UTF_8)).isEqualTo("three");
                  assertThat(m.appendTimeMillis())
                      .isBetween(before - 1000, System.currentTimeMillis());
                });
        assertThat(subscription.nextNumber()).isEqualTo(4);
      }
    }
  }

  @Test
  void aSubscriptionSurvivesAServerRestartWithoutDuplicatesOrGaps() throws Exception {
    try (Producer producer = new Producer("t", TIMEOUT, host);
        Consumer consumer = new Consumer("t", 1, TIMEOUT, host);
        Subscription subscription = consumer.subscribe()) {
      for (int i = 1; i <= 5; i++) {
        producer.sendMessage(("m" + i).getBytes(UTF_8));
      }
      List<Message> received = new ArrayList<>(take(subscription, 5));

      restartServer();
      for (int i = 6; i <= 10; i++) {
        final int n = i;
        org.awaitility.Awaitility.await()
            .atMost(Duration.ofSeconds(30))
            .ignoreExceptions()
            .until(() -> producer.sendMessage(("m" + n).getBytes(UTF_8)) == n);
      }
      received.addAll(take(subscription, 5));

      assertThat(received)
          .extracting(Message::number)
          .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
      assertThat(received)
          .extracting(m -> new String(m.payload(), UTF_8))
          .containsExactly("m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9", "m10");
    }
  }

  @Test
  void aHandlerSubscriptionDeliversOnItsOwnThread() throws Exception {
    BlockingQueue<Message> delivered = new LinkedBlockingQueue<>();
    try (Producer producer = new Producer("t", TIMEOUT, host);
        Consumer consumer = new Consumer("t", 1, TIMEOUT, host);
        HandlerSubscription subscription = consumer.subscribe(delivered::add)) {
      producer.sendMessage("hello".getBytes(UTF_8));

      Message message = delivered.poll(30, TimeUnit.SECONDS);

      assertThat(message).isNotNull();
      assertThat(new String(message.payload(), UTF_8)).isEqualTo("hello");
      assertThat(subscription.termination()).isNotDone();
    }
  }

  @Test
  void aConsumerCanStartFromATimeByPollOrBySubscription() throws Exception {
    try (Producer producer = new Producer("t", TIMEOUT, host)) {
      producer.sendMessage("old".getBytes(UTF_8));
      java.time.Instant cut = java.time.Instant.now().plusMillis(5);
      org.awaitility.Awaitility.await().until(() -> java.time.Instant.now().isAfter(cut));
      producer.sendMessage("new".getBytes(UTF_8));

      try (Consumer polling = new Consumer("t", cut, TIMEOUT, host)) {
        assertThat(polling.poll().messages()).extracting(Message::number).containsExactly(2L);
        assertThat(polling.readFrom()).isEqualTo(3);
      }
      try (Consumer subscribing = new Consumer("t", cut, TIMEOUT, host);
          Subscription subscription = subscribing.subscribe()) {
        assertThat(take(subscription, 1)).extracting(Message::number).containsExactly(2L);
      }
    }
  }

  @Test
  void aNamedConsumerResumesWhereItsPredecessorCommittedAcrossAServerRestart() throws Exception {
    try (Producer producer = new Producer("t", TIMEOUT, host)) {
      for (int i = 1; i <= 5; i++) {
        producer.sendMessage(("m" + i).getBytes(UTF_8));
      }
    }
    try (Consumer first = new Consumer("t", "billing", 1, TIMEOUT, host)) {
      PollResult result = first.poll();
      assertThat(result.messages()).hasSize(5);
    }
    try (Producer producer = new Producer("t", TIMEOUT, host)) {
      producer.sendMessage("m6".getBytes(UTF_8));
    }
    restartServer();

    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              try (Consumer second = new Consumer("t", "billing", 1, TIMEOUT, host)) {
                assertThat(second.poll().messages())
                    .extracting(m -> new String(m.payload(), UTF_8))
                    .containsExactly("m6");
              }
            });
    try (Consumer stranger = new Consumer("t", "audit", 4, TIMEOUT, host);
        Subscription subscription = stranger.subscribe()) {
      assertThat(take(subscription, 3)).extracting(Message::number).containsExactly(4L, 5L, 6L);
    }
    try (Consumer audit = new Consumer("t", "audit", 1, TIMEOUT, host)) {
      assertThat(audit.poll().messages())
          .as("the subscription committed after its batch")
          .isEmpty();
    }
  }

  @Test
  void anInvalidTopicEndsTheSubscriptionWithAClearError() {
    try (Consumer consumer = new Consumer("", 1, TIMEOUT, host);
        Subscription subscription = consumer.subscribe()) {
      assertThatThrownBy(() -> take(subscription, 1))
          .isInstanceOfSatisfying(
              MiniKafkaException.class,
              e -> {
                assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                assertThat(e.getMessage()).contains("topic name must not be empty");
              });
    }
  }
}
