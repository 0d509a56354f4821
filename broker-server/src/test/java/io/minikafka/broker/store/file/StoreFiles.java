package io.minikafka.broker.store.file;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
