package io.minikafka.broker.store.file;

import io.minikafka.broker.store.Header;
import io.minikafka.broker.store.Record;
import io.minikafka.broker.store.StoredMessage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The byte layout of one record in a segment of format 2 ({@link SegmentFormat#WIRE}): exactly one
 * entry of {@code protocol.SubscribeResponse.records}, so that a run of records read from a segment
 * is already the body of a Subscribe response, sent without decoding.
 *
 * <pre>
 * bytes   field
 *     1   0x0A: SubscribeResponse field 1 (records), length-delimited
 *   1-5   varint L: the length of the MessageRecord that follows
 *     1   0x7D: MessageRecord field 15 (crc32c), fixed32
 *     4   CRC32C, little-endian, of the L - 5 bytes that follow it
 *     1   0x08, then a varint: field 1, the message number
 *     1   0x10, then a varint: field 2, the append time in milliseconds since the epoch
 *     1   0x1A, then a varint P and P bytes: field 3, the payload (present even when empty)
 *     -   when the record has a key: 0x22, a varint K and K bytes (field 4)
 *     -   per header, in order: 0x2A, a varint and a protocol.Header: 0x0A, a varint N and N bytes
 *         of UTF-8 name; 0x12, a varint V and V bytes of value
 * </pre>
 *
 * Fields come in exactly this order with nothing else, so that the server parses its own records
 * with fixed steps; clients parse them as any protobuf message. A record is valid when it is framed
 * so, fits the file, its CRC matches and its number is the one expected at its place.
 */
final class WireRecordFormat {

  /**
   * The most bytes before a record's payload bytes: the framing, number, time and payload length.
   */
  static final int MAX_HEADER_BYTES = 1 + 5 + 5 + 11 + 11 + 6;

  private static final int RECORDS_TAG = 0x0A;
  private static final int CRC_TAG = 0x7D;
  private static final int NUMBER_TAG = 0x08;
  private static final int TIME_TAG = 0x10;
  private static final int PAYLOAD_TAG = 0x1A;
  private static final int KEY_TAG = 0x22;
  private static final int HEADER_TAG = 0x2A;
  private static final int HEADER_NAME_TAG = 0x0A;
  private static final int HEADER_VALUE_TAG = 0x12;

  private WireRecordFormat() {}

  /** Bytes of a record's MessageRecord before its payload field: CRC, number and time. */
  private static int prefixBytes(long number, long time) {
    return 5 + 1 + varintBytes(number) + 1 + varintBytes(time);
  }

  /** Bytes of the MessageRecord's payload, key and header fields. */
  private static long fieldBytes(Record record) {
    long bytes = delimited(record.payload().length);
    if (record.key().length > 0) {
      bytes += delimited(record.key().length);
    }
    for (Header header : record.headers()) {
      bytes += delimited(headerBytes(header));
    }
    return bytes;
  }

  private static int headerBytes(Header header) {
    return (int)
        (delimited(header.name().getBytes(StandardCharsets.UTF_8).length)
            + delimited(header.value().length));
  }

  private static long delimited(long length) {
    return 1 + varintBytes(length) + length;
  }

  /** Bytes of a record numbered {@code number}, appended at {@code time}. */
  static long recordBytes(long number, long time, Record record) {
    long inner = prefixBytes(number, time) + fieldBytes(record);
    return 1 + varintBytes(inner) + inner;
  }

  /** The most bytes a record takes whatever its number and time: what a chunk reserves for it. */
  static long maxRecordBytes(Record record) {
    return 1 + 5 + 5 + 11 + 11 + fieldBytes(record);
  }

  /**
   * Writes a whole record into {@code out} at its position, which it advances past the record.
   *
   * @throws IllegalArgumentException if the record's MessageRecord would reach 2 GiB
   */
  static void encode(ByteBuffer out, long number, long appendTime, Record record) {
    long inner = prefixBytes(number, appendTime) + fieldBytes(record);
    if (inner > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException("a record must be under 2 GiB, this one is " + inner);
    }
    out.put((byte) RECORDS_TAG);
    putVarint(out, inner);
    out.put((byte) CRC_TAG);
    int crcAt = out.position();
    out.putInt(0);
    int covered = out.position();
    out.put((byte) NUMBER_TAG);
    putVarint(out, number);
    out.put((byte) TIME_TAG);
    putVarint(out, appendTime);
    putDelimited(out, PAYLOAD_TAG, record.payload());
    if (record.key().length > 0) {
      putDelimited(out, KEY_TAG, record.key());
    }
    for (Header header : record.headers()) {
      byte[] name = header.name().getBytes(StandardCharsets.UTF_8);
      out.put((byte) HEADER_TAG);
      putVarint(out, delimited(name.length) + delimited(header.value().length));
      putDelimited(out, HEADER_NAME_TAG, name);
      putDelimited(out, HEADER_VALUE_TAG, header.value());
    }
    CRC32C crc = new CRC32C();
    crc.update(out.duplicate().limit(out.position()).position(covered));
    out.order(ByteOrder.LITTLE_ENDIAN)
        .putInt(crcAt, (int) crc.getValue())
        .order(ByteOrder.BIG_ENDIAN);
  }

  private static void putDelimited(ByteBuffer out, int tag, byte[] value) {
    out.put((byte) tag);
    putVarint(out, value.length);
    out.put(value);
  }

  private static void putVarint(ByteBuffer out, long value) {
    while ((value & ~0x7FL) != 0) {
      out.put((byte) ((value & 0x7F) | 0x80));
      value >>>= 7;
    }
    out.put((byte) value);
  }

  static int varintBytes(long value) {
    return value == 0 ? 1 : (63 - Long.numberOfLeadingZeros(value)) / 7 + 1;
  }

  /**
   * Reads the framing of the record at {@code at} of {@code buffer}, which holds bytes up to its
   * limit, into {@code frame}.
   *
   * @return {@link RecordFrame#OK}, {@link RecordFrame#SHORT} when the buffer ends before the
   *     framing does, or {@link RecordFrame#BAD} when the bytes are not a record's framing
   */
  static int frame(ByteBuffer buffer, int at, RecordFrame frame) {
    if (at + MAX_HEADER_BYTES <= buffer.limit()) {
      int framed = frameWhole(buffer, at, frame);
      if (framed != RecordFrame.SHORT) {
        return framed;
      }
    }
    return frameByBytes(buffer, at, frame);
  }

  /**
   * {@link #frame} of a record whose framing is wholly in the buffer, reading each varint from one
   * 8-byte word: what reads of whole runs of records take. {@link RecordFrame#SHORT} for a number
   * or time of more than 8 bytes, left to {@link #frameByBytes}.
   */
  private static int frameWhole(ByteBuffer buffer, int at, RecordFrame frame) {
    if (buffer.get(at) != RECORDS_TAG) {
      return RecordFrame.BAD;
    }
    long word = littleEndian(buffer, at + 1);
    int n = varintLength(word);
    if (n > 5) {
      return RecordFrame.BAD;
    }
    long inner = varint(word, n);
    int innerStart = at + 1 + n;
    if (!innerLengthValid(inner) || buffer.get(innerStart) != CRC_TAG) {
      return RecordFrame.BAD;
    }
    int crc = Integer.reverseBytes(buffer.getInt(innerStart + 1));
    long[] value = frame.scratch;
    int p = wordField(buffer, innerStart + 5, NUMBER_TAG, value);
    if (p < 0) {
      return -p;
    }
    frame.number = value[0];
    p = wordField(buffer, p, TIME_TAG, value);
    if (p < 0) {
      return -p;
    }
    frame.time = value[0];
    int payloadField = p;
    p = wordField(buffer, p, PAYLOAD_TAG, value);
    if (p < 0) {
      return -p;
    }
    return framed(frame, at, innerStart, inner, crc, payloadField, p, value[0]);
  }

  /**
   * Reads the varint field with {@code tag} at {@code p} from one 8-byte word into {@code
   * value[0]}: the position after it, or minus {@link RecordFrame#BAD} for another tag, or minus
   * {@link RecordFrame#SHORT} for a varint longer than the word, left to {@link #frameByBytes}.
   */
  private static int wordField(ByteBuffer buffer, int p, int tag, long[] value) {
    if (buffer.get(p) != tag) {
      return -RecordFrame.BAD;
    }
    long word = littleEndian(buffer, p + 1);
    int n = varintLength(word);
    if (n > 8) {
      return -RecordFrame.SHORT;
    }
    value[0] = varint(word, n);
    return p + 1 + n;
  }

  private static boolean innerLengthValid(long inner) {
    return inner >= 5 + 2 + 2 + 2 && inner <= Integer.MAX_VALUE - 16;
  }

  /**
   * Completes {@code frame}, whose number and time are read, from the record at {@code at}: its
   * MessageRecord of {@code inner} bytes from {@code innerStart}, CRC first; its payload length
   * field at {@code payloadField} and the payload of {@code payload} bytes from {@code
   * payloadFrom}. {@link RecordFrame#BAD} for a length field of more than 5 bytes or a payload past
   * the record.
   */
  private static int framed(
      RecordFrame frame,
      int at,
      int innerStart,
      long inner,
      int crc,
      int payloadField,
      int payloadFrom,
      long payload) {
    long fieldsEnd = innerStart + inner;
    if (payloadFrom - payloadField > 6 || payload < 0 || payloadFrom + payload > fieldsEnd) {
      return RecordFrame.BAD;
    }
    frame.recordBytes = innerStart - at + inner;
    frame.crc = crc;
    frame.crcFrom = innerStart + 5 - at;
    frame.payloadFrom = payloadFrom - at;
    frame.payloadBytes = (int) payload;
    frame.extended = payloadFrom + payload < fieldsEnd;
    frame.bodyBytes = frame.extended ? 8 + (fieldsEnd - payloadFrom) : payload;
    return RecordFrame.OK;
  }

  /** The 8 bytes at {@code p}, the first the lowest. */
  private static long littleEndian(ByteBuffer buffer, int p) {
    return Long.reverseBytes(buffer.getLong(p));
  }

  /** Bytes of the varint that starts {@code word}: 9 when it is longer than the word. */
  private static int varintLength(long word) {
    return (Long.numberOfTrailingZeros(~word & 0x8080808080808080L) >>> 3) + 1;
  }

  /** The value of the varint of {@code length} (1 to 8) bytes that starts {@code word}. */
  private static long varint(long word, int length) {
    long x = length == 8 ? word : word & ((1L << (length << 3)) - 1);
    return (x & 0x7FL)
        | ((x & 0x7F00L) >>> 1)
        | ((x & 0x7F0000L) >>> 2)
        | ((x & 0x7F000000L) >>> 3)
        | ((x & 0x7F00000000L) >>> 4)
        | ((x & 0x7F0000000000L) >>> 5)
        | ((x & 0x7F000000000000L) >>> 6)
        | ((x & 0x7F00000000000000L) >>> 7);
  }

  /** {@link #frame}, a byte at a time, for framing that may run past the buffer's end. */
  static int frameByBytes(ByteBuffer buffer, int at, RecordFrame frame) {
    int limit = buffer.limit();
    int p = at;
    if (p >= limit) {
      return RecordFrame.SHORT;
    }
    if (buffer.get(p++) != RECORDS_TAG) {
      return RecordFrame.BAD;
    }
    long inner = 0;
    for (int shift = 0; ; shift += 7) {
      if (p >= limit) {
        return RecordFrame.SHORT;
      }
      if (shift > 28) {
        return RecordFrame.BAD;
      }
      byte b = buffer.get(p++);
      inner |= (long) (b & 0x7F) << shift;
      if (b >= 0) {
        break;
      }
    }
    if (!innerLengthValid(inner)) {
      return RecordFrame.BAD;
    }
    int innerStart = p;
    if (p + 5 > limit) {
      return RecordFrame.SHORT;
    }
    if (buffer.get(p) != CRC_TAG) {
      return RecordFrame.BAD;
    }
    int crc = Integer.reverseBytes(buffer.getInt(p + 1));
    long[] value = frame.scratch;
    p = field(buffer, p + 5, limit, NUMBER_TAG, value);
    if (p < 0) {
      return -p;
    }
    frame.number = value[0];
    p = field(buffer, p, limit, TIME_TAG, value);
    if (p < 0) {
      return -p;
    }
    frame.time = value[0];
    int payloadField = p;
    p = field(buffer, p, limit, PAYLOAD_TAG, value);
    if (p < 0) {
      return -p;
    }
    return framed(frame, at, innerStart, inner, crc, payloadField, p, value[0]);
  }

  /**
   * Reads a varint field with {@code tag} at {@code p} into {@code value[0]}: the position after
   * it, or minus {@link RecordFrame#SHORT} or minus {@link RecordFrame#BAD}.
   */
  private static int field(ByteBuffer buffer, int p, int limit, int tag, long[] value) {
    if (p >= limit) {
      return -RecordFrame.SHORT;
    }
    if (buffer.get(p++) != tag) {
      return -RecordFrame.BAD;
    }
    long result = 0;
    for (int shift = 0; ; shift += 7) {
      if (p >= limit) {
        return -RecordFrame.SHORT;
      }
      if (shift > 63) {
        return -RecordFrame.BAD;
      }
      byte b = buffer.get(p++);
      result |= (long) (b & 0x7F) << shift;
      if (b >= 0) {
        break;
      }
    }
    value[0] = result;
    return p;
  }

  /**
   * The message of a record framed as {@code frame}, given its payload and the fields after it
   * ({@code rest}, from its position to its limit); null if those do not parse, which is damage the
   * CRC did not catch.
   */
  static StoredMessage decode(RecordFrame frame, byte[] payload, ByteBuffer rest) {
    if (!frame.extended) {
      return new StoredMessage(frame.number, frame.time, payload);
    }
    ByteBuffer in = rest.duplicate();
    byte[] key = new byte[0];
    List<Header> headers = new ArrayList<>();
    while (in.hasRemaining()) {
      int tag = in.get();
      byte[] value = delimitedValue(in);
      if (value == null) {
        return null;
      }
      if (tag == KEY_TAG && key.length == 0 && headers.isEmpty()) {
        key = value;
      } else if (tag == HEADER_TAG) {
        Header header = header(ByteBuffer.wrap(value));
        if (header == null) {
          return null;
        }
        headers.add(header);
      } else {
        return null;
      }
    }
    return new StoredMessage(frame.number, frame.time, payload, key, headers);
  }

  private static Header header(ByteBuffer in) {
    if (!in.hasRemaining() || in.get() != HEADER_NAME_TAG) {
      return null;
    }
    byte[] name = delimitedValue(in);
    if (name == null || !in.hasRemaining() || in.get() != HEADER_VALUE_TAG) {
      return null;
    }
    byte[] value = delimitedValue(in);
    if (value == null || in.hasRemaining()) {
      return null;
    }
    try {
      return new Header(new String(name, StandardCharsets.UTF_8), value);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** The bytes of a length-delimited value at the buffer's position, or null if it overruns. */
  private static byte[] delimitedValue(ByteBuffer in) {
    long length = 0;
    for (int shift = 0; ; shift += 7) {
      if (!in.hasRemaining() || shift > 28) {
        return null;
      }
      byte b = in.get();
      length |= (long) (b & 0x7F) << shift;
      if (b >= 0) {
        break;
      }
    }
    if (length > in.remaining()) {
      return null;
    }
    byte[] value = new byte[(int) length];
    in.get(value);
    return value;
  }
}
