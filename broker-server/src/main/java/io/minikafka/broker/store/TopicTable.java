package io.minikafka.broker.store;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * A store's topics by name, with the lookup rules every store shares: a topic that was never
 * stored to, or that was deleted, is unknown, and listings leave deleted topics out.
 *
 * @param <T> a store's per-topic state
 */
public final class TopicTable<T> extends ConcurrentHashMap<String, T> {

  private final transient Predicate<T> deleted;

  /** @param deleted whether a topic's state says the topic is deleted */
  public TopicTable(Predicate<T> deleted) {
    this.deleted = deleted;
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
    forEach((name, state) -> {
      if (!deleted.test(state)) {
        names.add(name);
      }
    });
    Collections.sort(names);
    return names;
  }
}
