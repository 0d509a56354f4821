package io.minikafka.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.InvalidOffsetException;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells a gateway's waiting readers (long polls, subscriptions) that a topic grew, whoever
 * appended, and brings what was appended into the gateway's {@link Tails}: one consumer per gateway
 * follows the end of every topic someone waits on, and each wake-up is one call of the listener
 * however many wait. A topic is followed from the first wait until nobody has waited on it for
 * {@link #LINGER}, so that a subscriber's wait after each batch does not reassign the consumer
 * every time.
 *
 * <p>No wake-up is lost: when a topic starts being followed the listener is called once after the
 * consumer found the topic's end, so anything appended before is seen by the woken readers; after
 * each fetch that brought records, they are added to the tails first and then the listener runs.
 * The listener is spared only when this gateway's own acknowledged appends reach as far: those woke
 * their readers as they were made.
 *
 * <p>Kafka answers a waiting fetch as soon as anything is appended, this gateway's own appends too,
 * which reached the tails and woke their readers already: fetching each of them again costs a fetch
 * request, its response and a wake-up per produce, on the gateway and on the broker. So while this
 * gateway appends to the topics followed and no other appends to them ({@link #FOREIGN_LINGER}),
 * the watcher rests: it polls once every {@link #REST}, as long as its last poll caught up with the
 * topics' ends. Kafka's consumer sends its next fetch as a poll returns, and Kafka answers it at
 * this gateway's next append, so another gateway's appends after a rest reach the tails, and wake
 * their readers, within about two rests. A record fetched that no acknowledgement of this gateway's
 * matches within {@link Tails#ACKNOWLEDGEMENT_LIMIT} is another gateway's ({@link
 * Tails#appendedByAnother}); once the watcher sees one it fetches at once again.
 */
final class AppendWatcher implements AutoCloseable {

  /** Longer than the server's renewal of its waits (10 s), so a topic waited on stays followed. */
  static final Duration LINGER = Duration.ofSeconds(30);

  /**
   * How often the log starts of the topics followed are read again, so that a tail's reader sees
   * deletions and expiry through other gateways about as soon as a read from Kafka would.
   */
  static final Duration STARTS_EVERY = Duration.ofMillis(500);

  /** How long a resting watcher waits between polls. */
  static final Duration REST = Duration.ofMillis(50);

  /** How long an append through another gateway keeps the watcher fetching at once. */
  static final Duration FOREIGN_LINGER = Duration.ofSeconds(10);

  /**
   * Records a poll returns at most: a poll that returns this many has not caught up, and is not
   * followed by a rest.
   */
  static final int MAX_POLL_RECORDS = 10_000;

  /** Own appends as recent as this are what a rest saves fetching again. */
  static final Duration OWN_RECENT = Duration.ofSeconds(1);

  private static final Logger LOG = LoggerFactory.getLogger(AppendWatcher.class);

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Function<String, TopicPartition> partitionOf;
  private final Function<TopicPartition, String> topicOf;
  private final ToLongFunction<TopicPartition> acknowledgedEnd;
  private final Tails tails;
  private final Executor notifier;
  private final Map<String, Long> interest = new ConcurrentHashMap<>();

  /** Who appended to each partition followed, lately: the watcher's thread only. */
  private final Map<TopicPartition, Appenders> appenders = new HashMap<>();

  private final AtomicLong fetchesWithRecords = new AtomicLong();

  /** Counts topics newly waited on, so that a rest ends for one that came as it began. */
  private final AtomicLong topicsAdded = new AtomicLong();

  private volatile boolean resting;
  private volatile boolean anotherAppendedLately;
  private final Thread thread;
  private volatile Consumer<String> listener = topic -> {};
  private volatile boolean closed;

  /**
   * @param partitionOf the Kafka partition of a MiniKafka topic, or null while it has none
   * @param topicOf the MiniKafka topic of a Kafka partition, or null
   * @param acknowledgedEnd how far this gateway's own acknowledged appends reach in a partition (-1
   *     if none): their readers were woken as they were made
   * @param tails where the records fetched, and where the partitions start, go for the gateway's
   *     readers
   * @param notifier runs the listener, off the watcher's thread
   */
  AppendWatcher(
      KafkaConsumer<byte[], byte[]> consumer,
      Function<String, TopicPartition> partitionOf,
      Function<TopicPartition, String> topicOf,
      ToLongFunction<TopicPartition> acknowledgedEnd,
      Tails tails,
      Executor notifier) {
    this.acknowledgedEnd = acknowledgedEnd;
    this.tails = tails;
    this.consumer = consumer;
    this.partitionOf = partitionOf;
    this.topicOf = topicOf;
    this.notifier = notifier;
    this.thread = new Thread(this::run, "minikafka-kafka-appends");
    thread.setDaemon(true);
    thread.start();
  }

  void listener(Consumer<String> value) {
    listener = value;
  }

  /** Someone waits on the topic: follow it (again) if it is not followed. */
  void watch(String topic) {
    if (interest.put(topic, System.nanoTime()) == null) {
      topicsAdded.incrementAndGet();
      consumer.wakeup();
      synchronized (this) {
        notifyAll();
      }
    }
  }

  private void run() {
    Set<TopicPartition> followed = new HashSet<>();
    long startsReadAt = System.nanoTime();
    long polledAt = System.nanoTime();
    boolean caughtUp = false;
    while (!closed) {
      long topicsSeen = topicsAdded.get();
      try {
        Set<TopicPartition> wanted = wanted();
        if (!wanted.equals(followed)) {
          List<TopicPartition> added = new ArrayList<>();
          for (TopicPartition partition : wanted) {
            if (!followed.contains(partition)) {
              added.add(partition);
            }
          }
          for (TopicPartition partition : followed) {
            if (!wanted.contains(partition)) {
              tails.forget(partition);
            }
          }
          consumer.assign(wanted);
          consumer.seekToEnd(added);
          for (TopicPartition partition : added) {
            tails.follow(partition, consumer.position(partition));
          }
          if (!added.isEmpty()) {
            tails.startsSeen(consumer.beginningOffsets(added));
          }
          // Only once positioned: a wake-up in between makes the next round do it again.
          followed = wanted;
          appenders.keySet().retainAll(followed);
          appenders.keySet().removeAll(added);
          for (TopicPartition partition : added) {
            tell(partition);
          }
        }
        if (followed.isEmpty()) {
          resting = false;
          // Topics waited on may not exist yet: look again soon for those, else when asked.
          synchronized (this) {
            if (!closed) {
              wait(interest.isEmpty() ? LINGER.toMillis() : 200);
            }
          }
          continue;
        }
        if (System.nanoTime() - startsReadAt >= STARTS_EVERY.toNanos()) {
          tails.startsSeen(consumer.beginningOffsets(followed));
          startsReadAt = System.nanoTime();
        }
        long now = System.nanoTime();
        resting = atRest(followed, now) && caughtUp;
        long restLeft = REST.toNanos() - (now - polledAt);
        if (resting && restLeft > 0) {
          synchronized (this) {
            if (!closed && topicsAdded.get() == topicsSeen) {
              wait(TimeUnit.NANOSECONDS.toMillis(restLeft) + 1);
            }
          }
          continue;
        }
        polledAt = now;
        ConsumerRecords<byte[], byte[]> records;
        try {
          records = consumer.poll(Duration.ofMillis(500));
          caughtUp = records.count() < MAX_POLL_RECORDS;
        } catch (InvalidOffsetException e) {
          // Deleted or expired under the watcher: followed again from the end next round, and
          // whoever waits is told then.
          followed = new HashSet<>(followed);
          followed.removeAll(e.partitions());
          continue;
        }
        if (!records.isEmpty()) {
          fetchesWithRecords.incrementAndGet();
        }
        for (TopicPartition partition : records.partitions()) {
          for (ConsumerRecord<byte[], byte[]> record : records.records(partition)) {
            tails.fetched(partition, record);
          }
          // Appends acknowledged by this gateway woke its readers already, as they were made.
          if (acknowledgedEnd.applyAsLong(partition) < consumer.position(partition)) {
            tell(partition);
          }
        }
      } catch (WakeupException e) {
        // A topic to follow, or close().
      } catch (InterruptedException e) {
        break;
      } catch (RuntimeException e) {
        if (closed) {
          break;
        }
        LOG.debug("Following topics' ends failed; starting again: {}", e.toString());
        resting = false;
        // Whatever the tails lack from now until the watcher follows again is not theirs to say.
        tails.clear();
        followed = new HashSet<>();
        sleepQuietly();
      }
    }
  }

  /**
   * Whether the watcher may rest: this gateway appended lately to a partition followed, and no
   * other gateway did to any (which it notes for {@link #anotherAppendedLately}).
   */
  private boolean atRest(Set<TopicPartition> followed, long now) {
    boolean ownLately = false;
    boolean foreignLately = false;
    for (TopicPartition partition : followed) {
      Appenders seen = appenders(partition);
      if (tails.appendedByAnother(partition)) {
        seen.foreignAt(now);
      }
      foreignLately |= seen.foreignLately(now);
      ownLately |= seen.ownLately(acknowledgedEnd.applyAsLong(partition), now);
    }
    anotherAppendedLately = foreignLately;
    return ownLately && !foreignLately;
  }

  private Appenders appenders(TopicPartition partition) {
    return appenders.computeIfAbsent(partition, p -> new Appenders(acknowledgedEnd.applyAsLong(p)));
  }

  /** When this gateway's and other gateways' appends to a partition were last seen. */
  private static final class Appenders {
    private long ownEnd;
    private long ownAt;
    private boolean own;
    private long foreignAt;
    private boolean foreign;

    Appenders(long ownEnd) {
      this.ownEnd = ownEnd;
    }

    void foreignAt(long now) {
      foreignAt = now;
      foreign = true;
    }

    boolean foreignLately(long now) {
      return foreign && now - foreignAt < FOREIGN_LINGER.toNanos();
    }

    /** Notes how far this gateway's acknowledged appends reach now. */
    boolean ownLately(long end, long now) {
      if (end > ownEnd) {
        ownEnd = end;
        ownAt = now;
        own = true;
      }
      return own && now - ownAt < OWN_RECENT.toNanos();
    }
  }

  /** Topics waited on lately that have a partition; forgets those nobody waited on for long. */
  private Set<TopicPartition> wanted() {
    long now = System.nanoTime();
    Set<TopicPartition> wanted = new HashSet<>();
    interest.forEach(
        (topic, since) -> {
          if (now - since > LINGER.toNanos()) {
            interest.remove(topic, since);
            return;
          }
          TopicPartition partition = partitionOf.apply(topic);
          if (partition != null) {
            wanted.add(partition);
          }
        });
    return wanted;
  }

  private void tell(TopicPartition partition) {
    String topic = topicOf.apply(partition);
    if (topic != null) {
      notifier.execute(() -> listener.accept(topic));
    }
  }

  private void sleepQuietly() {
    try {
      Thread.sleep(1_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** How many of the watcher's polls brought records: for tests. */
  long fetchesWithRecords() {
    return fetchesWithRecords.get();
  }

  /** Whether the watcher rests between fetches: for tests. */
  boolean resting() {
    return resting;
  }

  /** Whether the watcher saw another gateway's appends lately: for tests. */
  boolean anotherAppendedLately() {
    return anotherAppendedLately;
  }

  @Override
  public void close() {
    closed = true;
    consumer.wakeup();
    synchronized (this) {
      notifyAll();
    }
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    // A consumer is one thread's: closed here only once that thread is gone.
    if (!thread.isAlive()) {
      consumer.close(Duration.ZERO);
    }
  }
}
