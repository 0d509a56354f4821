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
    LogStart start = LogStart.read(dir);
    List<Long> bases = segmentBases(dir);
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
