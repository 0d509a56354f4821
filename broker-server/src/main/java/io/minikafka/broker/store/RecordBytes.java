package io.minikafka.broker.store;

import java.lang.ref.SoftReference;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Consecutive messages as the bytes of {@code protocol.SubscribeResponse.records} entries: a
 * Subscribe response's records, sent without decoding, as a store that keeps them in that form
 * reads them or as {@link RecordBytesWriter} writes them. Each record may carry its CRC32C as
 * {@code MessageRecord.crc32c}.
 *
 * <p>The array may be a thread's spare one ({@link #spareArray}): whoever sends the bytes gives it
 * back with {@link #release} once they are copied out, so that a reader that keeps reading reuses
 * one array instead of allocating and zeroing one per read. One not given back is garbage.
 *
 * @param array holds the entries, back to back, from index 0; shared, not to be changed
 * @param length how many bytes of {@code array} they take (the rest is not theirs)
 * @param count how many messages they hold
 * @param payloadBytes the sum of their payloads' lengths
 */
public record RecordBytes(byte[] array, int length, int count, long payloadBytes) {

  /** The smallest array handed out: a few records' worth, grown by the reader as needed. */
  private static final int MIN_ARRAY_BYTES = 64 * 1024;

  /** Each thread's spare array, softly held so that an idle reader gives it back. */
  private static final ThreadLocal<SoftReference<byte[]>> SPARE = new ThreadLocal<>();

  public RecordBytes {
    Objects.checkFromIndexSize(0, length, array.length);
  }

  /** The entries, read-only. */
  public ByteBuffer buffer() {
    return ByteBuffer.wrap(array, 0, length).asReadOnlyBuffer();
  }

  /**
   * An array of at least {@code minBytes} to read records into: this thread's spare one, which it
   * no longer holds, or a new one.
   */
  public static byte[] spareArray(int minBytes) {
    SoftReference<byte[]> held = SPARE.get();
    byte[] spare = held == null ? null : held.get();
    if (spare != null && spare.length >= minBytes) {
      SPARE.remove();
      return spare;
    }
    return new byte[Math.max(minBytes, MIN_ARRAY_BYTES)];
  }

  /**
   * Gives the array to the calling thread as its spare, once the bytes are sent and nothing reads
   * them again. Call at most once.
   */
  public void release() {
    SoftReference<byte[]> held = SPARE.get();
    byte[] spare = held == null ? null : held.get();
    if (spare == null || spare.length < array.length) {
      SPARE.set(new SoftReference<>(array));
    }
  }
}
