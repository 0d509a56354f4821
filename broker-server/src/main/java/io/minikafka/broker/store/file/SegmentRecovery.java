package io.minikafka.broker.store.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Start-up recovery of one segment: finds how many valid records its log holds, cuts a torn tail
 * off the topic's last segment, and brings its index into agreement with the log.
 *
 * <ul>
 *   <li>An older (sealed) segment is checked in O(1): its index must have one entry per record and
 *       its last entry must point at a valid record with the right number that ends exactly at the
 *       end of the log. Otherwise it is scanned and its index rebuilt; it is never cut (but for
 *       zero bytes after its last record, below), so damage inside it is reported on read, never
 *       silently removed.
 *   <li>The last segment is trusted up to its last index entry that points at a valid record, and
 *       scanned from there (about one index-write interval of appends). The scan stops at the first
 *       invalid record; everything from there on is a torn or corrupt tail and is cut.
 *   <li>Zero bytes after a segment's last record are the room appends had not reached ({@link
 *       Segment#ROOM_BYTES}) when the server stopped without sealing it. They are cut from any
 *       segment, since no record is in them: silently from the last one, which has them after every
 *       kill, with a line from an older one (a machine down mid-roll, or damage).
 * </ul>
 *
 * Every change is reported to {@code repairs}, one line each, but for cutting the last segment's
 * room.
 */
final class SegmentRecovery {

  /**
   * What a segment holds once recovered.
   *
   * @param tail the positions of the records after the index file's entries, when the index is
   *     behind the log (an active segment's unwritten entries, or a rebuilt index); null for a
   *     sealed segment whose index file checked out
   * @param indexEntries how many entries the index file holds now: the records before {@code tail}
   */
  record Recovered(
      int count, long size, long firstTime, long lastTime, int[] tail, int indexEntries) {}

  private SegmentRecovery() {}

  static Recovered recover(
      FileChannel log,
      FileChannel index,
      Path logPath,
      SegmentFormat format,
      long base,
      boolean active,
      List<String> repairs)
      throws IOException {
    long logSize = log.size();
    long indexSize = index.size();
    // Only the last entry is checked, and the first read for its time: a whole index is never
    // loaded, so start-up memory does not grow with segment sizes or topic counts.
    int entries = SegmentIndex.entries(index);
    int trusted = 0;
    long scanFrom = format.headerBytes();
    if (entries > 0) {
      long end =
          validRecordEnd(
              log, format, SegmentIndex.read(index, entries - 1), base + entries - 1, logSize);
      if (end > 0) {
        trusted = entries;
        scanFrom = end;
      }
    }
    boolean indexWhole =
        trusted == entries && indexSize == (long) entries * SegmentIndex.ENTRY_BYTES;
    if (!active && indexWhole && scanFrom == logSize) {
      long first = entries > 0 ? readTime(log, format, SegmentIndex.read(index, 0)) : -1;
      long last = entries > 0 ? readTime(log, format, SegmentIndex.read(index, entries - 1)) : -1;
      // A damaged first record (reported when read) leaves retention the last one's time.
      return new Recovered(entries, logSize, first < 0 ? last : first, last, null, entries);
    }
    // The last segment is cut at its first bad record (a torn write); older ones are never cut (but
    // for room, below), only indexed as far as their framing allows, so that their damage is
    // reported on read.
    ScanResult scan = SegmentScanner.scan(log, format, scanFrom, base + trusted, logSize, active);
    int total = trusted + scan.count();
    int[] tail = Arrays.copyOf(scan.positions(), scan.count());
    String file = logPath.getFileName().toString();
    if (scan.damage() != null) {
      repairs.add("segment " + file + " is damaged: " + scan.damage());
    }
    long dataEnd = SegmentScanner.dataEnd(log, scan.validEnd(), logSize);
    if (dataEnd == scan.validEnd() && dataEnd < logSize) {
      // Only room for appends after the records: nothing is lost with it. The last segment has it
      // after any stop without sealing; an older one only if the machine went down mid-roll, or
      // if its tail was zeroed by damage, which is worth a line.
      if (!active) {
        repairs.add(
            String.format(
                "segment %s: cut %d zero bytes after its last record (room for appends, or damage)",
                file, logSize - dataEnd));
      }
      log.truncate(dataEnd);
      logSize = dataEnd;
    }
    if (scan.validEnd() < logSize) {
      if (active) {
        repairs.add(
            String.format(
                "segment %s: cut %d bytes after message %d (%s)",
                file, dataEnd - scan.validEnd(), base + total - 1, scan.stopped()));
        log.truncate(scan.validEnd());
      } else {
        repairs.add(
            String.format(
                "segment %s is damaged at byte %d (%s): messages from %d on in it cannot be read",
                file, scan.validEnd(), scan.stopped(), base + total));
      }
    }
    // An active segment's tail is indexed in the background, so missing entries there are normal.
    if (!indexWhole || (!active && scan.count() > 0)) {
      repairs.add("segment " + file + ": rebuilt index of " + total + " entries");
    }
    if (!indexWhole) {
      index.truncate((long) trusted * SegmentIndex.ENTRY_BYTES);
    }
    long size = active ? scan.validEnd() : logSize;
    long first = -1;
    long last = -1;
    if (total > 0) {
      first = trusted > 0 ? readTime(log, format, SegmentIndex.read(index, 0)) : scan.firstTime();
      last =
          scan.count() > 0
              ? scan.lastTime()
              : readTime(log, format, SegmentIndex.read(index, trusted - 1));
      first = first < 0 ? last : first;
    }
    return new Recovered(total, size, first, last, tail, trusted);
  }

  /**
   * How many records the topic's last segment would keep: what {@link #recover} keeps of a last
   * segment, counted without changing either file.
   */
  static int countAsLast(FileChannel log, FileChannel index, long base) throws IOException {
    int entries = SegmentIndex.entries(index);
    return countAsLast(
        log, entries, entries > 0 ? SegmentIndex.read(index, entries - 1) : -1, base);
  }

  /** {@link #countAsLast(FileChannel, FileChannel, long)} for a segment without an index file. */
  static int countAsLast(FileChannel log, long base) throws IOException {
    return countAsLast(log, 0, -1, base);
  }

  private static int countAsLast(FileChannel log, int entries, long lastEntry, long base)
      throws IOException {
    long logSize = log.size();
    SegmentFormat format = SegmentFormat.of(log, base);
    int trusted = 0;
    long scanFrom = format.headerBytes();
    if (entries > 0) {
      long end = validRecordEnd(log, format, lastEntry, base + entries - 1, logSize);
      if (end > 0) {
        trusted = entries;
        scanFrom = end;
      }
    }
    return trusted
        + SegmentScanner.scan(log, format, scanFrom, base + trusted, logSize, true).count();
  }

  /**
   * The end of the record at {@code position} if it is valid and numbered {@code number}, else -1.
   */
  private static long validRecordEnd(
      FileChannel log, SegmentFormat format, long position, long number, long logSize)
      throws IOException {
    if (position < format.headerBytes() || position >= logSize) {
      return -1;
    }
    RecordFrame frame = new RecordFrame();
    ByteBuffer header =
        Segment.readFully(
            log,
            ByteBuffer.allocate((int) Math.min(format.frameBytes(), logSize - position)),
            position);
    if (format.frame(header, 0, frame) != RecordFrame.OK
        || position + frame.recordBytes > logSize
        || frame.number != number) {
      return -1;
    }
    ByteBuffer record =
        Segment.readFully(log, ByteBuffer.allocate((int) frame.recordBytes), position);
    return format.crcMatches(record, 0, frame) ? position + frame.recordBytes : -1;
  }

  /** The append time of the record at {@code position}, or -1 if no record's framing is there. */
  private static long readTime(FileChannel log, SegmentFormat format, long position)
      throws IOException {
    long size = log.size();
    if (position < format.headerBytes() || position >= size) {
      return -1;
    }
    RecordFrame frame = new RecordFrame();
    ByteBuffer header =
        Segment.readFully(
            log,
            ByteBuffer.allocate((int) Math.min(format.frameBytes(), size - position)),
            position);
    return format.frame(header, 0, frame) == RecordFrame.OK ? frame.time : -1;
  }
}
