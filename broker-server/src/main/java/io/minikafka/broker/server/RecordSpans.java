package io.minikafka.broker.server;

import com.google.protobuf.CodedInputStream;
import io.minikafka.broker.store.CorruptRecordException;
import io.minikafka.broker.store.RecordBytes;
import java.io.IOException;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Where the payload, key and headers of each record of a store's {@link RecordBytes} lie, read once
 * as protobuf (fields in any order, unknown ones skipped), each CRC checked: what a Poll answer
 * re-tags into {@code Payload}s without a message object each.
 */
final class RecordSpans {

  /** Per record: payload offset and length, key offset and length, first header, header count. */
  private static final int SPAN = 6;

  final RecordBytes bytes;
  final long[] times;

  private final int[] spans;

  /** Per header: offset and length of its {@code Header} message. */
  private int[] headers = new int[0];

  private int headerCount;

  private RecordSpans(RecordBytes bytes) {
    this.bytes = bytes;
    this.times = new long[bytes.count()];
    this.spans = new int[bytes.count() * SPAN];
  }

  /**
   * The spans of {@code bytes}, read from topic {@code topic}, whose first record is numbered
   * {@code first}.
   *
   * @throws CorruptRecordException if a record's CRC does not match its bytes, or they do not parse
   */
  static RecordSpans of(String topic, long first, RecordBytes bytes) throws CorruptRecordException {
    RecordSpans spans = new RecordSpans(bytes);
    try {
      spans.read(topic, first);
    } catch (IOException e) {
      throw new CorruptRecordException(
          "topic '" + topic + "': a stored record does not parse (" + e.getMessage() + ")");
    }
    return spans;
  }

  private void read(String topic, long first) throws IOException {
    byte[] array = bytes.array();
    CodedInputStream in = CodedInputStream.newInstance(array, 0, bytes.length());
    int record = 0;
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      if (tag != 10 || record == spans.length / SPAN) {
        throw new IOException("found field tag " + tag + " after " + record + " records");
      }
      int length = in.readRawVarint32();
      int end = in.getTotalBytesRead() + length;
      int limit = in.pushLimit(length);
      int at = record * SPAN;
      spans[at + 4] = headerCount;
      for (int field = in.readTag(); field != 0; field = in.readTag()) {
        switch (field) {
          case 125 -> {
            // Checked before the fields it covers are parsed: damage fails as damage.
            int crc = in.readFixed32();
            int from = in.getTotalBytesRead();
            CRC32C check = new CRC32C();
            check.update(array, from, end - from);
            if ((int) check.getValue() != crc) {
              throw new CorruptRecordException(
                  String.format(
                      "topic '%s' message %d is damaged on disk (CRC mismatch)",
                      topic, first + record));
            }
          }
          case 16 -> times[record] = in.readInt64();
          case 26 -> span(in, at);
          case 34 -> span(in, at + 2);
          case 42 -> header(in);
          default -> in.skipField(field);
        }
      }
      in.popLimit(limit);
      spans[at + 5] = headerCount - spans[at + 4];
      record++;
    }
    if (record != spans.length / SPAN) {
      throw new IOException(record + " records where " + spans.length / SPAN + " were counted");
    }
  }

  /** Records the offset and length of the length-delimited field being read at {@code at}. */
  private void span(CodedInputStream in, int at) throws IOException {
    int length = in.readRawVarint32();
    spans[at] = in.getTotalBytesRead();
    spans[at + 1] = length;
    in.skipRawBytes(length);
  }

  private void header(CodedInputStream in) throws IOException {
    if (headers.length < (headerCount + 1) * 2) {
      headers = Arrays.copyOf(headers, Math.max(16, headers.length * 2));
    }
    int length = in.readRawVarint32();
    headers[headerCount * 2] = in.getTotalBytesRead();
    headers[headerCount * 2 + 1] = length;
    headerCount++;
    in.skipRawBytes(length);
  }

  int count() {
    return times.length;
  }

  int payloadOffset(int record) {
    return spans[record * SPAN];
  }

  int payloadLength(int record) {
    return spans[record * SPAN + 1];
  }

  int keyOffset(int record) {
    return spans[record * SPAN + 2];
  }

  int keyLength(int record) {
    return spans[record * SPAN + 3];
  }

  int firstHeader(int record) {
    return spans[record * SPAN + 4];
  }

  int headerCount(int record) {
    return spans[record * SPAN + 5];
  }

  int headerOffset(int header) {
    return headers[header * 2];
  }

  int headerLength(int header) {
    return headers[header * 2 + 1];
  }
}
