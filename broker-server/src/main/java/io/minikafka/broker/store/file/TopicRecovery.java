package io.minikafka.broker.store.file;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Start-up recovery of one topic directory: its segments in number order, each recovered by
 * {@link SegmentRecovery}; index files whose log is gone (a crash between removing a segment's two
 * files) removed; segments wholly below the {@link LogStart} (a deletion a crash interrupted)
 * removed; and a last segment that continues numbering at or after the log start. Every change is
 * reported to {@code repairs}, one line each.
 */
final class TopicRecovery {

  /** A topic's recovered segments, oldest first (the last takes appends), and its log start. */
  record Recovered(List<Segment> segments, LogStart logStart) {}

  private TopicRecovery() {}

  static Recovered recover(Path dir, Disk disk, List<String> repairs) throws IOException {
    List<Long> bases = segmentBases(dir);
    LogStart start = LogStart.read(dir);
    if (start.deleted() && start.number() == 0 && !bases.isEmpty()) {
      // An older store's deleted marker: its deletion kept only an empty last segment, named by
      // the next number, so every message below that segment was deleted.
      start = new LogStart(bases.get(bases.size() - 1), true);
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
              "removed segment " + Segment.fileName(bases.get(i), Segment.LOG_SUFFIX)
                  + ", deleted before the last stop (log start " + start.number() + ")");
          changed = true;
          continue;
        }
        opened.add(Segment.open(dir, bases.get(i), last, disk, repairs));
      }
      changed |= dropStrayLastSegment(dir, disk, opened, repairs);
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
   * Removes an empty last segment that the one before it overlaps: left by a roll that failed and
   * could not remove the segment it had created, after which the older segment went on taking
   * records. Kept, it would restart numbering below numbers already given.
   */
  private static boolean dropStrayLastSegment(
      Path dir, Disk disk, List<Segment> opened, List<String> repairs) throws IOException {
    int n = opened.size();
    if (n < 2) {
      return false;
    }
    Segment last = opened.get(n - 1);
    Segment before = opened.get(n - 2);
    if (last.count() > 0 || before.nextNumber() <= last.base) {
      return false;
    }
    opened.remove(n - 1);
    last.delete();
    // The one before takes appends now: opened again as the last segment, its torn tail cut.
    before.close();
    opened.set(n - 2, Segment.open(dir, before.base, true, disk, repairs));
    repairs.add(
        "removed empty segment " + last.logPath.getFileName() + ", left by a failed roll: message "
            + last.base + " is in " + before.logPath.getFileName());
    return true;
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

  private static void removeStrayIndexes(Path dir, List<Long> bases, Disk disk, List<String> repairs)
      throws IOException {
    List<Path> stray;
    try (Stream<Path> files = Files.list(dir)) {
      stray =
          files
              .filter(p -> p.getFileName().toString().endsWith(SegmentIndex.SUFFIX))
              .filter(
                  p -> {
                    String file = p.getFileName().toString();
                    long base = Segment.baseOf(file.replace(SegmentIndex.SUFFIX, Segment.LOG_SUFFIX));
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
