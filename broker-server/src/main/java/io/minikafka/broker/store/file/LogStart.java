package io.minikafka.broker.store.file;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a topic's deletion left, kept in its directory's {@value #FILE} file: the number below which
 * no message may ever be seen again, and whether the topic is deleted (hidden until produced to).
 * One line, {@code NUMBER} or {@code NUMBER deleted}, replaced atomically (temporary file, fsync,
 * rename, directory fsync): the rename is the moment a deletion happens, so a crash at any later
 * step of it (removing segment files) never brings a deleted message back, as Kafka checkpoints a
 * log's start offset before deleting its segments.
 *
 * <p>A store written before this file existed marked a deleted topic with an empty file named
 * {@value #LEGACY_MARKER}, which is still honoured.
 *
 * @param number messages numbered below it are gone
 * @param deleted whether the topic was deleted and nothing has been stored since
 */
record LogStart(long number, boolean deleted) {

  static final String FILE = "log-start";
  static final String LEGACY_MARKER = "deleted";
  private static final String DELETED_WORD = "deleted";

  /** A topic never deleted. */
  static final LogStart NONE = new LogStart(0, false);

  /**
   * The topic's log start, {@link #NONE} if it was never deleted.
   *
   * @throws IOException if the file exists but does not say a number: the topic cannot be opened
   *     safely (its deleted messages might come back)
   */
  static LogStart read(Path dir) throws IOException {
    Path file = dir.resolve(FILE);
    boolean legacyDeleted = Files.exists(dir.resolve(LEGACY_MARKER));
    if (!Files.exists(file)) {
      return legacyDeleted ? new LogStart(0, true) : NONE;
    }
    String text = Files.readString(file, UTF_8).trim();
    String[] words = text.split(" ");
    try {
      long number = Long.parseLong(words[0]);
      boolean deleted = words.length == 2 && words[1].equals(DELETED_WORD);
      if (number < 0 || words.length > 2 || (words.length == 2 && !deleted)) {
        throw new NumberFormatException(text);
      }
      return new LogStart(number, deleted || legacyDeleted);
    } catch (NumberFormatException e) {
      throw new IOException(file + " is damaged: '" + text + "' is not a message number");
    }
  }

  /** The log start on disk, or null if it cannot be read. */
  static LogStart readQuietly(Path dir) {
    try {
      return read(dir);
    } catch (IOException e) {
      return null;
    }
  }

  /** Replaces the topic's log start with this one, atomically and durably (per policy). */
  void write(Path dir, Disk disk) throws IOException {
    byte[] line =
        ((deleted ? number + " " + DELETED_WORD : Long.toString(number)) + "\n").getBytes(UTF_8);
    disk.renameIntoPlace(dir, FILE, line);
    if (Files.exists(dir.resolve(LEGACY_MARKER))) {
      disk.ops().delete(dir.resolve(LEGACY_MARKER));
    }
    disk.syncDirectory(dir);
  }

  /** The same log start, no longer deleted. */
  LogStart undeleted() {
    return new LogStart(number, false);
  }
}
