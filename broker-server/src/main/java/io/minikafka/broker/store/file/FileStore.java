package io.minikafka.broker.store.file;

import io.minikafka.broker.concurrent.DaemonThreadFactory;
import io.minikafka.broker.store.CheckedStore;
import io.minikafka.broker.store.PollLimits;
import io.minikafka.broker.store.PollResult;
import io.minikafka.broker.store.Record;
import io.minikafka.broker.store.StoreException;
import io.minikafka.broker.store.StoreHealth;
import io.minikafka.broker.store.TopicInfo;
import io.minikafka.broker.store.TopicSize;
import io.minikafka.broker.store.TopicTable;
import io.minikafka.broker.store.TopicUnavailableException;
import io.minikafka.broker.store.UnknownTopicException;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A durable {@link BackingStore} of files under a root directory; the original's {@code
 * NewFileStore(rootDir)}, redone after Kafka's log: one directory per topic ({@link
 * TopicDirectory}), each a list of {@link Segment}s with CRC-checked records and a dense index.
 *
 * <p>Durability follows the {@link FsyncPolicy}. Start-up recovers each topic's last segment from
 * its last known-good record (see {@link Segment#open}), logging what it cut. A lock file keeps a
 * second store off the same root. Unknown entries in the root are ignored with a warning.
 *
 * <p>Thread-safe; appends are serialised per topic only. Do not interrupt a thread while it is
 * inside a store call that reads or writes (the store clears the interrupt status around its own
 * I/O and restores it): Java closes a file channel for good when a thread blocked on it is
 * interrupted.
 */
public final class FileStore extends CheckedStore {

  private static final Logger LOG = LoggerFactory.getLogger(FileStore.class);
  static final String LOCK_FILE = ".lock";

  /** How operators set the disk floor; named where health reports it. */
  private static final String FLOOR_SETTING = "MINIKAFKA_MIN_FREE_DISK";

  private final Path root;
  private final FileStoreConfig config;
  private final Clock clock;
  private final Disk disk;
  private final TopicTable<FileTopic> topics;
  private final FreeSpace freeSpace;

  /** Topic directories that could not be opened, by directory name: why. */
  private final Map<String, String> unavailable = new ConcurrentHashMap<>();

  private final FsyncObserver fsyncs = new FsyncObserver();
  private final RootLock lock;
  private final ScheduledExecutorService flusher;

  private FileStore(Path root, FileStoreConfig config, Clock clock, FileOps opener)
      throws IOException {
    this.root = root;
    this.config = config;
    this.clock = clock;
    this.disk = new Disk(opener, config.fsync(), fsyncs, config.maxOpenFiles());
    this.topics =
        new TopicTable<>(FileTopic::deleted, FileTopic::nextNumber, config.limits().maxTopics());
    Files.createDirectories(root);
    this.freeSpace = new FreeSpace(opener.fileSystem(root), config.minFreeDisk(), root.toString());
    this.lock = RootLock.acquire(root);
    this.flusher =
        Executors.newSingleThreadScheduledExecutor(new DaemonThreadFactory("minikafka-flusher"));
  }

  /** Opens (creating if needed) a store under {@code root} with the default settings. */
  public static FileStore open(Path root) throws IOException {
    return open(root, FileStoreConfig.defaults(), Clock.systemUTC());
  }

  /** Opens (creating if needed) a store under {@code root}, recovering what a crash left. */
  public static FileStore open(Path root, FileStoreConfig config, Clock clock) throws IOException {
    return open(root, config, clock, FileOps.DEFAULT);
  }

  static FileStore open(Path root, FileStoreConfig config, Clock clock, FileOps opener)
      throws IOException {
    FileStore store = new FileStore(root, config, clock, opener);
    try {
      store.load();
    } catch (IOException | RuntimeException e) {
      store.close();
      throw e;
    }
    store.startFlusher();
    return store;
  }

  /**
   * Opens every topic directory. One that cannot be read or opened is left as it is, logged, and
   * its topic refuses calls ({@link TopicUnavailableException}) until it is repaired, as Kafka
   * takes an unreadable log directory offline rather than fail or start it afresh.
   */
  private void load() throws IOException {
    TopicDirectory.Discovery discovery = TopicDirectory.discover(root, LOG::warn);
    for (Path leftover : discovery.leftovers()) {
      LOG.warn("Removing {}: a topic whose creation was interrupted before any message", leftover);
      TopicDirectory.deleteRecursively(leftover);
    }
    for (TopicDirectory.Found found : discovery.topics()) {
      if (!found.readable()) {
        checkFileHandles(found, found.problem());
        markUnavailable(found.dir(), found.describe(), found.problem());
        continue;
      }
      List<String> repairs = new ArrayList<>();
      try {
        topics.put(
            found.topic(), FileTopic.open(found.topic(), found.dir(), config, disk, repairs));
      } catch (IOException | RuntimeException e) {
        checkFileHandles(found, e.getMessage());
        markUnavailable(found.dir(), found.describe(), "it could not be opened: " + e.getMessage());
      }
      for (String repair : repairs) {
        LOG.warn("Recovered topic '{}': {}", found.topic(), repair);
      }
    }
  }

  /**
   * Fails the start when a topic could not be opened for want of file handles: nothing is wrong
   * with its directory, and every topic after it would fail the same way.
   */
  private void checkFileHandles(TopicDirectory.Found found, String problem) throws IOException {
    if (problem == null || !problem.contains("Too many open files")) {
      return;
    }
    if (problem.contains("Too many open files in system")) {
      throw new IOException(
          "the system ran out of file handles opening "
              + found.describe()
              + " ("
              + problem
              + "): every process's files together reached the kernel's limit (fs.file-max)");
    }
    java.util.OptionalLong limit = FileStoreConfig.fileHandleLimit();
    String handles = limit.isPresent() ? Long.toString(limit.getAsLong()) : "a limited number of";
    throw new IOException(
        "ran out of file handles opening "
            + found.describe()
            + " ("
            + problem
            + "): this process may open "
            + handles
            + " files (ulimit -n), and the store keeps up to MINIKAFKA_MAX_OPEN_FILES ("
            + config.maxOpenFiles()
            + ") segment files open besides connections and the JVM's own; raise ulimit -n or"
            + " lower MINIKAFKA_MAX_OPEN_FILES");
  }

  private void markUnavailable(Path dir, String what, String problem) {
    String reason =
        what
            + " is unavailable: its directory "
            + dir
            + " could not be read ("
            + problem
            + "); its files are kept as they are. Stop the server, run mkfk-fsck --repair "
            + root
            + " (or fix the directory by hand), and start it again";
    unavailable.put(dir.getFileName().toString(), reason);
    LOG.error("{}", reason);
  }

  private void startFlusher() {
    long indexEvery = config.indexFlushInterval().toNanos();
    flusher.scheduleWithFixedDelay(
        () -> flushAll(false), indexEvery, indexEvery, TimeUnit.NANOSECONDS);
    config
        .fsync()
        .backgroundInterval()
        .ifPresent(
            interval -> {
              long every = interval.toNanos();
              flusher.scheduleWithFixedDelay(
                  () -> flushAll(true), every, every, TimeUnit.NANOSECONDS);
            });
  }

  void flushAll(boolean forceLogs) {
    for (FileTopic topic : topics.values()) {
      try {
        topic.flushInBackground(forceLogs);
      } catch (ClosedChannelException e) {
        // The topic was deleted or its segment rolled away meanwhile: nothing left to flush.
      } catch (IOException | RuntimeException e) {
        // A failed fsync has stopped writes and been logged by the disk; this says which topic.
        // Caught whatever it is: an exception escaping would end the scheduled flushes for good.
        if (!isClosed()) {
          LOG.warn("Background flush of topic '{}' failed: {}", topic.name, e.toString());
        }
      }
    }
  }

  @Override
  protected long doStoreRecords(String topic, List<Record> records) throws IOException {
    freeSpace.checkForAppend(topic);
    FileTopic log = topics.get(topic);
    if (log != null && !log.deleted()) {
      return log.appendAll(records, clock.millis());
    }
    checkAvailable(topic);
    disk.checkWritable();
    try {
      return topics.storeTo(
          topic, this::createTopic, created -> created.appendAll(records, clock.millis()));
    } catch (UncheckedIOException e) {
      if (e.getCause() instanceof StoreException known) {
        throw known;
      }
      throw new StoreException(
          "topic '" + topic + "': creating it failed (" + e.getCause().getMessage() + ")",
          e.getCause());
    }
  }

  /**
   * Appends without waiting to a topic that has its log open; a new or deleted topic, or one whose
   * pending write is full, is appended to by a thread that may wait.
   */
  @Override
  protected CompletableFuture<Long> doStoreRecordsAsync(String topic, List<Record> records)
      throws IOException {
    freeSpace.checkForAppend(topic);
    FileTopic log = topics.get(topic);
    if (log != null && !log.deleted()) {
      CompletableFuture<Long> first = log.appendAllAsync(records, clock.millis());
      if (first != null) {
        return first;
      }
    }
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            // Through the checks again: the store may have closed while this waited its turn.
            return storeRecords(topic, records);
          } catch (IOException e) {
            throw new CompletionException(e);
          }
        },
        GroupCommit.FLUSHES);
  }

  @Override
  public boolean appendsAsync() {
    return true;
  }

  /**
   * A new topic's directory, or, if its directory exists after all (a creation that failed
   * half-way), the topic in it. A directory that holds something else is never touched.
   */
  private FileTopic createTopic(String topic) {
    return createTopic(topic, TopicSettings.DEFAULTS);
  }

  /** {@link #createTopic(String)}, a new topic getting {@code settings} from its creation on. */
  private FileTopic createTopic(String topic, TopicSettings settings) {
    Path dir = root.resolve(TopicDirectory.encode(topic));
    try {
      if (!Files.exists(dir)) {
        return FileTopic.create(topic, root, config, disk, settings);
      }
      TopicDirectory.Found found = TopicDirectory.inspect(dir);
      if (!found.readable()) {
        markUnavailable(dir, "topic '" + topic + "'", found.problem());
        throw new TopicUnavailableException(unavailable.get(dir.getFileName().toString()));
      }
      List<String> repairs = new ArrayList<>();
      FileTopic opened = FileTopic.open(topic, dir, config, disk, repairs);
      for (String repair : repairs) {
        LOG.warn("Recovered topic '{}': {}", topic, repair);
      }
      return opened;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Refuses a topic whose directory could not be read. */
  private void checkAvailable(String topic) throws TopicUnavailableException {
    String reason = unavailable.get(TopicDirectory.encode(topic));
    if (reason != null) {
      throw new TopicUnavailableException(reason);
    }
  }

  /** A topic that exists and can be used. */
  private FileTopic existing(String topic) throws IOException {
    FileTopic log = topics.get(topic);
    if (log == null) {
      checkAvailable(topic);
    }
    return topics.existing(topic);
  }

  @Override
  protected PollResult doPoll(String topic, long readFrom, PollLimits limits) throws IOException {
    return existing(topic).read(readFrom, limits, false);
  }

  @Override
  protected PollResult doPollEncoded(String topic, long readFrom, PollLimits limits)
      throws IOException {
    return existing(topic).read(readFrom, limits, true);
  }

  @Override
  protected long doFirstAtOrAfter(String topic, Instant time) throws IOException {
    return existing(topic).firstAtOrAfter(time.toEpochMilli());
  }

  @Override
  protected void doCommitPosition(String topic, String consumer, long nextNumber)
      throws IOException {
    FileTopic log = topics.get(topic);
    if (log == null) {
      checkAvailable(topic);
      throw new UnknownTopicException(topic);
    }
    log.commitPosition(consumer, nextNumber);
  }

  @Override
  protected OptionalLong doPosition(String topic, String consumer) throws IOException {
    FileTopic log = topics.get(topic);
    if (log == null) {
      checkAvailable(topic);
      return OptionalLong.empty();
    }
    return log.position(consumer);
  }

  @Override
  protected java.util.SortedMap<String, Long> doPositions(String topic) throws IOException {
    FileTopic log = topics.get(topic);
    if (log == null) {
      checkAvailable(topic);
      return java.util.Collections.emptySortedMap();
    }
    return log.positions();
  }

  @Override
  protected List<String> doTopics() {
    return topics.names();
  }

  @Override
  protected TopicInfo doDescribe(String topic) throws IOException {
    return existing(topic).describe();
  }

  /**
   * Every topic's counts from what the store holds in memory: describing each would read its oldest
   * message's time from its segment, a file a metrics scrape need not open.
   */
  @Override
  protected List<TopicSize> doSizes() {
    List<TopicSize> sizes = new ArrayList<>();
    for (String topic : topics.names()) {
      FileTopic log = topics.get(topic);
      if (log != null && !log.deleted()) {
        sizes.add(log.size());
      }
    }
    return sizes;
  }

  @Override
  protected long doDeleteTopic(String topic) throws IOException {
    return existing(topic).deleteAll();
  }

  @Override
  protected long doRemoveOlderThan(Instant cutoff) throws IOException {
    return removeEach(topic -> cutoff.toEpochMilli());
  }

  @Override
  protected long doRemoveExpired(long nowMillis, long defaultMillis) throws IOException {
    return removeEach(
        topic -> nowMillis - topic.retention().map(Duration::toMillis).orElse(defaultMillis));
  }

  /**
   * Removes from each topic what is older than its cutoff, and what is past its retention bytes.
   */
  private long removeEach(java.util.function.ToLongFunction<FileTopic> cutoffMillis)
      throws IOException {
    long removed = 0;
    StoreException failures = null;
    // Each topic on its own: one that fails must not keep the others from freeing their space.
    for (FileTopic topic : topics.values()) {
      try {
        removed += topic.removeOlderThan(cutoffMillis.applyAsLong(topic));
        removed += topic.removeBeyondRetentionBytes();
      } catch (IOException | RuntimeException e) {
        String why = "topic '" + topic.name + "': " + e.getMessage();
        if (failures == null) {
          failures = new StoreException("retention failed for some topics: " + why, e);
        } else {
          failures.addSuppressed(e);
        }
      }
    }
    if (failures != null) {
      throw failures;
    }
    return removed;
  }

  @Override
  protected void doCreateTopic(String topic, Optional<Duration> retention) throws IOException {
    checkAvailable(topic);
    disk.checkWritable();
    freeSpace.checkForAppend(topic);
    try {
      topics.create(
          topic,
          name -> createTopic(name, new TopicSettings(retention)),
          created -> {
            created.comeBack();
            // A deleted topic coming back, which has the server's settings until now.
            if (!created.retention().equals(retention)) {
              created.setRetention(retention);
            }
            return 0;
          });
    } catch (UncheckedIOException e) {
      if (e.getCause() instanceof StoreException known) {
        throw known;
      }
      throw new StoreException(
          "topic '" + topic + "': creating it failed (" + e.getCause().getMessage() + ")",
          e.getCause());
    }
  }

  @Override
  protected void doSetRetention(String topic, Optional<Duration> retention) throws IOException {
    disk.checkWritable();
    existing(topic).setRetention(retention);
  }

  @Override
  public Optional<Duration> shortestRetention() {
    Optional<Duration> shortest = Optional.empty();
    for (FileTopic topic : topics.values()) {
      Optional<Duration> own = topic.retention();
      if (!topic.deleted()
          && own.isPresent()
          && (shortest.isEmpty() || own.get().compareTo(shortest.get()) < 0)) {
        shortest = own;
      }
    }
    return shortest;
  }

  @Override
  protected void doDeleteContents() throws IOException {
    for (String name : List.copyOf(topics.keySet())) {
      FileTopic topic = topics.remove(name);
      if (topic != null) {
        topic.delete();
      }
    }
  }

  @Override
  public StoreHealth health() {
    List<String> problems = new ArrayList<>();
    disk.failure().ifPresent(problems::add);
    Optional<String> shortage = freeSpace.problem();
    shortage.ifPresent(
        why -> problems.add("producers are refused: " + why + " (" + FLOOR_SETTING + ")"));
    problems.addAll(new TreeMap<>(unavailable).values());
    return new StoreHealth(disk.failure().isEmpty() && shortage.isEmpty(), problems);
  }

  @Override
  public String description() {
    return "file store at " + root.toAbsolutePath() + " (fsync " + config.fsync() + ")";
  }

  /**
   * Tells {@code listener} how long each log fsync took, in nanoseconds (for latency histograms).
   */
  public void onFsync(LongConsumer listener) {
    fsyncs.listen(listener);
  }

  /** The directory this store keeps its files in. */
  public Path root() {
    return root;
  }

  @Override
  protected void doClose() throws IOException {
    // Not shutdownNow: interrupting a flush in progress would close the channel it writes to.
    flusher.shutdown();
    try {
      flusher.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    IOException failure = null;
    for (FileTopic topic : topics.values()) {
      try {
        topic.close();
      } catch (IOException e) {
        failure = e;
      }
    }
    topics.clear();
    lock.close();
    if (failure != null) {
      throw failure;
    }
  }

  /**
   * The lock on a root's {@value #LOCK_FILE} file that keeps a second store, or a repair, off a
   * root that a store has open (an advisory {@code flock}, released by the OS if the process dies).
   */
  static final class RootLock implements Closeable {
    private final FileChannel channel;
    private final FileLock lock;

    private RootLock(FileChannel channel, FileLock lock) {
      this.channel = channel;
      this.lock = lock;
    }

    /**
     * @throws StoreException if something else holds the root
     */
    static RootLock acquire(Path root) throws IOException {
      FileChannel channel =
          FileChannel.open(
              root.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock acquired;
      try {
        acquired = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        acquired = null;
      } catch (IOException | RuntimeException e) {
        channel.close();
        throw e;
      }
      if (acquired == null) {
        channel.close();
        throw new StoreException(root + " is in use by another MiniKafka store" + holder(root));
      }
      try {
        // Which process holds it, for the next one refused: not part of the lock itself.
        channel.truncate(0);
        channel.write(
            ByteBuffer.wrap(
                (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)),
            0);
      } catch (IOException | RuntimeException e) {
        acquired.release();
        channel.close();
        throw e;
      }
      return new RootLock(channel, acquired);
    }

    /** " (process N)" naming the holder the lock file names, or nothing if it names none. */
    private static String holder(Path root) {
      try {
        String pid = Files.readString(root.resolve(LOCK_FILE), StandardCharsets.US_ASCII).strip();
        return pid.matches("[0-9]{1,10}") ? " (process " + pid + ")" : "";
      } catch (IOException | RuntimeException e) {
        return "";
      }
    }

    /**
     * Whether a store (a running server) holds the root now. Creates nothing: without a lock file
     * no store has ever opened it.
     */
    static boolean held(Path root) throws IOException {
      Path file = root.resolve(LOCK_FILE);
      if (!Files.exists(file)) {
        return false;
      }
      try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
        FileLock probe = channel.tryLock();
        if (probe == null) {
          return true;
        }
        probe.release();
        return false;
      } catch (OverlappingFileLockException e) {
        return true;
      }
    }

    @Override
    public void close() throws IOException {
      try {
        lock.release();
      } finally {
        channel.close();
      }
    }
  }
}
