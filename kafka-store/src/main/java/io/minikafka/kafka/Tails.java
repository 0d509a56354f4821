package io.minikafka.kafka;

import io.minikafka.broker.store.Header;
import io.minikafka.broker.store.PollLimits;
import io.minikafka.broker.store.Record;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The newest records of each partition that a gateway's readers wait on, kept in memory, so that a
 * caught-up reader (a subscription, a long poll) takes what was just appended without asking Kafka
 * for it: the hop a gateway adds to Kafka's end-to-end latency is then one produce and one fetch,
 * as for a Kafka client.
 *
 * <p>A tail is a run of consecutive offsets {@code [first, end)}. It starts, empty, where the
 * append watcher begins to follow the partition ({@link #follow}), and grows from two sources: this
 * gateway's own acknowledged appends ({@link #acknowledged}), which reach it as Kafka acknowledges
 * them, and the watcher's fetches ({@link #fetched}), which bring everyone's. An acknowledgement
 * that arrives ahead of an earlier offset (another producer's, or another gateway's record in
 * between) waits aside until the gap is filled. With the store's {@code acks=all} every record in a
 * tail is committed (a user's {@code acks=1} gives that up, for readers as for writers). The oldest
 * records go once the tails together would take more than their budget of heap.
 *
 * <p>A tail also knows where its partition starts, as the watcher reads it every {@link
 * AppendWatcher#STARTS_EVERY} and as deletions through this gateway move it; it serves nothing
 * while that is older than {@code startStale} (the watcher is held up, or stopped following), nor
 * anything outside {@code [max(start, first), end]}. Thread-safe.
 */
final class Tails {

  /**
   * How long a record the watcher fetched before this gateway had Kafka's acknowledgement of it may
   * wait for that acknowledgement: far longer than one takes to follow the append.
   */
  static final Duration ACKNOWLEDGEMENT_LIMIT = Duration.ofMillis(200);

  /** Records fetched ahead of any acknowledgement that a tail remembers, at most. */
  static final int MAX_UNMATCHED = 4_096;

  /** What an entry takes in the heap beyond its bytes: the entry, its arrays' headers, a slot. */
  static final int ENTRY_HEAP_BYTES = 80;

  private final long budgetBytes;
  private final long startStaleNanos;
  private final LongSupplier nanoTime;
  private final Map<TopicPartition, Tail> tails = new ConcurrentHashMap<>();

  /**
   * @param budgetBytes what all tails together may take of the heap, about
   * @param startStale how old a tail's log start may be for it to serve reads
   * @param nanoTime the clock that ages log starts ({@code System::nanoTime})
   */
  Tails(long budgetBytes, Duration startStale, LongSupplier nanoTime) {
    this.budgetBytes = budgetBytes;
    this.startStaleNanos = startStale.toNanos();
    this.nanoTime = nanoTime;
  }

  /** One record of a tail, as readers take it. */
  record Entry(
      long offset, long timestamp, byte[] value, byte[] key, List<Header> headers, long cost) {

    static Entry of(long offset, long timestamp, byte[] value, byte[] key, List<Header> headers) {
      byte[] v = value == null ? NONE : value;
      byte[] k = key == null ? NONE : key;
      return new Entry(offset, timestamp, v, k, headers, Tails.cost(v.length + k.length, headers));
    }

    /** A fetched Kafka record. */
    static Entry of(ConsumerRecord<byte[], byte[]> record) {
      return of(
          record.offset(),
          record.timestamp(),
          record.value(),
          record.key(),
          KafkaStore.headers(record));
    }

    /** What it takes of the budget. */
    long footprint() {
      return cost + ENTRY_HEAP_BYTES;
    }
  }

  /** Where a read from a tail stands: the partition's log start and the tail's end. */
  record View(long start, long end) {}

  private static final byte[] NONE = new byte[0];

  /**
   * What a read counts a record for against {@link PollLimits}: payload and key, and each header's
   * name, value and framing.
   */
  static long cost(long payloadAndKey, List<Header> headers) {
    long bytes = payloadAndKey;
    for (Header header : headers) {
      bytes += 6 + header.name().getBytes(StandardCharsets.UTF_8).length + header.value().length;
    }
    return PollLimits.cost(bytes);
  }

  /**
   * The watcher follows the partition from {@code position} on: a tail starts there, or the one
   * kept goes on if it ends exactly there (else records between would be missing, or the log was
   * remade under it).
   */
  void follow(TopicPartition partition, long position) {
    tails.compute(
        partition,
        (p, tail) -> {
          if (tail == null) {
            return new Tail(position);
          }
          tail.continueAt(position);
          return tail;
        });
    trim();
  }

  /** The watcher read where the partitions start. */
  void startsSeen(Map<TopicPartition, Long> starts) {
    long now = nanoTime.getAsLong();
    starts.forEach(
        (partition, start) -> {
          Tail tail = tails.get(partition);
          if (tail != null) {
            tail.startSeen(start, now);
          }
        });
  }

  /** The watcher no longer follows the partition. */
  void forget(TopicPartition partition) {
    tails.remove(partition);
  }

  /** Forgets every tail: the watcher starts again, or the topics were remade. */
  void clear() {
    tails.clear();
  }

  /** A deletion through this gateway moved the partition's log start to {@code start}. */
  void removeBefore(TopicPartition partition, long start) {
    Tail tail = tails.get(partition);
    if (tail != null) {
      tail.startSeen(start, nanoTime.getAsLong());
    }
  }

  /** This gateway's append, acknowledged by Kafka at {@code offset} and stamped {@code time}. */
  void acknowledged(TopicPartition partition, long offset, long time, Record record) {
    Tail tail = tails.get(partition);
    if (tail != null) {
      tail.add(
          Entry.of(offset, time, record.payload(), record.key(), record.headers()), true, share());
    }
  }

  /** A record the watcher fetched; fetched records come in offset order. */
  void fetched(TopicPartition partition, ConsumerRecord<byte[], byte[]> record) {
    Tail tail = tails.get(partition);
    if (tail != null) {
      tail.addFetched(record, share(), nanoTime.getAsLong());
    }
  }

  /**
   * Whether another gateway appended to the partition: the watcher brought a record to its tail
   * that no acknowledgement of this gateway's matched, then or within {@link
   * #ACKNOWLEDGEMENT_LIMIT}, or so many records stayed unmatched that long that the oldest had to
   * be let go. Says so once for those records. This gateway's own records fetched before Kafka's
   * acknowledgement reached it are matched when it does.
   */
  boolean appendedByAnother(TopicPartition partition) {
    Tail tail = tails.get(partition);
    return tail != null
        && tail.appendedByAnother(nanoTime.getAsLong() - ACKNOWLEDGEMENT_LIMIT.toNanos());
  }

  /**
   * Moves the tail's records from {@code max(from, start)} on into {@code taken} while the limits
   * allow (the first whatever its cost).
   *
   * @return where the read stands, when the tail holds that offset or ends there (then nothing is
   *     taken); null when Kafka must be asked
   */
  View take(TopicPartition partition, long from, PollLimits limits, List<Entry> taken) {
    Tail tail = tails.get(partition);
    return tail == null
        ? null
        : tail.take(from, limits, taken, nanoTime.getAsLong() - startStaleNanos);
  }

  /** What the tails take of their budget, waiting acknowledgements included. */
  long bytes() {
    long bytes = 0;
    for (Tail tail : tails.values()) {
      bytes += tail.bytes();
    }
    return bytes;
  }

  /** Each tail's share of the budget. */
  private long share() {
    return budgetBytes / Math.max(1, tails.size());
  }

  private void trim() {
    long share = share();
    for (Tail tail : tails.values()) {
      tail.trim(share);
    }
  }

  /**
   * One partition's run of consecutive records, in a ring of entries indexed by offset; the
   * acknowledgements that wait for a gap before them; and where the partition starts.
   */
  private static final class Tail {
    private static final int SMALLEST_RING = 64;

    private Entry[] ring = new Entry[SMALLEST_RING];
    private int head;
    private int count;
    private long first;
    private long end;
    private long bytes;
    private final TreeMap<Long, Entry> waiting = new TreeMap<>();
    private long waitingBytes;
    private long start = -1;
    private long startSeenAt;

    /**
     * Records fetched before any acknowledgement of their offset (offset, when), in fetch order:
     * another gateway's, or this one's that Kafka has not acknowledged yet.
     */
    private final LinkedHashMap<Long, Long> unmatched = new LinkedHashMap<>();

    /** Whether {@link #unmatched} reached its bound (since when), and has not emptied by half. */
    private boolean full;

    private long fullSince;

    /** Offsets of acknowledgements beyond the run that were not kept aside, for the budget. */
    private final TreeSet<Long> acknowledgedAhead = new TreeSet<>();

    Tail(long position) {
      this.first = position;
      this.end = position;
    }

    synchronized long end() {
      return end;
    }

    synchronized long bytes() {
      return bytes + waitingBytes;
    }

    synchronized void continueAt(long position) {
      if (position != end) {
        clearFrom(position);
      }
    }

    synchronized void startSeen(long offset, long now) {
      if (offset > end) {
        clearFrom(offset);
      }
      while (count > 0 && first < offset) {
        dropOldest();
      }
      // A start read before a deletion through this gateway may arrive after it: never back.
      start = Math.max(start, offset);
      startSeenAt = now;
    }

    /** Adds a fetched record unless the tail's run has its offset. */
    synchronized void addFetched(ConsumerRecord<byte[], byte[]> record, long share, long now) {
      long offset = record.offset();
      if (offset < end) {
        return;
      }
      if (!waiting.containsKey(offset) && !acknowledgedAhead.remove(offset)) {
        if (unmatched.size() >= MAX_UNMATCHED) {
          // The oldest goes; a tail full of unmatched records for longer than the limit counts.
          Iterator<Long> oldest = unmatched.values().iterator();
          oldest.next();
          oldest.remove();
          if (!full) {
            full = true;
            fullSince = now;
          }
        }
        unmatched.put(offset, now);
      }
      add(Entry.of(record), false, share);
    }

    /** Whether a record fetched before {@code since} is still unmatched; forgets those. */
    synchronized boolean appendedByAnother(long since) {
      boolean another = false;
      if (full && unmatched.size() < MAX_UNMATCHED / 2) {
        full = false;
      } else if (full && fullSince - since <= 0) {
        full = false;
        another = true;
      }
      Iterator<Long> fetchedAt = unmatched.values().iterator();
      while (fetchedAt.hasNext()) {
        if (fetchedAt.next() - since > 0) {
          break;
        }
        fetchedAt.remove();
        another = true;
      }
      return another;
    }

    synchronized void add(Entry entry, boolean acknowledged, long share) {
      long offset = entry.offset();
      if (acknowledged && !unmatched.isEmpty()) {
        unmatched.remove(offset);
      }
      if (offset < end) {
        return;
      }
      if (offset > end) {
        if (acknowledged) {
          // Beyond its share it is left for the watcher to bring.
          if (bytes + waitingBytes + entry.footprint() <= share) {
            if (waiting.putIfAbsent(offset, entry) == null) {
              waitingBytes += entry.footprint();
            }
          } else {
            acknowledgedAhead(offset);
          }
          return;
        }
        // The watcher skipped ahead (it was positioned again): what lay between is not here.
        clearFrom(offset);
      }
      append(entry);
      while (!waiting.isEmpty() && waiting.firstKey() <= end) {
        Entry next = waiting.pollFirstEntry().getValue();
        waitingBytes -= next.footprint();
        if (next.offset() == end) {
          append(next);
        }
      }
      trim(share);
    }

    synchronized View take(long from, PollLimits limits, List<Entry> taken, long seenSince) {
      if (start < 0 || startSeenAt - seenSince < 0) {
        return null;
      }
      from = Math.max(from, start);
      if (from < first || from > end) {
        return null;
      }
      long bytesTaken = 0;
      for (long offset = from; offset < end; offset++) {
        if (taken.size() >= limits.maxMessages()) {
          break;
        }
        Entry entry = ring[(int) ((head + (offset - first)) % ring.length)];
        if (!taken.isEmpty() && bytesTaken + entry.cost() > limits.maxBytes()) {
          break;
        }
        taken.add(entry);
        bytesTaken += entry.cost();
      }
      return new View(start, end);
    }

    synchronized void trim(long share) {
      while (bytes + waitingBytes > share && !waiting.isEmpty()) {
        Entry dropped = waiting.pollLastEntry().getValue();
        waitingBytes -= dropped.footprint();
        acknowledgedAhead(dropped.offset());
      }
      while (count > 0 && bytes > share) {
        dropOldest();
      }
    }

    private void append(Entry entry) {
      if (count == ring.length) {
        resize(ring.length * 2);
      }
      ring[(head + count) % ring.length] = entry;
      count++;
      bytes += entry.footprint();
      end = entry.offset() + 1;
    }

    private void dropOldest() {
      Entry oldest = ring[head];
      ring[head] = null;
      head = (head + 1) % ring.length;
      count--;
      bytes -= oldest.footprint();
      first++;
      if (ring.length > SMALLEST_RING && count < ring.length / 4) {
        resize(ring.length / 2);
      }
    }

    private void resize(int length) {
      Entry[] resized = new Entry[length];
      for (int i = 0; i < count; i++) {
        resized[i] = ring[(head + i) % ring.length];
      }
      ring = resized;
      head = 0;
    }

    /** An acknowledgement not kept: its record, when fetched, is still this gateway's. */
    private void acknowledgedAhead(long offset) {
      if (acknowledgedAhead.size() >= MAX_UNMATCHED) {
        acknowledgedAhead.pollFirst();
      }
      acknowledgedAhead.add(offset);
    }

    /** Starts again, empty, at {@code position}; where the partition starts is unknown again. */
    private void clearFrom(long position) {
      ring = new Entry[SMALLEST_RING];
      head = 0;
      count = 0;
      bytes = 0;
      first = position;
      end = position;
      waiting.headMap(position).clear();
      acknowledgedAhead.headSet(position).clear();
      waitingBytes = 0;
      for (Entry entry : waiting.values()) {
        waitingBytes += entry.footprint();
      }
      start = -1;
    }
  }
}
