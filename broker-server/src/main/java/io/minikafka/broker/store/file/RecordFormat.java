package io.minikafka.broker.store.file;

import io.minikafka.broker.store.Header;
import io.minikafka.broker.store.Record;
import io.minikafka.broker.store.StoredMessage;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The byte layout of one record in a segment file. All integers are big-endian.
 *
 * <pre>
 * offset  size  field
 *      0     4  CRC32C of every byte that follows, from offset 4 to the end of the body
 *      4     4  length word: the body's length L (0 to 2^31-25); the top bit set when the body
 *               holds a key and headers (an extended record), clear when it is the payload alone
 *      8     8  message number
 *     16     8  append time, milliseconds since the epoch
 *     24     L  body
 * </pre>
 *
 * The body of a plain record is its payload, byte for byte the layout of stores written before keys
 * and headers existed, which are read as they are. The body of an extended record:
 *
 * <pre>
 *      4  key length K, then K bytes of key (K = 0: no key)
 *      4  header count H, then H times: 2 bytes name length N, N bytes of UTF-8 name,
 *         4 bytes value length V, V bytes of value
 *      -  the payload: the rest of the body
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

  /** The length word's flag of an extended record. */
  private static final int EXTENDED = 0x80000000;

  private RecordFormat() {}

  /** Writes a whole record into {@code out} at its position, which it advances past the record. */
  static void encode(ByteBuffer out, long number, long appendTime, Record record) {
    int start = out.position();
    out.putInt(0);
    out.putInt(record.plain() ? record.payload().length : (int) bodyBytes(record) | EXTENDED);
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
    crc.update(out.duplicate().limit(out.position()).position(start + LENGTH_OFFSET));
    out.putInt(start, (int) crc.getValue());
  }

  /** The body's length, from a record's length word. */
  static int bodyLength(int lengthWord) {
    return lengthWord & ~EXTENDED;
  }

  /** Whether a record's length word says its body holds a key and headers. */
  static boolean extended(int lengthWord) {
    return (lengthWord & EXTENDED) != 0;
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

  /** Total bytes a record whose body is this long takes. */
  static long recordBytes(long bodyLength) {
    return HEADER_BYTES + bodyLength;
  }

  /** Total bytes a record takes. */
  static long recordBytes(Record record) {
    return HEADER_BYTES + bodyBytes(record);
  }

  /**
   * The message a record's body holds; null if an extended body does not parse (its lengths run
   * past its end), which is damage the CRC did not catch.
   */
  static StoredMessage decode(long number, long appendTime, byte[] body, boolean extended) {
    if (!extended) {
      return new StoredMessage(number, appendTime, body);
    }
    ByteBuffer in = ByteBuffer.wrap(body);
    try {
      byte[] key = bytes(in, in.getInt());
      int count = in.getInt();
      if (count < 0 || count > in.remaining() / 6) {
        return null;
      }
      List<Header> headers = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        String name =
            new String(bytes(in, Short.toUnsignedInt(in.getShort())), StandardCharsets.UTF_8);
        headers.add(new Header(name, bytes(in, in.getInt())));
      }
      return new StoredMessage(number, appendTime, bytes(in, in.remaining()), key, headers);
    } catch (BufferUnderflowException | IllegalArgumentException e) {
      return null;
    }
  }

  private static byte[] bytes(ByteBuffer in, int length) {
    if (length < 0 || length > in.remaining()) {
      throw new IllegalArgumentException("length " + length + " runs past the body");
    }
    byte[] out = new byte[length];
    in.get(out);
    return out;
  }

  /** The CRC32C of the bytes of {@code buffer} from {@code from} up to {@code to}. */
  static int crc(ByteBuffer buffer, int from, int to) {
    CRC32C crc = new CRC32C();
    crc.update(buffer.duplicate().limit(to).position(from));
    return (int) crc.getValue();
  }

  /**
   * Checks the CRC of the record whose header is at {@code start} of {@code header} and whose
   * payload is {@code payload}.
   */
  static boolean crcMatches(ByteBuffer header, int start, byte[] body) {
    CRC32C crc = new CRC32C();
    ByteBuffer view = header.duplicate();
    view.limit(start + HEADER_BYTES).position(start + LENGTH_OFFSET);
    crc.update(view);
    crc.update(body);
    return (int) crc.getValue() == header.getInt(start);
  }

  /**
   * Checks the CRC of the record at {@code start} of {@code buffer}, whose header and body are all
   * in the buffer.
   */
  static boolean crcMatches(ByteBuffer buffer, int start, int bodyLength) {
    CRC32C crc = new CRC32C();
    ByteBuffer view = buffer.duplicate();
    view.limit(start + HEADER_BYTES + bodyLength).position(start + LENGTH_OFFSET);
    crc.update(view);
    return (int) crc.getValue() == buffer.getInt(start);
  }
}
