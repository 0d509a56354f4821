package io.minikafka.broker.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TopicEventsTest {

  private final List<Runnable> handedOver = new ArrayList<>();
  private final TopicEvents events = new TopicEvents(handedOver::add);

  @Test
  void theFirstWaitersRunOnTheAppendingThreadAndTheRestAreHandedOver() {
    List<Thread> ranOn = new ArrayList<>();
    int waiters = TopicEvents.INLINE_WAITERS + 3;
    for (int i = 0; i < waiters; i++) {
      events.await("t", () -> ranOn.add(Thread.currentThread()));
    }

    events.appended("t");

    assertThat(ranOn).hasSize(TopicEvents.INLINE_WAITERS).containsOnly(Thread.currentThread());
    assertThat(handedOver).hasSize(3);
    handedOver.forEach(Runnable::run);
    assertThat(ranOn).hasSize(waiters);
  }

  @Test
  void theStoreIsToldOfEachWaitAndAgainOfEveryTopicStillWaitedOn() {
    List<String> watched = new ArrayList<>();
    TopicEvents shared = new TopicEvents(handedOver::add, watched::add);
    Runnable first = () -> {};
    shared.await("a", first);
    shared.await("b", () -> {});
    assertThat(watched).containsExactly("a", "b");

    shared.cancel("a", first);
    watched.clear();
    shared.renewWatches();

    assertThat(watched).as("only topics someone still waits on").containsExactly("b");
  }

  @Test
  void aWaiterRunsOnceAndOnlyForItsOwnTopic() {
    AtomicInteger runs = new AtomicInteger();
    events.await("t", runs::incrementAndGet);

    events.appended("other");
    assertThat(runs).hasValue(0);
    events.appended("t");
    events.appended("t");
    assertThat(runs).hasValue(1);
  }

  @Test
  void aWaiterThatRegistersAgainWhileRunningWaitsForTheNextAppend() {
    AtomicInteger runs = new AtomicInteger();
    Runnable[] self = new Runnable[1];
    self[0] =
        () -> {
          runs.incrementAndGet();
          events.await("t", self[0]);
        };
    events.await("t", self[0]);

    events.appended("t");
    assertThat(runs).hasValue(1);
    events.appended("t");
    assertThat(runs).hasValue(2);
  }

  @Test
  void aCancelledWaiterIsNotRun() {
    AtomicInteger runs = new AtomicInteger();
    Runnable waiter = runs::incrementAndGet;
    events.await("t", waiter);
    events.cancel("t", waiter);

    events.appended("t");

    assertThat(runs).hasValue(0);
    assertThat(handedOver).isEmpty();
  }

  @Test
  void aTopicCostsNothingOnceItsLastWaiterIsGone() {
    Runnable cancelled = () -> {};
    events.await("cancelled", cancelled);
    events.await("woken", () -> {});
    assertThat(events.topicsWaitedOn()).isEqualTo(2);

    events.cancel("cancelled", cancelled);
    events.appended("woken");

    assertThat(events.topicsWaitedOn()).isZero();
  }
}
