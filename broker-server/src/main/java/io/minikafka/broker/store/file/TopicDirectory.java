package io.minikafka.broker.store.file;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import io.minikafka.broker.store.TopicName;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * How a topic name becomes a directory name, and the file inside that records the name.
 *
 * <p>Encoding: {@code a-z}, {@code 0-9}, {@code -} and {@code _} stay as they are; {@code .} too,
 * except as the first character; {@code A-Z} become {@code ^} and the lower-case letter, so names
 * differing only in case never collide on case-insensitive file systems; every other UTF-8 byte
 * becomes {@code %} and two lower-case hex digits. The result never contains {@code /}, {@code
 * \}, or a leading {@code .}, so it cannot leave the root. Encoded names longer than {@value
 * #MAX_PLAIN} characters are cut and suffixed with {@code ~} and 32 hex digits of the name's
 * SHA-256 (the unabbreviated form never contains {@code ~}), keeping file names under 255 bytes.
 * Either way, the {@value #NAME_FILE} file inside holds the exact name, which is what start-up
 * reads to rediscover topics.
 */
final class TopicDirectory {

  static final String NAME_FILE = "topic.name";
  private static final int MAX_PLAIN = 200;
  private static final int CUT = 160;

  private TopicDirectory() {}

  /** A topic directory found under a store's root. */
  record Found(String topic, Path dir) {}

  /**
   * The topic directories under {@code root}, in name order; anything else there is reported to
   * {@code warnings} (one line each) and skipped.
   */
  static List<Found> discover(Path root, Consumer<String> warnings) throws IOException {
    List<Path> entries;
    try (Stream<Path> list = Files.list(root)) {
      entries = list.sorted().toList();
    }
    List<Found> found = new ArrayList<>();
    for (Path entry : entries) {
      String fileName = entry.getFileName().toString();
      if (fileName.equals(FileStore.LOCK_FILE)) {
        continue;
      }
      if (!Files.isDirectory(entry) || !Files.isRegularFile(entry.resolve(NAME_FILE))) {
        warnings.accept("Ignoring " + entry + ": not a MiniKafka topic directory");
        continue;
      }
      String topic = readName(entry);
      try {
        TopicName.validate(topic);
      } catch (IllegalArgumentException e) {
        warnings.accept("Ignoring " + entry + ": its topic name is invalid (" + e.getMessage() + ")");
        continue;
      }
      if (!encode(topic).equals(fileName)) {
        warnings.accept("Ignoring " + entry + ": it is named for another topic than '" + topic + "'");
        continue;
      }
      found.add(new Found(topic, entry));
    }
    return found;
  }

  static String encode(String topic) {
    StringBuilder out = new StringBuilder();
    byte[] bytes = topic.getBytes(UTF_8);
    for (int i = 0; i < bytes.length; i++) {
      int b = bytes[i] & 0xff;
      if ((b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '-' || b == '_' || (b == '.' && i > 0)) {
        out.append((char) b);
      } else if (b >= 'A' && b <= 'Z') {
        out.append('^').append((char) (b - 'A' + 'a'));
      } else {
        out.append('%').append(Character.forDigit(b >> 4, 16)).append(Character.forDigit(b & 15, 16));
      }
    }
    if (out.length() <= MAX_PLAIN) {
      return out.toString();
    }
    return out.substring(0, CUT) + "~" + HexFormat.of().formatHex(sha256(bytes), 0, 16);
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  /** Records the topic's exact name in its directory, atomically and durably. */
  static void writeName(Path dir, String topic) throws IOException {
    Path temp = dir.resolve(NAME_FILE + ".tmp");
    try (FileChannel channel =
        FileChannel.open(
            temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer bytes = ByteBuffer.wrap(topic.getBytes(UTF_8));
      while (bytes.hasRemaining()) {
        channel.write(bytes);
      }
      channel.force(true);
    }
    try {
      Files.move(temp, dir.resolve(NAME_FILE), StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temp, dir.resolve(NAME_FILE), StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** The name recorded in a topic directory. */
  static String readName(Path dir) throws IOException {
    return Files.readString(dir.resolve(NAME_FILE), UTF_8);
  }

  /** Makes a directory's entries (files created, renamed or deleted in it) durable. */
  static void force(Path dir) throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }

  static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    Files.walkFileTree(
        dir,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
            Files.delete(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
            if (e != null) {
              throw e;
            }
            Files.delete(d);
            return FileVisitResult.CONTINUE;
          }
        });
  }
}
