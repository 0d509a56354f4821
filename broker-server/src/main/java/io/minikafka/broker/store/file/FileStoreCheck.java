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
 * Offline check of a file store: every record of every segment (framing, CRC, numbering) and
 * every index against its segment. {@link #repair} fixes what start-up recovery fixes, with the
 * same code: torn or corrupt tails of last segments, and indexes (a disagreeing index is removed
 * so that recovery rebuilds it). Damage inside older segments cannot be repaired; it is reported.
 */
public final class FileStoreCheck {

  /** Something wrong in one segment. */
  public record Problem(String segment, String description, boolean repairable) {}

  /** What one topic holds and what is wrong with it. */
  public record TopicReport(
      String topic, int segments, long firstNumber, long nextNumber, long messages, long bytes, List<Problem> problems) {

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
    List<TopicReport> topics = new ArrayList<>();
    for (TopicDirectory.Found found : TopicDirectory.discover(root, warnings::add)) {
      topics.add(checkTopic(found.topic(), found.dir()));
    }
    return new Report(topics, warnings);
  }

  /**
   * Repairs what recovery can (see the class comment), then checks again.
   *
   * @throws io.minikafka.broker.store.StoreException if a server has the store open
   */
  public static Report repair(Path root) throws IOException {
    for (TopicDirectory.Found found : TopicDirectory.discover(root, warning -> {})) {
      for (Problem problem : checkTopic(found.topic(), found.dir()).problems()) {
        if (problem.description().startsWith(INDEX_PROBLEM)) {
          Files.deleteIfExists(found.dir().resolve(problem.segment().replace(Segment.LOG_SUFFIX, Segment.INDEX_SUFFIX)));
        }
      }
    }
    // Opening runs start-up recovery; closing writes everything it rebuilt.
    FileStore.open(root, FileStoreConfig.defaults(), Clock.systemUTC()).close();
    return check(root);
  }

  private static final String INDEX_PROBLEM = "index";

  private static TopicReport checkTopic(String topic, Path dir) throws IOException {
    List<Long> bases = FileTopic.segmentBases(dir);
    List<Problem> problems = new ArrayList<>();
    long messages = 0;
    long bytes = 0;
    long expectedBase = -1;
    long next = bases.isEmpty() ? 1 : bases.get(0);
    for (int i = 0; i < bases.size(); i++) {
      long base = bases.get(i);
      boolean last = i == bases.size() - 1;
      String name = Segment.fileName(base, Segment.LOG_SUFFIX);
      if (expectedBase > 0 && base != expectedBase) {
        problems.add(
            new Problem(name, "numbering gap: messages " + expectedBase + " to " + (base - 1) + " are missing", false));
      }
      try (FileChannel log = FileChannel.open(dir.resolve(name), StandardOpenOption.READ)) {
        long size = log.size();
        // The same scan recovery makes: strict for the last segment, tolerant for older ones.
        ScanResult scan = SegmentScanner.scan(log, 0, base, size, last);
        if (scan.damage() != null) {
          problems.add(new Problem(name, scan.damage(), false));
        }
        if (scan.validEnd() < size) {
          problems.add(
              new Problem(
                  name,
                  String.format(
                      "%s at byte %d; %d bytes from there on are unreadable",
                      scan.stopped(), scan.validEnd(), size - scan.validEnd()),
                  last));
        }
        String indexProblem = checkIndex(dir.resolve(Segment.fileName(base, Segment.INDEX_SUFFIX)), scan);
        if (indexProblem != null) {
          problems.add(new Problem(name, INDEX_PROBLEM + " " + indexProblem, true));
        }
        messages += scan.count();
        bytes += size;
        expectedBase = base + scan.count();
        next = expectedBase;
      }
    }
    long first = bases.isEmpty() ? 1 : bases.get(0);
    return new TopicReport(topic, bases.size(), first, next, messages, bytes, problems);
  }

  /** Why the index disagrees with the scanned records, or null if it agrees. */
  private static String checkIndex(Path index, ScanResult scan) throws IOException {
    if (!Files.exists(index)) {
      return "is missing";
    }
    long size = Files.size(index);
    if (size != scan.count() * 4L) {
      return "has " + size / 4 + " entries" + (size % 4 == 0 ? "" : " and a torn one") + " for " + scan.count() + " records";
    }
    ByteBuffer entries = ByteBuffer.wrap(Files.readAllBytes(index));
    for (int i = 0; i < scan.count(); i++) {
      if (entries.getInt(i * 4) != scan.positions()[i]) {
        return "entry " + i + " points at byte " + entries.getInt(i * 4) + ", not " + scan.positions()[i];
      }
    }
    return null;
  }
}
