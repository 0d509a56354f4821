package io.minikafka.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.minikafka.broker.server.MiniKafkaServer;
import io.minikafka.broker.store.memory.MemoryStore;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Where named consumers start and stand: a new group's start kept even when it reads nothing, the
 * read-from number before the first poll, a subscription's next number after a skip, and clients
 * that refuse work once closed.
 */
class WhereConsumersStandTest {

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

  private void produce(int count) throws IOException {
    for (int i = 0; i < count; i++) {
      store.store("t", ("m" + i).getBytes(UTF_8));
    }
  }

  private Consumer group(String name, StartAt start) {
    return Consumer.builder()
        .host(host)
        .timeout(TIMEOUT)
        .topic("t")
        .group(name)
        .startAt(start)
        .build();
  }

  @Test
  void aPollBelowMessagesNoLongerStoredSaysSoOnceAndAGroupCommitsThePlacePastThem()
      throws IOException {
    produce(5);
    store.removeOlderThan(java.time.Instant.now().plusSeconds(60));

    try (Consumer first = group("gap", StartAt.number(2))) {
      PollResult told = first.poll();
      assertThat(told.skipped()).isEqualTo(4);
      assertThat(told.firstAvailable()).isEqualTo(6);
      assertThat(first.poll().skipped()).as("told once, then on from the oldest left").isZero();
    }
    produce(1);

    try (Consumer again = group("gap", StartAt.start())) {
      PollResult next = again.poll();
      assertThat(next.skipped()).as("the group's next run").isZero();
      assertThat(next.messages()).extracting(Message::number).containsExactly(6L);
    }
  }

  @Test
  void aNewGroupStartedAtTheEndThatPolledNothingStartsThereAgainNotAtTheBacklog()
      throws IOException {
    produce(10);
    try (Consumer first = group("g", StartAt.end())) {
      assertThat(first.poll().messages()).isEmpty();
    }
    produce(1);

    try (Consumer again = group("g", StartAt.start())) {
      assertThat(again.poll().messages()).extracting(Message::number).containsExactly(11L);
    }
  }

  @Test
  void aNewGroupStartedAtTheEndThatSubscribedAndGotNothingStartsThereAgain() throws Exception {
    produce(10);
    try (Consumer first = group("s", StartAt.end());
        Subscription subscription = first.subscribe()) {
      assertThat(subscription.poll(Duration.ofMillis(200))).isEmpty();
    }
    produce(1);

    try (Consumer again = group("s", StartAt.start())) {
      assertThat(again.poll().messages()).extracting(Message::number).containsExactly(11L);
    }
  }

  @Test
  void aGroupStartedPastTheEndKeepsNothingSoAnotherStartCanBeGiven() throws IOException {
    produce(10);
    try (Consumer tooFar = group("far", StartAt.number(1_000))) {
      assertThatThrownBy(tooFar::poll).isInstanceOf(PositionOutOfRangeException.class);
    }

    try (Consumer again = group("far", StartAt.number(5))) {
      assertThat(again.poll().messages().get(0).number()).isEqualTo(5);
    }
  }

  @Test
  void commitBeforeTheFirstPollCommitsTheEndNotOne() throws IOException {
    produce(10);
    try (Consumer first = group("c1", StartAt.end())) {
      first.commit();
    }
    produce(1);

    try (Consumer again = group("c1", StartAt.start())) {
      assertThat(again.poll().messages()).extracting(Message::number).containsExactly(11L);
    }
  }

  @Test
  void pollThenSubscribeThenCloseNeverMovesTheGroupBack() throws Exception {
    produce(10);
    try (Consumer reader = group("b", StartAt.start())) {
      assertThat(reader.poll().messages()).hasSize(10);
      try (Subscription subscription = reader.subscribe()) {
        produce(5);
        List<Message> got = new java.util.ArrayList<>();
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (got.size() < 5 && System.nanoTime() < deadline) {
          got.addAll(subscription.poll(Duration.ofMillis(200)));
        }
        assertThat(got).extracting(Message::number).containsExactly(11L, 12L, 13L, 14L, 15L);
      }
    }

    try (Consumer again = group("b", StartAt.start())) {
      assertThat(again.readFrom()).as("after the subscription's last commit").isEqualTo(16);
    }
  }

  @Test
  void aNamedConsumersReadFromIsItsCommittedPositionOrTheEndBeforeItsFirstPoll()
      throws IOException {
    produce(10);
    try (Consumer reader = group("r", StartAt.number(1))) {
      reader.seek(4);
    }

    try (Consumer resumed = group("r", StartAt.number(1));
        Consumer atEnd = group("new", StartAt.end())) {
      assertThat(resumed.readFrom()).isEqualTo(4);
      assertThat(resumed.poll().messages().get(0).number()).isEqualTo(4);
      assertThat(atEnd.readFrom()).isEqualTo(11);
    }
  }

  @Test
  void aSubscriptionThatSkippedRemovedMessagesSaysItsNextNumberIsPastThem() throws Exception {
    produce(5);
    store.removeOlderThan(Instant.now().plusSeconds(60));
    produce(1);

    try (Consumer reader = new Consumer("t", 1, ConnectionConfig.of(host, TIMEOUT));
        Subscription subscription = reader.subscribe()) {
      List<Message> got = subscription.poll(TIMEOUT);
      List<Skip> skips = subscription.takeSkips();

      assertThat(skips).containsExactly(new Skip(6, 5));
      assertThat(got).extracting(Message::number).containsExactly(6L);
      assertThat(subscription.nextNumber()).isEqualTo(7);
    }
  }

  @Test
  void aSkipReportedAloneMovesTheNextNumberPastWhatIsGone() throws Exception {
    produce(5);
    store.removeOlderThan(Instant.now().plusSeconds(60));

    try (Consumer reader = new Consumer("t", 1, ConnectionConfig.of(host, TIMEOUT));
        Subscription subscription = reader.subscribe()) {
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      List<Skip> skips = List.of();
      while (skips.isEmpty() && System.nanoTime() < deadline) {
        assertThat(subscription.poll(Duration.ofMillis(100))).isEmpty();
        skips = subscription.takeSkips();
      }

      assertThat(skips).containsExactly(new Skip(6, 5));
      assertThat(subscription.nextNumber()).isEqualTo(6);
    }
  }

  @Test
  void closingAConsumerClosesItsSubscriptionAndCommitsWhatItHandedOut() throws Exception {
    produce(5);
    Consumer consumer = group("open", StartAt.start());
    Subscription subscription = consumer.subscribe();
    List<Message> got = new java.util.ArrayList<>();
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (got.size() < 5 && System.nanoTime() < deadline) {
      got.addAll(subscription.poll(Duration.ofMillis(200)));
    }
    assertThat(got).hasSize(5);

    consumer.close();

    assertThatThrownBy(() -> subscription.poll(Duration.ofMillis(50)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("the subscription is closed");
    assertThatThrownBy(consumer::subscribe)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("the consumer is closed");
    subscription.close();
    produce(1);
    try (Consumer again = group("open", StartAt.start())) {
      assertThat(again.poll().messages()).extracting(Message::number).containsExactly(6L);
    }
  }

  @Test
  void closingAConsumerStopsItsHandlerAfterTheMessageInHandAndCommitsWhatItHandled()
      throws Exception {
    produce(10);
    Consumer consumer = group("handled", StartAt.start());
    java.util.concurrent.CountDownLatch thirdInHand = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch consumerClosing =
        new java.util.concurrent.CountDownLatch(1);
    List<Long> handled = new java.util.concurrent.CopyOnWriteArrayList<>();
    HandlerSubscription subscription =
        consumer.subscribe(
            message -> {
              if (message.number() == 3) {
                thirdInHand.countDown();
                consumerClosing.await();
              }
              handled.add(message.number());
            });
    assertThat(thirdInHand.await(TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS))
        .isTrue();

    Thread closer = new Thread(consumer::close);
    closer.start();
    // The consumer's close waits for the handler: let it return once that close is under way.
    org.awaitility.Awaitility.await()
        .atMost(TIMEOUT)
        .until(() -> closer.getState() == Thread.State.TIMED_WAITING);
    consumerClosing.countDown();
    closer.join(TIMEOUT.toMillis());

    assertThat(closer.isAlive()).isFalse();
    assertThat(subscription.termination()).isCompleted().isNotCompletedExceptionally();
    assertThat(handled).containsExactly(1L, 2L, 3L);
    try (Consumer again = group("handled", StartAt.start())) {
      assertThat(again.poll().messages().get(0).number()).isEqualTo(4);
    }
  }

  @Test
  void aHandlerThatClosesItsSubscriptionEndsItOnceItReturns() throws Exception {
    produce(5);
    try (Consumer consumer = group("self", StartAt.start())) {
      java.util.concurrent.atomic.AtomicReference<HandlerSubscription> self =
          new java.util.concurrent.atomic.AtomicReference<>();
      java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
      List<Long> handled = new java.util.concurrent.CopyOnWriteArrayList<>();
      java.util.concurrent.atomic.AtomicLong closeNanos =
          new java.util.concurrent.atomic.AtomicLong();
      self.set(
          consumer.subscribe(
              message -> {
                started.await();
                handled.add(message.number());
                if (message.number() == 2) {
                  long start = System.nanoTime();
                  self.get().close();
                  closeNanos.set(System.nanoTime() - start);
                }
              }));
      started.countDown();

      self.get().termination().get(TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
      assertThat(handled).containsExactly(1L, 2L);
      // Not a wait of the handler's thread for itself, which would end only at close's 2 s limit.
      assertThat(Duration.ofNanos(closeNanos.get())).isLessThan(Duration.ofSeconds(1));
    }
    try (Consumer again = group("self", StartAt.start())) {
      assertThat(again.poll().messages().get(0).number()).isEqualTo(3);
    }
  }

  @Test
  void aHandlerStillRunningAtTheTimeoutFailsTheCloseAndLeavesItsMessageToTheNextConsumer()
      throws Exception {
    produce(3);
    Consumer consumer =
        Consumer.builder()
            .host(host)
            .timeout(Duration.ofMillis(500))
            .topic("t")
            .group("slow")
            .startAt(StartAt.start())
            .build();
    java.util.concurrent.CountDownLatch secondInHand = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);
    HandlerSubscription subscription =
        consumer.subscribe(
            message -> {
              if (message.number() == 2) {
                secondInHand.countDown();
                closed.await();
              }
            });
    assertThat(secondInHand.await(TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS))
        .isTrue();

    assertThatThrownBy(consumer::close)
        .isInstanceOf(MiniKafkaException.class)
        .hasMessage(
            "the handler of consumer 'slow' did not return within 500 ms of close: the next consumer of"
                + " that name reads again what it had not committed, its message in hand included");
    closed.countDown();
    assertThat(subscription.termination())
        .failsWithin(TIMEOUT)
        .withThrowableThat()
        .withMessageContaining("the consumer is closed");

    // Its subscription commits as it polls again, so the whole first batch is read again.
    try (Consumer again = group("slow", StartAt.start())) {
      assertThat(again.poll().messages().get(0).number()).isEqualTo(1);
    }
  }

  @Test
  void closedClientsRefuseCallsEvenWhileAnotherHoldsTheSharedConnection() throws IOException {
    produce(1);
    try (Admin keepsTheChannel = new Admin(ConnectionConfig.of(host, TIMEOUT))) {
      Producer producer = new Producer("t", TIMEOUT, host);
      producer.close();
      Consumer consumer = group("c", StartAt.start());
      consumer.close();

      assertThatThrownBy(() -> producer.sendMessage("late".getBytes(UTF_8)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("the producer is closed");
      assertThatThrownBy(consumer::poll)
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("the consumer is closed");
      assertThat(keepsTheChannel.topics()).containsExactly("t");
      assertThat(store.poll("t", 1, io.minikafka.broker.store.PollLimits.UNLIMITED).messages())
          .hasSize(1);
    }
  }
}
