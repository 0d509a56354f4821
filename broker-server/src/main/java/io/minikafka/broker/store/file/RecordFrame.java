package io.minikafka.broker.store.file;

/**
 * The framing of one record as a {@link SegmentFormat} reads it from the first bytes of the record:
 * enough to check it, skip it or count it against a limit without decoding it. One per reading
 * thread's loop, filled again for each record.
 */
final class RecordFrame {

  /** The framing was read. */
  static final int OK = 0;

  /** The bytes at hand end before the framing does. */
  static final int SHORT = 1;

  /** The bytes are not a record's framing. */
  static final int BAD = 2;

  /** Bytes of the whole record. */
  long recordBytes;

  long number;
  long time;

  /** What the record counts against a poll's byte limit, before {@code PollLimits.cost}. */
  long bodyBytes;

  /** The stored CRC, and where (from the record's start) the bytes it covers begin. */
  int crc;

  int crcFrom;

  /** Where the payload bytes begin, from the record's start, and how many there are. */
  int payloadFrom;

  int payloadBytes;

  /** Whether the record holds a key or headers besides its payload. */
  boolean extended;

  /** Room for a format's parsing of a varint, so that no read allocates. */
  final long[] scratch = new long[1];
}
