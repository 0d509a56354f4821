package io.minikafka.kafka;

import io.minikafka.broker.config.KafkaSettings;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * How MiniKafka topic names (any UTF-8 without control characters, up to 249 bytes) map onto
 * Kafka's legal topic names ({@code [a-zA-Z0-9._-]}, up to 249 characters), under a prefix.
 *
 * <p>In place: letters, digits and {@code -} stay as they are; every other byte of the name's UTF-8
 * becomes {@code _} and two upper-case hex digits. {@code orders.eu} becomes {@code
 * minikafka.orders_2Eeu}. The mapping is reversible ({@link #decode}), and the encoded part never
 * contains {@code .}, so no two names collide in Kafka's metric names (Kafka refuses topics that
 * differ only by {@code .} against {@code _}).
 *
 * <p>A name whose encoding would not fit is named by its SHA-256 instead ({@code _x} and 64 hex
 * digits, which no in-place encoding produces, since {@code _} there is always followed by two
 * upper-case hex digits); its real name is then found in the catalog ({@link TopicCatalog}).
 */
public final class KafkaTopicNames {

  /** Kafka's longest topic name. */
  static final int MAX_KAFKA_NAME = 249;

  private static final String HASHED = "_x";
  private static final String CATALOG = "_catalog";
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private final String prefix;

  /**
   * @throws IllegalArgumentException if the prefix is not legal at the start of a Kafka topic name
   *     or leaves no room for a hashed name
   */
  public KafkaTopicNames(String prefix) {
    try {
      KafkaSettings.parseTopicPrefix(prefix);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("topic prefix '" + prefix + "' " + e.getMessage(), e);
    }
    this.prefix = prefix;
  }

  public String prefix() {
    return prefix;
  }

  /** The Kafka topic holding the catalog of topics: compacted, one partition. */
  public String catalogTopic() {
    return prefix + CATALOG;
  }

  /** The Kafka topic that holds a MiniKafka topic's messages. */
  public String kafkaName(String topic) {
    byte[] utf8 = topic.getBytes(StandardCharsets.UTF_8);
    StringBuilder name = new StringBuilder(prefix.length() + utf8.length * 3).append(prefix);
    for (byte b : utf8) {
      if (b >= 0 && plain((char) b)) {
        name.append((char) b);
      } else {
        name.append('_').append(HEX[(b >> 4) & 0xf]).append(HEX[b & 0xf]);
      }
    }
    if (name.length() <= MAX_KAFKA_NAME) {
      return name.toString();
    }
    return prefix + HASHED + HexFormat.of().withUpperCase().formatHex(sha256(utf8));
  }

  /**
   * The MiniKafka name encoded in place in a Kafka topic name; empty for a name under another
   * prefix, a hashed name (look it up in the catalog) or the catalog itself.
   */
  public Optional<String> decode(String kafkaName) {
    if (!kafkaName.startsWith(prefix)) {
      return Optional.empty();
    }
    String encoded = kafkaName.substring(prefix.length());
    if (encoded.isEmpty() || encoded.startsWith(HASHED) || encoded.equals(CATALOG)) {
      return Optional.empty();
    }
    byte[] utf8 = new byte[encoded.length()];
    int length = 0;
    for (int i = 0; i < encoded.length(); i++) {
      char c = encoded.charAt(i);
      if (c == '_') {
        if (i + 2 >= encoded.length()) {
          return Optional.empty();
        }
        int high = Character.digit(encoded.charAt(i + 1), 16);
        int low = Character.digit(encoded.charAt(i + 2), 16);
        if (high < 0 || low < 0) {
          return Optional.empty();
        }
        utf8[length++] = (byte) (high << 4 | low);
        i += 2;
      } else if (plain(c)) {
        utf8[length++] = (byte) c;
      } else {
        return Optional.empty();
      }
    }
    return Optional.of(new String(utf8, 0, length, StandardCharsets.UTF_8));
  }

  private static boolean plain(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
