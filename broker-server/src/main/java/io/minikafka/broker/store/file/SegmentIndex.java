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
 * <p>Entries are read from the file, except those of an active segment not written yet: the
 * segment's writer adds them in memory and they are written out in the background (and whole at
 * seal). So the memory an index keeps is what one flush interval appends, not the segment's whole
 * index, however many topics and records there are. Thread-safety: the pending entries, the count
 * written and the file's writes are guarded by this object's monitor; a sealed index only reads the
 * file.
 */
final class SegmentIndex implements Closeable {

  static final String SUFFIX = ".index";
  static final int ENTRY_BYTES = 4;
  private static final int INITIAL_PENDING = 32;

  final Path path;

  private final FileHandle file;

  /** Entries from {@code written} on, not in the file yet; null once sealed. Guarded by this. */
  private int[] pending;

  /** How many of {@code pending} hold entries. Guarded by this. */
  private int pendingCount;

  /** How many entries the file holds. Guarded by this. */
  private int written;

  private volatile boolean sealed;

  private SegmentIndex(FileHandle file, int[] pending, int pendingCount, int written) {
    this.file = file;
    this.path = file.path;
    this.pending = pending;
    this.pendingCount = pendingCount;
    this.written = written;
    this.sealed = pending == null;
  }

  /** The index of a new, empty segment. */
  static SegmentIndex empty(FileHandle file) {
    return new SegmentIndex(file, new int[INITIAL_PENDING], 0, 0);
  }

  /** The complete index file of a sealed segment of {@code entries} records. */
  static SegmentIndex sealed(FileHandle file, int entries) {
    return new SegmentIndex(file, null, 0, entries);
  }

  /**
   * An index whose file holds its first {@code written} entries, followed by the entries {@code
   * tail} (the positions of the records after them), which it writes when asked.
   */
  static SegmentIndex of(FileHandle file, int written, int[] tail) {
    int[] pending = Arrays.copyOf(tail, Math.max(INITIAL_PENDING, tail.length));
    return new SegmentIndex(file, pending, tail.length, written);
  }

  /** How many whole entries the file holds. */
  static int entries(FileChannel file) throws IOException {
    return (int) Math.min(file.size() / ENTRY_BYTES, Integer.MAX_VALUE / ENTRY_BYTES);
  }

  /** Entry {@code entry} of the file, which must hold it. */
  static int read(FileChannel file, int entry) throws IOException {
    return Segment.readFully(file, ByteBuffer.allocate(ENTRY_BYTES), (long) entry * ENTRY_BYTES)
        .getInt(0);
  }

  /**
   * Records the positions of {@code count} new records from entry {@code first} on; entries past
   * them that an earlier, rolled-back append left are dropped.
   */
  synchronized void add(int first, long basePosition, int[] starts, int count) {
    int at = first - written;
    if (at < 0 || at > pendingCount) {
      throw new IllegalStateException(
          "index entry " + first + " added with " + (written + pendingCount) + " entries known");
    }
    if (at + count > pending.length) {
      pending = Arrays.copyOf(pending, Math.max(pending.length * 2, at + count));
    }
    for (int i = 0; i < count; i++) {
      pending[at + i] = (int) (basePosition + starts[i]);
    }
    pendingCount = at + count;
  }

  /** The byte position of entry {@code entry}, which must exist. */
  long positionOf(int entry) throws IOException {
    if (!sealed) {
      synchronized (this) {
        if (!sealed && entry >= written) {
          return pending[entry - written];
        }
      }
    }
    return file.readFully(ByteBuffer.allocate(ENTRY_BYTES), (long) entry * ENTRY_BYTES).getInt(0);
  }

  /** Writes the entries the file does not hold yet, up to {@code entries}, and forgets them. */
  synchronized void writeUpTo(int entries) throws IOException {
    if (sealed || entries <= written) {
      return;
    }
    int count = Math.min(entries - written, pendingCount);
    ByteBuffer buffer = ByteBuffer.allocate(count * ENTRY_BYTES);
    buffer.asIntBuffer().put(pending, 0, count);
    file.writeFully(buffer, (long) written * ENTRY_BYTES);
    System.arraycopy(pending, count, pending, 0, pendingCount - count);
    pendingCount -= count;
    written += count;
    // Back to its first size once written: an idle index keeps nothing from its last burst.
    if (pending.length > INITIAL_PENDING && pendingCount <= INITIAL_PENDING) {
      pending = Arrays.copyOf(pending, INITIAL_PENDING);
    }
  }

  /** Writes every entry up to {@code entries}, after which reads use the file. */
  synchronized void seal(int entries) throws IOException {
    writeUpTo(entries);
    pending = null;
    pendingCount = 0;
    sealed = true;
  }

  /** Slots for entries held in memory: what the index costs the heap (0 once sealed). */
  synchronized int slotsInMemory() {
    return pending == null ? 0 : pending.length;
  }

  FileHandle file() {
    return file;
  }

  @Override
  public void close() throws IOException {
    file.close();
  }
}
