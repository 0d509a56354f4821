package io.minikafka.broker.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One message to store: its payload, and optionally a key and headers (as Kafka's records). An
 * empty key is no key.
 *
 * <p>A payload is either an array of its own or {@linkplain #lent lent}: views of buffers that
 * belong to someone else (gRPC's receive buffers), valid until that {@link Loan} ends. A store
 * copies a lent payload into its own memory before its store call returns ({@link #putPayload}, one
 * copy from the network to the log), and keeps no view of it. {@link #payload()} gives an array in
 * either case; the first call copies a lent payload, and later calls, from any thread, return that
 * copy. The lender ends the loan only once the store call it gave the record to has returned.
 */
public final class Record {

  private static final byte[] NO_KEY = new byte[0];
  private static final ByteBuffer[] NO_PARTS = new ByteBuffer[0];

  private final byte[] key;
  private final List<Header> headers;
  private final int payloadLength;

  /** The payload's own array, or null while it is lent and not yet copied. */
  private volatile byte[] payload;

  private final ByteBuffer[] parts;
  private final Loan loan;

  /**
   * A record with a payload of its own.
   *
   * @param key the key's bytes, empty for none; shared, not to be changed
   * @param headers the headers in order, names may repeat
   * @param payload the payload's bytes (any length, empty included); shared, not to be changed
   */
  public Record(byte[] key, List<Header> headers, byte[] payload) {
    this.key = Objects.requireNonNull(key, "key");
    this.headers = List.copyOf(headers);
    this.payload = Objects.requireNonNull(payload, "payload");
    this.payloadLength = payload.length;
    this.parts = NO_PARTS;
    this.loan = null;
  }

  private Record(byte[] key, List<Header> headers, ByteBuffer[] parts, Loan loan) {
    this.key = Objects.requireNonNull(key, "key");
    this.headers = List.copyOf(headers);
    this.loan = Objects.requireNonNull(loan, "loan");
    long length = 0;
    for (ByteBuffer part : parts) {
      length += part.remaining();
    }
    if (length > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("a payload must be under 2 GiB, this one is " + length);
    }
    this.parts = parts;
    this.payloadLength = (int) length;
  }

  /** A message of a payload alone, as the original's clients send. */
  public static Record of(byte[] payload) {
    return new Record(NO_KEY, List.of(), payload);
  }

  /**
   * A record whose payload is the bytes remaining in {@code parts}, in order, lent until {@code
   * loan} ends. The array is the record's from then on; the buffers' positions are never moved.
   */
  public static Record lent(byte[] key, List<Header> headers, ByteBuffer[] parts, Loan loan) {
    return new Record(key, headers, parts, loan);
  }

  /** The key's bytes, empty for none; shared, not to be changed. */
  public byte[] key() {
    return key;
  }

  /** The headers in order. */
  public List<Header> headers() {
    return headers;
  }

  /** The payload's bytes; a lent payload is copied into an array of its own the first time. */
  public byte[] payload() {
    byte[] own = payload;
    if (own == null) {
      own = new byte[payloadLength];
      putPayload(ByteBuffer.wrap(own));
      payload = own;
    }
    return own;
  }

  /** This record, or, if its payload is lent, the same record with a copy of its own. */
  public Record owned() {
    return loan == null ? this : new Record(key, headers, payload());
  }

  /** The payload's length in bytes. */
  public int payloadLength() {
    return payloadLength;
  }

  /**
   * Puts the payload's bytes into {@code out} at its position, which it advances past them.
   *
   * @throws IllegalStateException if the payload is lent and its loan has ended
   */
  public void putPayload(ByteBuffer out) {
    byte[] own = payload;
    if (own != null) {
      out.put(own);
      return;
    }
    loan.check();
    for (ByteBuffer part : parts) {
      int n = part.remaining();
      out.put(out.position(), part, part.position(), n);
      out.position(out.position() + n);
    }
  }

  /**
   * Checks that the record may be stored: its payload is its own, or lent under a loan that has not
   * ended (copied or not, a record whose loan has ended is not its lender's to store any more).
   *
   * @throws IllegalStateException if the payload's loan has ended
   */
  public void checkReadable() {
    if (loan != null) {
      loan.check();
    }
  }

  /** Whether the message has neither key nor headers. */
  public boolean plain() {
    return key.length == 0 && headers.isEmpty();
  }

  /**
   * Bytes of key and headers, as they count toward a message's size: the key, each header's name
   * (UTF-8) and value, and 6 bytes per header for their lengths.
   */
  public long extraBytes() {
    long bytes = key.length;
    for (Header header : headers) {
      bytes += 6 + header.name().getBytes(StandardCharsets.UTF_8).length + header.value().length;
    }
    return bytes;
  }

  @Override
  public String toString() {
    return "Record[" + payloadLength + " bytes, key " + key.length + ", headers " + headers + "]";
  }

  /**
   * The time for which buffers are lent to records: from the records' making until {@link #end},
   * after which their owner may reuse them and a lent payload refuses to be read.
   */
  public static final class Loan {
    private final AtomicBoolean ended = new AtomicBoolean();

    /**
     * Ends the loan; the lender calls it before it takes its buffers back.
     *
     * @return whether this call ended it, not an earlier one
     */
    public boolean end() {
      return ended.compareAndSet(false, true);
    }

    void check() {
      if (ended.get()) {
        throw new IllegalStateException(
            "a message's payload was read after the buffers it was lent from were given back");
      }
    }
  }
}
