package io.minikafka.broker.store.file;

import io.minikafka.broker.store.CorruptRecordException;
import io.minikafka.broker.store.PollLimits;
import io.minikafka.broker.store.StoreException;
import io.minikafka.broker.store.StoredMessage;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * One segment of a topic's log: a file of records laid out as its {@link SegmentFormat} says, whose
 * first record has number {@link #base}, named {@code <base, 20 digits>.log}, and its {@link
 * SegmentIndex}.
 *
 * <p>Thread-safety: appends, rolls and recovery are serialised by the owning {@link FileTopic};
 * reads run concurrently with them and see only what the topic has committed ({@link #commit}).
 */
final class Segment implements Closeable {

  static final String LOG_SUFFIX = ".log";

  /**
   * Bytes read at once for small records, into the reading thread's buffer; a record larger than
   * what is left of it is read into its own array. 512 KiB: a few large reads per poll, and bounded
   * direct memory, since the threads that read are the server's fixed pools.
   */
  static final int READ_CHUNK = 512 * 1024;

  /**
   * Each reading thread's buffer for runs of records, reused since every message is copied out of
   * it: a read allocates and zeroes no buffer. Direct, so the file is read straight into it rather
   * than through the JDK's temporary direct buffer. Readers are the server's fixed pools.
   */
  private static final ThreadLocal<ByteBuffer> READ_BUFFERS =
      ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(READ_CHUNK));

  /** The most a heap buffer passes to one read or write of a file (see {@link #readFully}). */
  static final int IO_SLICE_BYTES = 256 * 1024;

  /**
   * How far the log file is made longer than its records, ahead of the appends that fill it. An
   * append within the file's length leaves its size alone, so the fdatasync after it has only the
   * records to write, not the size as well: a quarter to a third less time and CPU per fsync of a
   * small write on ext4 (docs/PERFORMANCE.md). The room is sparse (one byte written at its end, no
   * block in between) and reads as zeros; sealing and closing cut it off, and recovery cuts what a
   * crash left.
   */
  static final long ROOM_BYTES = 1024 * 1024;

  /**
   * Writes this large or larger make no room: the size is a small part of what their fsync writes,
   * and a byte written a MiB ahead of each would be one more block to write (measured: no gain at
   * 64 KiB, a loss at 256 KiB). They grow the file as they go, as every write did before.
   */
  static final int ROOMLESS_WRITE_BYTES = 64 * 1024;

  private static final ByteBuffer ROOM_END = ByteBuffer.allocate(1).asReadOnlyBuffer();

  final long base;
  final Path logPath;
  final SegmentFormat format;

  private final FileHandle log;

  private final SegmentIndex index;

  /** Whether this empty segment's files were closed, to stay closed until its next append. */
  private volatile boolean parked;

  private static final OpenOption[] READ_WRITE = {
    StandardOpenOption.READ, StandardOpenOption.WRITE
  };

  private final Disk disk;

  private volatile int count;
  private volatile long size;

  /** The log file's length: {@code size} and the room after it. Flush lock. */
  private long fileLength;

  private volatile long committedBytes;
  private volatile long firstTime = -1;
  private volatile long lastTime = -1;

  private Segment(long base, SegmentFormat format, FileHandle log, SegmentIndex index, Disk disk) {
    this.base = base;
    this.format = format;
    this.logPath = log.path;
    this.log = log;
    this.index = index;
    this.disk = disk;
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

  /**
   * A new, empty segment of the {@link SegmentFormat#WIRE} layout, its header written. Never
   * truncates a record: a file of that name that holds anything but a header is refused (an empty
   * or header-only one, left by a creation or roll that failed half-way, is taken over, with or
   * without room after the header). The caller makes the new directory entries durable.
   */
  static Segment create(Path dir, long base, Disk disk) throws IOException {
    Path logPath = dir.resolve(fileName(base, LOG_SUFFIX));
    Path indexPath = dir.resolve(fileName(base, SegmentIndex.SUFFIX));
    FileChannel log = openNew(logPath, disk);
    FileChannel index;
    try {
      index = openNew(indexPath, disk);
    } catch (IOException | RuntimeException e) {
      log.close();
      disk.ops().delete(logPath);
      throw e;
    }
    Segment segment =
        new Segment(
            base,
            SegmentFormat.WIRE,
            disk.handle(logPath, log, READ_WRITE),
            SegmentIndex.empty(disk.handle(indexPath, index, READ_WRITE)),
            disk);
    try {
      segment.writeHeader();
    } catch (IOException | RuntimeException e) {
      segment.delete();
      throw e;
    }
    return segment;
  }

  /** Empties a segment file that holds no record and writes the new layout's header into it. */
  private static void writeNewHeader(FileChannel log) throws IOException {
    log.truncate(0);
    ByteBuffer header = SegmentFormat.newHeader();
    while (header.hasRemaining()) {
      log.write(header, header.position());
    }
  }

  /** Writes the layout's header at the start of this empty segment. */
  private void writeHeader() throws IOException {
    ByteBuffer header = SegmentFormat.newHeader();
    log.writeFully(header, 0);
    size = header.capacity();
    fileLength = size;
    committedBytes = size;
  }

  private static FileChannel openNew(Path path, Disk disk) throws IOException {
    try {
      return disk.open(
          path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
    } catch (FileAlreadyExistsException e) {
      FileChannel existing = disk.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
      boolean empty;
      try {
        empty = SegmentFormat.headerAtMost(existing);
        if (empty) {
          existing.truncate(0);
        }
      } catch (IOException | RuntimeException failed) {
        existing.close();
        throw failed;
      }
      if (empty) {
        return existing;
      }
      existing.close();
      throw new StoreException(
          path + " already exists and is not empty; refusing to overwrite it with a new segment",
          e);
    }
  }

  /**
   * Whether the segment file holds no byte of a record: empty, or its layout's header alone (or a
   * torn one), with or without room for appends after it.
   */
  static boolean holdsNoRecord(Path logPath, long base, Disk disk) throws IOException {
    try (FileChannel log = disk.open(logPath, StandardOpenOption.READ)) {
      long headerBytes = SegmentFormat.of(log, base).headerBytes();
      long size = log.size();
      if (size <= headerBytes) {
        return true;
      }
      // A first record, whole or torn, starts with a byte that is not zero; room is all zeros.
      ByteBuffer first = readFully(log, ByteBuffer.allocate(1), headerBytes);
      return first.get(0) == 0 && SegmentScanner.dataEnd(log, headerBytes, size) == headerBytes;
    }
  }

  /**
   * Opens an existing segment, recovering it ({@link SegmentRecovery}).
   *
   * @param active whether this is the topic's last segment, which keeps taking appends
   * @param repairs told, one line each, what recovery changed
   */
  static Segment open(Path dir, long base, boolean active, Disk disk, List<String> repairs)
      throws IOException {
    Path logPath = dir.resolve(fileName(base, LOG_SUFFIX));
    Path indexPath = dir.resolve(fileName(base, SegmentIndex.SUFFIX));
    FileChannel log = disk.open(logPath, StandardOpenOption.READ, StandardOpenOption.WRITE);
    FileChannel indexFile = null;
    FileHandle indexHandle = null;
    try {
      indexFile =
          disk.open(
              indexPath,
              StandardOpenOption.CREATE,
              StandardOpenOption.READ,
              StandardOpenOption.WRITE);
      SegmentFormat format = SegmentFormat.of(log, base);
      long logSize = log.size();
      if (active && logSize < format.headerBytes()) {
        // A segment created just before a crash, whose header did not reach the disk whole.
        writeNewHeader(log);
        if (logSize > 0) {
          repairs.add(
              "segment "
                  + logPath.getFileName()
                  + ": rewrote its torn header ("
                  + logSize
                  + " bytes)");
        }
      }
      SegmentRecovery.Recovered r =
          SegmentRecovery.recover(log, indexFile, logPath, format, base, active, repairs);
      if (active && format == SegmentFormat.LEGACY && r.count() == 0) {
        // An older version's last segment that recovery left without a record (a torn first
        // one): it takes appends, which are in the new layout, so it becomes a new segment.
        writeNewHeader(log);
        indexFile.truncate(0);
        format = SegmentFormat.WIRE;
        r = new SegmentRecovery.Recovered(0, log.size(), -1, -1, new int[0], 0);
        repairs.add(
            "segment "
                + logPath.getFileName()
                + ": held no whole record, started again in layout 2");
      }
      indexHandle = disk.handle(indexPath, indexFile, READ_WRITE);
      SegmentIndex index =
          r.tail() == null
              ? SegmentIndex.sealed(indexHandle, r.count())
              : SegmentIndex.of(indexHandle, r.indexEntries(), r.tail());
      if (active) {
        // Written now, so that what recovery scanned is not kept in memory until a flush.
        index.writeUpTo(r.count());
      } else {
        index.seal(r.count());
      }
      Segment s = new Segment(base, format, disk.handle(logPath, log, READ_WRITE), index, disk);
      s.count = r.count();
      s.size = r.size();
      s.fileLength = log.size();
      s.committedBytes = r.size();
      s.firstTime = r.firstTime();
      s.lastTime = r.lastTime();
      return s;
    } catch (IOException | RuntimeException e) {
      log.close();
      if (indexHandle != null) {
        indexHandle.close();
      } else if (indexFile != null) {
        indexFile.close();
      }
      throw e;
    }
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
   * Appends whole encoded records at the end: the first {@code records} of {@code starts} say where
   * each begins within {@code buffer}. On failure the file is cut back when possible (later appends
   * overwrite whatever part was written, and recovery cuts it if none comes).
   *
   * @param roomLimit the segment's size limit, past which no room is made: a file is never longer
   *     than its records and this
   */
  void append(
      ByteBuffer buffer,
      int[] starts,
      int records,
      long firstAppendTime,
      long lastAppendTime,
      long roomLimit)
      throws IOException {
    long position = size;
    int length = buffer.remaining();
    parked = false;
    try {
      long end = position + length;
      if (end > fileLength && length < ROOMLESS_WRITE_BYTES) {
        long longer = Math.max(end, Math.min(end + ROOM_BYTES, roomLimit));
        if (longer > end) {
          log.writeFully(ROOM_END.duplicate(), longer - 1);
          fileLength = longer;
        }
      }
      log.writeFully(buffer, position);
      fileLength = Math.max(fileLength, end);
    } catch (IOException e) {
      cutBack(position);
      throw e;
    }
    int n = count;
    try {
      index.add(n, position, starts, records);
    } catch (RuntimeException e) {
      // Records the segment cannot account for must not stay in the file for recovery to find.
      cutBack(position);
      throw e;
    }
    if (n == 0) {
      firstTime = firstAppendTime;
    }
    lastTime = lastAppendTime;
    size = position + length;
    count = n + records;
  }

  /**
   * Forgets the records appended after the segment held {@code oldCount} records in {@code oldSize}
   * bytes (their write or fsync failed); they were never committed, so no reader saw them.
   */
  void rollBack(long oldSize, int oldCount) {
    if (oldCount > 0 && oldCount < count) {
      try {
        lastTime = timeOf(base + oldCount - 1);
      } catch (IOException e) {
        // Only retention's view of this segment's newest record is off, and only until restart.
      }
    }
    cutBack(oldSize);
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
      fileLength = position;
    } catch (IOException ignored) {
      // The next append overwrites the partial records; recovery cuts them if none comes.
    }
  }

  /**
   * Cuts the room after the records off the log file, so that a segment that takes no more appends
   * is exactly its records. Flush lock.
   */
  void cutRoom() throws IOException {
    if (fileLength > size) {
      log.truncate(size);
      fileLength = size;
    }
  }

  /** Makes everything appended so far visible to readers. */
  void commit() {
    committedBytes = size;
  }

  /** Forces the log's records to disk. */
  void force() throws IOException {
    log.force(true);
  }

  /** Writes index entries not yet in the index file, up to {@code upTo} records. */
  void writeIndexEntries(int upTo) throws IOException {
    index.writeUpTo(upTo);
  }

  /**
   * Finishes this segment: writes its whole index and, if the policy forces files, forces both
   * files, so that a sealed segment is durable before its successor takes appends.
   */
  void seal() throws IOException {
    cutRoom();
    index.writeUpTo(count);
    // After a failed fsync nothing more is acknowledged, and start-up recovers from the disk.
    if (disk.policy().forcesFiles() && disk.failure().isEmpty()) {
      log.force(true);
      index.file().force(false);
    }
    index.seal(count);
    committedBytes = size;
  }

  /**
   * Where record {@code number} starts, from the index.
   *
   * @throws CorruptRecordException if the index points outside the log: a damaged index, which
   *     start-up recovery or {@code mkfk-fsck --repair} rebuilds
   */
  long positionOf(long number) throws IOException {
    long position = index.positionOf((int) (number - base));
    if (position < format.headerBytes() || position >= committedBytes) {
      throw new CorruptRecordException(
          String.format(
              "message %d is unreadable: its index entry in %s points at byte %d, outside the %d bytes of %s"
                  + " (mkfk-fsck --repair rebuilds the index)",
              number, index.path.getFileName(), position, committedBytes, logPath.getFileName()));
    }
    return position;
  }

  long timeOf(long number) throws IOException {
    long position = positionOf(number);
    ByteBuffer bytes =
        readFully(position, (int) Math.min(format.frameBytes(), committedBytes - position));
    RecordFrame frame = new RecordFrame();
    if (format.frame(bytes, 0, frame) != RecordFrame.OK || frame.number != number) {
      throw new CorruptRecordException(
          String.format(
              "message %d is damaged on disk (no record of it at byte %d of %s)",
              number, position, logPath.getFileName()));
    }
    return frame.time;
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
   * adding them to {@code out} within the limits: as messages, each checked against its CRC, or as
   * their wire bytes, which the client checks (a legacy segment's records are encoded so).
   *
   * @param bytesSoFar what messages already in {@code out} count against {@code limits.maxBytes()}
   * @return what {@code out} now counts against the limit
   */
  long read(String topic, long from, long end, PollLimits limits, long bytesSoFar, ReadTarget out)
      throws IOException {
    long number = from;
    long stop = Math.min(end, nextNumber());
    long position = positionOf(from);
    long committed = committedBytes;
    long used = bytesSoFar;
    RecordFrame frame = new RecordFrame();
    ByteBuffer buffer = null;
    long bufferStart = 0;
    boolean raw = out.encoded() && format == SegmentFormat.WIRE;
    // Whole wire records of the buffer not yet added: added in one copy, as a run.
    int runFrom = 0;
    int runTo = 0;
    int runRecords = 0;
    long runPayloadBytes = 0;
    while (number < stop && out.count() + runRecords < limits.maxMessages()) {
      if (buffer == null
          || (position + format.frameBytes() > bufferStart + buffer.limit()
              && bufferStart + buffer.limit() < committed)) {
        if (runRecords > 0) {
          out.addEncoded(buffer, runFrom, runTo, runRecords, runPayloadBytes);
          runRecords = 0;
          runPayloadBytes = 0;
        }
        buffer =
            log.readFully(
                READ_BUFFERS.get().clear().limit((int) Math.min(READ_CHUNK, committed - position)),
                position);
        bufferStart = position;
      }
      int at = (int) (position - bufferStart);
      if (format.frame(buffer, at, frame) != RecordFrame.OK) {
        throw corrupt(topic, number, position, "bad record framing");
      }
      if (position + frame.recordBytes > committed) {
        throw corrupt(topic, number, position, "bad record length " + frame.bodyBytes);
      }
      long cost = PollLimits.cost(frame.bodyBytes);
      if (out.count() + runRecords > 0 && used + cost > limits.maxBytes()) {
        break;
      }
      if (frame.number != number) {
        throw corrupt(topic, number, position, "found number " + frame.number);
      }
      boolean whole = at + frame.recordBytes <= buffer.limit();
      if (raw && whole) {
        if (runRecords == 0) {
          runFrom = at;
        }
        runTo = at + (int) frame.recordBytes;
        runRecords++;
        runPayloadBytes += frame.payloadBytes;
      } else if (raw) {
        if (runRecords > 0) {
          out.addEncoded(buffer, runFrom, runTo, runRecords, runPayloadBytes);
          runRecords = 0;
          runPayloadBytes = 0;
        }
        out.addEncoded(log, position, frame);
      } else {
        out.add(decode(topic, buffer, at, position, frame, whole));
      }
      if (!whole) {
        buffer = null;
      }
      used += cost;
      position += frame.recordBytes;
      number++;
    }
    if (runRecords > 0) {
      out.addEncoded(buffer, runFrom, runTo, runRecords, runPayloadBytes);
    }
    return used;
  }

  /**
   * The message of the record at {@code at} of {@code buffer}, which holds its framing; a record
   * not wholly in it ({@code whole} false) is read straight into the message, so that a large
   * record is never held twice.
   */
  private StoredMessage decode(
      String topic, ByteBuffer buffer, int at, long position, RecordFrame frame, boolean whole)
      throws IOException {
    byte[] payload = new byte[frame.payloadBytes];
    int payloadAt = at + frame.payloadFrom;
    ByteBuffer rest;
    boolean crcMatches;
    if (whole) {
      buffer.get(payloadAt, payload);
      rest =
          buffer
              .duplicate()
              .limit(at + (int) frame.recordBytes)
              .position(payloadAt + payload.length);
      crcMatches = format.crcMatches(buffer, at, frame);
    } else {
      log.readFully(ByteBuffer.wrap(payload), position + frame.payloadFrom);
      long restAt = position + frame.payloadFrom + payload.length;
      rest =
          log.readFully(ByteBuffer.allocate((int) (position + frame.recordBytes - restAt)), restAt);
      CRC32C crc = new CRC32C();
      crc.update(buffer.duplicate().limit(payloadAt).position(at + frame.crcFrom));
      crc.update(payload);
      crc.update(rest.duplicate());
      crcMatches = (int) crc.getValue() == frame.crc;
    }
    if (!crcMatches) {
      throw corrupt(topic, frame.number, position, "CRC mismatch");
    }
    StoredMessage message = format.decode(frame, payload, rest);
    if (message == null) {
      throw corrupt(topic, frame.number, position, "key and headers run past the record");
    }
    return message;
  }

  private CorruptRecordException corrupt(String topic, long number, long position, String why) {
    return new CorruptRecordException(
        String.format(
            "topic '%s' message %d is damaged on disk (%s at byte %d of %s)",
            topic, number, why, position, logPath.getFileName()));
  }

  private ByteBuffer readFully(long position, int length) throws IOException {
    return log.readFully(ByteBuffer.allocate(length), position);
  }

  /**
   * Reads {@code buffer.remaining()} bytes from {@code position} (the buffer's position must be 0),
   * and flips the buffer. A heap buffer is read a slice at a time: Java reads a file through a
   * temporary direct buffer as large as the read, and keeps one per thread, which for 16 MiB
   * messages read by many threads would exhaust the direct memory of a small heap.
   */
  static ByteBuffer readFully(FileChannel channel, ByteBuffer buffer, long position)
      throws IOException {
    int end = buffer.limit();
    while (buffer.position() < end) {
      if (!buffer.isDirect()) {
        buffer.limit(Math.min(end, buffer.position() + IO_SLICE_BYTES));
      }
      int n = channel.read(buffer, position + buffer.position());
      if (n < 0) {
        throw new EOFException("unexpected end of file at byte " + (position + buffer.position()));
      }
    }
    buffer.limit(end);
    buffer.flip();
    return buffer;
  }

  /**
   * Closes the files of an empty segment until something is appended to it, so that a deleted
   * topic, which keeps only its empty last segment, holds no file handle. A file in use at that
   * moment is left to the store's limit on open files. Flush lock.
   */
  void park() {
    if (count != 0) {
      throw new IllegalStateException(
          "only an empty segment is parked, " + logPath + " holds " + count);
    }
    parked = true;
    log.closeIfIdle();
    index.file().closeIfIdle();
  }

  boolean parked() {
    return parked;
  }

  /** Slots for index entries held in memory: what this segment's index costs the heap. */
  int indexSlotsInMemory() {
    return index.slotsInMemory();
  }

  /** Closes both files, even if closing the first fails. */
  @Override
  public void close() throws IOException {
    try {
      log.close();
    } finally {
      index.close();
    }
  }

  /**
   * Closes and deletes both files: the log first, so that a crash in between leaves an index
   * without a log, which start-up removes, never a log without its records. The files are closed
   * even if a deletion fails. The caller makes the removal durable.
   */
  void delete() throws IOException {
    IOException failure = null;
    try {
      close();
    } catch (IOException e) {
      failure = e;
    }
    for (Path file : List.of(logPath, index.path)) {
      try {
        disk.ops().delete(file);
      } catch (IOException e) {
        if (failure == null) {
          failure = e;
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
