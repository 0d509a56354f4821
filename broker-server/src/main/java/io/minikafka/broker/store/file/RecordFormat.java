package io.minikafka.broker.store.file;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The byte layout of one record in a segment file. All integers are big-endian.
 *
 * <pre>
 * offset  size  field
 *      0     4  CRC32C of every byte that follows, from offset 4 to the end of the payload
 *      4     4  payload length L (0 to 2^31-25)
 *      8     8  message number
 *     16     8  append time, milliseconds since the epoch
 *     24     L  payload
 * </pre>
 *
 * A record is valid when its length fits the file, its CRC matches and its number is the one
 * expected at its place; anything else is a torn write or corruption.
 */
final class RecordFormat {

  static final int HEADER_BYTES = 24;
  static final int LENGTH_OFFSET = 4;
  static final int NUMBER_OFFSET = 8;
  static final int TIME_OFFSET = 16;

  private RecordFormat() {}

  /** Writes a whole record into {@code out} at its position, which it advances past the record. */
  static void encode(ByteBuffer out, long number, long appendTime, byte[] payload) {
    int start = out.position();
    out.putInt(0);
    out.putInt(payload.length);
    out.putLong(number);
    out.putLong(appendTime);
    out.put(payload);
    CRC32C crc = new CRC32C();
    crc.update(out.duplicate().limit(out.position()).position(start + LENGTH_OFFSET));
    out.putInt(start, (int) crc.getValue());
  }

  /** Total bytes a record of this payload length takes. */
  static long recordBytes(int payloadLength) {
    return (long) HEADER_BYTES + payloadLength;
  }

  /**
   * Checks the CRC of the record whose header is at {@code start} of {@code header} and whose
   * payload is {@code payload}.
   */
  static boolean crcMatches(ByteBuffer header, int start, byte[] payload) {
    CRC32C crc = new CRC32C();
    ByteBuffer view = header.duplicate();
    view.limit(start + HEADER_BYTES).position(start + LENGTH_OFFSET);
    crc.update(view);
    crc.update(payload);
    return (int) crc.getValue() == header.getInt(start);
  }

  /**
   * Checks the CRC of the record at {@code start} of {@code buffer}, whose header and payload are
   * all in the buffer.
   */
  static boolean crcMatches(ByteBuffer buffer, int start, int payloadLength) {
    CRC32C crc = new CRC32C();
    ByteBuffer view = buffer.duplicate();
    view.limit(start + HEADER_BYTES + payloadLength).position(start + LENGTH_OFFSET);
    crc.update(view);
    return (int) crc.getValue() == buffer.getInt(start);
  }
}
