package io.minikafka.broker.store.file;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.minikafka.broker.store.CorruptRecordException;
import io.minikafka.broker.store.Header;
import io.minikafka.broker.store.PollLimits;
import io.minikafka.broker.store.Record;
import io.minikafka.broker.store.RecordBytes;
import io.minikafka.broker.store.StoredMessage;
import io.minikafka.broker.store.WireRecords;
import io.minikafka.protocol.MessageRecord;
import io.minikafka.protocol.SubscribeResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The wire layout of a record: a Subscribe response's record entry, with its CRC. */
class WireRecordFormatTest {

  @TempDir Path root;

  private static final Record KEYED =
      new Record(
          "key".getBytes(UTF_8),
          List.of(new Header("a", new byte[] {1}), new Header("n\u00e4me", new byte[0])),
          "payload".getBytes(UTF_8));

  private static byte[] encode(long number, long time, Record record) {
    ByteBuffer out = ByteBuffer.allocate((int) WireRecordFormat.maxRecordBytes(record));
    WireRecordFormat.encode(out, number, time, record);
    assertThat((long) out.position()).isEqualTo(WireRecordFormat.recordBytes(number, time, record));
    return Arrays.copyOf(out.array(), out.position());
  }

  @Test
  void aRecordIsASubscribeResponseRecordThatProtobufParsesWithItsCrc() throws IOException {
    for (long number : new long[] {1, 127, 128, Long.MAX_VALUE}) {
      for (long time : new long[] {0, 1_700_000_000_000L}) {
        for (Record record : List.of(KEYED, Record.of(new byte[0]), Record.of(new byte[300]))) {
          byte[] bytes = encode(number, time, record);

          MessageRecord parsed = SubscribeResponse.parseFrom(bytes).getRecords(0);
          assertThat(parsed.getMsgNumber()).isEqualTo(number);
          assertThat(parsed.getAppendTimeMs()).isEqualTo(time);
          assertThat(parsed.getPayload().toByteArray()).isEqualTo(record.payload());
          assertThat(parsed.getKey().toByteArray()).isEqualTo(record.key());
          assertThat(parsed.getHeadersList())
              .extracting(h -> h.getName())
              .containsExactlyElementsOf(record.headers().stream().map(Header::name).toList());
          assertThat(parsed.hasCrc32C()).isTrue();
          List<StoredMessage> checked =
              WireRecords.decode(new RecordBytes(bytes, bytes.length, 1, record.payload().length));
          assertThat(checked.get(0).number()).isEqualTo(number);
        }
      }
    }
  }

  @Test
  void aHundredBytePayloadTakesTwentyBytesMoreAsDocsStorageSays() {
    long now = 1_764_633_600_000L;
    assertThat(WireRecordFormat.recordBytes((1 << 21) - 1, now, Record.of(new byte[100])))
        .isEqualTo(120);
    assertThat(LegacyRecords.recordBytes(Record.of(new byte[100]))).isEqualTo(124);
  }

  @Test
  void framingReadsNumberTimeAndPayloadAndDecodingGivesTheRecordBack() {
    byte[] bytes = encode(42, 1234, KEYED);
    RecordFrame frame = new RecordFrame();

    assertThat(WireRecordFormat.frame(ByteBuffer.wrap(bytes), 0, frame)).isEqualTo(RecordFrame.OK);
    assertThat(frame.recordBytes).isEqualTo(bytes.length);
    assertThat(frame.number).isEqualTo(42);
    assertThat(frame.time).isEqualTo(1234);
    assertThat(frame.payloadBytes).isEqualTo(KEYED.payload().length);
    assertThat(frame.extended).isTrue();
    assertThat(SegmentFormat.WIRE.crcMatches(ByteBuffer.wrap(bytes), 0, frame)).isTrue();

    int restFrom = frame.payloadFrom + frame.payloadBytes;
    StoredMessage decoded =
        WireRecordFormat.decode(
            frame,
            Arrays.copyOfRange(bytes, frame.payloadFrom, restFrom),
            ByteBuffer.wrap(bytes, restFrom, bytes.length - restFrom));
    assertThat(decoded.key()).isEqualTo(KEYED.key());
    assertThat(decoded.headers()).extracting(Header::name).containsExactly("a", "n\u00e4me");
    assertThat(decoded.payload()).isEqualTo(KEYED.payload());
  }

  @Test
  void theWordAtATimeFramingAgreesWithTheByteAtATimeOne() {
    java.util.Random random = new java.util.Random(9);
    for (int i = 0; i < 20_000; i++) {
      long number = random.nextLong() >>> random.nextInt(64);
      long time = random.nextLong() >>> random.nextInt(64);
      Record record =
          random.nextInt(4) == 0
              ? KEYED
              : Record.of(new byte[random.nextInt(i % 100 == 0 ? 70_000 : 300)]);
      byte[] bytes = encode(number, time, record);
      ByteBuffer padded = ByteBuffer.allocate(bytes.length + 64).put(bytes).clear();
      RecordFrame fast = new RecordFrame();
      RecordFrame slow = new RecordFrame();
      assertThat(WireRecordFormat.frame(padded, 0, fast)).isEqualTo(RecordFrame.OK);
      assertThat(WireRecordFormat.frameByBytes(padded, 0, slow)).isEqualTo(RecordFrame.OK);
      String at = "number " + number + ", time " + time;
      assertThat(fast.number).as(at).isEqualTo(number).isEqualTo(slow.number);
      assertThat(fast.time).as(at).isEqualTo(time).isEqualTo(slow.time);
      assertThat(fast.recordBytes).as(at).isEqualTo(bytes.length).isEqualTo(slow.recordBytes);
      assertThat(fast.payloadFrom).as(at).isEqualTo(slow.payloadFrom);
      assertThat(fast.payloadBytes).as(at).isEqualTo(record.payload().length);
      assertThat(fast.bodyBytes).as(at).isEqualTo(slow.bodyBytes);
      assertThat(fast.extended).as(at).isEqualTo(slow.extended);
      assertThat(fast.crc).as(at).isEqualTo(slow.crc);
      assertThat(fast.crcFrom).as(at).isEqualTo(slow.crcFrom);
    }
  }

  @Test
  void everyCutOfTheFramingIsShortAndAnyOtherFirstByteIsBad() {
    byte[] bytes = encode(300, 1_700_000_000_000L, Record.of("p".getBytes(UTF_8)));
    RecordFrame frame = new RecordFrame();
    WireRecordFormat.frame(ByteBuffer.wrap(bytes), 0, frame);
    for (int cut = 0; cut < frame.payloadFrom; cut++) {
      assertThat(WireRecordFormat.frame(ByteBuffer.wrap(bytes, 0, cut), 0, new RecordFrame()))
          .as("cut to %d bytes", cut)
          .isEqualTo(RecordFrame.SHORT);
    }
    for (int first = 0; first < 256; first++) {
      if (first != 0x0A) {
        byte[] damaged = bytes.clone();
        damaged[0] = (byte) first;
        assertThat(WireRecordFormat.frame(ByteBuffer.wrap(damaged), 0, new RecordFrame()))
            .isEqualTo(RecordFrame.BAD);
      }
    }
  }

  @Test
  void aPayloadLengthOfMoreThanFiveBytesIsBadFramingWhicheverWayItIsRead() {
    byte[] padded = {
      0x0A,
      17,
      0x7D,
      0,
      0,
      0,
      0,
      0x08,
      1,
      0x10,
      1,
      0x1A,
      (byte) 0x81,
      (byte) 0x80,
      (byte) 0x80,
      (byte) 0x80,
      (byte) 0x80,
      0,
      'p'
    };
    assertThat(WireRecordFormat.frame(ByteBuffer.wrap(padded), 0, new RecordFrame()))
        .isEqualTo(RecordFrame.BAD);
    ByteBuffer room = ByteBuffer.allocate(padded.length + 64).put(padded).clear();
    assertThat(WireRecordFormat.frame(room, 0, new RecordFrame())).isEqualTo(RecordFrame.BAD);
  }

  @Test
  void aKeyLengthRunningPastTheRecordIsReportedAsDamageNotReturned() throws IOException {
    try (FileStore store = FileStore.open(root)) {
      store.storeRecords(
          "t", List.of(new Record("key".getBytes(UTF_8), List.of(), "p".getBytes(UTF_8))));
    }
    // The key's length made 127, with the CRC made to match: damage the CRC cannot see.
    Path log = root.resolve("t").resolve(Segment.fileName(1, Segment.LOG_SUFFIX));
    byte[] bytes = Files.readAllBytes(log);
    int record = SegmentFormat.WIRE.headerBytes();
    bytes[bytes.length - 4] = 127;
    CRC32C crc = new CRC32C();
    int covered = record + 2 + 5;
    crc.update(bytes, covered, bytes.length - covered);
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(record + 3, (int) crc.getValue());
    Files.write(log, bytes);

    try (FileStore store = FileStore.open(root)) {
      assertThatThrownBy(() -> store.poll("t", 1, PollLimits.UNLIMITED))
          .isInstanceOf(CorruptRecordException.class)
          .hasMessageContaining("key and headers run past the record");
    }
  }
}
