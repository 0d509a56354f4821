package io.minikafka.kafka;

import io.minikafka.broker.store.PollLimits;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;

/**
 * A few Kafka consumers shared by every read of a gateway: a read borrows one, points it at its
 * partition and offset, and gives it back. A consumer keeps its place and what it fetched ahead, so
 * a reader that comes back for the next records (a subscription, a consumer's next poll) usually
 * finds them fetched already. Never a consumer per request or per subscriber. Thread-safe; each
 * borrowed {@link Reader} is used by one thread at a time.
 */
final class Readers implements AutoCloseable {

  private final Supplier<KafkaConsumer<byte[], byte[]>> factory;
  private final int max;
  private final Duration timeout;
  private final Deque<Reader> idle = new ArrayDeque<>();
  private final List<Reader> all = new ArrayList<>();
  private boolean closed;
  private long lent;

  Readers(Supplier<KafkaConsumer<byte[], byte[]>> factory, int max, Duration timeout) {
    this.factory = factory;
    this.max = max;
    this.timeout = timeout;
  }

  /**
   * A reader for the partition: the idle one already there (at {@code offset} best), else any idle
   * one, else a new one while fewer than the maximum exist, else the next one given back.
   */
  Reader borrow(TopicPartition partition, long offset) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (this) {
      while (true) {
        if (closed) {
          throw new IOException("the store is closed");
        }
        Reader best = null;
        for (Reader reader : idle) {
          if (partition.equals(reader.assigned) && (best == null || reader.next == offset)) {
            best = reader;
          }
        }
        if (best == null) {
          best = idle.peekLast();
        }
        if (best != null) {
          idle.remove(best);
          lent++;
          return best;
        }
        if (all.size() < max) {
          Reader created;
          try {
            created = new Reader(factory.get());
          } catch (RuntimeException e) {
            throw new KafkaUnavailableException(
                "cannot make a Kafka consumer: " + KafkaFailures.describe(e), e);
          }
          all.add(created);
          lent++;
          return created;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new KafkaUnavailableException(
              "all " + max + " Kafka readers stayed busy for " + timeout.toSeconds() + "s");
        }
        try {
          wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while waiting for a Kafka reader", e);
        }
      }
    }
  }

  /** How many times a reader was lent, each for a read of records: for tests. */
  synchronized long lent() {
    return lent;
  }

  /** Gives a reader back; one whose state is in doubt after a failure is closed instead. */
  void release(Reader reader, boolean healthy) {
    synchronized (this) {
      if (healthy && !closed) {
        // Most recently used first, so that idle readers of other partitions keep their place.
        idle.addFirst(reader);
        notifyAll();
        return;
      }
      all.remove(reader);
      notifyAll();
    }
    reader.consumer.close(Duration.ZERO);
  }

  /** Makes every idle reader seek on its next use: the topics it read may have been remade. */
  synchronized void forgetPositions() {
    for (Reader reader : idle) {
      reader.consumer.assign(List.of());
      reader.assigned = null;
      reader.reset();
    }
  }

  @Override
  public void close() {
    List<Reader> idleNow;
    synchronized (this) {
      closed = true;
      idleNow = new ArrayList<>(idle);
      idle.clear();
      all.removeAll(idleNow);
      notifyAll();
    }
    for (Reader reader : idleNow) {
      reader.consumer.close(Duration.ZERO);
    }
  }

  /** What a read costs against {@link PollLimits}: its payload, key and headers. */
  static long cost(ConsumerRecord<byte[], byte[]> record) {
    long bytes = length(record.value()) + length(record.key());
    for (Header header : record.headers()) {
      bytes +=
          6
              + header.key().getBytes(java.nio.charset.StandardCharsets.UTF_8).length
              + length(header.value());
    }
    return PollLimits.cost(bytes);
  }

  private static int length(byte[] bytes) {
    return bytes == null ? 0 : bytes.length;
  }

  /** One consumer, where it is, and what it fetched that no read has taken yet. */
  static final class Reader {
    final KafkaConsumer<byte[], byte[]> consumer;
    private final Deque<ConsumerRecord<byte[], byte[]>> buffered = new ArrayDeque<>();
    private TopicPartition assigned;
    private long next = -1;

    private Reader(KafkaConsumer<byte[], byte[]> consumer) {
      this.consumer = consumer;
    }

    /** Points the reader at an offset of a partition, keeping what it has if it is there. */
    void position(TopicPartition partition, long offset) {
      if (!partition.equals(assigned)) {
        consumer.assign(List.of(partition));
        assigned = partition;
        buffered.clear();
        next = -1;
      }
      if (next != offset) {
        consumer.seek(partition, offset);
        buffered.clear();
        next = offset;
      }
    }

    /** The offset the next record taken will have. */
    long next() {
      return next;
    }

    /**
     * Moves fetched records, from the current offset on, into {@code taken} while the limits allow
     * (the first record whatever its size); {@code bytes} is what {@code taken} already costs.
     *
     * @return what {@code taken} costs now, or -1 once the limits are reached
     */
    long take(PollLimits limits, List<ConsumerRecord<byte[], byte[]>> taken, long bytes) {
      Iterator<ConsumerRecord<byte[], byte[]>> it = buffered.iterator();
      while (it.hasNext()) {
        if (taken.size() >= limits.maxMessages()) {
          return -1;
        }
        ConsumerRecord<byte[], byte[]> record = it.next();
        long cost = cost(record);
        if (!taken.isEmpty() && bytes + cost > limits.maxBytes()) {
          return -1;
        }
        it.remove();
        taken.add(record);
        bytes += cost;
        next = record.offset() + 1;
      }
      return taken.size() >= limits.maxMessages() ? -1 : bytes;
    }

    /** Fetches more of the assigned partition, waiting up to {@code wait} for some. */
    void fetch(Duration wait) {
      for (ConsumerRecord<byte[], byte[]> record : consumer.poll(wait).records(assigned)) {
        if (record.offset() >= next) {
          buffered.addLast(record);
        }
      }
    }

    /** Forgets where it is: the next read seeks. */
    void reset() {
      buffered.clear();
      next = -1;
    }
  }
}
