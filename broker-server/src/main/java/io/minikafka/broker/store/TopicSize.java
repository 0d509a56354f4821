package io.minikafka.broker.store;

import java.util.Objects;

/**
 * How much a topic holds, as {@link BackingStore#sizes} reports it: {@link TopicInfo}'s counts
 * without the append times, which a store may have to read messages to find.
 *
 * @param topic its name
 * @param messageCount how many messages are held
 * @param bytesStored bytes the topic takes in its store
 * @param nextNumber the number the next message will get
 */
public record TopicSize(String topic, long messageCount, long bytesStored, long nextNumber) {

  public TopicSize {
    Objects.requireNonNull(topic, "topic");
  }

  /** The counts of a description. */
  public static TopicSize of(TopicInfo info) {
    return new TopicSize(info.topic(), info.messageCount(), info.bytesStored(), info.nextNumber());
  }
}
