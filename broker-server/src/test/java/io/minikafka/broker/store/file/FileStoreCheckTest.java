package io.minikafka.broker.store.file;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.minikafka.broker.store.ManualClock;
import io.minikafka.broker.store.PollLimits;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileStoreCheckTest {

  @TempDir Path root;
  private final ManualClock clock = new ManualClock();

  @BeforeEach
  void fill() throws IOException {
    FileStoreConfig config = FileStoreConfig.defaults().withSegmentBytes(500);
    try (FileStore store = FileStore.open(root, config, clock)) {
      for (int i = 0; i < 30; i++) {
        store.store("t", ("message-" + i).getBytes(UTF_8));
      }
      store.store("other", new byte[5]);
    }
  }

  private Path segment(int which, String suffix) throws IOException {
    try (Stream<Path> files = Files.list(root.resolve("t"))) {
      return files.filter(p -> p.toString().endsWith(suffix)).sorted().toList().get(which);
    }
  }

  private Path lastLog() throws IOException {
    try (Stream<Path> files = Files.list(root.resolve("t"))) {
      return files
          .filter(p -> p.toString().endsWith(".log"))
          .sorted()
          .reduce((a, b) -> b)
          .orElseThrow();
    }
  }

  @Test
  void aDirectoryWithoutSegmentsIsNotTakenForATopicAndRepairLeavesItAlone() throws IOException {
    Path stranger = Files.createDirectories(root.resolve("src"));
    Files.writeString(stranger.resolve("main.c"), "int main() { return 0; }\n");

    FileStoreCheck.TopicReport src =
        FileStoreCheck.check(root).topics().stream()
            .filter(r -> r.topic().equals("src"))
            .findFirst()
            .orElseThrow();
    assertThat(src.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.repairable()).isFalse();
              assertThat(p.description()).contains("holds no MiniKafka segment");
            });

    FileStoreCheck.repair(root);

    try (Stream<Path> files = Files.list(stranger)) {
      assertThat(files.map(f -> f.getFileName().toString())).containsExactly("main.c");
    }
  }

  @Test
  void aCleanStoreChecksCleanWithItsContentsSummed() throws IOException {
    FileStoreCheck.Report report = FileStoreCheck.check(root);

    assertThat(report.damaged()).isFalse();
    assertThat(report.topics()).hasSize(2);
    FileStoreCheck.TopicReport t =
        report.topics().stream().filter(r -> r.topic().equals("t")).findFirst().orElseThrow();
    assertThat(t.messages()).isEqualTo(30);
    assertThat(t.firstNumber()).isEqualTo(1);
    assertThat(t.nextNumber()).isEqualTo(31);
    assertThat(t.segments()).isGreaterThan(1);
    long fileBytes = 0;
    try (Stream<Path> files = Files.list(root.resolve("t"))) {
      for (Path log : files.filter(p -> p.toString().endsWith(".log")).toList()) {
        fileBytes += Files.size(log);
      }
    }
    assertThat(fileBytes)
        .as("rolls and the close left no room after any segment's records")
        .isEqualTo(t.bytes());
  }

  @Test
  void aTornTailIsReportedAsRepairableAndRepairCutsItLikeRecovery() throws IOException {
    Files.write(lastLog(), new byte[] {1, 2, 3}, StandardOpenOption.APPEND);

    FileStoreCheck.Report before = FileStoreCheck.check(root);
    assertThat(before.damaged()).isTrue();
    assertThat(before.topics().stream().flatMap(r -> r.problems().stream()))
        .singleElement()
        .satisfies(p -> assertThat(p.repairable()).isTrue())
        .satisfies(p -> assertThat(p.description()).contains("3 bytes"));

    FileStoreCheck.Report after = FileStoreCheck.repair(root);

    assertThat(after.damaged()).isFalse();
    try (FileStore store = FileStore.open(root, FileStoreConfig.defaults(), clock)) {
      assertThat(store.poll("t", 1, PollLimits.UNLIMITED).messages()).hasSize(30);
    }
  }

  @Test
  void aDisagreeingIndexIsRebuiltByRepair() throws IOException {
    try (RandomAccessFile index = new RandomAccessFile(segment(0, ".index").toFile(), "rw")) {
      index.seek(4);
      index.writeInt(12345);
    }

    assertThat(FileStoreCheck.check(root).damaged()).isTrue();
    assertThat(FileStoreCheck.repair(root).damaged()).isFalse();
  }

  @Test
  void anIndexShortOfItsRecordsIsDamageInAnOlderSegmentAndInTheLastIfItDisagrees()
      throws IOException {
    Path olderIndex = segment(0, ".index");
    try (RandomAccessFile index = new RandomAccessFile(olderIndex.toFile(), "rw")) {
      index.setLength(index.length() - SegmentIndex.ENTRY_BYTES);
    }
    Path lastIndex =
        lastLog().resolveSibling(lastLog().getFileName().toString().replace(".log", ".index"));
    try (RandomAccessFile index = new RandomAccessFile(lastIndex.toFile(), "rw")) {
      index.setLength(index.length() - SegmentIndex.ENTRY_BYTES);
      index.seek(0);
      int first = index.readInt();
      index.seek(0);
      index.writeInt(first + 1);
    }

    FileStoreCheck.Report report = FileStoreCheck.check(root);

    assertThat(report.damaged()).isTrue();
    assertThat(report.topics().stream().flatMap(r -> r.problems().stream()))
        .extracting(FileStoreCheck.Problem::segment)
        .containsExactlyInAnyOrder(
            olderIndex.getFileName().toString().replace(".index", ".log"),
            lastLog().getFileName().toString());
    assertThat(FileStoreCheck.repair(root).damaged()).isFalse();
  }

  @Test
  void anIndexShortOfItsRecordsBeforeOnlyAnEmptySegmentIsWhatAKillInARollLeaves()
      throws IOException {
    // A roll makes the next segment before it writes the old one's last index entries.
    Path olderIndex =
        lastLog().resolveSibling(lastLog().getFileName().toString().replace(".log", ".index"));
    long next =
        FileStoreCheck.check(root).topics().stream()
            .filter(t -> t.topic().equals("t"))
            .findFirst()
            .orElseThrow()
            .nextNumber();
    Disk disk = new Disk(FileOps.DEFAULT, new FsyncPolicy.Never(), new FsyncObserver());
    Segment.create(root.resolve("t"), next, disk).close();
    try (RandomAccessFile index = new RandomAccessFile(olderIndex.toFile(), "rw")) {
      index.setLength(index.length() - SegmentIndex.ENTRY_BYTES);
    }

    FileStoreCheck.Report report = FileStoreCheck.check(root);

    assertThat(report.topics().stream().flatMap(r -> r.problems().stream())).isEmpty();
    assertThat(report.damaged()).isFalse();
  }

  @Test
  void corruptionInsideAnOlderSegmentIsReportedAndNotRepairable() throws IOException {
    try (RandomAccessFile log = new RandomAccessFile(segment(0, ".log").toFile(), "rw")) {
      log.seek(StoreFiles.payloadStart(segment(0, ".log"), 0) + 2);
      log.write('X');
    }

    FileStoreCheck.Report report = FileStoreCheck.repair(root);

    assertThat(report.damaged()).isTrue();
    assertThat(report.topics().stream().flatMap(r -> r.problems().stream()))
        .anySatisfy(
            p -> {
              assertThat(p.repairable()).isFalse();
              assertThat(p.description()).contains("CRC mismatch in message 1");
            });
  }

  @Test
  void aNameFileThatIsADirectoryIsSaidToBeOneAndRepairLeavesIt() throws IOException {
    Path name = root.resolve(TopicDirectory.encode("t")).resolve(TopicDirectory.NAME_FILE);
    Files.delete(name);
    Files.createDirectory(name);

    FileStoreCheck.TopicReport t =
        FileStoreCheck.check(root).topics().stream()
            .filter(r -> r.topic().equals("t"))
            .findFirst()
            .orElseThrow();
    assertThat(t.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.description())
                  .contains("topic.name is a directory, not a file")
                  .contains("move it away");
              assertThat(p.repairable()).isFalse();
            });

    FileStoreCheck.repair(root);
    assertThat(name).isDirectory();
  }

  @Test
  void repairTouchesNothingWhileAStoreHasTheRootOpen() throws IOException {
    Path name = root.resolve(TopicDirectory.encode("t")).resolve(TopicDirectory.NAME_FILE);
    Files.write(name, new byte[0]);
    try (FileStore running = FileStore.open(root)) {
      assertThatThrownBy(() -> FileStoreCheck.repair(root))
          .isInstanceOf(io.minikafka.broker.store.StoreException.class)
          .hasMessageContaining("in use");
      assertThat(Files.size(name)).isZero();
    }
  }

  @Test
  void roomAndALaggingIndexLeftByAKillAreNotReportedNorCounted(@TempDir Path killedDir)
      throws IOException {
    Path killed;
    try (FileStore store = FileStore.open(root, FileStoreConfig.defaults(), clock)) {
      store.store("t", "after".getBytes(UTF_8));
      killed = StoreFiles.snapshot(root, killedDir);
    }
    assertThat(Files.size(lastLog())).as("sealed by the close").isLessThan(Segment.ROOM_BYTES);
    assertThat(Files.size(killed.resolve(root.relativize(lastLog()))))
        .as("the killed store's last segment has its room")
        .isGreaterThanOrEqualTo(Segment.ROOM_BYTES);

    FileStoreCheck.Report report = FileStoreCheck.check(killed);

    // The last segment's index behind its log is what a kill leaves (it is written in the
    // background, and the next start extends it): neither it nor the room is damage.
    assertThat(report.topics().stream().flatMap(r -> r.problems().stream())).isEmpty();
    assertThat(report.damaged()).isFalse();
    FileStoreCheck.TopicReport t =
        report.topics().stream().filter(r -> r.topic().equals("t")).findFirst().orElseThrow();
    assertThat(t.messages()).isEqualTo(31);
    assertThat(t.bytes()).isLessThan(Segment.ROOM_BYTES);
  }
}
