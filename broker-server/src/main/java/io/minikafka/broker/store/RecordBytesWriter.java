package io.minikafka.broker.store;

import com.google.protobuf.CodedOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Builds {@link RecordBytes} from messages a store holds in another form (Kafka's records): each
 * message written straight as one {@code protocol.SubscribeResponse.records} entry, with no
 * protobuf object in between and no CRC field (the bytes never rest on a disk of this server's). A
 * store that keeps its messages as these entries (the memory store) writes each with {@link
 * #writeEntry}. The bytes are exactly what the generated classes write: fields in number order,
 * defaults left out.
 *
 * <pre>
 * 0x0A, varint L, then L bytes of MessageRecord:
 *   0x08 varint number; 0x10 varint append time (left out when 0);
 *   0x1A varint P, P bytes of payload (left out when empty); 0x22 varint K, K bytes of key (the same);
 *   per header, in order: 0x2A varint H, then H bytes of Header: 0x0A varint N, N bytes of UTF-8
 *   name, 0x12 varint V, V bytes of value (each left out when empty)
 * </pre>
 *
 * <p>The array is this thread's spare one when it is large enough ({@link RecordBytes#spareArray}):
 * whoever sends the result gives it back with {@link RecordBytes#release}. Not thread-safe: one
 * reader fills one writer.
 */
public final class RecordBytesWriter {

  private static final byte[] NONE = new byte[0];

  private byte[] array;

  /** {@code array}, to write entries through. */
  private ByteBuffer view;

  private int length;
  private int count;
  private long payloadBytes;

  /** A writer whose first array holds at least {@code sizeHint} bytes; it grows as needed. */
  public RecordBytesWriter(int sizeHint) {
    this.array = RecordBytes.spareArray(Math.max(sizeHint, 0));
    this.view = ByteBuffer.wrap(array);
  }

  /**
   * Appends a message.
   *
   * @param payload its payload; null reads as empty
   * @param key its key; null or empty when it has none
   * @param headers its headers, in order
   * @throws IllegalArgumentException if the messages written would take 2 GiB or more
   */
  public void add(long number, long time, byte[] payload, byte[] key, List<Header> headers) {
    payload = payload == null ? NONE : payload;
    key = key == null ? NONE : key;
    long whole = entryBytes(number, time, payload, key, headers);
    if (whole > Integer.MAX_VALUE - 16 - length) {
      throw new IllegalArgumentException(
          "records must take under 2 GiB together; message " + number + " takes " + whole);
    }
    ensure((int) whole);
    view.position(length);
    writeEntry(view, number, time, payload, key, headers);
    length = view.position();
    count++;
    payloadBytes += payload.length;
  }

  /** The messages added, as their bytes; the writer is not to be used after. */
  public RecordBytes toRecordBytes() {
    return new RecordBytes(array, length, count, payloadBytes);
  }

  /**
   * How many bytes a message's entry takes: what {@link #writeEntry} writes for the same message.
   */
  public static long entryBytes(
      long number, long time, byte[] payload, byte[] key, List<Header> headers) {
    return 1 + delimited(recordBytes(number, time, payload, key, headers));
  }

  /**
   * Writes a message's entry at {@code out}'s position, which it advances; {@code out} must have
   * {@link #entryBytes} of room. For a store that keeps its messages as these bytes.
   *
   * @param payload its payload, empty for none
   * @param key its key, empty for none
   */
  public static void writeEntry(
      ByteBuffer out, long number, long time, byte[] payload, byte[] key, List<Header> headers) {
    out.put((byte) 0x0A);
    putVarint(out, recordBytes(number, time, payload, key, headers));
    putVarintField(out, 0x08, number);
    putVarintField(out, 0x10, time);
    putBytesField(out, 0x1A, payload);
    putBytesField(out, 0x22, key);
    for (Header header : headers) {
      byte[] name = header.name().getBytes(StandardCharsets.UTF_8);
      out.put((byte) 0x2A);
      putVarint(out, headerBytes(name, header.value()));
      putBytesField(out, 0x0A, name);
      putBytesField(out, 0x12, header.value());
    }
  }

  /** The length of a message's MessageRecord. */
  private static long recordBytes(
      long number, long time, byte[] payload, byte[] key, List<Header> headers) {
    long inner = varintField(number) + varintField(time) + bytesField(payload) + bytesField(key);
    for (Header header : headers) {
      inner +=
          1
              + delimited(
                  headerBytes(header.name().getBytes(StandardCharsets.UTF_8), header.value()));
    }
    return inner;
  }

  private static long headerBytes(byte[] name, byte[] value) {
    return bytesField(name) + bytesField(value);
  }

  private static long varintField(long value) {
    return value == 0 ? 0 : 1 + CodedOutputStream.computeUInt64SizeNoTag(value);
  }

  private static long bytesField(byte[] value) {
    return value.length == 0 ? 0 : 1 + delimited(value.length);
  }

  /** A length's varint and that many bytes. */
  private static long delimited(long bytes) {
    return CodedOutputStream.computeUInt64SizeNoTag(bytes) + bytes;
  }

  private void ensure(int more) {
    if (array.length - length < more) {
      long wanted = Math.max((long) length + more, 2L * array.length);
      array = Arrays.copyOf(array, (int) Math.min(wanted, Integer.MAX_VALUE - 8));
      view = ByteBuffer.wrap(array);
    }
  }

  private static void putVarintField(ByteBuffer out, int tag, long value) {
    if (value != 0) {
      out.put((byte) tag);
      putVarint(out, value);
    }
  }

  private static void putBytesField(ByteBuffer out, int tag, byte[] value) {
    if (value.length > 0) {
      out.put((byte) tag);
      putVarint(out, value.length);
      out.put(value);
    }
  }

  private static void putVarint(ByteBuffer out, long value) {
    while ((value & ~0x7FL) != 0) {
      out.put((byte) ((value & 0x7F) | 0x80));
      value >>>= 7;
    }
    out.put((byte) value);
  }
}
