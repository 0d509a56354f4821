package io.minikafka.broker.store;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A store's topics by name, with the lookup rules every store shares: a topic that was never stored
 * to, or that was deleted, is unknown, and listings leave deleted topics out.
 *
 * @param <T> a store's per-topic state
 */
public final class TopicTable<T> extends ConcurrentHashMap<String, T> {

  private final transient Predicate<T> deleted;
  private final int maxTopics;

  /**
   * @param deleted whether a topic's state says the topic is deleted
   * @param maxTopics how many topics may exist at once
   */
  public TopicTable(Predicate<T> deleted, int maxTopics) {
    this.deleted = deleted;
    this.maxTopics = maxTopics;
  }

  /**
   * The state of a topic about to be stored to: the existing one, or a new one from {@code create}
   * if the limit on topics allows one more (a deleted topic coming back counts as one more).
   *
   * @throws LimitExceededException if {@code maxTopics} topics exist already
   */
  public T forStoring(String topic, Function<String, T> create) throws LimitExceededException {
    T state = get(topic);
    if (state != null && !deleted.test(state)) {
      return state;
    }
    // Rare (a new topic): one at a time, so that concurrent creations cannot pass the limit.
    // Deleted topics coming back at once can: each becomes live only when its append lands.
    synchronized (this) {
      state = get(topic);
      // Live topics are counted only when there are enough entries for the limit to matter.
      if ((state == null || deleted.test(state)) && size() >= maxTopics) {
        int live = 0;
        for (T other : values()) {
          if (!deleted.test(other)) {
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
      return state != null ? state : computeIfAbsent(topic, create);
    }
  }

  /**
   * The state of a topic that exists.
   *
   * @throws UnknownTopicException if it was never stored to, or was deleted
   */
  public T existing(String topic) throws UnknownTopicException {
    T state = get(topic);
    if (state == null || deleted.test(state)) {
      throw new UnknownTopicException(topic);
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
