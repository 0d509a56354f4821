package io.minikafka.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.minikafka.broker.server.MiniKafkaServer;
import io.minikafka.broker.store.memory.MemoryStore;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Where a consumer starts: the oldest message, only new ones, a number, a time or an age. */
class StartAtTest {

  private MiniKafkaServer server;
  private ConnectionConfig config;

  @BeforeEach
  void start() throws Exception {
    server = MiniKafkaServer.start(new MemoryStore(), "127.0.0.1:0", Duration.ofHours(1));
    config = ConnectionConfig.of("127.0.0.1:" + server.port(), Duration.ofSeconds(10));
    try (Producer producer = new Producer("t", config)) {
      producer.sendMessage("old1".getBytes(UTF_8));
      producer.sendMessage("old2".getBytes(UTF_8));
    }
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  private static List<String> texts(List<Message> messages) {
    return messages.stream().map(m -> new String(m.payload(), UTF_8)).toList();
  }

  @Test
  void endReadsOnlyWhatIsProducedAfterTheConsumerStartsByPollOrSubscription() throws Exception {
    try (Consumer polling = new Consumer("t", StartAt.end(), config);
        Consumer subscribing = new Consumer("t", StartAt.end(), config);
        Producer producer = new Producer("t", config)) {
      assertThat(polling.poll().messages()).isEmpty();
      try (Subscription subscription = subscribing.subscribe()) {
        producer.sendMessage("new".getBytes(UTF_8));
        assertThat(texts(polling.poll().messages())).containsExactly("new");
        List<Message> pushed = List.of();
        for (int i = 0; i < 30 && pushed.isEmpty(); i++) {
          pushed = subscription.poll(Duration.ofSeconds(1));
        }
        assertThat(texts(pushed)).containsExactly("new");
      }
    }
  }

  @Test
  void endOfATopicThatDoesNotExistYetIsItsFirstMessage() {
    try (Consumer consumer = new Consumer("later", StartAt.end(), config);
        Producer producer = new Producer("later", config)) {
      org.assertj.core.api.Assertions.assertThatThrownBy(consumer::poll)
          .isInstanceOf(MiniKafkaException.class)
          .hasMessageContaining("unknown topic 'later'");
      producer.sendMessage("first".getBytes(UTF_8));
      assertThat(texts(consumer.poll().messages())).containsExactly("first");
    }
  }

  @Test
  void endOfADeletedTopicIsWhereItsNumbersGoOnAndWhatWasDeletedIsNoSkip() throws Exception {
    try (Admin admin = new Admin(config)) {
      assertThat(admin.deleteTopic("t")).isEqualTo(2);
    }
    try (Consumer polling = new Consumer("t", StartAt.end(), config);
        Consumer subscribing = new Consumer("t", StartAt.end(), config);
        Consumer named = new Consumer("t", "g", StartAt.end(), config);
        Producer producer = new Producer("t", config)) {
      org.assertj.core.api.Assertions.assertThatThrownBy(polling::poll)
          .isInstanceOf(MiniKafkaException.class);
      // Where "the end" is, is asked once, here before the topic comes back: where it goes on.
      assertThat(named.readFrom()).isEqualTo(3);
      try (Subscription subscription = subscribing.subscribe()) {
        assertThat(producer.sendMessage("new".getBytes(UTF_8))).isEqualTo(3);

        PollResult polled = polling.poll();
        assertThat(texts(polled.messages())).containsExactly("new");
        assertThat(polled.skipped()).isZero();
        PollResult namedPoll = named.poll();
        assertThat(texts(namedPoll.messages())).containsExactly("new");
        assertThat(namedPoll.skipped()).isZero();
        List<Message> pushed = List.of();
        for (int i = 0; i < 30 && pushed.isEmpty(); i++) {
          pushed = subscription.poll(Duration.ofSeconds(1));
        }
        assertThat(texts(pushed)).containsExactly("new");
        assertThat(subscription.takeSkips()).isEmpty();
      }
    }
  }

  @Test
  void startANumberATimeAndAnAgeAndPollsCarryAppendTimes() {
    try (Consumer fromStart = new Consumer("t", StartAt.start(), config);
        Consumer fromTwo = new Consumer("t", StartAt.number(2), config);
        Consumer fromAnHourAgo =
            new Consumer("t", StartAt.ago(Duration.ofHours(1), Clock.systemUTC()), config);
        Consumer fromLater =
            new Consumer("t", StartAt.time(java.time.Instant.now().plusSeconds(60)), config)) {
      List<Message> all = fromStart.poll().messages();
      assertThat(texts(all)).containsExactly("old1", "old2");
      assertThat(all).allMatch(m -> m.appendTimeMillis() > 0);
      assertThat(texts(fromTwo.poll().messages())).containsExactly("old2");
      assertThat(texts(fromAnHourAgo.poll().messages())).containsExactly("old1", "old2");
      assertThat(fromLater.poll().messages()).isEmpty();
    }
  }

  @Test
  void aNamedConsumerWithAPositionIgnoresWhereItWouldStartIfNew() {
    try (Consumer first = new Consumer("t", "g", StartAt.start(), config)) {
      assertThat(first.poll().messages()).hasSize(2);
    }
    try (Consumer again = new Consumer("t", "g", StartAt.end(), config);
        Producer producer = new Producer("t", config)) {
      producer.sendMessage("third".getBytes(UTF_8));
      assertThat(texts(again.poll().messages())).containsExactly("third");
    }
  }
}
