package io.minikafka.broker.store;

import com.google.protobuf.CodedOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Builds {@link RecordBytes} from messages a store holds in another form (Kafka's records): each
 * message written straight as one {@code protocol.SubscribeResponse.records} entry, with no
 * protobuf object in between and no CRC field (the bytes never rest on a disk of this server's).
 * The bytes are exactly what the generated classes write: fields in number order, defaults left
 * out.
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
  private int length;
  private int count;
  private long payloadBytes;

  /** A writer whose first array holds at least {@code sizeHint} bytes; it grows as needed. */
  public RecordBytesWriter(int sizeHint) {
    this.array = RecordBytes.spareArray(Math.max(sizeHint, 0));
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
    byte[][] names = headers.isEmpty() ? null : new byte[headers.size()][];
    long inner = varintField(number) + varintField(time) + bytesField(payload) + bytesField(key);
    for (int i = 0; i < headers.size(); i++) {
      names[i] = headers.get(i).name().getBytes(StandardCharsets.UTF_8);
      inner += 1 + delimited(headerBytes(names[i], headers.get(i).value()));
    }
    long whole = 1 + delimited(inner);
    if (whole > Integer.MAX_VALUE - 16 - length) {
      throw new IllegalArgumentException(
          "records must take under 2 GiB together; message " + number + " takes " + whole);
    }
    ensure((int) whole);
    array[length++] = 0x0A;
    putVarint(inner);
    putVarintField(0x08, number);
    putVarintField(0x10, time);
    putBytesField(0x1A, payload);
    putBytesField(0x22, key);
    for (int i = 0; i < headers.size(); i++) {
      byte[] value = headers.get(i).value();
      array[length++] = 0x2A;
      putVarint(headerBytes(names[i], value));
      putBytesField(0x0A, names[i]);
      putBytesField(0x12, value);
    }
    count++;
    payloadBytes += payload.length;
  }

  /** The messages added, as their bytes; the writer is not to be used after. */
  public RecordBytes toRecordBytes() {
    return new RecordBytes(array, length, count, payloadBytes);
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
    }
  }

  private void putVarintField(int tag, long value) {
    if (value != 0) {
      array[length++] = (byte) tag;
      putVarint(value);
    }
  }

  private void putBytesField(int tag, byte[] value) {
    if (value.length > 0) {
      array[length++] = (byte) tag;
      putVarint(value.length);
      System.arraycopy(value, 0, array, length, value.length);
      length += value.length;
    }
  }

  private void putVarint(long value) {
    while ((value & ~0x7FL) != 0) {
      array[length++] = (byte) ((value & 0x7F) | 0x80);
      value >>>= 7;
    }
    array[length++] = (byte) value;
  }
}
