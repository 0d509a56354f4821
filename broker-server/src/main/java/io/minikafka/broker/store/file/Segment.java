package io.minikafka.broker.store.file;

import io.minikafka.broker.store.CorruptRecordException;
import io.minikafka.broker.store.PollLimits;
import io.minikafka.broker.store.StoredMessage;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;

/**
 * One segment of a topic's log: a file of records ({@link RecordFormat}) whose first record has
 * number {@link #base}, named {@code <base, 20 digits>.log}, plus a dense index {@code
 * <base>.index} holding, for the i-th record, its byte position as a 4-byte big-endian integer.
 * The index can always be rebuilt from the log.
 *
 * <p>Thread-safety: appends, rolls and recovery are serialised by the owning {@link FileTopic};
 * reads run concurrently with them and see only what the topic has committed. The active segment
 * keeps its index in memory too (reads use it); a sealed one reads its index file.
 */
final class Segment implements Closeable {

  static final String LOG_SUFFIX = ".log";
  static final String INDEX_SUFFIX = ".index";
  private static final int READ_CHUNK = 256 * 1024;
  private static final int MAX_READ_CHUNK = 4 * 1024 * 1024;

  final long base;
  final Path logPath;
  final Path indexPath;
  private final FileChannel log;
  private final FileChannel index;
  private final FileOps ops;

  /** Positions of every record, while this is the active segment; null once sealed. */
  private volatile int[] positions;
  private volatile int count;
  private volatile long size;
  private volatile long committedBytes;
  private volatile long firstTime = -1;
  private volatile long lastTime = -1;
  /** How many entries the index file holds. Guarded by this. */
  private int indexedEntries;

  private Segment(long base, Path dir, FileOps opener) throws IOException {
    this.base = base;
    this.ops = opener;
    this.logPath = dir.resolve(fileName(base, LOG_SUFFIX));
    this.indexPath = dir.resolve(fileName(base, INDEX_SUFFIX));
    this.log =
        opener.open(logPath, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    FileChannel idx;
    try {
      idx =
          opener.open(
              indexPath, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    } catch (IOException e) {
      log.close();
      throw e;
    }
    this.index = idx;
  }

  static String fileName(long base, String suffix) {
    return String.format("%020d%s", base, suffix);
  }

  /** The base number encoded in a segment log file name, or -1 if the name is not one. */
  static long baseOf(String fileName) {
    if (!fileName.endsWith(LOG_SUFFIX) || fileName.length() != 20 + LOG_SUFFIX.length()) {
      return -1;
    }
    String digits = fileName.substring(0, 20);
    for (int i = 0; i < digits.length(); i++) {
      if (!Character.isDigit(digits.charAt(i))) {
        return -1;
      }
    }
    long base = Long.parseLong(digits);
    return base >= 1 ? base : -1;
  }

  /** A new, empty active segment. */
  static Segment create(Path dir, long base, FileOps opener) throws IOException {
    Segment s = new Segment(base, dir, opener);
    s.log.truncate(0);
    s.index.truncate(0);
    s.positions = new int[1024];
    return s;
  }

  /**
   * Opens an existing segment. A sealed segment whose index checks out is opened without reading
   * its records; otherwise (and always for the last segment) the records past the last index entry
   * that checks out are scanned, a torn or corrupt tail is cut off, and the index is rebuilt.
   *
   * @param active whether this is the topic's last segment, which keeps taking appends
   * @param repairs told, one line each, what recovery changed
   */
  static Segment open(Path dir, long base, boolean active, FileOps opener, List<String> repairs)
      throws IOException {
    Segment s = new Segment(base, dir, opener);
    try {
      s.recover(active, repairs);
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
    return s;
  }

  private void recover(boolean active, List<String> repairs) throws IOException {
    long logSize = log.size();
    long indexSize = index.size();
    int entries = (int) Math.min(indexSize / 4, Integer.MAX_VALUE);
    int[] indexed = readIndex(entries);
    // Trust the index up to its last entry if that entry points at the valid record it should.
    int trusted = 0;
    long scanFrom = 0;
    if (entries > 0) {
      long end = validRecordEnd(indexed[entries - 1], base + entries - 1, logSize);
      if (end > 0) {
        trusted = entries;
        scanFrom = end;
      }
    }
    if (!active && trusted == entries && scanFrom == logSize && indexSize == entries * 4L) {
      count = entries;
      size = logSize;
      committedBytes = logSize;
      indexedEntries = entries;
      if (entries > 0) {
        firstTime = readTime(indexed[0]);
        lastTime = readTime(indexed[entries - 1]);
      }
      return;
    }
    // The last segment is cut at its first bad record (a torn write); older ones are never cut,
    // only indexed as far as their framing allows, so that their damage is reported on read.
    ScanResult scan = SegmentScanner.scan(log, scanFrom, base + trusted, logSize, active);
    int total = trusted + scan.count();
    int[] all = Arrays.copyOf(indexed, Math.max(1024, total + 1));
    System.arraycopy(scan.positions(), 0, all, trusted, scan.count());
    if (scan.damage() != null) {
      repairs.add("segment " + logPath.getFileName() + " is damaged: " + scan.damage());
    }
    if (scan.validEnd() < logSize) {
      if (active) {
        repairs.add(
            String.format(
                "segment %s: cut %d bytes after message %d (%s)",
                logPath.getFileName(),
                logSize - scan.validEnd(),
                base + total - 1,
                scan.stopped()));
        log.truncate(scan.validEnd());
      } else {
        repairs.add(
            String.format(
                "segment %s is damaged at byte %d (%s): messages from %d on in it cannot be read",
                logPath.getFileName(), scan.validEnd(), scan.stopped(), base + total));
      }
    }
    if (trusted != entries || indexSize != entries * 4L || scan.count() > 0) {
      if (trusted != entries || indexSize != entries * 4L) {
        repairs.add("segment " + logPath.getFileName() + ": rebuilt index of " + total + " entries");
      }
      index.truncate(trusted * 4L);
      indexedEntries = trusted;
    } else {
      indexedEntries = entries;
    }
    count = total;
    size = active ? scan.validEnd() : logSize;
    committedBytes = size;
    if (total > 0) {
      firstTime = trusted > 0 ? readTime(all[0]) : scan.firstTime();
      lastTime = scan.count() > 0 ? scan.lastTime() : readTime(all[total - 1]);
    }
    positions = all;
    if (!active) {
      writeIndexEntries(total);
      positions = null;
    }
  }

  /** The end of the record at {@code position} if it is valid and numbered {@code number}, else -1. */
  private long validRecordEnd(long position, long number, long logSize) throws IOException {
    if (position < 0 || position + RecordFormat.HEADER_BYTES > logSize) {
      return -1;
    }
    ByteBuffer header = readFully(position, RecordFormat.HEADER_BYTES);
    int length = header.getInt(RecordFormat.LENGTH_OFFSET);
    if (length < 0 || position + RecordFormat.recordBytes(length) > logSize) {
      return -1;
    }
    if (header.getLong(RecordFormat.NUMBER_OFFSET) != number) {
      return -1;
    }
    ByteBuffer record = readFully(position, (int) RecordFormat.recordBytes(length));
    return RecordFormat.crcMatches(record, 0, length) ? position + record.capacity() : -1;
  }

  private int[] readIndex(int entries) throws IOException {
    int[] result = new int[entries];
    if (entries == 0) {
      return result;
    }
    ByteBuffer buffer = ByteBuffer.allocate(entries * 4);
    readFully(index, buffer, 0).asIntBuffer().get(result);
    return result;
  }

  int count() {
    return count;
  }

  long size() {
    return size;
  }

  long firstTime() {
    return firstTime;
  }

  long lastTime() {
    return lastTime;
  }

  /** One past the number of the last record written here. */
  long nextNumber() {
    return base + count;
  }

  /**
   * Appends whole encoded records at the end: the first {@code records} of {@code starts} say
   * where each begins within {@code buffer}. On failure the file is cut back when possible (later
   * appends overwrite whatever part was written, and recovery cuts it if none comes).
   */
  void append(ByteBuffer buffer, int[] starts, int records, long firstAppendTime, long lastAppendTime)
      throws IOException {
    long position = size;
    int length = buffer.remaining();
    try {
      while (buffer.hasRemaining()) {
        log.write(buffer, position + buffer.position());
      }
    } catch (IOException e) {
      cutBack(position);
      throw e;
    }
    int[] p = positions;
    int n = count;
    if (n + records > p.length) {
      p = Arrays.copyOf(p, Math.max(p.length * 2, n + records));
      positions = p;
    }
    for (int i = 0; i < records; i++) {
      p[n + i] = (int) (position + starts[i]);
    }
    if (n == 0) {
      firstTime = firstAppendTime;
    }
    lastTime = lastAppendTime;
    size = position + length;
    count = n + records;
  }

  /**
   * Forgets the records appended after the segment held {@code oldCount} records in {@code
   * oldSize} bytes (their write or fsync failed); they were never committed, so no reader saw them.
   */
  void rollBack(long oldSize, int oldCount) {
    cutBack(oldSize);
    if (oldCount > 0 && oldCount < count) {
      try {
        lastTime = readTime(positions[oldCount - 1]);
      } catch (IOException e) {
        // Only retention's view of this segment's newest record is off, and only until restart.
      }
    }
    count = oldCount;
    size = oldSize;
    if (oldCount == 0) {
      firstTime = -1;
      lastTime = -1;
    }
  }

  private void cutBack(long position) {
    try {
      log.truncate(position);
    } catch (IOException ignored) {
      // The next append overwrites the partial records; recovery cuts them if none comes.
    }
  }

  /** Makes the first {@code bytes} bytes visible to readers. */
  void commit(long bytes) {
    committedBytes = bytes;
  }

  void force() throws IOException {
    ops.force(log, false);
  }

  /** Writes index entries not yet in the index file, up to {@code upTo} records. */
  synchronized void writeIndexEntries(int upTo) throws IOException {
    int[] p = positions;
    if (p == null || upTo <= indexedEntries) {
      return;
    }
    ByteBuffer buffer = ByteBuffer.allocate((upTo - indexedEntries) * 4);
    for (int i = indexedEntries; i < upTo; i++) {
      buffer.putInt(p[i]);
    }
    buffer.flip();
    long at = indexedEntries * 4L;
    while (buffer.hasRemaining()) {
      index.write(buffer, at + buffer.position());
    }
    indexedEntries = upTo;
  }

  /** Finishes this segment: writes its whole index and, unless {@code sync} is false, forces both files. */
  void seal(boolean sync) throws IOException {
    writeIndexEntries(count);
    if (sync) {
      ops.force(log, false);
      ops.force(index, false);
    }
    committedBytes = size;
    positions = null;
  }

  /** Byte position of record number {@code number}, which must be in this segment. */
  long positionOf(long number) throws IOException {
    int i = (int) (number - base);
    int[] p = positions;
    if (p != null) {
      return p[i];
    }
    ByteBuffer entry = readFully(index, ByteBuffer.allocate(4), i * 4L);
    return entry.getInt(0);
  }

  long timeOf(long number) throws IOException {
    return readTime(positionOf(number));
  }

  private long readTime(long position) throws IOException {
    return readFully(position + RecordFormat.TIME_OFFSET, 8).getLong(0);
  }

  /** Index (from 0) of the first record appended at or after {@code millis}; count if none. */
  int firstIndexAtOrAfter(long millis) throws IOException {
    int low = 0;
    int high = count;
    while (low < high) {
      int mid = (low + high) >>> 1;
      if (timeOf(base + mid) < millis) {
        low = mid + 1;
      } else {
        high = mid;
      }
    }
    return low;
  }

  /**
   * Reads committed records from number {@code from} while their number is below {@code end},
   * adding them to {@code out} within the limits.
   *
   * @param bytesSoFar what messages already in {@code out} count against {@code limits.maxBytes()}
   * @return what {@code out} now counts against the limit
   */
  long read(
      String topic, long from, long end, PollLimits limits, long bytesSoFar, List<StoredMessage> out)
      throws IOException {
    long number = from;
    long stop = Math.min(end, nextNumber());
    long position = positionOf(from);
    long committed = committedBytes;
    long used = bytesSoFar;
    ByteBuffer buffer = null;
    long bufferStart = 0;
    while (number < stop && out.size() < limits.maxMessages()) {
      if (buffer == null
          || position + RecordFormat.HEADER_BYTES > bufferStart + buffer.limit()) {
        long wanted = Math.min(Math.max(READ_CHUNK, limits.maxBytes() - used), MAX_READ_CHUNK);
        long want = Math.min(wanted, committed - position);
        if (want < RecordFormat.HEADER_BYTES) {
          throw corrupt(topic, number, position, "record runs past the end of the committed log");
        }
        buffer = readFully(position, (int) Math.min(want, Integer.MAX_VALUE - 8));
        bufferStart = position;
      }
      int at = (int) (position - bufferStart);
      int length = buffer.getInt(at + RecordFormat.LENGTH_OFFSET);
      long recordBytes = RecordFormat.recordBytes(length);
      if (length < 0 || position + recordBytes > committed) {
        throw corrupt(topic, number, position, "bad record length " + length);
      }
      long cost = PollLimits.cost(length);
      if (!out.isEmpty() && used + cost > limits.maxBytes()) {
        break;
      }
      if (at + recordBytes > buffer.limit()) {
        buffer = readFully(position, (int) recordBytes);
        bufferStart = position;
        at = 0;
      }
      if (buffer.getLong(at + RecordFormat.NUMBER_OFFSET) != number) {
        throw corrupt(
            topic, number, position, "found number " + buffer.getLong(at + RecordFormat.NUMBER_OFFSET));
      }
      if (!RecordFormat.crcMatches(buffer, at, length)) {
        throw corrupt(topic, number, position, "CRC mismatch");
      }
      byte[] payload = new byte[length];
      buffer.get(at + RecordFormat.HEADER_BYTES, payload);
      out.add(new StoredMessage(number, buffer.getLong(at + RecordFormat.TIME_OFFSET), payload));
      used += cost;
      position += recordBytes;
      number++;
    }
    return used;
  }

  private CorruptRecordException corrupt(String topic, long number, long position, String why) {
    return new CorruptRecordException(
        String.format(
            "topic '%s' message %d is damaged on disk (%s at byte %d of %s)",
            topic, number, why, position, logPath.getFileName()));
  }

  private ByteBuffer readFully(long position, int length) throws IOException {
    return readFully(log, ByteBuffer.allocate(length), position);
  }

  static ByteBuffer readFully(FileChannel channel, ByteBuffer buffer, long position)
      throws IOException {
    while (buffer.hasRemaining()) {
      int n = channel.read(buffer, position + buffer.position());
      if (n < 0) {
        throw new EOFException("unexpected end of file at byte " + (position + buffer.position()));
      }
    }
    buffer.flip();
    return buffer;
  }

  @Override
  public void close() throws IOException {
    try {
      log.close();
    } finally {
      index.close();
    }
  }

  /** Closes and deletes both files. */
  void delete() throws IOException {
    close();
    ops.delete(logPath);
    ops.delete(indexPath);
  }
}
