package io.minikafka.broker.store.file;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.minikafka.broker.store.TopicName;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * How a topic name becomes a directory name, and the file inside that records the name.
 *
 * <p>Encoding: {@code a-z}, {@code 0-9}, {@code -} and {@code _} stay as they are; {@code .} too,
 * except as the first character; {@code A-Z} become {@code ^} and the lower-case letter, so names
 * differing only in case never collide on case-insensitive file systems; every other UTF-8 byte
 * becomes {@code %} and two lower-case hex digits. The result never contains {@code /}, {@code \},
 * or a leading {@code .}, so it cannot leave the root. Encoded names longer than {@value
 * #MAX_PLAIN} characters are cut and suffixed with {@code ~} and 32 hex digits of the name's
 * SHA-256 (the unabbreviated form never contains {@code ~}), keeping file names under 255 bytes.
 * Either way, the {@value #NAME_FILE} file inside holds the exact name, which is what start-up
 * reads to rediscover topics; an unabbreviated directory name also decodes back to its topic.
 */
final class TopicDirectory {

  static final String NAME_FILE = "topic.name";

  /**
   * Prefix of a topic directory being created, renamed into place once its name file is durable.
   * Encoded names never start with {@code .}, so no topic's directory can be taken for one.
   */
  static final String CREATING_PREFIX = ".creating-";

  private static final int MAX_PLAIN = 200;
  private static final int CUT = 160;
  private static final int HASH_HEX_DIGITS = 32;

  private TopicDirectory() {}

  /**
   * A topic directory found under a store's root.
   *
   * @param topic the topic it holds; when unreadable, the name decoded from the directory name, or
   *     null if that is abbreviated
   * @param problem why the directory cannot be used, or null if it can
   */
  record Found(Path dir, String topic, String problem) {
    boolean readable() {
      return problem == null;
    }

    /** How to name it in messages. */
    String describe() {
      return topic != null ? "topic '" + topic + "'" : "the topic in " + dir.getFileName();
    }
  }

  /**
   * What a store's root holds.
   *
   * @param topics every topic directory, readable or not, in name order
   * @param leftovers directories of topics whose creation a crash interrupted (nothing in them was
   *     ever acknowledged)
   */
  record Discovery(List<Found> topics, List<Path> leftovers) {}

  /**
   * The topic directories under {@code root}; anything else there is reported to {@code warnings}
   * (one line each) and skipped.
   */
  static Discovery discover(Path root, Consumer<String> warnings) throws IOException {
    List<Path> entries;
    try (Stream<Path> list = Files.list(root)) {
      entries = list.sorted().toList();
    }
    List<Found> found = new ArrayList<>();
    List<Path> leftovers = new ArrayList<>();
    for (Path entry : entries) {
      String fileName = entry.getFileName().toString();
      // lost+found: the file system's own, at the root of a store given a disk of its own.
      if (fileName.equals(FileStore.LOCK_FILE)
          || (fileName.equals("lost+found") && Files.isDirectory(entry))) {
        continue;
      }
      if (fileName.startsWith(CREATING_PREFIX) && Files.isDirectory(entry)) {
        leftovers.add(entry);
        continue;
      }
      if (!Files.isDirectory(entry) || !isEncodedName(fileName)) {
        warnings.accept("Ignoring " + entry + ": not a MiniKafka topic directory");
        continue;
      }
      found.add(inspect(entry));
    }
    return new Discovery(found, leftovers);
  }

  /** Reads a topic directory's name file and checks it against the directory's name. */
  static Found inspect(Path dir) {
    String fileName = dir.getFileName().toString();
    String decoded = decode(fileName).orElse(null);
    String topic;
    try {
      topic = readName(dir);
    } catch (IOException e) {
      return new Found(dir, decoded, e.getMessage());
    }
    try {
      TopicName.validate(topic);
    } catch (IllegalArgumentException e) {
      return new Found(
          dir, decoded, NAME_FILE + " holds an invalid topic name (" + e.getMessage() + ")");
    }
    if (!encode(topic).equals(fileName)) {
      return new Found(
          dir,
          decoded,
          NAME_FILE + " names topic '" + topic + "', which does not belong in this directory");
    }
    return new Found(dir, topic, null);
  }

  static String encode(String topic) {
    StringBuilder out = new StringBuilder();
    byte[] bytes = topic.getBytes(UTF_8);
    for (int i = 0; i < bytes.length; i++) {
      int b = bytes[i] & 0xff;
      if ((b >= 'a' && b <= 'z')
          || (b >= '0' && b <= '9')
          || b == '-'
          || b == '_'
          || (b == '.' && i > 0)) {
        out.append((char) b);
      } else if (b >= 'A' && b <= 'Z') {
        out.append('^').append((char) (b - 'A' + 'a'));
      } else {
        out.append('%')
            .append(Character.forDigit(b >> 4, 16))
            .append(Character.forDigit(b & 15, 16));
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

  /**
   * The topic an unabbreviated directory name encodes, if it is the exact encoding of a valid topic
   * name.
   */
  static Optional<String> decode(String dirName) {
    if (dirName.isEmpty() || dirName.length() > MAX_PLAIN || dirName.charAt(0) == '.') {
      return Optional.empty();
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (int i = 0; i < dirName.length(); i++) {
      char c = dirName.charAt(i);
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.') {
        bytes.write(c);
      } else if (c == '^' && i + 1 < dirName.length() && isLower(dirName.charAt(i + 1))) {
        bytes.write(dirName.charAt(++i) - 'a' + 'A');
      } else if (c == '%'
          && i + 2 < dirName.length()
          && isHex(dirName.charAt(i + 1))
          && isHex(dirName.charAt(i + 2))) {
        bytes.write(Integer.parseInt(dirName.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        return Optional.empty();
      }
    }
    try {
      String topic = strictUtf8(bytes.toByteArray());
      TopicName.validate(topic);
      return encode(topic).equals(dirName) ? Optional.of(topic) : Optional.empty();
    } catch (CharacterCodingException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** Whether a name is what {@link #encode} makes of some topic name. */
  static boolean isEncodedName(String name) {
    if (decode(name).isPresent()) {
      return true;
    }
    // An abbreviated name: a cut plain part, '~', and hex digits of the SHA-256.
    if (name.length() != CUT + 1 + HASH_HEX_DIGITS
        || name.charAt(CUT) != '~'
        || name.charAt(0) == '.') {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean allowed =
          i > CUT
              ? isHex(c)
              : i == CUT || isLower(c) || (c >= '0' && c <= '9') || "-_.^%".indexOf(c) >= 0;
      if (!allowed) {
        return false;
      }
    }
    return true;
  }

  private static boolean isLower(char c) {
    return c >= 'a' && c <= 'z';
  }

  private static boolean isHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  }

  private static String strictUtf8(byte[] bytes) throws CharacterCodingException {
    return UTF_8
        .newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(ByteBuffer.wrap(bytes))
        .toString();
  }

  /**
   * Records the topic's exact name in its directory: a temporary file, forced, renamed into place,
   * and the directory synced (per policy).
   */
  static void writeName(Path dir, String topic, Disk disk) throws IOException {
    disk.renameIntoPlace(dir, NAME_FILE, topic.getBytes(UTF_8));
    disk.syncDirectory(dir);
  }

  /**
   * The name recorded in a topic directory.
   *
   * @throws IOException saying what is wrong with the name file: missing, a directory or other
   *     non-file, empty, not UTF-8
   */
  static String readName(Path dir) throws IOException {
    Path file = dir.resolve(NAME_FILE);
    if (Files.isDirectory(file)) {
      throw new IOException(NAME_FILE + " is a directory, not a file");
    }
    if (!Files.isRegularFile(file)) {
      throw new IOException(
          NAME_FILE
              + (Files.exists(file, LinkOption.NOFOLLOW_LINKS)
                  ? " is not a regular file"
                  : " is missing"));
    }
    byte[] bytes = Files.readAllBytes(file);
    if (bytes.length == 0) {
      throw new IOException(NAME_FILE + " is empty");
    }
    try {
      return strictUtf8(bytes);
    } catch (CharacterCodingException e) {
      throw new IOException(NAME_FILE + " is not valid UTF-8");
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
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
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
