package io.minikafka.broker.store;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;

/**
 * A store's topics by name, with the lookup rules every store shares: a topic that was never stored
 * to, or that was deleted, is unknown, and listings leave deleted topics out.
 *
 * @param <T> a store's per-topic state
 */
public final class TopicTable<T> extends ConcurrentHashMap<String, T> {

  private final transient Predicate<T> deleted;

  /** A topic's next number, which a deleted one keeps so that a comeback goes on from it. */
  private final transient ToLongFunction<T> nextNumber;

  private final int maxTopics;

  /** Deleted topics let through to come back, with how many appends are bringing each back. */
  private final transient ConcurrentHashMap<String, Integer> reviving = new ConcurrentHashMap<>();

  /**
   * @param deleted whether a topic's state says the topic is deleted
   * @param nextNumber a topic's next number, from its state
   * @param maxTopics how many topics may exist at once
   */
  public TopicTable(Predicate<T> deleted, ToLongFunction<T> nextNumber, int maxTopics) {
    this.deleted = deleted;
    this.nextNumber = nextNumber;
    this.maxTopics = maxTopics;
  }

  /** Stores to a topic's state. */
  @FunctionalInterface
  public interface Append<T> {
    long to(T state) throws IOException;
  }

  /**
   * Stores to a topic: to its state if it exists, else to a new one from {@code create} if the
   * limit on topics allows one more. A deleted topic coming back counts as one more from the moment
   * it is let through until its append has landed, so that deleted topics coming back at once
   * cannot pass the limit together.
   *
   * @return what {@code append} returns
   * @throws LimitExceededException if {@code maxTopics} topics exist already
   */
  public long storeTo(String topic, Function<String, T> create, Append<T> append)
      throws IOException {
    T state = get(topic);
    if (state != null && !deleted.test(state)) {
      return append.to(state);
    }
    // Rare (a new topic, or one coming back): one at a time, so that none passes the limit.
    boolean comingBack;
    synchronized (this) {
      state = get(topic);
      if (state == null || deleted.test(state)) {
        checkRoomFor(topic);
      }
      if (state == null) {
        state = computeIfAbsent(topic, create);
      }
      comingBack = deleted.test(state);
      if (comingBack) {
        comingBack(topic, 1);
      }
    }
    try {
      return append.to(state);
    } finally {
      if (comingBack) {
        comingBack(topic, -1);
      }
    }
  }

  /**
   * Creates a topic without storing to it: a new state from {@code create}, or a deleted topic's
   * coming back, if the limit on topics allows one more; then {@code init} sets it up.
   *
   * @throws TopicExistsException if the topic exists
   * @throws LimitExceededException if {@code maxTopics} topics exist already
   */
  public void create(String topic, Function<String, T> create, Append<T> init) throws IOException {
    T state;
    boolean comingBack;
    synchronized (this) {
      state = get(topic);
      if (state != null && !deleted.test(state)) {
        throw new TopicExistsException(topic);
      }
      checkRoomFor(topic);
      if (state == null) {
        state = computeIfAbsent(topic, create);
      }
      comingBack = deleted.test(state);
      if (comingBack) {
        comingBack(topic, 1);
      }
    }
    try {
      init.to(state);
    } finally {
      if (comingBack) {
        comingBack(topic, -1);
      }
    }
  }

  private void comingBack(String topic, int change) {
    reviving.compute(topic, (name, count) -> count == null ? change : count + change);
    reviving.remove(topic, 0);
  }

  /** Live topics are counted only when there are enough entries for the limit to matter. */
  private void checkRoomFor(String topic) throws LimitExceededException {
    if (size() < maxTopics) {
      return;
    }
    int live = 0;
    for (Map.Entry<String, T> entry : entrySet()) {
      if (!deleted.test(entry.getValue()) || reviving.containsKey(entry.getKey())) {
        live++;
      }
    }
    if (live >= maxTopics) {
      throw new LimitExceededException(
          LimitExceededException.Limit.TOPICS,
          "cannot create topic '"
              + topic
              + "': the server already has its maximum of "
              + maxTopics
              + " topics");
    }
  }

  /**
   * The state of a topic that exists.
   *
   * @throws UnknownTopicException if it was never stored to, or was deleted (which it says)
   */
  public T existing(String topic) throws UnknownTopicException {
    T state = get(topic);
    if (state == null) {
      throw new UnknownTopicException(topic);
    }
    if (deleted.test(state)) {
      throw UnknownTopicException.deleted(topic, nextNumber.applyAsLong(state));
    }
    return state;
  }

  /** The names of the topics that exist, sorted. */
  public List<String> names() {
    List<String> names = new ArrayList<>();
    forEach(
        (name, state) -> {
          if (!deleted.test(state)) {
            names.add(name);
          }
        });
    Collections.sort(names);
    return names;
  }
}
