package io.minikafka.broker.store.file;

import io.minikafka.broker.store.StoredMessage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * The two layouts of a segment file. A segment keeps one layout for its life; a store written by an
 * older version keeps its {@link #LEGACY} segments readable, and every segment created now is
 * {@link #WIRE}.
 *
 * <ul>
 *   <li>{@link #LEGACY}: records back to back from byte 0, each as {@link RecordFormat} lays it
 *       out.
 *   <li>{@link #WIRE}: an 8-byte header, the ASCII bytes {@code MKLG} then the format version 2 as
 *       a big-endian int, then records back to back, each as {@link WireRecordFormat} lays it out:
 *       a run of them is a Subscribe response's records, sent as they are.
 * </ul>
 *
 * A file is {@link #WIRE} when it starts with that header, unless its first 24 bytes are also a
 * whole valid legacy record of the segment's base number (a legacy record whose CRC happened to
 * spell the header).
 */
enum SegmentFormat {
  LEGACY {
    @Override
    int headerBytes() {
      return 0;
    }

    @Override
    int frameBytes() {
      return RecordFormat.HEADER_BYTES;
    }

    @Override
    int frame(ByteBuffer buffer, int at, RecordFrame frame) {
      if (at + RecordFormat.HEADER_BYTES > buffer.limit()) {
        return RecordFrame.SHORT;
      }
      int word = buffer.getInt(at + RecordFormat.LENGTH_OFFSET);
      int length = RecordFormat.bodyLength(word);
      frame.recordBytes = RecordFormat.recordBytes(length);
      frame.number = buffer.getLong(at + RecordFormat.NUMBER_OFFSET);
      frame.time = buffer.getLong(at + RecordFormat.TIME_OFFSET);
      frame.bodyBytes = length;
      frame.crc = buffer.getInt(at);
      frame.crcFrom = RecordFormat.LENGTH_OFFSET;
      frame.payloadFrom = RecordFormat.HEADER_BYTES;
      frame.payloadBytes = length;
      frame.extended = RecordFormat.extended(word);
      return RecordFrame.OK;
    }
  },

  WIRE {
    @Override
    int headerBytes() {
      return HEADER.length;
    }

    @Override
    int frameBytes() {
      return WireRecordFormat.MAX_HEADER_BYTES;
    }

    @Override
    int frame(ByteBuffer buffer, int at, RecordFrame frame) {
      return WireRecordFormat.frame(buffer, at, frame);
    }
  };

  private static final byte[] HEADER = {'M', 'K', 'L', 'G', 0, 0, 0, 2};

  /** Bytes before the first record. */
  abstract int headerBytes();

  /** The most bytes {@link #frame} reads of a record. */
  abstract int frameBytes();

  /**
   * Reads the framing of the record at {@code at} of {@code buffer} (whose limit is where its bytes
   * end) into {@code frame}: {@link RecordFrame#OK}, {@link RecordFrame#SHORT} or {@link
   * RecordFrame#BAD}. The record's length is not checked against anything.
   */
  abstract int frame(ByteBuffer buffer, int at, RecordFrame frame);

  /** Whether the CRC of the whole record at {@code at} of {@code buffer} matches its frame's. */
  final boolean crcMatches(ByteBuffer buffer, int at, RecordFrame frame) {
    return frame.crc == RecordFormat.crc(buffer, at + frame.crcFrom, at + (int) frame.recordBytes);
  }

  /**
   * The message of the record framed as {@code frame}, given its payload and what follows the
   * payload ({@code rest}, read from its position to its limit); null if that does not parse.
   */
  final StoredMessage decode(RecordFrame frame, byte[] payload, ByteBuffer rest) {
    return this == LEGACY
        ? RecordFormat.decode(frame.number, frame.time, payload, frame.extended)
        : WireRecordFormat.decode(frame, payload, rest);
  }

  /**
   * Whether {@code log} holds nothing but the new layout's header or the start of it, and perhaps
   * room for appends after it: a new segment that never took a record.
   */
  static boolean headerAtMost(FileChannel log) throws IOException {
    long size = log.size();
    if (size > HEADER.length && SegmentScanner.dataEnd(log, HEADER.length, size) > HEADER.length) {
      return false;
    }
    ByteBuffer start =
        Segment.readFully(log, ByteBuffer.allocate((int) Math.min(size, HEADER.length)), 0);
    return ByteBuffer.wrap(HEADER, 0, start.remaining()).equals(start);
  }

  /** The header a new segment starts with. */
  static ByteBuffer newHeader() {
    return ByteBuffer.wrap(HEADER.clone());
  }

  /**
   * The layout of the segment file {@code log} whose first record is numbered {@code base}: {@link
   * #WIRE} for an empty file, which a new segment's header is then written to.
   */
  static SegmentFormat of(FileChannel log, long base) throws IOException {
    long size = log.size();
    if (size == 0) {
      return WIRE;
    }
    ByteBuffer start =
        Segment.readFully(log, ByteBuffer.allocate((int) Math.min(size, HEADER.length)), 0);
    if (!ByteBuffer.wrap(HEADER, 0, start.remaining()).equals(start)) {
      return LEGACY;
    }
    // A shorter file is a new segment whose header was torn.
    return size < HEADER.length || !legacyRecordAtStart(log, base, size) ? WIRE : LEGACY;
  }

  private static boolean legacyRecordAtStart(FileChannel log, long base, long size)
      throws IOException {
    if (size < RecordFormat.HEADER_BYTES) {
      return false;
    }
    ByteBuffer header = Segment.readFully(log, ByteBuffer.allocate(RecordFormat.HEADER_BYTES), 0);
    RecordFrame frame = new RecordFrame();
    LEGACY.frame(header, 0, frame);
    if (frame.number != base || frame.recordBytes > size) {
      return false;
    }
    ByteBuffer record = Segment.readFully(log, ByteBuffer.allocate((int) frame.recordBytes), 0);
    return LEGACY.crcMatches(record, 0, frame);
  }
}
