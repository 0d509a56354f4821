package io.minikafka.broker.store.file;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * A topic's own settings, kept in its directory's {@value #FILE} file: one line, {@code
 * retention.ms=N}, or no file while the topic keeps the server's settings. Replaced atomically
 * (temporary file, fsync, rename, directory fsync), as the log start is.
 *
 * @param retention the topic's own retention, or empty for the server's
 */
record TopicSettings(Optional<Duration> retention) {

  static final String FILE = "topic.settings";
  private static final String RETENTION_KEY = "retention.ms=";

  /** The server's settings. */
  static final TopicSettings DEFAULTS = new TopicSettings(Optional.empty());

  /**
   * The topic's settings, {@link #DEFAULTS} without a file.
   *
   * @throws IOException if the file does not say a positive retention: the topic's messages could
   *     be kept too long or removed too early, so it is not opened on a guess
   */
  static TopicSettings read(Path dir) throws IOException {
    Path file = dir.resolve(FILE);
    if (!Files.exists(file)) {
      return DEFAULTS;
    }
    String text = Files.readString(file, UTF_8).trim();
    try {
      if (!text.startsWith(RETENTION_KEY)) {
        throw new NumberFormatException(text);
      }
      long millis = Long.parseLong(text.substring(RETENTION_KEY.length()));
      if (millis <= 0) {
        throw new NumberFormatException(text);
      }
      return new TopicSettings(Optional.of(Duration.ofMillis(millis)));
    } catch (NumberFormatException e) {
      throw new IOException(
          file
              + " is damaged: '"
              + text
              + "' is not retention.ms=<positive> (fix it, or remove it to give the topic the"
              + " server's retention)");
    }
  }

  /** Makes these the topic's settings on disk, atomically and durably (per policy). */
  void write(Path dir, Disk disk) throws IOException {
    if (retention.isEmpty()) {
      disk.ops().delete(dir.resolve(FILE));
      disk.syncDirectory(dir);
      return;
    }
    disk.renameIntoPlace(
        dir, FILE, (RETENTION_KEY + retention.get().toMillis() + "\n").getBytes(UTF_8));
    disk.syncDirectory(dir);
  }
}
