package io.minikafka.broker.store.file;

import io.minikafka.broker.store.Header;
import io.minikafka.broker.store.Record;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * Writes records as stores written before the new layout did ({@link RecordFormat}): what tests
 * build such stores with, since the store itself only reads them now.
 */
final class LegacyRecords {

  private LegacyRecords() {}

  /** Writes a whole record into {@code out} at its position, which it advances past the record. */
  static void encode(ByteBuffer out, long number, long appendTime, Record record) {
    int start = out.position();
    out.putInt(0);
    out.putInt(
        record.plain() ? record.payload().length : (int) bodyBytes(record) | RecordFormat.EXTENDED);
    out.putLong(number);
    out.putLong(appendTime);
    if (!record.plain()) {
      out.putInt(record.key().length);
      out.put(record.key());
      out.putInt(record.headers().size());
      for (Header header : record.headers()) {
        byte[] name = header.name().getBytes(StandardCharsets.UTF_8);
        out.putShort((short) name.length);
        out.put(name);
        out.putInt(header.value().length);
        out.put(header.value());
      }
    }
    out.put(record.payload());
    CRC32C crc = new CRC32C();
    crc.update(out.duplicate().limit(out.position()).position(start + RecordFormat.LENGTH_OFFSET));
    out.putInt(start, (int) crc.getValue());
  }

  /** Bytes of a record's body. */
  static long bodyBytes(Record record) {
    if (record.plain()) {
      return record.payload().length;
    }
    long bytes = 8L + record.key().length + record.payload().length;
    for (Header header : record.headers()) {
      bytes += 6 + header.name().getBytes(StandardCharsets.UTF_8).length + header.value().length;
    }
    return bytes;
  }

  /** Total bytes a record takes. */
  static long recordBytes(Record record) {
    return RecordFormat.HEADER_BYTES + bodyBytes(record);
  }
}
