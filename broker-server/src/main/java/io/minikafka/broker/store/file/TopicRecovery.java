package io.minikafka.broker.store.file;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Start-up recovery of one topic directory: its segments in number order, each recovered by {@link
 * SegmentRecovery}; index files whose log is gone (a crash between removing a segment's two files)
 * removed; segments wholly below the {@link LogStart} (a deletion a crash interrupted) removed; and
 * a last segment that continues numbering at or after the log start. Every change is reported to
 * {@code repairs}, one line each.
 */
final class TopicRecovery {

  /** A topic's recovered segments, oldest first (the last takes appends), and its log start. */
  record Recovered(List<Segment> segments, LogStart logStart) {}

  private TopicRecovery() {}

  static Recovered recover(Path dir, Disk disk, List<String> repairs) throws IOException {
    List<Long> bases = new ArrayList<>(segmentBases(dir));
    removeStraySegments(dir, bases, disk, repairs);
    LogStart start = LogStart.read(dir);
    if (start.deleted() && start.number() == 0 && !bases.isEmpty()) {
      // An older store's deleted marker: its deletion kept only an empty last segment, named by
      // the next number, so every message below that segment was deleted. Recorded as a log
      // start once, so that it no longer depends on which segment is last.
      start = new LogStart(bases.get(bases.size() - 1), true);
      start.write(dir, disk);
      repairs.add("recorded the deletion of an older version as log start " + start.number());
    }
    removeStrayIndexes(dir, bases, disk, repairs);
    List<Segment> opened = new ArrayList<>();
    try {
      boolean changed = false;
      for (int i = 0; i < bases.size(); i++) {
        boolean last = i == bases.size() - 1;
        if (!last && bases.get(i + 1) <= start.number()) {
          // Wholly below the log start: a deletion stopped before it removed this segment.
          for (String suffix : List.of(Segment.LOG_SUFFIX, SegmentIndex.SUFFIX)) {
            disk.ops().delete(dir.resolve(Segment.fileName(bases.get(i), suffix)));
          }
          repairs.add(
              "removed segment "
                  + Segment.fileName(bases.get(i), Segment.LOG_SUFFIX)
                  + ", deleted before the last stop (log start "
                  + start.number()
                  + ")");
          changed = true;
          continue;
        }
        opened.add(Segment.open(dir, bases.get(i), last, disk, repairs));
      }
      long next = Math.max(1, start.number());
      if (opened.isEmpty() || opened.get(opened.size() - 1).nextNumber() < next) {
        if (!opened.isEmpty()) {
          next = Math.max(next, opened.get(opened.size() - 1).nextNumber());
        }
        opened.add(Segment.create(dir, next, disk));
        repairs.add("no segment holds the next number; started a new one at message " + next);
        changed = true;
      }
      if (changed) {
        disk.syncDirectory(dir);
      }
    } catch (IOException | RuntimeException e) {
      for (Segment s : opened) {
        s.close();
      }
      throw e;
    }
    checkNumbering(opened, repairs);
    return new Recovered(opened, start);
  }

  /**
   * Removes empty segments left by a roll that failed and could not remove the segment it had
   * created: the older segment went on taking records, so the empty one's number is inside it. A
   * roll only ever seals a segment that holds records, so an empty segment before the last is
   * always such a leftover; an empty last one is, if the segment before it (counted as recovery of
   * a last segment would count it) reaches its number. Kept, a leftover would hide readable
   * messages or restart numbering below numbers already given. Done before any segment is opened,
   * so that the right one is opened as the last.
   */
  private static void removeStraySegments(
      Path dir, List<Long> bases, Disk disk, List<String> repairs) throws IOException {
    boolean removed = false;
    for (int i = bases.size() - 1; i >= 1; i--) {
      long base = bases.get(i);
      if (!Segment.holdsNoRecord(
          dir.resolve(Segment.fileName(base, Segment.LOG_SUFFIX)), base, disk)) {
        continue;
      }
      boolean last = i == bases.size() - 1;
      if (last && nextNumberAsLast(dir, bases.get(i - 1), disk) <= base) {
        continue;
      }
      for (String suffix : List.of(Segment.LOG_SUFFIX, SegmentIndex.SUFFIX)) {
        disk.ops().delete(dir.resolve(Segment.fileName(base, suffix)));
      }
      bases.remove(i);
      repairs.add(
          "removed empty segment "
              + Segment.fileName(base, Segment.LOG_SUFFIX)
              + ", left by a failed roll");
      removed = true;
    }
    if (removed) {
      disk.syncDirectory(dir);
    }
  }

  /** The next number of a segment if it were the last one, read without changing its files. */
  private static long nextNumberAsLast(Path dir, long base, Disk disk) throws IOException {
    Path index = dir.resolve(Segment.fileName(base, SegmentIndex.SUFFIX));
    try (FileChannel log =
            disk.open(
                dir.resolve(Segment.fileName(base, Segment.LOG_SUFFIX)), StandardOpenOption.READ);
        FileChannel entries =
            Files.exists(index) ? disk.open(index, StandardOpenOption.READ) : null) {
      return base
          + (entries == null
              ? SegmentRecovery.countAsLast(log, base)
              : SegmentRecovery.countAsLast(log, entries, base));
    }
  }

  /** The first numbers of a topic directory's segments, in order. */
  static List<Long> segmentBases(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .map(p -> Segment.baseOf(p.getFileName().toString()))
          .filter(base -> base > 0)
          .sorted()
          .toList();
    }
  }

  private static void removeStrayIndexes(
      Path dir, List<Long> bases, Disk disk, List<String> repairs) throws IOException {
    List<Path> stray;
    try (Stream<Path> files = Files.list(dir)) {
      stray =
          files
              .filter(p -> p.getFileName().toString().endsWith(SegmentIndex.SUFFIX))
              .filter(
                  p -> {
                    String file = p.getFileName().toString();
                    long base =
                        Segment.baseOf(file.replace(SegmentIndex.SUFFIX, Segment.LOG_SUFFIX));
                    return base > 0 && !bases.contains(base);
                  })
              .toList();
    }
    for (Path index : stray) {
      disk.ops().delete(index);
      repairs.add("removed " + index.getFileName() + ", the index of a segment already deleted");
    }
  }

  private static void checkNumbering(List<Segment> opened, List<String> repairs) {
    long expected = -1;
    for (Segment s : opened) {
      if (expected > 0 && s.base != expected) {
        repairs.add(
            "gap in numbering: messages " + expected + " to " + (s.base - 1) + " are missing");
      }
      expected = s.nextNumber();
    }
  }
}
