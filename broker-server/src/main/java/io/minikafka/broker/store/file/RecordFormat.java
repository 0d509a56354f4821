package io.minikafka.broker.store.file;

import io.minikafka.broker.store.Header;
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
 * expected at its place; anything else is a torn write or corruption. Segments of this layout are
 * only read: new records are written as {@link WireRecordFormat} lays them out.
 */
final class RecordFormat {

  static final int HEADER_BYTES = 24;
  static final int LENGTH_OFFSET = 4;
  static final int NUMBER_OFFSET = 8;
  static final int TIME_OFFSET = 16;

  /** The length word's flag of an extended record. */
  static final int EXTENDED = 0x80000000;

  private RecordFormat() {}

  /** The body's length, from a record's length word. */
  static int bodyLength(int lengthWord) {
    return lengthWord & ~EXTENDED;
  }

  /** Whether a record's length word says its body holds a key and headers. */
  static boolean extended(int lengthWord) {
    return (lengthWord & EXTENDED) != 0;
  }

  /** Total bytes a record whose body is this long takes. */
  static long recordBytes(long bodyLength) {
    return HEADER_BYTES + bodyLength;
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
}
