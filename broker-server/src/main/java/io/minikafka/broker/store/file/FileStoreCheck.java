package io.minikafka.broker.store.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Offline check of a file store: every record of every segment (framing, CRC, numbering) and every
 * index against its segment. {@link #repair} fixes what start-up recovery fixes, with the same
 * code: torn or corrupt tails of last segments, and indexes (a disagreeing index is removed so that
 * recovery rebuilds it). Damage inside older segments cannot be repaired; it is reported.
 */
public final class FileStoreCheck {

  /** Something wrong in one segment. */
  public record Problem(String segment, String description, boolean repairable) {}

  /** What one topic holds and what is wrong with it. */
  public record TopicReport(
      String topic,
      int segments,
      long firstNumber,
      long nextNumber,
      long messages,
      long bytes,
      List<Problem> problems) {

    public boolean damaged() {
      return !problems.isEmpty();
    }
  }

  /** The whole store. */
  public record Report(List<TopicReport> topics, List<String> warnings) {

    public boolean damaged() {
      return topics.stream().anyMatch(TopicReport::damaged);
    }
  }

  private FileStoreCheck() {}

  /** Checks the store under {@code root} without changing anything. */
  public static Report check(Path root) throws IOException {
    List<String> warnings = new ArrayList<>();
    if (FileStore.RootLock.held(root)) {
      warnings.add(
          "a running server holds this store: what it is writing may show as damage or be missing"
              + " here; stop the server for a reliable answer (and before --repair)");
    }
    List<TopicReport> topics = new ArrayList<>();
    TopicDirectory.Discovery discovery = TopicDirectory.discover(root, warnings::add);
    for (Path leftover : discovery.leftovers()) {
      warnings.add(leftover + " is a topic whose creation was interrupted; start-up removes it");
    }
    for (TopicDirectory.Found found : discovery.topics()) {
      topics.add(found.readable() ? checkTopic(found.topic(), found.dir()) : unreadable(found));
    }
    return new Report(topics, warnings);
  }

  /**
   * A topic directory whose name file is missing or damaged. Repairable when the directory's name
   * decodes to the topic (it is not abbreviated) and it holds segments, so that MiniKafka made it:
   * the name file is rewritten from it. Any other directory is not made into a topic.
   */
  private static TopicReport unreadable(TopicDirectory.Found found) throws IOException {
    String dirName = found.dir().getFileName().toString();
    boolean segments = !TopicRecovery.segmentBases(found.dir()).isEmpty();
    String why;
    if (!segments) {
      why =
          "; it holds no MiniKafka segment, so it is not taken for a topic: move it out of the"
              + " store's directory";
    } else if (found.topic() != null && !nameIsDirectory(found)) {
      why = "; the directory's name says the topic is '" + found.topic() + "'";
    } else if (found.topic() != null) {
      why =
          "; move it away, then repair writes the topic's name, '"
              + found.topic()
              + "', from the directory's";
    } else {
      why = "; the directory's name is abbreviated, so the topic's name must be restored by hand";
    }
    return new TopicReport(
        found.topic() != null ? found.topic() : dirName,
        0,
        0,
        0,
        0,
        0,
        List.of(
            new Problem(
                TopicDirectory.NAME_FILE,
                NAME_PROBLEM + " " + found.problem() + why,
                restorable(found))));
  }

  /**
   * Whether {@code --repair} rewrites the name file of an unreadable topic directory: not over a
   * directory in its place, which may hold anything.
   */
  private static boolean restorable(TopicDirectory.Found found) throws IOException {
    return found.topic() != null
        && !nameIsDirectory(found)
        && !TopicRecovery.segmentBases(found.dir()).isEmpty();
  }

  private static boolean nameIsDirectory(TopicDirectory.Found found) {
    return Files.isDirectory(found.dir().resolve(TopicDirectory.NAME_FILE));
  }

  /**
   * Repairs what recovery can (see the class comment), then checks again.
   *
   * @throws io.minikafka.broker.store.StoreException if a server has the store open
   */
  public static Report repair(Path root) throws IOException {
    Disk disk = new Disk(FileOps.DEFAULT, FileStoreConfig.defaults().fsync(), new FsyncObserver());
    // Nothing is touched while a server has the store open.
    try (FileStore.RootLock lock = FileStore.RootLock.acquire(root)) {
      for (TopicDirectory.Found found : TopicDirectory.discover(root, warning -> {}).topics()) {
        if (!found.readable()) {
          if (restorable(found)) {
            TopicDirectory.writeName(found.dir(), found.topic(), disk);
          }
          continue;
        }
        for (Problem problem : checkTopic(found.topic(), found.dir()).problems()) {
          if (problem.description().startsWith(INDEX_PROBLEM)) {
            Files.deleteIfExists(
                found
                    .dir()
                    .resolve(problem.segment().replace(Segment.LOG_SUFFIX, SegmentIndex.SUFFIX)));
          }
        }
      }
    }
    // Opening runs start-up recovery; closing writes everything it rebuilt.
    FileStore.open(root, FileStoreConfig.defaults(), Clock.systemUTC()).close();
    return check(root);
  }

  private static final String INDEX_PROBLEM = "index";
  private static final String NAME_PROBLEM = "unreadable topic directory:";

  private static TopicReport checkTopic(String topic, Path dir) throws IOException {
    List<Long> bases = TopicRecovery.segmentBases(dir);
    List<Problem> problems = new ArrayList<>();
    LogStart start;
    try {
      start = LogStart.read(dir);
    } catch (IOException e) {
      problems.add(new Problem(LogStart.FILE, e.getMessage(), false));
      start = LogStart.NONE;
    }
    long first = Math.max(bases.isEmpty() ? 1 : bases.get(0), start.number());
    long messages = 0;
    long bytes = 0;
    long expectedBase = -1;
    long next = bases.isEmpty() ? 1 : bases.get(0);
    // An index short of its segment's records, which is damage only if a later segment has any.
    Problem behind = null;
    for (int i = 0; i < bases.size(); i++) {
      long base = bases.get(i);
      boolean last = i == bases.size() - 1;
      String name = Segment.fileName(base, Segment.LOG_SUFFIX);
      if (!last && bases.get(i + 1) <= start.number()) {
        problems.add(
            new Problem(
                name,
                "deleted (below the log start " + start.number() + ") but not yet removed",
                true));
        continue;
      }
      if (expectedBase > 0 && base != expectedBase) {
        problems.add(
            new Problem(
                name,
                "numbering gap: messages " + expectedBase + " to " + (base - 1) + " are missing",
                false));
      }
      try (FileChannel log = FileChannel.open(dir.resolve(name), StandardOpenOption.READ)) {
        long size = log.size();
        // The same scan recovery makes: strict for the last segment, tolerant for older ones.
        SegmentFormat format = SegmentFormat.of(log, base);
        ScanResult scan = SegmentScanner.scan(log, format, format.headerBytes(), base, size, last);
        if (scan.damage() != null) {
          problems.add(new Problem(name, scan.damage(), false));
        }
        // Zero bytes after the records are room for appends, left by a stop without sealing.
        long dataEnd = SegmentScanner.dataEnd(log, scan.validEnd(), size);
        if (scan.validEnd() < dataEnd) {
          problems.add(
              new Problem(
                  name,
                  String.format(
                      "%s at byte %d; %d bytes from there on are unreadable",
                      scan.stopped(), scan.validEnd(), dataEnd - scan.validEnd()),
                  last));
        }
        if (scan.count() > 0 && behind != null) {
          // Records after it: that index was not the one a kill leaves behind.
          problems.add(behind);
          behind = null;
        }
        IndexCheck index =
            checkIndex(dir.resolve(Segment.fileName(base, SegmentIndex.SUFFIX)), scan);
        if (index != null) {
          Problem problem = new Problem(name, INDEX_PROBLEM + " " + index.problem(), true);
          if (index.behind()) {
            behind = problem;
          } else {
            problems.add(problem);
          }
        }
        messages += scan.count();
        bytes += dataEnd;
        expectedBase = base + scan.count();
        next = expectedBase;
      }
    }
    return new TopicReport(topic, bases.size(), first, next, messages, bytes, problems);
  }

  /**
   * Why an index disagrees with its segment's records.
   *
   * @param behind whether it is only short of them, by whole entries that agree: what a kill leaves
   *     in the last segment with records (its index is written in the background, and a roll writes
   *     the old one's last entries after the new segment is made), and what recovery extends from
   *     the records after it
   */
  private record IndexCheck(String problem, boolean behind) {}

  /** How the index disagrees with the scanned records, or null if it agrees. */
  private static IndexCheck checkIndex(Path index, ScanResult scan) throws IOException {
    if (!Files.exists(index)) {
      return new IndexCheck("is missing", false);
    }
    long size = Files.size(index);
    int entry = SegmentIndex.ENTRY_BYTES;
    boolean behind = size % entry == 0 && size < (long) scan.count() * entry;
    String count =
        "has "
            + size / entry
            + " entries"
            + (size % entry == 0 ? "" : " and a torn one")
            + " for "
            + scan.count()
            + " records";
    if (size != (long) scan.count() * entry && !behind) {
      return new IndexCheck(count, false);
    }
    ByteBuffer entries = ByteBuffer.wrap(Files.readAllBytes(index));
    for (int i = 0; i < size / entry; i++) {
      if (entries.getInt(i * entry) != scan.positions()[i]) {
        return new IndexCheck(
            "entry "
                + i
                + " points at byte "
                + entries.getInt(i * entry)
                + ", not "
                + scan.positions()[i],
            false);
      }
    }
    return behind ? new IndexCheck(count, true) : null;
  }
}
