package io.minikafka.broker.store.file;

import io.minikafka.broker.store.CorruptRecordException;
import io.minikafka.broker.store.PollLimits;
import io.minikafka.broker.store.PollResult;
import io.minikafka.broker.store.StoreException;
import io.minikafka.broker.store.StoreFullException;
import io.minikafka.broker.store.StoredMessage;
import io.minikafka.broker.store.TopicInfo;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.OptionalLong;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * One topic of a {@link FileStore}: a directory of {@link Segment}s, the last of which takes
 * appends.
 *
 * <p>Numbers: {@code firstVisible <= committedNext <= assignedNext}. Records below {@code
 * firstVisible} have expired (retention is message-precise even inside a segment); records from
 * {@code committedNext} on are waiting in a {@link Chunk} to be written (and, under fsync {@code
 * always}, forced), so readers never see them. The next number survives restarts because the last
 * segment is never deleted, only rolled: an empty last segment is named by the next number.
 *
 * <p>Thread-safety: {@code appendLock} guards numbering and the pending chunk, and is held only
 * for in-memory work; {@code flushLock} guards the files (writes, forces, rolls, sweeps), and is
 * taken before {@code appendLock} when both are needed. Reads take no lock.
 */
final class FileTopic {

  private static final int MAX_READ_RETRIES = 3;
  static final String DELETED_MARKER = "deleted";
  /** Committed consumer positions: one "number TAB name" line each (names hold no tab or newline). */
  static final String POSITIONS_FILE = "positions";
  private static final int CHUNK_BUFFER_BYTES = 64 * 1024;
  private static final int MAX_KEPT_BUFFER_BYTES = 1024 * 1024;

  final String name;
  final Path dir;
  private final FileStoreConfig config;
  private final FileOps opener;
  private final ConcurrentSkipListMap<Long, Segment> segments = new ConcurrentSkipListMap<>();
  private final ReentrantLock appendLock = new ReentrantLock();
  private final ReentrantLock flushLock = new ReentrantLock();
  /** Where appenders wait while another writes; {@code waiting} counts them. */
  private final Object leader = new Object();
  private final AtomicInteger waiting = new AtomicInteger();
  private volatile Segment active;
  /** One past the last record written (and forced, under fsync always); readers stop here. */
  private volatile long committedNext;
  private volatile long firstVisible;
  /** Deleted and not yet produced to again; the {@value #DELETED_MARKER} file says so on disk. */
  private volatile boolean deleted;
  /** Committed positions by consumer name; written through to {@value #POSITIONS_FILE}. */
  private final Map<String, Long> positions = new java.util.TreeMap<>();
  /** Guarded by appendLock: the next number to give, the records waiting to be written. */
  private long assignedNext;
  private Chunk pending;
  private final AtomicReference<ByteBuffer> spareBuffer = new AtomicReference<>();
  private long lastAppendTime;

  private final FsyncObserver fsyncs;

  private FileTopic(
      String name, Path dir, FileStoreConfig config, FileOps opener, FsyncObserver fsyncs) {
    this.name = name;
    this.dir = dir;
    this.config = config;
    this.opener = opener;
    this.fsyncs = fsyncs;
  }

  /** Creates a new topic's directory with its first, empty segment. */
  static FileTopic create(
      String name, Path dir, FileStoreConfig config, FileOps opener, FsyncObserver fsyncs)
      throws IOException {
    Files.createDirectories(dir);
    TopicDirectory.writeName(dir, name);
    FileTopic topic = new FileTopic(name, dir, config, opener, fsyncs);
    Segment first = Segment.create(dir, 1, opener);
    topic.segments.put(first.base, first);
    topic.active = first;
    topic.assignedNext = 1;
    topic.committedNext = 1;
    topic.firstVisible = 1;
    topic.lastAppendTime = Long.MIN_VALUE;
    if (!(config.fsync() instanceof FsyncPolicy.Never)) {
      opener.forceDirectory(dir);
    }
    return topic;
  }

  /**
   * Opens an existing topic, recovering its last segment (see {@link Segment#open}).
   *
   * @param repairs told, one line each, what recovery changed
   */
  static FileTopic open(
      String name,
      Path dir,
      FileStoreConfig config,
      FileOps opener,
      FsyncObserver fsyncs,
      List<String> repairs)
      throws IOException {
    FileTopic topic = new FileTopic(name, dir, config, opener, fsyncs);
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
    topic.deleted = Files.exists(dir.resolve(DELETED_MARKER));
    topic.loadPositions(repairs);
    Segment last = topic.segments.lastEntry().getValue();
    topic.active = last;
    topic.committedNext = last.nextNumber();
    topic.assignedNext = topic.committedNext;
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

  /**
   * Appends the payloads as consecutive records and returns the first number. The records join
   * the topic's pending {@link Chunk}; the first appender to take the flush lock writes the whole
   * chunk with one write and, under fsync always, one fsync, so appends arriving while a chunk is
   * being forced share the next fsync (group commit) and never write to a file being forced. All
   * or nothing: a failed write is rolled back and every record in the chunk fails.
   */
  long appendAll(List<byte[]> payloads, long nowMillis) throws IOException {
    Chunk chunk;
    long first;
    appendLock.lock();
    try {
      long time = Math.max(nowMillis, lastAppendTime);
      if (pending == null) {
        pending = new Chunk(assignedNext, takeSpareBuffer());
      }
      chunk = pending;
      first = chunk.nextNumber();
      chunk.add(payloads, time);
      assignedNext = chunk.nextNumber();
      lastAppendTime = time;
    } finally {
      appendLock.unlock();
    }
    awaitWritten(chunk);
    chunk.throwIfFailed();
    return first;
  }

  /**
   * Waits until the chunk is written, writing it (and whatever joined it) if no other appender is
   * writing. Waiters park on a monitor rather than queueing for the flush lock: a queue would hand
   * the lock to each waiter in turn just to tell it its chunk is done, and the next chunk would be
   * written before they could add to it.
   */
  private void awaitWritten(Chunk chunk) throws IOException {
    while (!chunk.done()) {
      if (flushLock.tryLock()) {
        // Java closes a file channel when a thread whose interrupt status is set does I/O on it.
        boolean interrupted = Thread.interrupted();
        try {
          if (!chunk.done()) {
            writePending();
          }
        } finally {
          unlockFlush();
          if (interrupted) {
            Thread.currentThread().interrupt();
          }
        }
      } else {
        waiting.incrementAndGet();
        try {
          synchronized (leader) {
            // The writer unlocks before it notifies, under this monitor: no wake-up is lost.
            while (!chunk.done() && flushLock.isLocked()) {
              leader.wait();
            }
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while waiting for the log write");
        } finally {
          waiting.decrementAndGet();
        }
      }
    }
  }

  /** Releases the flush lock and wakes appenders waiting for it to be free. */
  private void unlockFlush() {
    flushLock.unlock();
    if (waiting.get() > 0) {
      synchronized (leader) {
        leader.notifyAll();
      }
    }
  }

  /** Writes (and forces, per policy) the pending chunk. Holds flushLock. */
  private void writePending() throws IOException {
    Chunk chunk;
    appendLock.lock();
    try {
      chunk = pending;
      pending = null;
    } finally {
      appendLock.unlock();
    }
    if (chunk == null) {
      return;
    }
    Segment segment = active;
    try {
      if (segment.count() > 0
          && (segment.size() + chunk.bytes() > config.segmentBytes()
              || chunk.firstTime() - segment.firstTime() >= config.segmentMaxAge().toMillis())) {
        segment = roll();
      }
    } catch (IOException e) {
      fail(chunk, e);
      return;
    }
    long sizeBefore = segment.size();
    int countBefore = segment.count();
    try {
      segment.append(chunk.records(), chunk.starts(), chunk.count(), chunk.firstTime(), chunk.lastTime());
      if (config.fsync() instanceof FsyncPolicy.Always) {
        long start = System.nanoTime();
        segment.force();
        fsyncs.record(System.nanoTime() - start);
      }
    } catch (IOException e) {
      segment.rollBack(sizeBefore, countBefore);
      fail(chunk, e);
      return;
    }
    segment.commit(segment.size());
    committedNext = chunk.nextNumber();
    if (deleted) {
      // A deleted topic comes back with its first new message.
      opener.delete(dir.resolve(DELETED_MARKER));
      deleted = false;
    }
    chunk.written();
    recycle(chunk.buffer());
  }

  /**
   * Fails a chunk, and the one pending after it too: its records carry numbers that follow the
   * failed ones, which are now free again.
   */
  private void fail(Chunk chunk, IOException cause) {
    StoreException failure = writeFailure(cause);
    appendLock.lock();
    try {
      if (pending != null) {
        pending.failed(failure);
        pending = null;
      }
      assignedNext = committedNext;
    } finally {
      appendLock.unlock();
    }
    chunk.failed(failure);
  }

  /** A written chunk's buffer if one is free, else a new one: direct, so writing it costs no copy. */
  private ByteBuffer takeSpareBuffer() {
    ByteBuffer buffer = spareBuffer.getAndSet(null);
    return buffer != null ? buffer : ByteBuffer.allocateDirect(CHUNK_BUFFER_BYTES);
  }

  /** Keeps a written chunk's buffer for a later chunk, unless a huge message made it large. */
  private void recycle(ByteBuffer buffer) {
    if (buffer.isDirect() && buffer.capacity() <= MAX_KEPT_BUFFER_BYTES) {
      spareBuffer.set(buffer);
    }
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

  /** Seals the active segment and starts a new one at the next number. Holds flushLock. */
  private Segment roll() throws IOException {
    boolean sync = !(config.fsync() instanceof FsyncPolicy.Never);
    Segment old = active;
    old.seal(sync);
    Segment next = Segment.create(dir, committedNext, opener);
    if (sync) {
      opener.forceDirectory(dir);
    }
    segments.put(next.base, next);
    active = next;
    return next;
  }

  PollResult read(long readFrom, PollLimits limits) throws IOException {
    // Java closes a file channel when a thread whose interrupt status is set does I/O on it.
    boolean interrupted = Thread.interrupted();
    try {
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
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private PollResult readOnce(long readFrom, PollLimits limits) throws IOException {
    long end = committedNext;
    long first = firstVisible;
    long number = Math.max(Math.max(readFrom, 1), first);
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
    return new PollResult(out, newReadFrom, Math.min(first, end));
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
    flushLock.lock();
    try {
      long newFirst = committedNext;
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
      unlockFlush();
    }
    for (Segment s : expired) {
      s.delete();
    }
    return removed;
  }

  boolean deleted() {
    return deleted;
  }

  private void loadPositions(List<String> repairs) throws IOException {
    Path file = dir.resolve(POSITIONS_FILE);
    if (!Files.exists(file)) {
      return;
    }
    for (String line : Files.readAllLines(file, java.nio.charset.StandardCharsets.UTF_8)) {
      int tab = line.indexOf('\t');
      try {
        positions.put(line.substring(tab + 1), Long.parseLong(line.substring(0, tab)));
      } catch (RuntimeException e) {
        repairs.add("ignored a damaged line of " + POSITIONS_FILE + ": '" + line + "'");
      }
    }
  }

  synchronized void commitPosition(String consumer, long next) throws IOException {
    positions.put(consumer, next);
    StringBuilder text = new StringBuilder();
    positions.forEach((name, number) -> text.append(number).append('\t').append(name).append('\n'));
    Path temp = dir.resolve(POSITIONS_FILE + ".tmp");
    try (FileChannel out =
        opener.open(
            temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer bytes = ByteBuffer.wrap(text.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      while (bytes.hasRemaining()) {
        out.write(bytes);
      }
      if (!(config.fsync() instanceof FsyncPolicy.Never)) {
        opener.force(out, true);
      }
    }
    opener.move(temp, dir.resolve(POSITIONS_FILE));
  }

  synchronized OptionalLong position(String consumer) {
    Long next = positions.get(consumer);
    return next == null ? OptionalLong.empty() : OptionalLong.of(next);
  }

  /** The first visible number appended at or after {@code millis}; the next number if none. */
  long firstAtOrAfter(long millis) throws IOException {
    long first = firstVisible;
    long end = committedNext;
    for (Segment s : segments.values()) {
      if (s.count() > 0 && s.nextNumber() > first && s.lastTime() >= millis) {
        return Math.max(first, Math.min(end, s.base + s.firstIndexAtOrAfter(millis)));
      }
    }
    return end;
  }

  TopicInfo describe() throws IOException {
    long first = firstVisible;
    long end = committedNext;
    long bytes = 0;
    long oldest = -1;
    long newest = -1;
    for (Segment s : segments.values()) {
      bytes += s.size();
      if (s.count() > 0 && s.lastTime() >= 0 && first < end) {
        newest = s.lastTime();
      }
    }
    if (first < end) {
      Map.Entry<Long, Segment> holder = segments.floorEntry(first);
      if (holder != null && first < holder.getValue().nextNumber()) {
        oldest = holder.getValue().timeOf(first);
      }
    }
    return new TopicInfo(name, first, end, end - first, bytes, oldest, newest);
  }

  /**
   * Deletes every message and hides the topic until it is produced to again: writes what is
   * pending, rolls to an empty segment named by the next number (so numbering survives), deletes
   * every other segment, and leaves the marker file that keeps the topic hidden across restarts.
   *
   * @return how many messages were deleted
   */
  long deleteAll() throws IOException {
    List<Segment> gone = new ArrayList<>();
    long removed;
    flushLock.lock();
    try {
      writePending();
      removed = committedNext - firstVisible;
      firstVisible = committedNext;
      if (active.count() > 0) {
        roll();
      }
      for (Segment s : segments.values()) {
        if (s != active) {
          gone.add(s);
        }
      }
      for (Segment s : gone) {
        segments.remove(s.base);
      }
      Files.write(dir.resolve(DELETED_MARKER), new byte[0]);
      if (!(config.fsync() instanceof FsyncPolicy.Never)) {
        opener.forceDirectory(dir);
      }
      deleted = true;
    } finally {
      unlockFlush();
    }
    for (Segment s : gone) {
      s.delete();
    }
    return removed;
  }

  /** Background work: forces the log if asked, and writes out index entries of committed records. */
  void flushInBackground(boolean forceLog) throws IOException {
    Segment segment = active;
    if (forceLog) {
      long start = System.nanoTime();
      segment.force();
      fsyncs.record(System.nanoTime() - start);
    }
    long committed = committedNext;
    long upTo = Math.min(committed, segment.nextNumber()) - segment.base;
    if (upTo > 0) {
      segment.writeIndexEntries((int) upTo);
    }
  }

  /** Writes out everything, forces it to disk unless the policy is never, and closes the files. */
  void close() throws IOException {
    flushLock.lock();
    try {
      writePending();
      active.seal(!(config.fsync() instanceof FsyncPolicy.Never));
    } finally {
      unlockFlush();
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

}
