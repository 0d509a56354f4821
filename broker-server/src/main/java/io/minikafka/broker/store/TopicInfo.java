package io.minikafka.broker.store;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What a topic holds, as {@link BackingStore#describe} reports it.
 *
 * @param topic its name
 * @param firstAvailable the oldest number held, or {@code nextNumber} when none is
 * @param nextNumber the number the next message will get
 * @param messageCount how many messages are held
 * @param bytesStored bytes the topic takes in its store (payloads in memory; files on disk)
 * @param oldestAppendTimeMillis append time of the oldest message held, or -1 when none is
 * @param newestAppendTimeMillis append time of the newest message held, or -1 when none is
 * @param retention the topic's own retention, or empty when it keeps the server's
 */
public record TopicInfo(
    String topic,
    long firstAvailable,
    long nextNumber,
    long messageCount,
    long bytesStored,
    long oldestAppendTimeMillis,
    long newestAppendTimeMillis,
    Optional<Duration> retention) {

  public TopicInfo {
    Objects.requireNonNull(retention, "retention");
  }
}
