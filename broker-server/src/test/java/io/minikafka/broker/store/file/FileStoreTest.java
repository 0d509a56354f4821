package io.minikafka.broker.store.file;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.minikafka.broker.store.CorruptRecordException;
import io.minikafka.broker.store.ManualClock;
import io.minikafka.broker.store.PollLimits;
import io.minikafka.broker.store.PollResult;
import io.minikafka.broker.store.StoreException;
import io.minikafka.broker.store.StoreFullException;
import io.minikafka.broker.store.StoredMessage;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the file store promises beyond the shared contract: durability, recovery, disk layout. */
class FileStoreTest {

  @TempDir Path workDir;
  private Path root;
  private final ManualClock clock = new ManualClock();

  @org.junit.jupiter.api.BeforeEach
  void chooseRoot() {
    root = workDir.resolve("store");
  }

  private FileStore open(FileStoreConfig config) throws IOException {
    return FileStore.open(root, config, clock);
  }

  private FileStore open() throws IOException {
    return open(FileStoreConfig.defaults());
  }

  private static FileStoreConfig small(int segmentBytes) {
    return FileStoreConfig.defaults()
        .withFsync(new FsyncPolicy.Never())
        .withSegmentBytes(segmentBytes);
  }

  private static List<StoredMessage> all(FileStore store, String topic) throws IOException {
    return store.poll(topic, 0, PollLimits.UNLIMITED).messages();
  }

  private Path topicDir(String topic) {
    return root.resolve(TopicDirectory.encode(topic));
  }

  private List<Path> segmentLogs(String topic) throws IOException {
    try (Stream<Path> files = Files.list(topicDir(topic))) {
      return files.filter(p -> p.toString().endsWith(".log")).sorted().toList();
    }
  }

  @Test
  void aBatchIsNeverSplitAcrossSegmentsSoASegmentPassesItsSizeByOneWrite() throws IOException {
    List<byte[]> batch = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      batch.add(new byte[100]);
    }
    try (FileStore store = open(small(1024))) {
      store.store("t", new byte[10]);
      store.storeBatch("t", batch);
      store.store("t", new byte[10]);
    }

    List<Path> logs = segmentLogs("t");
    assertThat(logs).hasSize(3);
    assertThat(logs.get(1).getFileName().toString()).startsWith("00000000000000000002");
    assertThat(logs.get(2).getFileName().toString()).startsWith("00000000000000000502");
    assertThat(Files.size(logs.get(1))).isGreaterThan(500L * 100);
  }

  @Test
  void closeAndReopenKeepsEveryMessageByteExactAndNumberingContinues() throws IOException {
    Random random = new Random(5);
    List<byte[]> sent = new ArrayList<>();
    try (FileStore store = open(small(2000))) {
      for (int i = 0; i < 300; i++) {
        byte[] payload = new byte[random.nextInt(300)];
        random.nextBytes(payload);
        sent.add(payload.clone());
        assertThat(store.store("t", payload)).isEqualTo(i + 1L);
      }
    }
    try (FileStore store = open(small(2000))) {
      List<StoredMessage> messages = all(store, "t");
      assertThat(messages).hasSize(300);
      for (int i = 0; i < 300; i++) {
        assertThat(messages.get(i).number()).isEqualTo(i + 1L);
        assertThat(messages.get(i).payload()).isEqualTo(sent.get(i));
      }
      assertThat(store.store("t", new byte[] {1})).isEqualTo(301);
    }
    assertThat(segmentLogs("t")).hasSizeGreaterThan(10);
  }

  @Test
  void nextNumberSurvivesRestartWhenEveryMessageExpiredAndItsSegmentsWereDeleted()
      throws IOException {
    try (FileStore store = open(small(1000))) {
      for (int i = 0; i < 50; i++) {
        store.store("t", new byte[100]);
      }
      clock.advance(Duration.ofSeconds(1));
      assertThat(store.removeOlderThan(clock.instant())).isEqualTo(50);
    }
    assertThat(segmentLogs("t"))
        .singleElement()
        .satisfies(p -> assertThat(Files.size(p)).isEqualTo(SegmentFormat.WIRE.headerBytes()))
        .satisfies(
            p -> assertThat(p.getFileName().toString()).isEqualTo("00000000000000000051.log"));
    try (FileStore store = open(small(1000))) {
      PollResult empty = store.poll("t", 1, PollLimits.UNLIMITED);
      assertThat(empty.messages()).isEmpty();
      assertThat(store.store("t", new byte[1])).isEqualTo(51);
    }
  }

  @Test
  void aDeletedTopicStaysDeletedAcrossRestartsFreesItsFilesAndKeepsItsNumbering()
      throws IOException {
    try (FileStore store = open(small(1000))) {
      for (int i = 0; i < 40; i++) {
        store.store("t", new byte[100]);
      }
      assertThat(store.deleteTopic("t")).isEqualTo(40);
    }
    assertThat(segmentLogs("t"))
        .singleElement()
        .satisfies(
            p -> assertThat(p.getFileName().toString()).isEqualTo("00000000000000000041.log"));
    try (FileStore store = open(small(1000))) {
      assertThat(store.topics()).isEmpty();
      assertThatThrownBy(() -> store.poll("t", 1, PollLimits.UNLIMITED))
          .isInstanceOf(io.minikafka.broker.store.UnknownTopicException.class);
      assertThat(store.store("t", new byte[1])).isEqualTo(41);
    }
    try (FileStore store = open(small(1000))) {
      assertThat(store.topics()).containsExactly("t");
      assertThat(store.describe("t").messageCount()).isEqualTo(1);
    }
  }

  @Test
  void committedPositionsSurviveARestart() throws IOException {
    try (FileStore store = open()) {
      store.store("t", new byte[1]);
      store.commitPosition("t", "billing", 2);
      store.commitPosition("t", "Audit ünïcødé", 7);
    }
    try (FileStore store = open()) {
      assertThat(store.position("t", "billing")).hasValue(2);
      assertThat(store.position("t", "Audit ünïcødé")).hasValue(7);
    }
  }

  @Test
  void retentionIsMessagePreciseInsideASegmentAndFreesWholeSegmentsOnly() throws IOException {
    try (FileStore store = open(small(1000))) {
      for (int i = 0; i < 30; i++) {
        store.store("t", new byte[100]); // 124-byte records: 8 per segment
        clock.advance(Duration.ofSeconds(1));
      }
      int segmentsBefore = segmentLogs("t").size();

      long removed = store.removeOlderThan(clock.instant().minusSeconds(20));

      assertThat(removed).isEqualTo(10);
      assertThat(all(store, "t").get(0).number()).isEqualTo(11);
      assertThat(store.poll("t", 5, PollLimits.UNLIMITED).messages().get(0).number()).isEqualTo(11);
      // Messages 1-8 filled the first segment alone, so only it could go.
      assertThat(segmentLogs("t")).hasSize(segmentsBefore - 1);
    }
  }

  @Test
  void aQuietTopicsLastSegmentIsRolledAndDeletedOnceEverythingInItExpired() throws IOException {
    try (FileStore store = open()) {
      store.store("quiet", new byte[10]);
      clock.advance(Duration.ofHours(1));
      assertThat(store.removeOlderThan(clock.instant())).isEqualTo(1);
      assertThat(segmentLogs("quiet"))
          .singleElement()
          .satisfies(
              p -> assertThat(p.getFileName().toString()).startsWith("00000000000000000002"));
    }
  }

  @Test
  void segmentsRollOnAge() throws IOException {
    FileStoreConfig config = small(1 << 20).withSegmentMaxAge(Duration.ofMinutes(1));
    try (FileStore store = open(config)) {
      store.store("t", new byte[1]);
      clock.advance(Duration.ofSeconds(59));
      store.store("t", new byte[1]);
      assertThat(segmentLogs("t")).hasSize(1);
      clock.advance(Duration.ofSeconds(1));
      store.store("t", new byte[1]);
      assertThat(segmentLogs("t")).hasSize(2);
    }
  }

  @Test
  void eachTornTailOfTheLastRecordIsCutOnReopenAndNumberingResumesRight() throws IOException {
    try (FileStore store = open()) {
      store.store("t", "first".getBytes(UTF_8));
      store.store("t", "second".getBytes(UTF_8));
      store.store("t", "third record".getBytes(UTF_8));
    }
    Path log = segmentLogs("t").get(0);
    byte[] whole = Files.readAllBytes(log);
    int lastRecord = StoreFiles.recordStarts(log)[2];
    for (int cut = lastRecord; cut < whole.length; cut++) {
      Files.write(log, java.util.Arrays.copyOf(whole, cut));
      try (FileStore store = open()) {
        assertThat(all(store, "t"))
            .as("cut at byte %d", cut)
            .extracting(m -> new String(m.payload(), UTF_8))
            .containsExactly("first", "second");
        assertThat(store.store("t", "again".getBytes(UTF_8))).isEqualTo(3);
      }
    }
  }

  @Test
  void aFlippedByteInTheLastRecordIsCutOnReopen() throws IOException {
    try (FileStore store = open()) {
      store.store("t", "first".getBytes(UTF_8));
      store.store("t", "second".getBytes(UTF_8));
    }
    Path log = segmentLogs("t").get(0);
    byte[] whole = Files.readAllBytes(log);
    int lastRecord = StoreFiles.recordStarts(log)[1];
    for (int flip = lastRecord; flip < whole.length; flip++) {
      byte[] damaged = whole.clone();
      damaged[flip] ^= 0x40;
      Files.write(log, damaged);
      try (FileStore store = open()) {
        assertThat(all(store, "t"))
            .as("byte %d flipped", flip)
            .extracting(m -> new String(m.payload(), UTF_8))
            .containsExactly("first");
        assertThat(store.store("t", "again".getBytes(UTF_8))).isEqualTo(2);
      }
    }
  }

  @Test
  void garbageAppendedToTheLastSegmentIsCut() throws IOException {
    try (FileStore store = open()) {
      store.store("t", "kept".getBytes(UTF_8));
    }
    Path log = segmentLogs("t").get(0);
    long size = Files.size(log);
    byte[] garbage = new byte[1000];
    new Random(3).nextBytes(garbage);
    Files.write(log, garbage, java.nio.file.StandardOpenOption.APPEND);

    try (FileStore store = open()) {
      assertThat(all(store, "t")).hasSize(1);
      assertThat(Files.size(log)).isEqualTo(size);
      assertThat(store.store("t", new byte[0])).isEqualTo(2);
    }
  }

  @Test
  void aMissingOrDamagedIndexIsRebuiltFromItsSegment() throws IOException {
    try (FileStore store = open(small(1000))) {
      for (int i = 0; i < 80; i++) {
        store.store("t", ("m" + i).getBytes(UTF_8));
      }
    }
    List<Path> logs = segmentLogs("t");
    Path firstIndex = Path.of(logs.get(0).toString().replace(".log", ".index"));
    Path secondIndex = Path.of(logs.get(1).toString().replace(".log", ".index"));
    Files.delete(firstIndex);
    Files.write(secondIndex, new byte[] {0, 0, 0, 7, 1});

    try (FileStore store = open(small(1000))) {
      List<StoredMessage> messages = all(store, "t");
      assertThat(messages).hasSize(80);
      for (int i = 0; i < 80; i++) {
        assertThat(new String(messages.get(i).payload(), UTF_8)).isEqualTo("m" + i);
      }
      assertThat(store.poll("t", 25, new PollLimits(1, 1000)).messages().get(0).number())
          .isEqualTo(25);
    }
    assertThat(firstIndex).exists();
    assertThat(Files.size(secondIndex) % 4).isZero();
  }

  @Test
  void corruptionInsideAnOlderSegmentFailsOnlyThePollsThatReachIt() throws IOException {
    try (FileStore store = open(small(1000))) {
      for (int i = 0; i < 40; i++) {
        store.store("t", ("message-" + i).getBytes(UTF_8));
      }
      store.store("other", "fine".getBytes(UTF_8));
    }
    Path firstLog = segmentLogs("t").get(0);
    try (RandomAccessFile file = new RandomAccessFile(firstLog.toFile(), "rw")) {
      // The payload of message 2 (the second record).
      long at = StoreFiles.payloadStart(firstLog, 1) + 2;
      file.seek(at);
      int b = file.read();
      file.seek(at);
      file.write(b ^ 0xff);
    }

    try (FileStore store = open(small(1000))) {
      assertThatThrownBy(() -> store.poll("t", 1, PollLimits.UNLIMITED))
          .isInstanceOf(CorruptRecordException.class)
          .hasMessageContaining("topic 't'")
          .hasMessageContaining("message 2");
      assertThat(store.poll("t", 1, new PollLimits(1, Long.MAX_VALUE)).messages())
          .singleElement()
          .satisfies(m -> assertThat(m.number()).isEqualTo(1));
      assertThat(store.poll("t", 3, PollLimits.UNLIMITED).messages()).hasSize(38);
      assertThat(all(store, "other")).hasSize(1);
      assertThat(store.store("t", new byte[0])).isEqualTo(41);
    }
  }

  @Test
  void anOlderSegmentWithBrokenFramingAndNoIndexIsNeverCutAndItsLostRangeFailsLoudly()
      throws IOException {
    try (FileStore store = open(small(1000))) {
      for (int i = 0; i < 40; i++) {
        store.store("t", ("message-" + i).getBytes(UTF_8));
      }
    }
    Path firstLog = segmentLogs("t").get(0);
    long sizeBefore = Files.size(firstLog);
    Files.delete(Path.of(firstLog.toString().replace(".log", ".index")));
    long thirdRecord = StoreFiles.recordStarts(firstLog)[2];
    try (RandomAccessFile file = new RandomAccessFile(firstLog.toFile(), "rw")) {
      // Its framing: the tag that starts every record.
      file.seek(thirdRecord);
      file.write(0xFF);
    }

    try (FileStore store = open(small(1000))) {
      assertThat(Files.size(firstLog)).isEqualTo(sizeBefore);
      assertThat(store.poll("t", 1, PollLimits.UNLIMITED).messages())
          .extracting(StoredMessage::number)
          .containsExactly(1L, 2L);
      assertThatThrownBy(() -> store.poll("t", 3, PollLimits.UNLIMITED))
          .isInstanceOf(CorruptRecordException.class)
          .hasMessageContaining("messages 3 to");
      long secondBase =
          Long.parseLong(segmentLogs("t").get(1).getFileName().toString().substring(0, 20));
      assertThat(store.poll("t", secondBase, PollLimits.UNLIMITED).messages()).isNotEmpty();
    }
  }

  @Test
  void unknownFilesAndDirectoriesInTheRootAreIgnored() throws IOException {
    try (FileStore store = open()) {
      store.store("t", new byte[1]);
    }
    Files.writeString(root.resolve("README.txt"), "not ours");
    Files.createDirectories(root.resolve("lost+found"));
    Files.createDirectories(root.resolve("stray")).resolve(TopicDirectory.NAME_FILE);
    Files.writeString(root.resolve("stray").resolve(TopicDirectory.NAME_FILE), "another-name");

    try (FileStore store = open()) {
      assertThat(all(store, "t")).hasSize(1);
      assertThatThrownBy(() -> store.poll("another-name", 1, PollLimits.UNLIMITED))
          .hasMessageContaining("unknown topic");
    }
  }

  @Test
  void awkwardTopicNamesRoundTripThroughRestartAndStayInsideTheRoot() throws IOException {
    List<String> names =
        List.of(
            "a/b",
            "..",
            "../escape",
            ".hidden",
            "with space",
            "back\\slash",
            "ünïcødé 🎉",
            "Topic",
            "topic",
            "TOPIC",
            "x".repeat(249),
            "€".repeat(83),
            "%41",
            "^a",
            "~",
            "con");
    try (FileStore store = open()) {
      for (String name : names) {
        store.store(name, name.getBytes(UTF_8));
      }
    }
    try (Stream<Path> everything = Files.walk(workDir)) {
      assertThat(everything.filter(p -> !p.startsWith(root)).filter(Files::isRegularFile))
          .as("nothing written outside the root")
          .isEmpty();
    }
    try (Stream<Path> entries = Files.list(root)) {
      List<String> dirNames = entries.map(p -> p.getFileName().toString()).toList();
      assertThat(dirNames).hasSize(names.size() + 1); // and the lock file
      assertThat(dirNames).allSatisfy(n -> assertThat(n.getBytes(UTF_8).length).isLessThan(255));
      assertThat(dirNames.stream().map(String::toLowerCase).distinct()).hasSize(names.size() + 1);
    }
    try (FileStore store = open()) {
      for (String name : names) {
        assertThat(all(store, name))
            .as(name)
            .singleElement()
            .satisfies(m -> assertThat(new String(m.payload(), UTF_8)).isEqualTo(name));
      }
    }
  }

  @Test
  void aSecondStoreOnTheSameRootIsRefusedNamingTheProcessThatHoldsIt() throws IOException {
    try (FileStore store = open()) {
      assertThatThrownBy(this::open)
          .isInstanceOf(StoreException.class)
          .hasMessageContaining(
              "is in use by another MiniKafka store (process "
                  + ProcessHandle.current().pid()
                  + ")");
    }
  }

  @Test
  void aFullDiskFailsTheProduceRollsBackAndLaterProducesSucceed() throws IOException {
    FaultyFileOps faults = new FaultyFileOps();
    try (FileStore store = FileStore.open(root, FileStoreConfig.defaults(), clock, faults)) {
      store.store("t", "before".getBytes(UTF_8));
      faults.diskFull.set(true);

      assertThatThrownBy(() -> store.store("t", "lost".getBytes(UTF_8)))
          .isInstanceOf(StoreFullException.class)
          .hasMessageContaining("no space left")
          .hasMessageContaining("topic 't'");
      assertThat(all(store, "t")).hasSize(1);

      faults.diskFull.set(false);
      assertThat(store.store("t", "after".getBytes(UTF_8))).isEqualTo(2);
      assertThat(all(store, "t"))
          .extracting(m -> new String(m.payload(), UTF_8))
          .containsExactly("before", "after");
    }
    try (FileStore store = open()) {
      assertThat(all(store, "t"))
          .extracting(m -> new String(m.payload(), UTF_8))
          .containsExactly("before", "after");
    }
  }

  @Test
  void concurrentDurableProducesShareFsyncs() throws Exception {
    FaultyFileOps faults = new FaultyFileOps();
    int threads = 16;
    int perThread = 200;
    try (FileStore store = FileStore.open(root, FileStoreConfig.defaults(), clock, faults)) {
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          futures.add(
              pool.submit(
                  () -> {
                    for (int i = 0; i < perThread; i++) {
                      store.store("t", new byte[100]);
                    }
                    return null;
                  }));
        }
        for (Future<?> f : futures) {
          f.get(60, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(all(store, "t")).hasSize(threads * perThread);
    }
    assertThat(faults.forces.get()).isLessThan(threads * perThread);
  }

  @Test
  void withFsyncIntervalTheLogIsForcedInTheBackgroundNotByTheProduce() throws Exception {
    FaultyFileOps faults = new FaultyFileOps();
    FileStoreConfig config =
        FileStoreConfig.defaults().withFsync(new FsyncPolicy.Interval(Duration.ofMillis(20)));
    try (FileStore store = FileStore.open(root, config, clock, faults)) {
      store.store("t", new byte[1]);
      Path log = segmentLogs("t").get(0);
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> faults.events.contains("fsync " + log));
    }
  }

  @Test
  void theIntervalForcerForcesOnlyTopicsThatChanged() throws Exception {
    FaultyFileOps faults = new FaultyFileOps();
    FileStoreConfig config =
        FileStoreConfig.defaults().withFsync(new FsyncPolicy.Interval(Duration.ofHours(1)));
    try (FileStore store = FileStore.open(root, config, clock, faults)) {
      store.store("quiet", new byte[1]);
      store.store("busy", new byte[1]);
      int before = faults.events.size();
      assertThat(faults.events).noneMatch(e -> e.startsWith("fsync ") && e.endsWith(".log"));
      store.flushAll(true);
      assertThat(faults.eventsSince(before))
          .as("the first round forces both")
          .filteredOn(e -> e.endsWith(".log"))
          .hasSize(2);

      store.store("busy", new byte[1]);
      int second = faults.events.size();
      store.flushAll(true);
      assertThat(faults.eventsSince(second)).containsExactly("fsync " + segmentLogs("busy").get(0));

      int third = faults.events.size();
      store.flushAll(true);
      assertThat(faults.eventsSince(third)).as("nothing changed").isEmpty();
    }
  }

  @Test
  void withFsyncAlwaysAReadNeverSeesARecordBeforeItIsForced() throws Exception {
    FaultyFileOps faults = new FaultyFileOps();
    try (FileStore store = FileStore.open(root, FileStoreConfig.defaults(), clock, faults)) {
      store.store("t", "durable".getBytes(UTF_8));
      java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
      faults.forceGate = gate;
      java.util.concurrent.CompletableFuture<Long> pending =
          java.util.concurrent.CompletableFuture.supplyAsync(
              () -> {
                try {
                  return store.store("t", "pending".getBytes(UTF_8));
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              });
      assertThat(faults.forceEntered.await(30, TimeUnit.SECONDS)).isTrue();

      assertThat(all(store, "t")).hasSize(1);
      assertThat(pending).isNotDone();

      faults.forceGate = null;
      gate.countDown();
      assertThat(pending.get(30, TimeUnit.SECONDS)).isEqualTo(2);
      assertThat(all(store, "t")).hasSize(2);
    }
  }
}
