package io.minikafka.broker.store.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Arrays;

/**
 * Reads a segment's records in order from a position, checking framing, CRC and numbering: what
 * recovery and {@code mkfk-fsck} both rely on.
 *
 * <p>Strict scans stop at the first record that fails any check; they find where a torn tail
 * starts. Tolerant scans go on past a record whose CRC fails as long as its header (length and
 * number) is intact, so a sealed segment with a damaged payload can still be indexed and its other
 * records read; they stop only where the framing itself is lost.
 */
final class SegmentScanner {

  private static final int CHUNK = 1024 * 1024;

  private SegmentScanner() {}

  /**
   * Scans {@code log}, laid out as {@code format}, from byte {@code from}, where record number
   * {@code expectedNumber} should start, up to {@code fileSize}.
   */
  static ScanResult scan(
      FileChannel log,
      SegmentFormat format,
      long from,
      long expectedNumber,
      long fileSize,
      boolean strict)
      throws IOException {
    int[] positions = new int[1024];
    int count = 0;
    long firstTime = -1;
    long lastTime = -1;
    long position = from;
    long number = expectedNumber;
    ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(CHUNK, Math.max(0, fileSize - from)));
    long bufferStart = from;
    buffer.limit(0);
    String stopped = null;
    String damage = null;
    RecordFrame frame = new RecordFrame();
    while (position < fileSize) {
      if (position + format.frameBytes() > bufferStart + buffer.limit()
          && bufferStart + buffer.limit() < fileSize) {
        buffer = refill(log, buffer, position, fileSize);
        bufferStart = position;
      }
      int at = (int) (position - bufferStart);
      int framed = format.frame(buffer, at, frame);
      if (framed == RecordFrame.SHORT) {
        stopped = "torn record header";
        break;
      }
      if (framed == RecordFrame.BAD) {
        stopped = "corrupt record framing";
        break;
      }
      long recordBytes = frame.recordBytes;
      if (position + recordBytes > fileSize) {
        stopped = "torn or corrupt record (length " + frame.bodyBytes + ")";
        break;
      }
      if (at + recordBytes > buffer.limit()) {
        buffer =
            refill(
                log,
                recordBytes > buffer.capacity() ? ByteBuffer.allocate((int) recordBytes) : buffer,
                position,
                fileSize);
        bufferStart = position;
        at = 0;
      }
      if (frame.number != number) {
        stopped = "expected message " + number + " but found " + frame.number;
        break;
      }
      if (!format.crcMatches(buffer, at, frame)) {
        if (strict) {
          stopped = "CRC mismatch in message " + number;
          break;
        }
        if (damage == null) {
          damage = "CRC mismatch in message " + number + " at byte " + position;
        }
      }
      if (count == positions.length) {
        positions = Arrays.copyOf(positions, count * 2);
      }
      positions[count++] = (int) position;
      if (firstTime < 0) {
        firstTime = frame.time;
      }
      lastTime = frame.time;
      position += recordBytes;
      number++;
    }
    return new ScanResult(position, positions, count, firstTime, lastTime, stopped, damage);
  }

  /**
   * Where the bytes of {@code log} between {@code from} and {@code to} stop being zero, reading
   * back from {@code to}: {@code from} if all are. Zero bytes from a record boundary to the end of
   * a segment are room for appends ({@link Segment#ROOM_BYTES}) that no record reached, as a crash
   * leaves it: a record's first bytes, whole or torn, are never all zero in either layout (a tag,
   * or a number of at least 1).
   */
  static long dataEnd(FileChannel log, long from, long to) throws IOException {
    // Read back in growing windows: a tail that is not room ends at its last byte, one small read.
    int window = 4096;
    long end = to;
    while (end > from) {
      int length = (int) Math.min(window, end - from);
      ByteBuffer buffer = Segment.readFully(log, ByteBuffer.allocate(length), end - length);
      for (int i = length - 1; i >= 0; i--) {
        if (buffer.get(i) != 0) {
          return end - length + i + 1;
        }
      }
      end -= length;
      window = Math.min(CHUNK, window * 2);
    }
    return from;
  }

  private static ByteBuffer refill(FileChannel log, ByteBuffer buffer, long position, long fileSize)
      throws IOException {
    buffer.clear();
    buffer.limit((int) Math.min(buffer.capacity(), fileSize - position));
    return Segment.readFully(log, buffer, position);
  }
}
