package io.minikafka.broker.store.file;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.minikafka.broker.store.PollLimits;
import io.minikafka.broker.store.Record;
import io.minikafka.broker.store.StoreException;
import io.minikafka.broker.store.StoredMessage;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One segment: appending, reading, rolling back, sealing, creating without overwriting, deleting.
 */
class SegmentTest {

  @TempDir Path dir;
  private final FaultyFileOps ops = new FaultyFileOps();
  private final Disk disk = new Disk(ops, new FsyncPolicy.Always(), new FsyncObserver());

  private static final long SEGMENT_LIMIT = FileStoreConfig.defaults().segmentBytes();

  /** Appends records numbered from the segment's next number, stamped with {@code times}. */
  private static void append(Segment segment, long[] times, String... payloads) throws IOException {
    append(segment, SEGMENT_LIMIT, times, payloads);
  }

  private static void append(Segment segment, long limit, long[] times, String... payloads)
      throws IOException {
    Chunk chunk = new Chunk(segment.nextNumber(), ChunkBuffers.SHARED, ByteBuffer.allocate(1024));
    for (int i = 0; i < payloads.length; i++) {
      chunk.add(List.of(Record.of(payloads[i].getBytes(UTF_8))), times[i]);
    }
    segment.append(
        chunk.records(), chunk.starts(), chunk.count(), chunk.firstTime(), chunk.lastTime(), limit);
    segment.commit();
  }

  private static List<String> readAll(Segment segment) throws IOException {
    ReadTarget out = ReadTarget.forMessages();
    segment.read("t", segment.base, segment.nextNumber(), PollLimits.UNLIMITED, 0, out);
    return out.result(0, 0, 0).messages().stream()
        .map(m -> m.number() + ":" + new String(m.payload(), UTF_8))
        .toList();
  }

  @Test
  void appendedRecordsReadBackWithTheirNumbersAndTimes() throws IOException {
    try (Segment segment = Segment.create(dir, 41, disk)) {
      append(segment, new long[] {100, 100, 250}, "a", "bb", "ccc");
      assertThat(segment.nextNumber()).isEqualTo(44);
      assertThat(readAll(segment)).containsExactly("41:a", "42:bb", "43:ccc");
      assertThat(segment.firstTime()).isEqualTo(100);
      assertThat(segment.lastTime()).isEqualTo(250);
      assertThat(segment.firstIndexAtOrAfter(101)).isEqualTo(2);
      assertThat(segment.firstIndexAtOrAfter(251)).isEqualTo(3);
      assertThat(segment.positionOf(42))
          .isEqualTo(
              SegmentFormat.WIRE.headerBytes()
                  + WireRecordFormat.recordBytes(41, 100, Record.of(new byte[1])));
    }
  }

  @Test
  void aNewSegmentStartsWithItsHeaderAndATornOneIsRewrittenWhenOpenedAsTheLast()
      throws IOException {
    try (Segment segment = Segment.create(dir, 1, disk)) {
      assertThat(segment.format).isEqualTo(SegmentFormat.WIRE);
      assertThat(segment.size()).isEqualTo(SegmentFormat.WIRE.headerBytes());
    }
    Path log = dir.resolve(Segment.fileName(1, Segment.LOG_SUFFIX));
    assertThat(Files.readAllBytes(log)).startsWith('M', 'K', 'L', 'G');
    Files.write(log, new byte[] {'M', 'K', 'L'});
    assertThat(Segment.holdsNoRecord(log, 1, disk)).isTrue();

    List<String> repairs = new ArrayList<>();
    try (Segment reopened = Segment.open(dir, 1, true, disk, repairs)) {
      assertThat(reopened.format).isEqualTo(SegmentFormat.WIRE);
      assertThat(reopened.count()).isZero();
      assertThat(repairs).singleElement().asString().contains("rewrote its torn header (3 bytes)");
      append(reopened, new long[] {7}, "after");
      assertThat(readAll(reopened)).containsExactly("1:after");
    }
    assertThat(Segment.holdsNoRecord(log, 1, disk)).isFalse();
  }

  @Test
  void aSegmentLeftWithItsHeaderAloneByAFailedRollIsTakenOverByTheNextOne() throws IOException {
    try (Segment leftover = Segment.create(dir, 5, disk)) {
      assertThat(leftover.count()).isZero();
    }
    try (Segment again = Segment.create(dir, 5, disk)) {
      append(again, new long[] {1}, "five");
      assertThat(readAll(again)).containsExactly("5:five");
    }
    assertThatThrownBy(() -> Segment.create(dir, 5, disk))
        .as("a segment holding a record is never taken over")
        .hasMessageContaining("already exists and is not empty");
  }

  @Test
  void aRolledBackAppendLeavesNoTraceInTheFileOrTheCounts() throws IOException {
    try (Segment segment = Segment.create(dir, 1, disk)) {
      append(segment, new long[] {1}, "kept");
      long size = segment.size();
      append(segment, new long[] {2, 3}, "gone", "gone too");
      segment.rollBack(size, 1);
      assertThat(segment.nextNumber()).isEqualTo(2);
      assertThat(segment.lastTime()).isEqualTo(1);
      assertThat(Files.size(segment.logPath)).isEqualTo(size);
      append(segment, new long[] {4}, "next");
      assertThat(readAll(segment)).containsExactly("1:kept", "2:next");
      assertThat(Files.size(segment.logPath))
          .as("the next append makes room again")
          .isEqualTo(segment.size() + Segment.ROOM_BYTES);
    }
  }

  @Test
  void aSealedSegmentIsForcedAndReopensFromItsIndexWithoutAScan() throws IOException {
    try (Segment segment = Segment.create(dir, 1, disk)) {
      append(segment, new long[] {1, 2}, "x", "y");
      segment.seal();
    }
    assertThat(ops.events)
        .contains("fsync " + dir.resolve(Segment.fileName(1, Segment.LOG_SUFFIX)));
    List<String> repairs = new ArrayList<>();
    try (Segment reopened = Segment.open(dir, 1, false, disk, repairs)) {
      assertThat(repairs).isEmpty();
      assertThat(readAll(reopened)).containsExactly("1:x", "2:y");
    }
  }

  @Test
  void creatingNeverOverwritesAFileThatHoldsAnythingButTakesOverAnEmptyOne() throws IOException {
    Path log = dir.resolve(Segment.fileName(7, Segment.LOG_SUFFIX));
    Files.write(log, "precious".getBytes(UTF_8));
    assertThatThrownBy(() -> Segment.create(dir, 7, disk))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("refusing to overwrite");
    assertThat(Files.readString(log)).isEqualTo("precious");

    Files.write(log, new byte[0]);
    try (Segment segment = Segment.create(dir, 7, disk)) {
      append(segment, new long[] {1}, "new");
      assertThat(readAll(segment)).containsExactly("7:new");
    }
  }

  @Test
  void deletingClosesBothFilesEvenWhenRemovingOneFails() throws IOException {
    Segment segment = Segment.create(dir, 1, disk);
    ops.failDelete = p -> p.equals(segment.logPath);
    assertThatThrownBy(segment::delete).isInstanceOf(IOException.class);
    assertThat(ops.openChannels).isEmpty();
    assertThat(dir.resolve(Segment.fileName(1, SegmentIndex.SUFFIX))).doesNotExist();
  }

  @Test
  void appendsFillRoomMadeAheadSoTheFileLengthRarelyChanges() throws IOException {
    Set<Long> lengths = new HashSet<>();
    try (Segment segment = Segment.create(dir, 1, disk)) {
      String payload = "p".repeat(100);
      for (int i = 0; i < 1_000; i++) {
        append(segment, new long[] {i}, payload);
        long length = Files.size(segment.logPath);
        assertThat(length).isGreaterThanOrEqualTo(segment.size());
        lengths.add(length);
      }
      assertThat(lengths)
          .as("the log's length changes once per room made, not with each append")
          .hasSize(1);
      assertThat(readAll(segment)).hasSize(1_000).last().isEqualTo("1000:" + payload);
      assertThat(Segment.holdsNoRecord(segment.logPath, 1, disk)).isFalse();
    }
  }

  @Test
  void noRoomIsMadePastTheSegmentsSizeLimit() throws IOException {
    try (Segment segment = Segment.create(dir, 1, disk)) {
      String payload = "p".repeat(100);
      append(segment, 1_000, new long[] {1}, payload);
      assertThat(Files.size(segment.logPath)).isEqualTo(1_000);
      for (int i = 0; i < 10; i++) {
        append(segment, 1_000, new long[] {2}, payload);
      }
      assertThat(segment.size()).isGreaterThan(1_000);
      assertThat(Files.size(segment.logPath))
          .as("past the limit the file is its records")
          .isEqualTo(segment.size());
      assertThat(readAll(segment)).hasSize(11);
    }
  }

  @Test
  void aLargeWriteGrowsTheFileWithoutRoomAndASmallOneAfterItMakesRoomAgain() throws IOException {
    try (Segment segment = Segment.create(dir, 1, disk)) {
      append(segment, new long[] {1}, "q".repeat(Segment.ROOMLESS_WRITE_BYTES));
      assertThat(Files.size(segment.logPath)).isEqualTo(segment.size());
      append(segment, new long[] {2}, "small");
      assertThat(Files.size(segment.logPath)).isEqualTo(segment.size() + Segment.ROOM_BYTES);
      assertThat(readAll(segment)).hasSize(2).last().isEqualTo("2:small");
    }
  }

  @Test
  void sealingCutsTheRoomSoASealedSegmentIsExactlyItsRecords() throws IOException {
    long size;
    try (Segment segment = Segment.create(dir, 1, disk)) {
      append(segment, new long[] {1, 2}, "x", "y");
      size = segment.size();
      assertThat(Files.size(segment.logPath)).isEqualTo(size + Segment.ROOM_BYTES);
      segment.seal();
      assertThat(Files.size(segment.logPath)).isEqualTo(size);
    }
    List<String> repairs = new ArrayList<>();
    try (Segment reopened = Segment.open(dir, 1, false, disk, repairs)) {
      assertThat(repairs).isEmpty();
      assertThat(reopened.size()).isEqualTo(size);
      assertThat(readAll(reopened)).containsExactly("1:x", "2:y");
    }
  }

  @Test
  void roomLeftByAStopWithoutSealingIsCutSilentlyAndAppendsGoOnAfterTheRecords()
      throws IOException {
    Path log;
    try (Segment segment = Segment.create(dir, 1, disk)) {
      append(segment, new long[] {1, 2}, "x", "y");
      log = segment.logPath;
    }
    assertThat(Files.size(log)).as("closed unsealed, as a kill leaves it").isGreaterThan(100_000);
    List<String> repairs = new ArrayList<>();
    try (Segment reopened = Segment.open(dir, 1, true, disk, repairs)) {
      assertThat(repairs).isEmpty();
      assertThat(reopened.count()).isEqualTo(2);
      assertThat(Files.size(log)).isEqualTo(reopened.size());
      append(reopened, new long[] {3}, "z");
      assertThat(readAll(reopened)).containsExactly("1:x", "2:y", "3:z");
    }
  }

  @Test
  void aNewSegmentWithRoomButNoRecordHoldsNoRecordAndIsTakenOver() throws IOException {
    Path log = dir.resolve(Segment.fileName(3, Segment.LOG_SUFFIX));
    try (Segment segment = Segment.create(dir, 3, disk)) {
      assertThat(segment.count()).isZero();
    }
    // What a crash between making the room and the first record reaching the disk leaves.
    try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "rw")) {
      file.setLength(SegmentFormat.WIRE.headerBytes() + Segment.ROOM_BYTES);
    }
    assertThat(Segment.holdsNoRecord(log, 3, disk)).isTrue();
    try (Segment again = Segment.create(dir, 3, disk)) {
      append(again, new long[] {1}, "three");
      assertThat(readAll(again)).containsExactly("3:three");
    }
  }

  @Test
  void baseOfReadsOnlyTwentyDigitLogNames() {
    assertThat(Segment.baseOf("00000000000000000042.log")).isEqualTo(42);
    assertThat(Segment.baseOf("00000000000000000042.index")).isEqualTo(-1);
    assertThat(Segment.baseOf("0000000000000000042.log")).isEqualTo(-1);
    assertThat(Segment.baseOf("0000000000000000004x.log")).isEqualTo(-1);
    assertThat(Segment.baseOf("00000000000000000000.log")).isEqualTo(-1);
  }

  @Test
  void anActiveSegmentReopensWithItsWholeIndexInTheFileAndNoneInMemory() throws IOException {
    try (Segment segment = Segment.create(dir, 1, disk)) {
      for (int i = 0; i < 2_000; i++) {
        append(segment, new long[] {i, i, i, i, i}, "a", "b", "c", "d", "e");
      }
      segment.writeIndexEntries(4_000);
      assertThat(segment.indexSlotsInMemory()).isGreaterThanOrEqualTo(6_000);
    }
    List<String> repairs = new ArrayList<>();
    try (Segment reopened = Segment.open(dir, 1, true, disk, repairs)) {
      assertThat(reopened.count()).isEqualTo(10_000);
      assertThat(reopened.indexSlotsInMemory()).isLessThanOrEqualTo(256);
      assertThat(Files.size(dir.resolve(Segment.fileName(1, SegmentIndex.SUFFIX))))
          .isEqualTo(10_000L * SegmentIndex.ENTRY_BYTES);
      ReadTarget tail = ReadTarget.forMessages();
      reopened.read("t", 9_999, 10_001, PollLimits.UNLIMITED, 0, tail);
      assertThat(tail.result(0, 0, 0).messages())
          .extracting(StoredMessage::number)
          .containsExactly(9_999L, 10_000L);
    }
  }
}
