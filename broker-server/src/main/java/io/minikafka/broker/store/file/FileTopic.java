package io.minikafka.broker.store.file;

import io.minikafka.broker.store.CorruptRecordException;
import io.minikafka.broker.store.PollLimits;
import io.minikafka.broker.store.PollResult;
import io.minikafka.broker.store.StoreException;
import io.minikafka.broker.store.StoreFullException;
import io.minikafka.broker.store.StoredMessage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * One topic of a {@link FileStore}: a directory of {@link Segment}s, the last of which takes
 * appends.
 *
 * <p>Numbers: {@code firstVisible <= committedNext <= writtenNext}. Records below {@code
 * firstVisible} have expired (retention is message-precise even inside a segment); records from
 * {@code committedNext} on are written but not yet acknowledged (under fsync {@code always}, not
 * yet on disk), so readers never see them. The next number survives restarts because the last
 * segment is never deleted, only rolled: an empty last segment is named by the next number.
 *
 * <p>Thread-safety: appends, rolls and sweeps hold {@code appendLock}; group commit holds {@code
 * flushLock} (never while waiting for {@code appendLock} to do I/O); reads take no lock.
 */
final class FileTopic {

  private static final int MAX_READ_RETRIES = 3;

  final String name;
  final Path dir;
  private final FileStoreConfig config;
  private final ChannelOpener opener;
  private final ConcurrentSkipListMap<Long, Segment> segments = new ConcurrentSkipListMap<>();
  private final ReentrantLock appendLock = new ReentrantLock();
  private final ReentrantLock flushLock = new ReentrantLock();
  private volatile Segment active;
  private volatile long writtenNext;
  private volatile long committedNext;
  private volatile long firstVisible;
  /** Guarded by appendLock. */
  private long lastAppendTime;
  /** Guarded by appendLock. */
  private ByteBuffer encodeBuffer = ByteBuffer.allocate(64 * 1024);

  private FileTopic(String name, Path dir, FileStoreConfig config, ChannelOpener opener) {
    this.name = name;
    this.dir = dir;
    this.config = config;
    this.opener = opener;
  }

  /** Creates a new topic's directory with its first, empty segment. */
  static FileTopic create(String name, Path dir, FileStoreConfig config, ChannelOpener opener)
      throws IOException {
    Files.createDirectories(dir);
    TopicDirectory.writeName(dir, name);
    FileTopic topic = new FileTopic(name, dir, config, opener);
    Segment first = Segment.create(dir, 1, opener);
    topic.segments.put(first.base, first);
    topic.active = first;
    topic.writtenNext = 1;
    topic.committedNext = 1;
    topic.firstVisible = 1;
    topic.lastAppendTime = Long.MIN_VALUE;
    if (!(config.fsync() instanceof FsyncPolicy.Never)) {
      TopicDirectory.force(dir);
    }
    return topic;
  }

  /**
   * Opens an existing topic, recovering its last segment (see {@link Segment#open}).
   *
   * @param repairs told, one line each, what recovery changed
   */
  static FileTopic open(
      String name, Path dir, FileStoreConfig config, ChannelOpener opener, List<String> repairs)
      throws IOException {
    FileTopic topic = new FileTopic(name, dir, config, opener);
    List<Long> bases = segmentBases(dir);
    try {
      if (bases.isEmpty()) {
        Segment first = Segment.create(dir, 1, opener);
        topic.segments.put(first.base, first);
        repairs.add("no segments; started a new log at message 1");
      }
      for (int i = 0; i < bases.size(); i++) {
        boolean last = i == bases.size() - 1;
        Segment s = Segment.open(dir, bases.get(i), last, opener, repairs);
        topic.segments.put(s.base, s);
      }
    } catch (IOException | RuntimeException e) {
      topic.closeSegments();
      throw e;
    }
    topic.checkNumbering(repairs);
    Segment last = topic.segments.lastEntry().getValue();
    topic.active = last;
    topic.writtenNext = last.nextNumber();
    topic.committedNext = topic.writtenNext;
    topic.firstVisible = topic.segments.firstKey();
    topic.lastAppendTime = Long.MIN_VALUE;
    for (Segment s : topic.segments.descendingMap().values()) {
      if (s.count() > 0) {
        topic.lastAppendTime = s.lastTime();
        break;
      }
    }
    return topic;
  }

  static List<Long> segmentBases(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .map(p -> Segment.baseOf(p.getFileName().toString()))
          .filter(base -> base > 0)
          .sorted()
          .toList();
    }
  }

  private void checkNumbering(List<String> repairs) {
    long expected = -1;
    for (Segment s : segments.values()) {
      if (expected > 0 && s.base != expected) {
        repairs.add(
            "gap in numbering: messages " + expected + " to " + (s.base - 1) + " are missing");
      }
      expected = s.nextNumber();
    }
  }

  long append(byte[] payload, long nowMillis) throws IOException {
    long number;
    appendLock.lock();
    try {
      long time = Math.max(nowMillis, lastAppendTime);
      long recordBytes = RecordFormat.recordBytes(payload.length);
      Segment segment = active;
      if (segment.count() > 0
          && (segment.size() + recordBytes > config.segmentBytes()
              || time - segment.firstTime() >= config.segmentMaxAge().toMillis())) {
        segment = roll();
      }
      number = writtenNext;
      if (encodeBuffer.capacity() < recordBytes) {
        encodeBuffer = ByteBuffer.allocate((int) recordBytes);
      }
      ByteBuffer record = RecordFormat.encode(encodeBuffer, number, time, payload);
      try {
        segment.append(record, time);
      } catch (IOException e) {
        throw writeFailure(e);
      }
      if (encodeBuffer.capacity() > 1024 * 1024) {
        encodeBuffer = ByteBuffer.allocate(64 * 1024);
      }
      lastAppendTime = time;
      writtenNext = number + 1;
      if (!(config.fsync() instanceof FsyncPolicy.Always)) {
        segment.commit(segment.size());
        committedNext = number + 1;
      }
    } finally {
      appendLock.unlock();
    }
    if (config.fsync() instanceof FsyncPolicy.Always) {
      awaitDurable(number);
    }
    return number;
  }

  private StoreException writeFailure(IOException e) {
    String message = e.getMessage() == null ? e.toString() : e.getMessage();
    if (message.contains("No space left") || message.contains("Disk quota exceeded")) {
      return new StoreFullException(
          "topic '" + name + "': no space left on the device; the message was not stored", e);
    }
    return new StoreException(
        "topic '" + name + "': writing the message failed (" + message + "); it was not stored", e);
  }

  /**
   * Group commit: returns once {@code number} is on disk. The first waiter forces the log for
   * every record written so far; those arriving meanwhile wait for the lock and usually find their
   * record already covered.
   */
  private void awaitDurable(long number) throws IOException {
    if (committedNext > number) {
      return;
    }
    flushLock.lock();
    try {
      if (committedNext > number) {
        return;
      }
      long target;
      Segment segment;
      long bytes;
      appendLock.lock();
      try {
        target = writtenNext;
        segment = active;
        bytes = segment.size();
      } finally {
        appendLock.unlock();
      }
      try {
        segment.force();
      } catch (IOException e) {
        throw new StoreException(
            "topic '" + name + "': forcing the log to disk failed (" + e.getMessage() + ")", e);
      }
      segment.commit(bytes);
      committedNext = target;
    } finally {
      flushLock.unlock();
    }
  }

  /** Seals the active segment and starts a new one at the next number. Holds appendLock. */
  private Segment roll() throws IOException {
    boolean sync = !(config.fsync() instanceof FsyncPolicy.Never);
    Segment old = active;
    old.seal(sync);
    Segment next = Segment.create(dir, writtenNext, opener);
    if (sync) {
      TopicDirectory.force(dir);
    }
    segments.put(next.base, next);
    active = next;
    return next;
  }

  PollResult read(long readFrom, PollLimits limits) throws IOException {
    for (int attempt = 1; ; attempt++) {
      try {
        return readOnce(readFrom, limits);
      } catch (ClosedChannelException e) {
        // A sweep deleted a segment under this read; the retry starts past what it removed.
        if (attempt == MAX_READ_RETRIES) {
          throw e;
        }
      }
    }
  }

  private PollResult readOnce(long readFrom, PollLimits limits) throws IOException {
    long end = committedNext;
    long number = Math.max(Math.max(readFrom, 1), firstVisible);
    List<StoredMessage> out = new ArrayList<>();
    long used = 0;
    while (number < end && out.size() < limits.maxMessages()) {
      Map.Entry<Long, Segment> entry = segments.floorEntry(number);
      if (entry == null) {
        break;
      }
      Segment segment = entry.getValue();
      if (number >= segment.nextNumber()) {
        Map.Entry<Long, Segment> next = segments.higherEntry(segment.base);
        if (next == null) {
          break;
        }
        if (next.getKey() > number && out.isEmpty()) {
          // Numbers below the next segment that no segment can give: damage found at start-up.
          throw new CorruptRecordException(
              String.format(
                  "topic '%s' messages %d to %d are unreadable (damaged segment %s)",
                  name, number, next.getKey() - 1, segment.logPath.getFileName()));
        }
        if (next.getKey() > number) {
          break;
        }
        number = next.getKey();
        continue;
      }
      int before = out.size();
      used = segment.read(name, number, end, limits, used, out);
      if (out.size() == before) {
        break;
      }
      number += out.size() - before;
    }
    long newReadFrom = out.isEmpty() ? readFrom : out.get(out.size() - 1).number() + 1;
    return new PollResult(out, newReadFrom);
  }

  /**
   * Hides every message appended before {@code cutoffMillis} and deletes the segments holding
   * only such messages (rolling the active segment first if it is one of them).
   *
   * @return how many messages became hidden
   */
  long removeOlderThan(long cutoffMillis) throws IOException {
    List<Segment> expired = new ArrayList<>();
    long removed;
    appendLock.lock();
    try {
      long newFirst = writtenNext;
      for (Segment s : segments.values()) {
        if (s.count() > 0 && s.lastTime() >= cutoffMillis) {
          newFirst = s.base + s.firstIndexAtOrAfter(cutoffMillis);
          break;
        }
      }
      long oldFirst = firstVisible;
      removed = Math.max(0, newFirst - oldFirst);
      if (removed == 0) {
        return 0;
      }
      firstVisible = newFirst;
      if (active.count() > 0 && active.nextNumber() <= newFirst) {
        roll();
      }
      for (Segment s : segments.values()) {
        if (s != active && s.nextNumber() <= newFirst) {
          expired.add(s);
        }
      }
      for (Segment s : expired) {
        segments.remove(s.base);
      }
    } finally {
      appendLock.unlock();
    }
    for (Segment s : expired) {
      s.delete();
    }
    return removed;
  }

  /** Background work: forces the log if asked, and writes out index entries of committed records. */
  void flushInBackground(boolean forceLog) throws IOException {
    Segment segment = active;
    if (forceLog) {
      segment.force();
    }
    long committed = committedNext;
    long upTo = Math.min(committed, segment.nextNumber()) - segment.base;
    if (upTo > 0) {
      segment.writeIndexEntries((int) upTo);
    }
  }

  /** Writes out everything, forces it to disk unless the policy is never, and closes the files. */
  void close() throws IOException {
    appendLock.lock();
    try {
      active.seal(!(config.fsync() instanceof FsyncPolicy.Never));
    } finally {
      appendLock.unlock();
      closeSegments();
    }
  }

  private void closeSegments() throws IOException {
    IOException failure = null;
    for (Segment s : segments.values()) {
      try {
        s.close();
      } catch (IOException e) {
        failure = e;
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** Closes the topic and deletes its directory. */
  void delete() throws IOException {
    closeSegments();
    TopicDirectory.deleteRecursively(dir);
  }

  long nextNumber() {
    return writtenNext;
  }

  long firstVisible() {
    return firstVisible;
  }

  int segmentCount() {
    return segments.size();
  }
}
