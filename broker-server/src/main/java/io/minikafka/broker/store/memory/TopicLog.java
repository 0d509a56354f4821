package io.minikafka.broker.store.memory;

import io.minikafka.broker.store.PollLimits;
import io.minikafka.broker.store.PollResult;
import io.minikafka.broker.store.Record;
import io.minikafka.broker.store.StoredMessage;
import io.minikafka.broker.store.TopicInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * One topic of a {@link MemoryStore}: its messages in a ring buffer, oldest at {@code head}.
 *
 * <p>Thread-safety: appends and removals take the write lock, polls the read lock, so polls run
 * concurrently with each other and hold appends up only while they copy references. The message
 * numbered {@code n} sits at ring position {@code head + (n - firstNumber)}.
 */
final class TopicLog {

  private static final int INITIAL_CAPACITY = 16;
  private static final int MIN_SHRINK_CAPACITY = 1024;

  private final ReadWriteLock lock = new ReentrantReadWriteLock();

  /** Each a payload (byte[]) or, for a message with a key or headers, its {@link Record}. */
  private Object[] payloads = new Object[INITIAL_CAPACITY];

  private long[] appendTimes = new long[INITIAL_CAPACITY];
  private int head;
  private int size;

  /** Number of the message at {@code head}; the next number when the log is empty. */
  private long firstNumber = 1;

  private long lastAppendTime = Long.MIN_VALUE;
  private long payloadBytes;

  /** Set by {@link #deleteAll}, cleared by the next append: a deleted topic is hidden. */
  private volatile boolean deleted;

  /** The topic's own retention, or empty for the server's. */
  volatile Optional<Duration> retention = Optional.empty();

  /** Committed positions of named consumers. */
  final Map<String, Long> positions = new ConcurrentHashMap<>();

  private final MemoryBudget budget;

  /** Payload bytes kept at most, oldest removed first; 0 for no limit. */
  private final long retentionBytes;

  TopicLog(MemoryBudget budget, long retentionBytes) {
    this.budget = budget;
    this.retentionBytes = retentionBytes;
  }

  /**
   * Appends the records in order, with no other append between them; returns the first number.
   * Their bytes must have been reserved from the store's budget. Past the topic's retention bytes
   * the oldest messages go, all but the newest.
   */
  long appendAll(List<Record> batch, long nowMillis) {
    lock.writeLock().lock();
    try {
      while (size + batch.size() > payloads.length) {
        resize(payloads.length * 2);
      }
      // A clock stepping back must not reorder append times: removal relies on their order.
      lastAppendTime = Math.max(lastAppendTime, nowMillis);
      long first = firstNumber + size;
      for (Record record : batch) {
        int slot = slot(size);
        // A plain message keeps its payload alone: no record object per message.
        payloads[slot] = record.plain() ? record.payload() : record;
        appendTimes[slot] = lastAppendTime;
        payloadBytes += bytes(payloads[slot]);
        size++;
      }
      deleted = false;
      if (retentionBytes > 0) {
        int drop = 0;
        long bytes = payloadBytes;
        while (bytes > retentionBytes && drop < size - 1) {
          bytes -= bytes(payloads[slot(drop)]);
          drop++;
        }
        removeFirst(drop);
      }
      return first;
    } finally {
      lock.writeLock().unlock();
    }
  }

  PollResult read(long readFrom, PollLimits limits) {
    long from = Math.max(readFrom, 1);
    lock.readLock().lock();
    try {
      long start = Math.max(from, firstNumber);
      long end = firstNumber + size;
      List<StoredMessage> found = new ArrayList<>();
      long bytes = 0;
      for (long n = start; n < end && found.size() < limits.maxMessages(); n++) {
        int slot = slot((int) (n - firstNumber));
        long cost = PollLimits.cost(bytes(payloads[slot]));
        if (!found.isEmpty() && bytes + cost > limits.maxBytes()) {
          break;
        }
        bytes += cost;
        found.add(
            payloads[slot] instanceof Record record
                ? new StoredMessage(n, appendTimes[slot], record)
                : new StoredMessage(n, appendTimes[slot], (byte[]) payloads[slot]));
      }
      long newReadFrom = found.isEmpty() ? readFrom : found.get(found.size() - 1).number() + 1;
      return new PollResult(found, newReadFrom, firstNumber, end);
    } finally {
      lock.readLock().unlock();
    }
  }

  long removeOlderThan(long cutoffMillis) {
    lock.writeLock().lock();
    try {
      int keepFrom = firstAtOrAfter(cutoffMillis);
      removeFirst(keepFrom);
      return keepFrom;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Removes the oldest {@code count} messages and gives their bytes back. Write lock. */
  private void removeFirst(int count) {
    long freed = 0;
    for (int i = 0; i < count; i++) {
      freed += bytes(payloads[slot(i)]);
      payloads[slot(i)] = null;
    }
    payloadBytes -= freed;
    budget.release(freed + (long) count * MemoryBudget.MESSAGE_OVERHEAD_BYTES);
    head = slot(count);
    size -= count;
    firstNumber += count;
    if (payloads.length > MIN_SHRINK_CAPACITY && size < payloads.length / 4) {
      resize(Math.max(MIN_SHRINK_CAPACITY, payloads.length / 2));
    }
  }

  boolean deleted() {
    return deleted;
  }

  /** A deleted topic comes back without a message: created again. */
  void comeBack() {
    deleted = false;
  }

  TopicInfo describe(String topic) {
    lock.readLock().lock();
    try {
      return new TopicInfo(
          topic,
          firstNumber,
          firstNumber + size,
          size,
          payloadBytes,
          size == 0 ? -1 : appendTimes[slot(0)],
          size == 0 ? -1 : appendTimes[slot(size - 1)],
          retention);
    } finally {
      lock.readLock().unlock();
    }
  }

  long firstNumberAtOrAfter(long millis) {
    lock.readLock().lock();
    try {
      return firstNumber + firstAtOrAfter(millis);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Drops every message and hides the topic; numbering continues when it comes back. */
  long deleteAll() {
    lock.writeLock().lock();
    try {
      long removed = size;
      Arrays.fill(payloads, null);
      head = 0;
      firstNumber += size;
      budget.release(payloadBytes + removed * MemoryBudget.MESSAGE_OVERHEAD_BYTES);
      size = 0;
      payloadBytes = 0;
      if (payloads.length > MIN_SHRINK_CAPACITY) {
        payloads = new Object[INITIAL_CAPACITY];
        appendTimes = new long[INITIAL_CAPACITY];
      }
      deleted = true;
      return removed;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Index (from head) of the first message appended at or after {@code millis}; size if none. */
  private int firstAtOrAfter(long millis) {
    int low = 0;
    int high = size;
    while (low < high) {
      int mid = (low + high) >>> 1;
      if (appendTimes[slot(mid)] < millis) {
        low = mid + 1;
      } else {
        high = mid;
      }
    }
    return low;
  }

  /** What a stored message counts as: its payload, key and headers. */
  private static long bytes(Object stored) {
    return stored instanceof Record record
        ? record.payload().length + record.extraBytes()
        : ((byte[]) stored).length;
  }

  private int slot(int index) {
    int s = head + index;
    return s >= payloads.length ? s - payloads.length : s;
  }

  private void resize(int capacity) {
    Object[] newPayloads = new Object[capacity];
    long[] newTimes = new long[capacity];
    for (int i = 0; i < size; i++) {
      int s = slot(i);
      newPayloads[i] = payloads[s];
      newTimes[i] = appendTimes[s];
    }
    payloads = newPayloads;
    appendTimes = newTimes;
    head = 0;
  }
}
