package io.minikafka.broker.store.file;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The dense index of one {@link Segment}, in a file named {@code <base, 20 digits>.index}: entry i
 * is the byte position, in the segment's log, of the record numbered {@code base + i}, as a {@value
 * #ENTRY_BYTES}-byte big-endian integer (segments are at most 2 GiB). It can always be rebuilt from
 * the log ({@link SegmentRecovery}).
 *
 * <p>While its segment is active the index keeps every position in memory as well (reads use them)
 * and writes new entries to the file in the background; once sealed it reads entries from the file.
 * Thread-safety: positions are added by the topic's one writer and published to readers by the
 * segment's record count, which is written after them; the file is written under this object's
 * monitor.
 */
final class SegmentIndex implements Closeable {

  static final String SUFFIX = ".index";
  static final int ENTRY_BYTES = 4;
  private static final int INITIAL_ENTRIES = 1024;

  final Path path;
  private final FileChannel file;

  /** Every position while the segment is active; null once sealed. */
  private volatile int[] positions;

  /** How many entries the file holds. Guarded by this. */
  private int written;

  private SegmentIndex(FileChannel file, Path path, int[] positions, int written) {
    this.file = file;
    this.path = path;
    this.positions = positions;
    this.written = written;
  }

  /** The index of a new, empty segment. */
  static SegmentIndex empty(FileChannel file, Path path) {
    return new SegmentIndex(file, path, new int[INITIAL_ENTRIES], 0);
  }

  /** The complete index file of a sealed segment of {@code entries} records. */
  static SegmentIndex sealed(FileChannel file, Path path, int entries) {
    return new SegmentIndex(file, path, null, entries);
  }

  /**
   * An index whose positions are known ({@code positions}, at least one slot per record), of which
   * the file holds the first {@code written}.
   */
  static SegmentIndex of(FileChannel file, Path path, int[] positions, int written) {
    return new SegmentIndex(
        file, path, Arrays.copyOf(positions, Math.max(INITIAL_ENTRIES, positions.length)), written);
  }

  /** Every entry the file holds (a torn last entry is left out). */
  static int[] readAll(FileChannel file) throws IOException {
    int entries = (int) Math.min(file.size() / ENTRY_BYTES, Integer.MAX_VALUE / ENTRY_BYTES);
    int[] result = new int[entries];
    if (entries > 0) {
      Segment.readFully(file, ByteBuffer.allocate(entries * ENTRY_BYTES), 0)
          .asIntBuffer()
          .get(result);
    }
    return result;
  }

  /** Records the positions of {@code count} new records from entry {@code first} on. */
  void add(int first, long basePosition, int[] starts, int count) {
    int[] p = positions;
    if (first + count > p.length) {
      p = Arrays.copyOf(p, Math.max(p.length * 2, first + count));
      positions = p;
    }
    for (int i = 0; i < count; i++) {
      p[first + i] = (int) (basePosition + starts[i]);
    }
  }

  /** The byte position of entry {@code entry}, which must exist. */
  long positionOf(int entry) throws IOException {
    int[] p = positions;
    if (p != null) {
      return p[entry];
    }
    return Segment.readFully(file, ByteBuffer.allocate(ENTRY_BYTES), (long) entry * ENTRY_BYTES)
        .getInt(0);
  }

  /** Writes the entries the file does not hold yet, up to {@code entries}. */
  synchronized void writeUpTo(int entries) throws IOException {
    int[] p = positions;
    if (p == null || entries <= written) {
      return;
    }
    ByteBuffer buffer = ByteBuffer.allocate((entries - written) * ENTRY_BYTES);
    for (int i = written; i < entries; i++) {
      buffer.putInt(p[i]);
    }
    buffer.flip();
    long at = (long) written * ENTRY_BYTES;
    while (buffer.hasRemaining()) {
      file.write(buffer, at + buffer.position());
    }
    written = entries;
  }

  /** Cuts the file to its first {@code entries} entries. */
  synchronized void truncate(int entries) throws IOException {
    file.truncate((long) entries * ENTRY_BYTES);
    written = Math.min(written, entries);
  }

  /** Writes every entry up to {@code entries}, after which reads use the file. */
  void seal(int entries) throws IOException {
    writeUpTo(entries);
    positions = null;
  }

  FileChannel file() {
    return file;
  }

  @Override
  public void close() throws IOException {
    file.close();
  }
}
