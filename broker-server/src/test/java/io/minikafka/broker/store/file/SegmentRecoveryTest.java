package io.minikafka.broker.store.file;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.minikafka.broker.store.Record;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Start-up recovery of one segment, from the bytes of its two files. */
class SegmentRecoveryTest {

  @TempDir Path dir;
  private final List<String> repairs = new ArrayList<>();

  private SegmentFormat format;

  /** Writes records 1..n in {@code format} and a full index. */
  private int[] writeSegment(SegmentFormat format, String... payloads) throws IOException {
    this.format = format;
    ByteBuffer log = ByteBuffer.allocate(4096);
    if (format == SegmentFormat.WIRE) {
      log.put(SegmentFormat.newHeader());
    }
    int[] positions = new int[payloads.length];
    for (int i = 0; i < payloads.length; i++) {
      positions[i] = log.position();
      Record record = Record.of(payloads[i].getBytes(UTF_8));
      if (format == SegmentFormat.WIRE) {
        WireRecordFormat.encode(log, i + 1, 1000 + i, record);
      } else {
        LegacyRecords.encode(log, i + 1, 1000 + i, record);
      }
    }
    Files.write(dir.resolve("s.log"), java.util.Arrays.copyOf(log.array(), log.position()));
    ByteBuffer index = ByteBuffer.allocate(payloads.length * SegmentIndex.ENTRY_BYTES);
    for (int p : positions) {
      index.putInt(p);
    }
    Files.write(dir.resolve("s.index"), index.array());
    return positions;
  }

  private SegmentRecovery.Recovered recover(boolean active) throws IOException {
    try (FileChannel log = open("s.log");
        FileChannel index = open("s.index")) {
      assertThat(SegmentFormat.of(log, 1)).isEqualTo(format);
      return SegmentRecovery.recover(log, index, dir.resolve("s.log"), format, 1, active, repairs);
    }
  }

  private FileChannel open(String name) throws IOException {
    return FileChannel.open(
        dir.resolve(name),
        StandardOpenOption.CREATE,
        StandardOpenOption.READ,
        StandardOpenOption.WRITE);
  }

  @ParameterizedTest
  @EnumSource(SegmentFormat.class)
  void aSealedSegmentWhoseIndexChecksOutIsTrustedWithoutAScan(SegmentFormat format)
      throws IOException {
    writeSegment(format, "a", "b", "c");
    SegmentRecovery.Recovered r = recover(false);
    assertThat(r.count()).isEqualTo(3);
    assertThat(r.tail()).as("not scanned").isNull();
    assertThat(r.firstTime()).isEqualTo(1000);
    assertThat(r.lastTime()).isEqualTo(1002);
    assertThat(repairs).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(SegmentFormat.class)
  void aMissingIndexIsRebuiltAndSaidSo(SegmentFormat format) throws IOException {
    int[] positions = writeSegment(format, "a", "b", "c");
    Files.delete(dir.resolve("s.index"));
    SegmentRecovery.Recovered r = recover(false);
    assertThat(r.count()).isEqualTo(3);
    assertThat(r.tail()).startsWith(positions);
    assertThat(r.indexEntries()).isZero();
    assertThat(repairs).singleElement().asString().contains("rebuilt index of 3 entries");
  }

  @ParameterizedTest
  @EnumSource(SegmentFormat.class)
  void theLastSegmentsTornTailIsCutAndReported(SegmentFormat format) throws IOException {
    writeSegment(format, "a", "b", "c");
    long whole = Files.size(dir.resolve("s.log"));
    try (FileChannel log = open("s.log")) {
      log.truncate(whole - 2);
    }
    Files.write(
        dir.resolve("s.index"),
        Files.readAllBytes(dir.resolve("s.index")),
        StandardOpenOption.TRUNCATE_EXISTING);

    SegmentRecovery.Recovered r = recover(true);

    assertThat(r.count()).isEqualTo(2);
    assertThat(r.size()).isEqualTo(Files.size(dir.resolve("s.log")));
    assertThat(repairs).anyMatch(line -> line.contains("cut") && line.contains("after message 2"));
  }

  @ParameterizedTest
  @EnumSource(SegmentFormat.class)
  void anOlderSegmentIsNeverCutOnlyReported(SegmentFormat format) throws IOException {
    writeSegment(format, "a", "b", "c");
    long whole = Files.size(dir.resolve("s.log"));
    try (FileChannel log = open("s.log")) {
      log.truncate(whole - 2);
    }
    SegmentRecovery.Recovered r = recover(false);
    assertThat(Files.size(dir.resolve("s.log"))).isEqualTo(whole - 2);
    assertThat(r.count()).isEqualTo(2);
    assertThat(repairs).anyMatch(line -> line.contains("cannot be read"));
  }

  /** Makes the log longer by {@code bytes} zero bytes, as room for appends that none reached. */
  private void addRoom(long bytes) throws IOException {
    try (FileChannel log = open("s.log")) {
      log.write(ByteBuffer.allocate(1), log.size() + bytes - 1);
    }
  }

  @ParameterizedTest
  @EnumSource(SegmentFormat.class)
  void roomAfterTheLastSegmentsRecordsIsCutWithoutAReport(SegmentFormat format) throws IOException {
    writeSegment(format, "a", "b", "c");
    long records = Files.size(dir.resolve("s.log"));
    addRoom(Segment.ROOM_BYTES);

    SegmentRecovery.Recovered r = recover(true);

    assertThat(r.count()).isEqualTo(3);
    assertThat(r.size()).isEqualTo(records);
    assertThat(Files.size(dir.resolve("s.log"))).isEqualTo(records);
    assertThat(repairs).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(SegmentFormat.class)
  void roomAfterAnOlderSegmentsRecordsIsCutAndSaidButNotTakenForDamage(SegmentFormat format)
      throws IOException {
    // A crash after the next segment was made, before this one's room was cut off for good.
    writeSegment(format, "a", "b", "c");
    long records = Files.size(dir.resolve("s.log"));
    addRoom(4096);

    SegmentRecovery.Recovered r = recover(false);

    assertThat(r.count()).isEqualTo(3);
    assertThat(r.size()).isEqualTo(records);
    assertThat(Files.size(dir.resolve("s.log"))).isEqualTo(records);
    assertThat(repairs)
        .as("said, since an older segment has room only after a machine crash or damage")
        .singleElement()
        .asString()
        .contains("cut 4096 zero bytes after its last record")
        .doesNotContain("cannot be read");
  }

  @Test
  void aTornRecordInTheRoomIsCutAndReportedByItsOwnBytes() throws IOException {
    writeSegment(SegmentFormat.WIRE, "a", "b", "c");
    long whole = Files.size(dir.resolve("s.log"));
    // The last record's start reached the disk, its end did not: the room's zeros follow.
    try (FileChannel log = open("s.log")) {
      log.truncate(whole - 2);
    }
    addRoom(Segment.ROOM_BYTES);
    long lastRecordStart = whole - WireRecordFormat.recordBytes(3, 1002, Record.of(new byte[1]));

    SegmentRecovery.Recovered r = recover(true);

    assertThat(r.count()).isEqualTo(2);
    assertThat(Files.size(dir.resolve("s.log"))).isEqualTo(lastRecordStart);
    assertThat(repairs)
        .anyMatch(line -> line.contains("cut " + (whole - 2 - lastRecordStart) + " bytes"))
        .allMatch(line -> !line.contains("cut") || line.contains("after message 2"));
  }
}
