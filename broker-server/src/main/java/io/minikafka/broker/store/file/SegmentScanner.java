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
   * Scans {@code log} from byte {@code from}, where record number {@code expectedNumber} should
   * start, up to {@code fileSize}.
   */
  static ScanResult scan(
      FileChannel log, long from, long expectedNumber, long fileSize, boolean strict)
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
    while (position < fileSize) {
      if (position + RecordFormat.HEADER_BYTES > fileSize) {
        stopped = "torn record header";
        break;
      }
      if (position + RecordFormat.HEADER_BYTES > bufferStart + buffer.limit()) {
        buffer = refill(log, buffer, position, fileSize);
        bufferStart = position;
      }
      int at = (int) (position - bufferStart);
      int length = RecordFormat.bodyLength(buffer.getInt(at + RecordFormat.LENGTH_OFFSET));
      if (position + RecordFormat.recordBytes(length) > fileSize) {
        stopped = "torn or corrupt record (length " + length + ")";
        break;
      }
      long recordBytes = RecordFormat.recordBytes(length);
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
      long found = buffer.getLong(at + RecordFormat.NUMBER_OFFSET);
      if (found != number) {
        stopped = "expected message " + number + " but found " + found;
        break;
      }
      if (!RecordFormat.crcMatches(buffer, at, length)) {
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
      long time = buffer.getLong(at + RecordFormat.TIME_OFFSET);
      if (firstTime < 0) {
        firstTime = time;
      }
      lastTime = time;
      position += recordBytes;
      number++;
    }
    return new ScanResult(position, positions, count, firstTime, lastTime, stopped, damage);
  }

  private static ByteBuffer refill(FileChannel log, ByteBuffer buffer, long position, long fileSize)
      throws IOException {
    buffer.clear();
    buffer.limit((int) Math.min(buffer.capacity(), fileSize - position));
    return Segment.readFully(log, buffer, position);
  }
}
