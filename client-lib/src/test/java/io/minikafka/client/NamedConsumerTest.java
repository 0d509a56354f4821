package io.minikafka.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.minikafka.broker.server.MiniKafkaServer;
import io.minikafka.broker.store.ForwardingStore;
import io.minikafka.broker.store.StoreException;
import io.minikafka.broker.store.memory.MemoryStore;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Named consumers are at-least-once: a position is committed only for messages the application has
 * been handed and came back from (the next poll, or close), as Kafka commits what the previous poll
 * returned. A consumer that dies holding a batch leaves it to its successor; a commit that fails
 * loses nothing.
 */
class NamedConsumerTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final AtomicBoolean commitsFail = new AtomicBoolean();
  private MiniKafkaServer server;
  private String host;

  @BeforeEach
  void startServer() throws IOException {
    server =
        MiniKafkaServer.start(
            new ForwardingStore(new MemoryStore()) {
              @Override
              public void commitPosition(String topic, String consumer, long nextNumber)
                  throws IOException {
                if (commitsFail.get()) {
                  throw new StoreException("positions file unwritable (injected)");
                }
                super.commitPosition(topic, consumer, nextNumber);
              }
            },
            "127.0.0.1:0",
            Duration.ofHours(1));
    host = "127.0.0.1:" + server.port();
    try (Producer producer = new Producer("t", TIMEOUT, host)) {
      for (int i = 1; i <= 10; i++) {
        producer.sendMessage(("m" + i).getBytes(UTF_8));
      }
    }
  }

  @AfterEach
  void stopServer() throws IOException {
    server.close();
  }

  private List<Long> numbers(List<Message> messages) {
    return messages.stream().map(Message::number).toList();
  }

  /** A new consumer of the name reads from 1 (and leaves the position there). */
  private void assertNothingCommitted() {
    try (Consumer successor = new Consumer("t", "billing", 1, TIMEOUT, host)) {
      assertThat(successor.poll().messages()).as("nothing committed").hasSize(10);
      successor.seek(1);
    }
  }

  private static final List<Long> ALL = List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);

  @Test
  void aBatchHandedToAConsumerThatNeverCameBackIsReadAgainByItsSuccessor() {
    Consumer crashed = new Consumer("t", "billing", 1, TIMEOUT, host);
    assertThat(numbers(crashed.poll().messages())).isEqualTo(ALL);
    // It dies while handling the batch: no further poll, no close.

    try (Consumer successor = new Consumer("t", "billing", 1, TIMEOUT, host)) {
      assertThat(numbers(successor.poll().messages())).isEqualTo(ALL);
    }
  }

  @Test
  void theNextPollCommitsWhatThePreviousOneReturned() {
    try (Consumer consumer = new Consumer("t", "billing", 1, TIMEOUT, host)) {
      assertThat(consumer.poll().messages()).hasSize(10);
      assertThat(consumer.poll().messages()).isEmpty();
      try (Consumer other = new Consumer("t", "billing", 1, TIMEOUT, host)) {
        assertThat(other.poll().messages()).isEmpty();
      }
    }
  }

  @Test
  void closeCommitsWhatWasHandedOutAndSeekTellsWhatWasNot() {
    try (Consumer consumer = new Consumer("t", "billing", 1, TIMEOUT, host)) {
      assertThat(consumer.poll().messages()).hasSize(10);
      consumer.seek(4); // only 1..3 were used
    }
    try (Consumer next = new Consumer("t", "billing", 1, TIMEOUT, host)) {
      assertThat(numbers(next.poll().messages())).startsWith(4L).hasSize(7);
    }
  }

  @Test
  void aFailedCommitLosesNothingAndIsRetried() {
    try (Consumer consumer = new Consumer("t", "billing", 1, TIMEOUT, host)) {
      assertThat(consumer.poll().messages()).hasSize(10);
      commitsFail.set(true);
      assertThatThrownBy(consumer::poll)
          .isInstanceOf(MiniKafkaException.class)
          .hasMessageContaining("positions file unwritable");
      commitsFail.set(false);
      assertNothingCommitted();
      assertThat(consumer.poll().messages()).isEmpty();
    }
    try (Consumer after = new Consumer("t", "billing", 1, TIMEOUT, host)) {
      assertThat(after.poll().messages()).isEmpty();
    }
  }

  @Test
  void aSubscriptionCommitsOnlyBatchesItHandedOutAndAFailedCommitDropsNoMessage() throws Exception {
    commitsFail.set(true);
    List<Long> received = new ArrayList<>();
    try (Consumer consumer = new Consumer("t", "billing", 1, TIMEOUT, host);
        Subscription subscription = consumer.subscribe()) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (received.size() < 10 && System.nanoTime() < deadline) {
        received.addAll(numbers(subscription.poll(Duration.ofMillis(200))));
      }
      assertThat(received).isEqualTo(ALL);
      commitsFail.set(false);
      assertNothingCommitted();
      assertThat(subscription.poll(Duration.ofMillis(100))).isEmpty();
    }
    try (Consumer after = new Consumer("t", "billing", 1, TIMEOUT, host)) {
      assertThat(after.poll().messages()).as("committed once commits worked").isEmpty();
    }
  }

  @Test
  void aHandlerThatFailsLeavesItsMessageAndEverythingAfterToTheNextConsumer() throws Exception {
    List<Long> handled = new ArrayList<>();
    try (Consumer consumer = new Consumer("t", "billing", 1, TIMEOUT, host);
        HandlerSubscription subscription =
            consumer.subscribe(
                message -> {
                  if (message.number() == 4) {
                    throw new IllegalStateException("cannot handle " + message.number());
                  }
                  handled.add(message.number());
                })) {
      assertThatThrownBy(() -> subscription.termination().get(30, TimeUnit.SECONDS))
          .hasCauseInstanceOf(IllegalStateException.class);
    }
    assertThat(handled).containsExactly(1L, 2L, 3L);
    try (Consumer next = new Consumer("t", "billing", 1, TIMEOUT, host)) {
      assertThat(numbers(next.poll().messages())).startsWith(4L).hasSize(7);
    }
  }
}
