package io.minikafka.broker.store.file;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Looks at a file store's files from outside, as an operator or a crash would. */
final class StoreFiles {

  private StoreFiles() {}

  static Path topicDir(Path root, String topic) {
    return root.resolve(TopicDirectory.encode(topic));
  }

  /** The segment log files of a topic, in number order. */
  static List<Path> segmentLogs(Path root, String topic) throws IOException {
    try (Stream<Path> files = Files.list(topicDir(root, topic))) {
      return files.filter(p -> p.toString().endsWith(Segment.LOG_SUFFIX)).sorted().toList();
    }
  }

  /** Where each record of a segment's log file starts, as a tolerant scan finds them. */
  static int[] recordStarts(Path log) throws IOException {
    long base = Segment.baseOf(log.getFileName().toString());
    try (FileChannel channel = FileChannel.open(log, StandardOpenOption.READ)) {
      SegmentFormat format = SegmentFormat.of(channel, base);
      ScanResult scan =
          SegmentScanner.scan(channel, format, format.headerBytes(), base, channel.size(), false);
      return Arrays.copyOf(scan.positions(), scan.count());
    }
  }

  /** Where the payload of the {@code record}th record (from 0) of a segment's log file starts. */
  static int payloadStart(Path log, int record) throws IOException {
    int start = recordStarts(log)[record];
    long base = Segment.baseOf(log.getFileName().toString());
    try (FileChannel channel = FileChannel.open(log, StandardOpenOption.READ)) {
      ByteBuffer bytes = Segment.readFully(channel, ByteBuffer.allocate(64), start);
      RecordFrame frame = new RecordFrame();
      SegmentFormat.of(channel, base).frame(bytes, 0, frame);
      return start + frame.payloadFrom;
    }
  }

  /** Every file under {@code dir} with its bytes: to check that nothing was changed. */
  static Map<Path, byte[]> contents(Path dir) throws IOException {
    Map<Path, byte[]> all = new TreeMap<>();
    try (Stream<Path> files = Files.walk(dir)) {
      files
          .filter(Files::isRegularFile)
          .forEach(
              p -> {
                try {
                  all.put(dir.relativize(p), Files.readAllBytes(p));
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    }
    return all;
  }

  /**
   * Copies what is on disk now (without the lock file) to {@code to}: what a process killed at this
   * moment leaves behind, for a store opened there to recover.
   */
  static Path snapshot(Path root, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      for (Path p : files.toList()) {
        Path target = to.resolve(root.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else if (!p.getFileName().toString().equals(FileStore.LOCK_FILE)) {
          Files.copy(p, target);
        }
      }
    }
    return to;
  }
}
