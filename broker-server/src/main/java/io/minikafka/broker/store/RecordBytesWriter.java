package io.minikafka.broker.store;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Builds {@link RecordBytes} from messages a store holds in another form (Kafka's records): each
 * message written straight as one {@code protocol.SubscribeResponse.records} entry, with no message
 * object in between and no CRC field (the bytes never rest on a disk of this server's).
 *
 * <pre>
 * 0x0A, varint L, then L bytes of MessageRecord:
 *   0x08 varint number; 0x10 varint append time; 0x1A varint P, P bytes of payload;
 *   when there is a key: 0x22 varint K, K bytes;
 *   per header, in order: 0x2A varint H, then 0x0A varint N, N bytes of UTF-8 name, 0x12 varint V,
 *   V bytes of value
 * </pre>
 *
 * Not thread-safe: one reader fills one writer.
 */
public final class RecordBytesWriter {

  private static final byte[] NONE = new byte[0];

  private byte[] array;
  private int length;
  private int count;
  private long payloadBytes;

  /** A writer whose first array holds at least {@code sizeHint} bytes: the thread's spare one. */
  public RecordBytesWriter(int sizeHint) {
    this.array = RecordBytes.spareArray(Math.max(sizeHint, 0));
  }

  /**
   * Appends a message.
   *
   * @param payload its payload; null reads as empty
   * @param key its key; null or empty when it has none
   * @param headers its headers, in order
   * @throws IllegalArgumentException if the entry would reach 2 GiB
   */
  public void add(long number, long time, byte[] payload, byte[] key, List<Header> headers) {
    payload = payload == null ? NONE : payload;
    key = key == null ? NONE : key;
    byte[][] names = headers.isEmpty() ? null : new byte[headers.size()][];
    long inner =
        1
            + varintBytes(number)
            + 1
            + varintBytes(time)
            + delimited(payload.length)
            + (key.length > 0 ? delimited(key.length) : 0);
    for (int i = 0; i < headers.size(); i++) {
      names[i] = headers.get(i).name().getBytes(StandardCharsets.UTF_8);
      inner += delimited(headerBytes(names[i], headers.get(i).value()));
    }
    long whole = 1 + varintBytes(inner) + inner;
    if (whole > Integer.MAX_VALUE - 16 - length) {
      throw new IllegalArgumentException(
          "records must take under 2 GiB together; message " + number + " takes " + whole);
    }
    ensure((int) whole);
    array[length++] = 0x0A;
    putVarint(inner);
    array[length++] = 0x08;
    putVarint(number);
    array[length++] = 0x10;
    putVarint(time);
    putDelimited(0x1A, payload);
    if (key.length > 0) {
      putDelimited(0x22, key);
    }
    for (int i = 0; i < headers.size(); i++) {
      byte[] value = headers.get(i).value();
      array[length++] = 0x2A;
      putVarint(headerBytes(names[i], value));
      putDelimited(0x0A, names[i]);
      putDelimited(0x12, value);
    }
    count++;
    payloadBytes += payload.length;
  }

  /** How many messages were added. */
  public int count() {
    return count;
  }

  /** The messages added, as their bytes; the writer is not to be used after. */
  public RecordBytes toRecordBytes() {
    return new RecordBytes(array, length, count, payloadBytes);
  }

  private static long headerBytes(byte[] name, byte[] value) {
    return delimited(name.length) + delimited(value.length);
  }

  private static long delimited(long bytes) {
    return 1 + varintBytes(bytes) + bytes;
  }

  private static int varintBytes(long value) {
    return value == 0 ? 1 : (63 - Long.numberOfLeadingZeros(value)) / 7 + 1;
  }

  private void ensure(int more) {
    if (array.length - length < more) {
      long wanted = Math.max((long) length + more, 2L * array.length);
      array = Arrays.copyOf(array, (int) Math.min(wanted, Integer.MAX_VALUE - 8));
    }
  }

  private void putDelimited(int tag, byte[] value) {
    array[length++] = (byte) tag;
    putVarint(value.length);
    System.arraycopy(value, 0, array, length, value.length);
    length += value.length;
  }

  private void putVarint(long value) {
    while ((value & ~0x7FL) != 0) {
      array[length++] = (byte) ((value & 0x7F) | 0x80);
      value >>>= 7;
    }
    array[length++] = (byte) value;
  }
}
