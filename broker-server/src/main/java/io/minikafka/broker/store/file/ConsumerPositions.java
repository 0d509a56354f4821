package io.minikafka.broker.store.file;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.minikafka.broker.store.LimitExceededException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * The committed positions of a topic's named consumers, in the topic directory's {@value #FILE}
 * file: one {@code NUMBER<TAB>NAME} line each (names hold no tab or newline), rewritten whole on
 * each commit through a temporary file that is forced, renamed over the old one, and made durable
 * by a directory fsync (skipped under fsync never). A commit that fails changes nothing.
 *
 * <p>Thread-safe.
 */
final class ConsumerPositions {

  static final String FILE = "positions";

  private final Path dir;
  private final Disk disk;

  /** Guarded by this; replaced, never changed, so a failed commit leaves it as it was. */
  private Map<String, Long> positions;

  private ConsumerPositions(Path dir, Disk disk, Map<String, Long> positions) {
    this.dir = dir;
    this.disk = disk;
    this.positions = positions;
  }

  /** Reads a topic's positions; a damaged line is skipped and reported to {@code repairs}. */
  static ConsumerPositions load(Path dir, Disk disk, List<String> repairs) throws IOException {
    Map<String, Long> positions = new TreeMap<>();
    Path file = dir.resolve(FILE);
    if (Files.exists(file)) {
      byte[] bytes = Files.readAllBytes(file);
      int start = 0;
      for (int i = 0; i <= bytes.length; i++) {
        if (i < bytes.length && bytes[i] != '\n') {
          continue;
        }
        if (i > start) {
          readLine(ByteBuffer.wrap(bytes, start, i - start), positions, repairs);
        }
        start = i + 1;
      }
    }
    return new ConsumerPositions(dir, disk, positions);
  }

  /** One "NUMBER TAB NAME" line; a damaged one (not UTF-8, no number) is skipped and reported. */
  private static void readLine(
      ByteBuffer bytes, Map<String, Long> positions, List<String> repairs) {
    String line;
    try {
      line = UTF_8.newDecoder().decode(bytes).toString();
    } catch (CharacterCodingException e) {
      repairs.add("ignored a line of " + FILE + " that is not UTF-8");
      return;
    }
    int tab = line.indexOf('\t');
    try {
      positions.put(line.substring(tab + 1), Long.parseLong(line.substring(0, tab)));
    } catch (RuntimeException e) {
      repairs.add("ignored a damaged line of " + FILE + ": '" + line + "'");
    }
  }

  /**
   * Records that {@code consumer} reads {@code next} next; durable (per policy) on return.
   *
   * @throws LimitExceededException if {@code consumer} would be one more than {@code max}
   */
  synchronized void commit(String topic, String consumer, long next, int max) throws IOException {
    if (!positions.containsKey(consumer) && positions.size() >= max) {
      throw LimitExceededException.consumers(topic, consumer, max);
    }
    disk.checkWritable();
    Map<String, Long> updated = new TreeMap<>(positions);
    updated.put(consumer, next);
    StringBuilder text = new StringBuilder();
    updated.forEach((name, number) -> text.append(number).append('\t').append(name).append('\n'));
    disk.renameIntoPlace(dir, FILE, text.toString().getBytes(UTF_8));
    positions = updated;
    disk.syncDirectory(dir);
  }

  /** Every consumer's position, by name. */
  synchronized java.util.SortedMap<String, Long> all() {
    return java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(positions));
  }

  synchronized OptionalLong position(String consumer) {
    Long next = positions.get(consumer);
    return next == null ? OptionalLong.empty() : OptionalLong.of(next);
  }
}
