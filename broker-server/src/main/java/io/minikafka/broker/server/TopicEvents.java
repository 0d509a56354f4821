package io.minikafka.broker.server;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Wakes whoever waits for new messages in a topic: long polls and subscriptions. A waiter is a
 * one-shot callback; {@link #appended} runs and forgets every callback registered for the topic.
 *
 * <p>To avoid a lost wake-up, register first, then look at the store again: a message stored in
 * between either shows up in that look or fires the callback.
 */
final class TopicEvents {

  private final Map<String, Set<Runnable>> waiters = new ConcurrentHashMap<>();

  /** Calls {@code onAppend} once, on the appending thread, the next time the topic grows. */
  void await(String topic, Runnable onAppend) {
    waiters.computeIfAbsent(topic, t -> ConcurrentHashMap.newKeySet()).add(onAppend);
  }

  /** Forgets a callback that is no longer wanted. */
  void cancel(String topic, Runnable onAppend) {
    Set<Runnable> set = waiters.get(topic);
    if (set != null) {
      set.remove(onAppend);
    }
  }

  /** Tells every waiter of the topic that it grew. */
  void appended(String topic) {
    Set<Runnable> set = waiters.get(topic);
    if (set == null || set.isEmpty()) {
      return;
    }
    for (Runnable waiter : set) {
      if (set.remove(waiter)) {
        waiter.run();
      }
    }
  }
}
