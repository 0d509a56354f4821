package io.minikafka.broker.store.file;

import io.minikafka.broker.store.CorruptRecordException;
import io.minikafka.broker.store.PollLimits;
import io.minikafka.broker.store.PollResult;
import io.minikafka.broker.store.Record;
import io.minikafka.broker.store.StoreException;
import io.minikafka.broker.store.StoreFullException;
import io.minikafka.broker.store.TopicInfo;
import io.minikafka.broker.store.TopicSize;
import io.minikafka.broker.store.UnknownTopicException;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One topic of a {@link FileStore}: a directory ({@link TopicDirectory}) of {@link Segment}s, the
 * last of which takes appends, with its {@link ConsumerPositions} and its {@link LogStart}.
 *
 * <p>Numbers: {@code firstVisible <= committedNext}. Records below {@code firstVisible} expired or
 * were deleted (retention is message-precise even inside a segment); records from {@code
 * committedNext} on are still being written by the {@link GroupCommit} (and, under fsync always,
 * forced), so readers never see them. The next number survives restarts: the last segment is never
 * deleted, only rolled (an empty last segment is named by the next number), and a deletion records
 * its log start before it removes anything.
 *
 * <p>Thread-safety: appends go through the group commit; rolls, sweeps and deletion run under its
 * flush lock ({@link GroupCommit#exclusive}); reads take no lock: they read the published {@code
 * committedNext} and find segments in a concurrent skip list.
 */
final class FileTopic {

  private static final Logger LOG = LoggerFactory.getLogger(FileStore.class);
  private static final int MAX_READ_RETRIES = 3;

  /**
   * The most bytes a network thread writes itself ({@link GroupCommit.Writer#isQuick}), under fsync
   * never: a few requests of single messages. Larger chunks go to an append thread, which writes
   * one while the network thread decodes the next batch.
   */
  static final int QUICK_WRITE_BYTES = 16 * 1024;

  final String name;
  final Path dir;
  private final FileStoreConfig config;
  private final Disk disk;
  private final ConcurrentSkipListMap<Long, Segment> segments = new ConcurrentSkipListMap<>();
  private final ConsumerPositions positions;
  private final GroupCommit appends;
  private volatile Segment active;

  /** One past the last record written (and forced, under fsync always); readers stop here. */
  private volatile long committedNext;

  private volatile long firstVisible;

  /** Deleted and not produced to since: hidden. */
  private volatile boolean deleted;

  /** The topic's own settings; written under the flush lock. */
  private volatile TopicSettings settings = TopicSettings.DEFAULTS;

  /** Set by a roll: the topic may have passed its retention bytes, looked at after the append. */
  private volatile boolean rolled;

  /** The log start on disk. Guarded by the flush lock. */
  private LogStart logStart;

  /** The topic came back but its log start still says deleted (rewriting it failed). Flush lock. */
  private boolean staleDeletedFlag;

  /** How far the interval forcer last forced; -1 forces everything once. Flusher thread only. */
  private long forcedNext = -1;

  private FileTopic(
      String name,
      Path dir,
      FileStoreConfig config,
      Disk disk,
      List<Segment> opened,
      ConsumerPositions positions,
      LogStart logStart) {
    this.name = name;
    this.dir = dir;
    this.config = config;
    this.disk = disk;
    this.positions = positions;
    this.logStart = logStart;
    for (Segment s : opened) {
      segments.put(s.base, s);
    }
    active = segments.lastEntry().getValue();
    committedNext = active.nextNumber();
    firstVisible = Math.max(segments.firstKey(), logStart.number());
    deleted = logStart.deleted() && firstVisible >= committedNext;
    staleDeletedFlag = logStart.deleted() && !deleted;
    long lastAppendTime = Long.MIN_VALUE;
    for (Segment s : segments.descendingMap().values()) {
      if (s.count() > 0) {
        lastAppendTime = s.lastTime();
        break;
      }
    }
    appends =
        new GroupCommit(
            name,
            committedNext,
            lastAppendTime,
            new GroupCommit.Writer() {
              @Override
              public void write(Chunk chunk) throws IOException {
                FileTopic.this.write(chunk);
              }

              @Override
              public boolean isQuick(Chunk chunk) {
                // Under fsync never nothing is forced, neither the log nor a file it closes, so
                // the write is one write(2); a topic coming back after deletion rewrites its log
                // start, and a new segment is a new file.
                return !disk.policy().forcesFiles()
                    && chunk.bytes() <= QUICK_WRITE_BYTES
                    && !deleted
                    && !staleDeletedFlag
                    && !active.parked()
                    && !rollsFor(active, chunk);
              }
            });
    if (deleted && active.count() == 0) {
      active.park();
    }
  }

  /**
   * Creates a new topic's directory under {@code root}. The directory is assembled under a
   * temporary name ({@link TopicDirectory#CREATING_PREFIX}) and renamed into place once its name
   * file is durable, so a crash never leaves a topic directory without its name; then the root and
   * the directory are synced, so the topic is durable before its first message is acknowledged.
   */
  static FileTopic create(
      String name, Path root, FileStoreConfig config, Disk disk, TopicSettings settings)
      throws IOException {
    String dirName = TopicDirectory.encode(name);
    Path dir = root.resolve(dirName);
    Path assembling = root.resolve(TopicDirectory.CREATING_PREFIX + dirName);
    if (Files.exists(assembling)) {
      TopicDirectory.deleteRecursively(assembling);
    }
    disk.ops().createDirectory(assembling);
    TopicDirectory.writeName(assembling, name, disk);
    // Before the rename: the topic never exists without the settings it was created with.
    if (settings.retention().isPresent()) {
      settings.write(assembling, disk);
    }
    disk.ops().move(assembling, dir);
    disk.syncDirectory(root);
    Segment first = Segment.create(dir, 1, disk);
    try {
      disk.syncDirectory(dir);
    } catch (IOException e) {
      first.close();
      throw e;
    }
    FileTopic topic =
        new FileTopic(
            name,
            dir,
            config,
            disk,
            List.of(first),
            ConsumerPositions.load(dir, disk, new ArrayList<>()),
            LogStart.NONE);
    topic.settings = settings;
    return topic;
  }

  /**
   * Opens an existing topic, recovering what a crash left ({@link TopicRecovery}).
   *
   * @param repairs told, one line each, what recovery changed
   */
  static FileTopic open(
      String name, Path dir, FileStoreConfig config, Disk disk, List<String> repairs)
      throws IOException {
    TopicRecovery.Recovered recovered = TopicRecovery.recover(dir, disk, repairs);
    try {
      ConsumerPositions positions = ConsumerPositions.load(dir, disk, repairs);
      FileTopic topic =
          new FileTopic(
              name, dir, config, disk, recovered.segments(), positions, recovered.logStart());
      if (topic.deleted()) {
        // Settings a deletion could not remove (a crash, a failed delete) died with their topic.
        topic.dropSettings();
      } else {
        topic.settings = TopicSettings.read(dir);
      }
      return topic;
    } catch (IOException | RuntimeException e) {
      for (Segment s : recovered.segments()) {
        s.close();
      }
      throw e;
    }
  }

  /** The topic's own retention, or empty for the server's. */
  Optional<Duration> retention() {
    return settings.retention();
  }

  /**
   * A deleted topic has the server's settings, and comes back with them, as a new one would: its
   * own are dropped with it (and, should that fail or a crash come first, ignored while it stays
   * deleted, see {@link #open}). Flush lock.
   */
  private void dropSettings() {
    settings = TopicSettings.DEFAULTS;
    try {
      TopicSettings.DEFAULTS.write(dir, disk);
    } catch (IOException e) {
      LOG.warn("Topic '{}' deleted, but removing its settings failed: {}", name, e.getMessage());
    }
  }

  /**
   * Sets the topic's own retention (empty: the server's), durably.
   *
   * @throws UnknownTopicException if the topic is deleted
   */
  void setRetention(Optional<Duration> retention) throws IOException {
    appends.exclusive(
        () -> {
          if (deleted) {
            throw new UnknownTopicException(name, true);
          }
          TopicSettings changed = new TopicSettings(retention);
          changed.write(dir, disk);
          settings = changed;
          return null;
        });
  }

  /** A deleted topic comes back without a message (created again); its numbering continues. */
  void comeBack() throws IOException {
    appends.exclusive(
        () -> {
          if (deleted || staleDeletedFlag) {
            LogStart back = logStart.undeleted();
            back.write(dir, disk);
            logStart = back;
            deleted = false;
            staleDeletedFlag = false;
          }
          return null;
        });
  }

  /**
   * Appends the records and returns the first number, once they are written (and forced, under
   * fsync always); all or nothing.
   */
  long appendAll(List<Record> records, long nowMillis) throws IOException {
    long first = appends.append(records, nowMillis);
    afterAppend();
    return first;
  }

  /**
   * Appends as {@link #appendAll} without waiting ({@link GroupCommit#appendAsync}); null, and
   * nothing appended, when the caller must use {@link #appendAll} instead.
   */
  CompletableFuture<Long> appendAllAsync(List<Record> records, long nowMillis) {
    CompletableFuture<Long> first = appends.appendAsync(records, nowMillis);
    return first == null
        ? null
        : first.thenApply(
            number -> {
              // Whatever thread this runs on (a caller that must not wait, if the write was
              // quick), removing segments is left to one that may.
              if (rolled && config.limits().retentionBytes() > 0) {
                GroupCommit.FLUSHES.execute(this::afterAppend);
              }
              return number;
            });
  }

  /** Once an append has rolled the log, removes what the topic's retention bytes no longer keep. */
  private void afterAppend() {
    if (rolled && config.limits().retentionBytes() > 0) {
      rolled = false;
      try {
        removeBeyondRetentionBytes();
      } catch (IOException e) {
        // The messages are stored and acknowledged; the next roll or sweep tries again.
        LOG.warn(
            "Topic '{}': removing segments past its retention bytes failed: {}",
            name,
            e.getMessage());
      }
    }
  }

  /**
   * Deletes the oldest sealed segments while the topic's segments take more than its retention
   * bytes on disk, as Kafka's {@code retention.bytes}: whole segments, never the active one.
   *
   * @return how many messages became hidden
   */
  long removeBeyondRetentionBytes() throws IOException {
    long limit = config.limits().retentionBytes();
    List<Segment> gone = new ArrayList<>();
    long hidden =
        appends.exclusive(
            () -> {
              if (limit <= 0 || disk.failure().isPresent()) {
                return 0L;
              }
              long total = 0;
              for (Segment s : segments.values()) {
                total += s.size();
              }
              for (Segment s : segments.values()) {
                if (s == active || total <= limit) {
                  break;
                }
                total -= s.size();
                gone.add(s);
              }
              for (Segment s : gone) {
                segments.remove(s.base);
              }
              long newFirst = Math.max(firstVisible, segments.firstKey());
              long count = newFirst - firstVisible;
              firstVisible = newFirst;
              return count;
            });
    deleteSegments(gone);
    return hidden;
  }

  /** Writes a chunk of records at the end of the log; the group commit's writer. Flush lock. */
  private void write(Chunk chunk) throws IOException {
    disk.checkWritable();
    Segment segment = active;
    try {
      if (rollsFor(segment, chunk)) {
        segment = roll();
      }
    } catch (IOException e) {
      throw writeFailure(e);
    }
    long sizeBefore = segment.size();
    int countBefore = segment.count();
    try {
      segment.append(
          chunk.records(),
          chunk.starts(),
          chunk.count(),
          chunk.firstTime(),
          chunk.lastTime(),
          config.segmentBytes());
      if (disk.policy().forcesEachAppend()) {
        segment.force();
      }
    } catch (IOException e) {
      segment.rollBack(sizeBefore, countBefore);
      throw writeFailure(e);
    }
    segment.commit();
    committedNext = chunk.nextNumber();
    if (deleted || staleDeletedFlag) {
      deleted = false;
      recordComeBack();
    }
  }

  /** Whether {@code chunk} goes into a new segment after {@code segment}. Flush lock. */
  private boolean rollsFor(Segment segment, Chunk chunk) {
    // A legacy segment left by an older version takes no new records: they go in the new layout.
    return segment.count() > 0
        && (segment.format != SegmentFormat.WIRE
            || segment.size() + chunk.bytes() > config.segmentBytes()
            || chunk.firstTime() - segment.firstTime() >= config.segmentMaxAge().toMillis());
  }

  /**
   * Clears the deleted flag of the log start. The records just written are stored whatever happens
   * here: start-up tells a topic that came back by its records past the log start, so a failure
   * only means the flag is rewritten on a later append.
   */
  private void recordComeBack() {
    try {
      LogStart back = logStart.undeleted();
      back.write(dir, disk);
      logStart = back;
      staleDeletedFlag = false;
    } catch (IOException e) {
      staleDeletedFlag = true;
      LOG.warn(
          "Topic '{}' is back, but clearing its deleted flag failed ({}); retried on the next append",
          name,
          e.getMessage());
    }
  }

  private StoreException writeFailure(IOException e) {
    if (e instanceof StoreException already) {
      return already;
    }
    String message = e.getMessage() == null ? e.toString() : e.getMessage();
    if (message.contains("No space left") || message.contains("Disk quota exceeded")) {
      return new StoreFullException(
          "topic '" + name + "': no space left on the device; the message was not stored", e);
    }
    return new StoreException(
        "topic '" + name + "': writing the message failed (" + message + "); it was not stored", e);
  }

  /**
   * Starts a new segment at the next number and seals the active one. The new segment is created
   * and made durable in the directory first: if that fails nothing has changed and the active
   * segment keeps taking appends. Sealing comes last, because a sealed segment takes no more
   * records. Flush lock.
   */
  private Segment roll() throws IOException {
    Segment old = active;
    // Before the successor exists, so that only the last segment ever has room after its records.
    old.cutRoom();
    Segment next = Segment.create(dir, committedNext, disk);
    try {
      disk.syncDirectory(dir);
      old.seal();
    } catch (IOException | RuntimeException e) {
      try {
        next.delete();
      } catch (IOException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
    segments.put(next.base, next);
    active = next;
    rolled = true;
    return next;
  }

  /** Reads messages; as their wire bytes when {@code encoded} (see {@link ReadTarget}). */
  PollResult read(long readFrom, PollLimits limits, boolean encoded) throws IOException {
    // Java closes a file channel when a thread whose interrupt status is set does I/O on it.
    boolean interrupted = Thread.interrupted();
    try {
      for (int attempt = 1; ; attempt++) {
        try {
          return readOnce(
              readFrom, limits, encoded ? ReadTarget.forWire() : ReadTarget.forMessages());
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

  private PollResult readOnce(long readFrom, PollLimits limits, ReadTarget out) throws IOException {
    long end = committedNext;
    long first = firstVisible;
    long number = Math.max(Math.max(readFrom, 1), first);
    long start = number;
    long used = 0;
    while (number < end && out.count() < limits.maxMessages()) {
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
        if (next.getKey() > number && out.count() == 0) {
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
      int before = out.count();
      used = segment.read(name, number, end, limits, used, out);
      if (out.count() == before) {
        break;
      }
      number += out.count() - before;
    }
    long newReadFrom = out.count() == 0 ? readFrom : start + out.count();
    return out.result(newReadFrom, Math.min(first, end), end);
  }

  /**
   * Hides every message appended before {@code cutoffMillis} and deletes the segments holding only
   * such messages. Sealed segments go first: a topic that cannot roll its active segment (no space,
   * no file handles, exactly when space is needed) still frees them.
   *
   * @return how many messages became hidden
   * @throws IOException if files could not be removed or the active segment not rolled; the
   *     messages are hidden regardless
   */
  long removeOlderThan(long cutoffMillis) throws IOException {
    List<Segment> expired = new ArrayList<>();
    IOException[] rollFailure = {null};
    long removed =
        appends.exclusive(
            () -> {
              long newFirst = committedNext;
              for (Segment s : segments.values()) {
                if (s.count() > 0 && s.lastTime() >= cutoffMillis) {
                  newFirst = s.base + s.firstIndexAtOrAfter(cutoffMillis);
                  break;
                }
              }
              long hidden = Math.max(0, newFirst - firstVisible);
              firstVisible += hidden;
              for (Segment s : segments.values()) {
                if (s != active && s.nextNumber() <= firstVisible) {
                  expired.add(s);
                }
              }
              if (disk.failure().isPresent()) {
                // After a failed fsync nothing is written until restart: the expired stay hidden.
                expired.clear();
                return hidden;
              }
              for (Segment s : expired) {
                segments.remove(s.base);
              }
              Segment last = active;
              if (last.count() > 0 && last.nextNumber() <= firstVisible) {
                try {
                  roll();
                  segments.remove(last.base);
                  expired.add(last);
                } catch (IOException e) {
                  rollFailure[0] = e;
                }
              }
              return hidden;
            });
    deleteSegments(expired);
    if (rollFailure[0] != null) {
      throw new StoreException(
          "topic '"
              + name
              + "': its expired last segment could not be rolled to be freed ("
              + rollFailure[0].getMessage()
              + ")",
          rollFailure[0]);
    }
    return removed;
  }

  /**
   * Closes and deletes segments no longer in the topic, then syncs the directory. Every segment is
   * tried, and closed, whatever fails; the first failure is thrown after.
   */
  private void deleteSegments(List<Segment> gone) throws IOException {
    if (gone.isEmpty()) {
      return;
    }
    IOException failure = null;
    for (Segment s : gone) {
      try {
        s.delete();
      } catch (IOException e) {
        if (failure == null) {
          failure = e;
        }
      }
    }
    try {
      disk.syncDirectory(dir);
    } catch (IOException e) {
      if (failure == null) {
        failure = e;
      }
    }
    if (failure != null) {
      throw new StoreException(
          "topic '"
              + name
              + "': removing the files of deleted messages failed ("
              + failure.getMessage()
              + "); they stay hidden, and start-up removes them",
          failure);
    }
  }

  boolean deleted() {
    return deleted;
  }

  /** The number the next message gets: every number below it is stored, expired or deleted. */
  long nextNumber() {
    return committedNext;
  }

  void commitPosition(String consumer, long next) throws IOException {
    positions.commit(name, consumer, next, config.limits().maxConsumersPerTopic());
  }

  OptionalLong position(String consumer) {
    return positions.position(consumer);
  }

  java.util.SortedMap<String, Long> positions() {
    return positions.all();
  }

  /** {@link #describe}'s counts alone, from memory: no message is read for its time. */
  TopicSize size() {
    long first = firstVisible;
    long end = committedNext;
    long bytes = 0;
    for (Segment s : segments.values()) {
      bytes += s.size();
    }
    return new TopicSize(name, end - first, bytes, end);
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
    TopicSize counts = size();
    long end = counts.nextNumber();
    long first = end - counts.messageCount();
    long oldest = -1;
    long newest = -1;
    if (first < end) {
      for (Segment s : segments.values()) {
        if (s.count() > 0 && s.lastTime() >= 0) {
          newest = s.lastTime();
        }
      }
      Map.Entry<Long, Segment> holder = segments.floorEntry(first);
      if (holder != null && first < holder.getValue().nextNumber()) {
        try {
          oldest = holder.getValue().timeOf(first);
        } catch (CorruptRecordException damaged) {
          // Reading the message reports the damage; describing the topic still works, with the
          // time of its segment's first message, which is no later.
          oldest = holder.getValue().firstTime();
        }
      }
    }
    return new TopicInfo(
        name, first, end, counts.messageCount(), counts.bytesStored(), oldest, newest, retention());
  }

  /**
   * Deletes every message and hides the topic until it is produced to again. Writes what is
   * pending, rolls to an empty segment named by the next number (so numbering survives), then
   * records the deletion in the {@link LogStart}: from that rename on it stands, whatever happens
   * to the removal of the old segments that follows (a failure there is logged; start-up finishes
   * it).
   *
   * @return how many messages were deleted
   */
  long deleteAll() throws IOException {
    List<Segment> gone = new ArrayList<>();
    long removed =
        appends.exclusive(
            () -> {
              appends.writePending();
              disk.checkWritable();
              long end = committedNext;
              long count = end - firstVisible;
              if (active.count() > 0) {
                roll();
              }
              LogStart start = new LogStart(end, true);
              try {
                start.write(dir, disk);
              } catch (IOException e) {
                // Past the rename the deletion stands on disk, and so it must here too.
                if (!start.equals(LogStart.readQuietly(dir))) {
                  throw e;
                }
                LOG.warn(
                    "Topic '{}' deleted, but making it durable failed: {}", name, e.getMessage());
              }
              logStart = start;
              staleDeletedFlag = false;
              firstVisible = end;
              deleted = true;
              for (Segment s : segments.values()) {
                if (s != active) {
                  gone.add(s);
                }
              }
              for (Segment s : gone) {
                segments.remove(s.base);
              }
              active.park();
              dropSettings();
              return count;
            });
    try {
      deleteSegments(gone);
    } catch (IOException e) {
      LOG.warn("{}", e.getMessage());
    }
    return removed;
  }

  /**
   * Background work: forces the log if asked and it changed since the last force, and writes out
   * index entries of committed records.
   */
  void flushInBackground(boolean forceLog) throws IOException {
    if (active.parked()) {
      return;
    }
    // The number first: records below it are in this segment or in older ones, forced when sealed.
    long committed = committedNext;
    Segment segment = active;
    if (forceLog && committed != forcedNext && disk.failure().isEmpty()) {
      segment.force();
      forcedNext = committed;
    }
    long upTo = Math.min(committed, segment.nextNumber()) - segment.base;
    if (upTo > 0) {
      segment.writeIndexEntries((int) upTo);
    }
  }

  /** Writes out everything, forces it to disk unless the policy is never, and closes the files. */
  void close() throws IOException {
    try {
      appends.exclusive(
          () -> {
            appends.writePending();
            if (!active.parked()) {
              active.seal();
            }
            return null;
          });
    } finally {
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
