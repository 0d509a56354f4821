package io.minikafka.broker.store.file;

import static org.assertj.core.api.Assertions.assertThat;

import io.minikafka.broker.store.Record;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Start-up recovery of a topic directory, from files laid out as a crash can leave them. */
class TopicRecoveryTest {

  @TempDir Path dir;
  private final Disk disk =
      new Disk(FileOps.DEFAULT, new FsyncPolicy.Always(), new FsyncObserver());
  private final List<String> repairs = new ArrayList<>();

  /** A sealed segment of {@code count} one-byte records from {@code base}. */
  private void segment(long base, int count) throws IOException {
    try (Segment segment = Segment.create(dir, base, disk)) {
      if (count > 0) {
        Chunk chunk = new Chunk(base, ChunkBuffers.SHARED, ByteBuffer.allocate(4096));
        for (int i = 0; i < count; i++) {
          chunk.add(List.of(Record.of(new byte[] {1})), 1000);
        }
        segment.append(
            chunk.records(),
            chunk.starts(),
            chunk.count(),
            chunk.firstTime(),
            chunk.lastTime(),
            FileStoreConfig.defaults().segmentBytes());
        segment.commit();
      }
      segment.seal();
    }
  }

  private static List<Long> bases(TopicRecovery.Recovered recovered) {
    return recovered.segments().stream().map(s -> s.base).toList();
  }

  private void close(TopicRecovery.Recovered recovered) throws IOException {
    for (Segment s : recovered.segments()) {
      s.close();
    }
  }

  @Test
  void segmentsWhollyBelowTheLogStartAreRemovedAsTheInterruptedDeletionWould() throws IOException {
    segment(1, 10);
    segment(11, 10);
    segment(21, 0);
    new LogStart(21, true).write(dir, disk);

    TopicRecovery.Recovered recovered = TopicRecovery.recover(dir, disk, repairs);

    assertThat(bases(recovered)).containsExactly(21L);
    assertThat(recovered.logStart()).isEqualTo(new LogStart(21, true));
    assertThat(TopicRecovery.segmentBases(dir)).containsExactly(21L);
    assertThat(repairs).hasSize(2).allMatch(line -> line.contains("deleted before the last stop"));
    close(recovered);
  }

  @Test
  void anIndexWithoutItsLogIsRemoved() throws IOException {
    segment(1, 3);
    Files.write(dir.resolve(Segment.fileName(900, SegmentIndex.SUFFIX)), new byte[8]);

    TopicRecovery.Recovered recovered = TopicRecovery.recover(dir, disk, repairs);

    assertThat(dir.resolve(Segment.fileName(900, SegmentIndex.SUFFIX))).doesNotExist();
    assertThat(repairs).singleElement().asString().contains("already deleted");
    close(recovered);
  }

  @Test
  void numberingContinuesAtTheLogStartWhenNoSegmentHoldsIt() throws IOException {
    segment(1, 5);
    new LogStart(40, false).write(dir, disk);

    TopicRecovery.Recovered recovered = TopicRecovery.recover(dir, disk, repairs);

    assertThat(bases(recovered)).containsExactly(1L, 40L);
    assertThat(recovered.segments().get(1).nextNumber()).isEqualTo(40);
    assertThat(repairs).anyMatch(line -> line.contains("started a new one at message 40"));
    close(recovered);
  }

  @Test
  void aNumberingGapIsReported() throws IOException {
    segment(1, 5);
    segment(9, 2);

    TopicRecovery.Recovered recovered = TopicRecovery.recover(dir, disk, repairs);

    assertThat(repairs).containsExactly("gap in numbering: messages 6 to 8 are missing");
    close(recovered);
  }

  @Test
  void anOlderStoresDeletedMarkerHidesEverythingBelowItsLastSegment() throws IOException {
    // What the earlier deletion left when it stopped before removing the old segments.
    segment(1, 10);
    segment(11, 0);
    Files.write(dir.resolve(LogStart.LEGACY_MARKER), new byte[0]);

    TopicRecovery.Recovered recovered = TopicRecovery.recover(dir, disk, repairs);

    assertThat(recovered.logStart()).isEqualTo(new LogStart(11, true));
    assertThat(bases(recovered)).containsExactly(11L);
    assertThat(LogStart.read(dir))
        .as("recorded once, in the log start")
        .isEqualTo(new LogStart(11, true));
    assertThat(dir.resolve(LogStart.LEGACY_MARKER)).doesNotExist();
    close(recovered);
  }

  @Test
  void anEmptyLastSegmentThatTheOneBeforeOverlapsIsRemovedAndNumberingContinuesPastBoth()
      throws IOException {
    // A roll created 6 and could not remove it after failing; segment 1 then took 6 and 7.
    segment(1, 7);
    segment(6, 0);

    TopicRecovery.Recovered recovered = TopicRecovery.recover(dir, disk, repairs);

    assertThat(bases(recovered)).containsExactly(1L);
    assertThat(recovered.segments().get(0).nextNumber()).isEqualTo(8);
    assertThat(dir.resolve(Segment.fileName(6, Segment.LOG_SUFFIX))).doesNotExist();
    assertThat(repairs).anyMatch(line -> line.contains("left by a failed roll"));
    close(recovered);
  }

  @Test
  void anOlderVersionsEmptyLeftoverWithoutAHeaderIsRemovedToo() throws IOException {
    segment(1, 7);
    segment(6, 0);
    Files.write(dir.resolve(Segment.fileName(6, Segment.LOG_SUFFIX)), new byte[0]);

    TopicRecovery.Recovered recovered = TopicRecovery.recover(dir, disk, repairs);

    assertThat(bases(recovered)).containsExactly(1L);
    assertThat(dir.resolve(Segment.fileName(6, Segment.LOG_SUFFIX))).doesNotExist();
    close(recovered);
  }

  @Test
  void anEmptySegmentBuriedByALaterRollIsRemovedAndHidesNothing() throws IOException {
    // The stray at 6, then segment 1 took 6 and 7, then a roll succeeded at 8.
    segment(1, 7);
    segment(6, 0);
    segment(8, 2);

    TopicRecovery.Recovered recovered = TopicRecovery.recover(dir, disk, repairs);

    assertThat(bases(recovered)).containsExactly(1L, 8L);
    assertThat(recovered.segments().get(1).nextNumber()).isEqualTo(10);
    assertThat(repairs).noneMatch(line -> line.contains("gap"));
    close(recovered);
  }

  @Test
  void anEmptyLastSegmentThatContinuesNumberingIsKept() throws IOException {
    segment(1, 5);
    segment(6, 0);

    TopicRecovery.Recovered recovered = TopicRecovery.recover(dir, disk, repairs);

    assertThat(bases(recovered)).containsExactly(1L, 6L);
    assertThat(repairs).isEmpty();
    close(recovered);
  }
}
