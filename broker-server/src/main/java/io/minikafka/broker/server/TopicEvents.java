package io.minikafka.broker.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Wakes whoever waits for new messages in a topic: long polls and subscriptions. A waiter is a
 * one-shot callback; {@link #appended} runs and forgets every callback registered for the topic.
 *
 * <p>To avoid a lost wake-up, register first, then look at the store again: a message stored in
 * between either shows up in that look or fires the callback.
 *
 * <p>Callbacks run on the appending thread, once its messages are stored and acknowledged: a
 * caught-up subscriber then gets them without a thread hand-off, which at one message per request
 * was most of the server's CPU and of the end-to-end latency. Only the first {@value
 * #INLINE_WAITERS} run there; the rest go to {@code overflow}, so that one producer does not wait
 * for a crowd of readers.
 */
final class TopicEvents {

  static final int INLINE_WAITERS = 8;

  private final Map<String, Set<Runnable>> waiters = new ConcurrentHashMap<>();
  private final Executor overflow;
  private final Consumer<String> onWait;

  TopicEvents(Executor overflow) {
    this(overflow, topic -> {});
  }

  /**
   * @param onWait told of every wait, so that a store shared with other servers watches the topic
   *     for their appends ({@link io.minikafka.broker.store.BackingStore#watchRemoteAppends})
   */
  TopicEvents(Executor overflow, Consumer<String> onWait) {
    this.overflow = overflow;
    this.onWait = onWait;
  }

  /**
   * Calls {@code onAppend} once, the next time the topic grows: on the appending thread, so it must
   * not block on anything but the store.
   */
  void await(String topic, Runnable onAppend) {
    // Added inside compute: a set being dropped as empty can never swallow the callback.
    waiters.compute(
        topic,
        (t, set) -> {
          Set<Runnable> live = set == null ? ConcurrentHashMap.newKeySet() : set;
          live.add(onAppend);
          return live;
        });
    onWait.accept(topic);
  }

  /** Forgets a callback that is no longer wanted. */
  void cancel(String topic, Runnable onAppend) {
    waiters.computeIfPresent(
        topic,
        (t, set) -> {
          set.remove(onAppend);
          return set.isEmpty() ? null : set;
        });
  }

  /**
   * Topics with someone waiting: an entry goes when its last waiter does, so topics cost nothing
   * idle.
   */
  int topicsWaitedOn() {
    return waiters.size();
  }

  /**
   * Tells the store again of every topic someone waits on: a waiter registers once and may wait for
   * hours, while a shared store forgets a topic nobody asked about for a while. Called on a timer,
   * more often than the store forgets.
   */
  void renewWatches() {
    for (String topic : waiters.keySet()) {
      onWait.accept(topic);
    }
  }

  /** Tells every waiter of the topic that it grew. */
  void appended(String topic) {
    Set<Runnable> set = waiters.get(topic);
    if (set == null || set.isEmpty()) {
      return;
    }
    // Taken out first: a waiter that runs here may register again, and must wait for the next
    // append.
    List<Runnable> woken = new ArrayList<>();
    for (Runnable waiter : set) {
      if (set.remove(waiter)) {
        woken.add(waiter);
      }
    }
    waiters.computeIfPresent(topic, (t, now) -> now.isEmpty() ? null : now);
    for (int i = 0; i < woken.size(); i++) {
      if (i < INLINE_WAITERS) {
        woken.get(i).run();
      } else {
        overflow.execute(woken.get(i));
      }
    }
  }
}
