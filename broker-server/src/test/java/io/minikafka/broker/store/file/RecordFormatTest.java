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
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The record layout: a plain record is byte for byte the layout stores were written in before keys
 * and headers, and an extended one carries them in its body.
 */
class RecordFormatTest {

  @TempDir Path root;

  /** A record as the first store format wrote it, built from its documented layout by hand. */
  private static byte[] legacyRecord(long number, long time, byte[] payload) {
    ByteBuffer out = ByteBuffer.allocate(24 + payload.length);
    out.putInt(0).putInt(payload.length).putLong(number).putLong(time).put(payload);
    CRC32C crc = new CRC32C();
    crc.update(out.array(), 4, out.capacity() - 4);
    out.putInt(0, (int) crc.getValue());
    return out.array();
  }

  @Test
  void aPlainRecordIsEncodedExactlyAsTheFirstFormat() {
    byte[] payload = "hello".getBytes(UTF_8);
    ByteBuffer encoded = ByteBuffer.allocate(64);
    LegacyRecords.encode(encoded, 7, 1234, Record.of(payload));

    assertThat(java.util.Arrays.copyOf(encoded.array(), encoded.position()))
        .isEqualTo(legacyRecord(7, 1234, payload));
  }

  @Test
  void aStoreWrittenInTheFirstFormatIsReadAndGoesOnWithKeyedMessages() throws IOException {
    try (FileStore store = FileStore.open(root)) {
      store.store("t", "seed".getBytes(UTF_8));
    }
    // Replace the topic's log by records written as the first format wrote them.
    Path log = root.resolve("t").resolve(Segment.fileName(1, Segment.LOG_SUFFIX));
    java.io.ByteArrayOutputStream old = new java.io.ByteArrayOutputStream();
    old.writeBytes(legacyRecord(1, 1000, "one".getBytes(UTF_8)));
    old.writeBytes(legacyRecord(2, 1001, "two".getBytes(UTF_8)));
    Files.write(log, old.toByteArray());
    Files.deleteIfExists(root.resolve("t").resolve(Segment.fileName(1, SegmentIndex.SUFFIX)));

    try (FileStore store = FileStore.open(root)) {
      store.storeRecords(
          "t",
          List.of(
              new Record(
                  "k".getBytes(UTF_8),
                  List.of(new Header("h", "v".getBytes(UTF_8))),
                  "three".getBytes(UTF_8))));
    }
    try (FileStore store = FileStore.open(root)) {
      List<StoredMessage> read = store.poll("t", 1, PollLimits.UNLIMITED).messages();
      assertThat(read)
          .extracting(m -> new String(m.payload(), UTF_8))
          .containsExactly("one", "two", "three");
      assertThat(read.get(0).appendTimeMillis()).isEqualTo(1000);
      assertThat(read.get(2).key()).isEqualTo("k".getBytes(UTF_8));
      assertThat(read.get(2).headers()).singleElement().extracting(Header::name).isEqualTo("h");

      // Subscribe's read: the legacy records encoded as the new ones are kept.
      RecordBytes encoded = store.pollEncoded("t", 1, PollLimits.UNLIMITED).encoded();
      assertThat(encoded).isNotNull();
      assertThat(WireRecords.decode(encoded))
          .extracting(m -> m.number() + ":" + new String(m.payload(), UTF_8))
          .containsExactly("1:one", "2:two", "3:three");
    }
    List<Path> logs = StoreFiles.segmentLogs(root, "t");
    assertThat(logs).hasSize(2);
    try (FileChannel first = FileChannel.open(logs.get(0));
        FileChannel second = FileChannel.open(logs.get(1))) {
      assertThat(SegmentFormat.of(first, 1)).isEqualTo(SegmentFormat.LEGACY);
      assertThat(SegmentFormat.of(second, 3)).isEqualTo(SegmentFormat.WIRE);
    }
    assertThat(FileStoreCheck.check(root).damaged()).isFalse();
  }

  @Test
  void anOlderVersionsLastSegmentLeftWithoutAWholeRecordTakesNewRecordsInTheNewLayout()
      throws IOException {
    try (FileStore store = FileStore.open(root)) {
      store.store("t", "seed".getBytes(UTF_8));
    }
    // What an older version leaves when it crashes during the first append to a new segment.
    Path log = root.resolve("t").resolve(Segment.fileName(1, Segment.LOG_SUFFIX));
    Files.write(log, java.util.Arrays.copyOf(legacyRecord(1, 1000, "torn".getBytes(UTF_8)), 10));
    Files.deleteIfExists(root.resolve("t").resolve(Segment.fileName(1, SegmentIndex.SUFFIX)));

    try (FileStore store = FileStore.open(root)) {
      assertThat(store.store("t", "after".getBytes(UTF_8))).isEqualTo(1);
      assertThat(store.poll("t", 1, PollLimits.UNLIMITED).messages())
          .extracting(m -> new String(m.payload(), UTF_8))
          .containsExactly("after");
    }
    try (FileStore store = FileStore.open(root);
        FileChannel channel = FileChannel.open(log)) {
      assertThat(SegmentFormat.of(channel, 1)).isEqualTo(SegmentFormat.WIRE);
      assertThat(store.poll("t", 1, PollLimits.UNLIMITED).messages())
          .extracting(m -> new String(m.payload(), UTF_8))
          .containsExactly("after");
    }
    assertThat(FileStoreCheck.check(root).damaged()).isFalse();
  }

  @Test
  void anExtendedBodyWhoseLengthsRunPastItIsReportedAsDamageNotReturned() throws IOException {
    try (FileStore store = FileStore.open(root)) {
      store.store("t", "seed".getBytes(UTF_8));
    }
    // A legacy record whose key length runs far past its body, with the CRC made to match: damage
    // the CRC cannot see.
    ByteBuffer bytes = ByteBuffer.allocate(64);
    LegacyRecords.encode(
        bytes, 1, 1000, new Record("key".getBytes(UTF_8), List.of(), "p".getBytes(UTF_8)));
    bytes.putInt(24, 1_000_000);
    CRC32C crc = new CRC32C();
    crc.update(bytes.array(), 4, bytes.position() - 4);
    bytes.putInt(0, (int) crc.getValue());
    Path log = root.resolve("t").resolve(Segment.fileName(1, Segment.LOG_SUFFIX));
    Files.write(log, java.util.Arrays.copyOf(bytes.array(), bytes.position()));
    Files.deleteIfExists(root.resolve("t").resolve(Segment.fileName(1, SegmentIndex.SUFFIX)));

    try (FileStore store = FileStore.open(root)) {
      assertThatThrownBy(() -> store.poll("t", 1, PollLimits.UNLIMITED))
          .isInstanceOf(CorruptRecordException.class)
          .hasMessageContaining("key and headers run past the record");
    }
  }

  @Test
  void decodingParsesKeyHeadersAndPayloadAndRefusesEveryTruncation() {
    Record record =
        new Record(
            "key".getBytes(UTF_8),
            List.of(new Header("a", new byte[] {1}), new Header("b", new byte[0])),
            "payload".getBytes(UTF_8));
    ByteBuffer encoded = ByteBuffer.allocate(128);
    LegacyRecords.encode(encoded, 1, 5, record);
    int body = encoded.getInt(4) & 0x7fffffff;
    assertThat(RecordFormat.extended(encoded.getInt(4))).isTrue();
    assertThat((long) body).isEqualTo(LegacyRecords.bodyBytes(record));
    byte[] bodyBytes = java.util.Arrays.copyOfRange(encoded.array(), 24, 24 + body);

    StoredMessage decoded = RecordFormat.decode(1, 5, bodyBytes, true);
    assertThat(decoded.key()).isEqualTo("key".getBytes(UTF_8));
    assertThat(decoded.headers()).extracting(Header::name).containsExactly("a", "b");
    assertThat(decoded.payload()).isEqualTo("payload".getBytes(UTF_8));
    // Cut inside the key or the headers: never parsed as something else.
    for (int cut = 0; cut < 4 + 3 + 4 + (2 + 1 + 4 + 1) + (2 + 1 + 4); cut++) {
      assertThat(RecordFormat.decode(1, 5, java.util.Arrays.copyOf(bodyBytes, cut), true))
          .as("body cut to " + cut + " bytes")
          .isNull();
    }
  }
}
