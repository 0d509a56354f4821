package io.minikafka.broker.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;

/**
 * The Kafka cluster a server keeps its messages in, when it runs as a gateway (the kafka-store
 * module reads these; this module carries no Kafka classes).
 *
 * @param bootstrap the cluster's bootstrap servers, {@code host:port[,host:port...]}
 * @param clientProperties extra Kafka client properties, passed through as they are
 * @param topicPrefix the start of the name of every Kafka topic the server makes
 * @param replication the replication factor of the topics it makes; empty for the cluster's
 */
public record KafkaSettings(
    String bootstrap,
    Map<String, String> clientProperties,
    String topicPrefix,
    Optional<Short> replication) {

  public static final String DEFAULT_TOPIC_PREFIX = "minikafka.";

  /** Kafka's 249 characters, less a hashed topic name's 66. */
  public static final int MAX_TOPIC_PREFIX = 183;

  public KafkaSettings {
    Objects.requireNonNull(bootstrap, "bootstrap");
    clientProperties = Map.copyOf(clientProperties);
    parseTopicPrefix(topicPrefix);
    Objects.requireNonNull(replication, "replication");
  }

  /**
   * A bootstrap list checked for shape: host:port entries separated by commas.
   *
   * @throws IllegalArgumentException naming the entry that is not host:port
   */
  public static String parseBootstrap(String value) {
    String trimmed = value.trim();
    for (String entry : trimmed.split(",", -1)) {
      String server = entry.trim();
      int colon = server.lastIndexOf(':');
      if (colon <= 0) {
        throw new IllegalArgumentException("'" + server + "' is not host:port");
      }
      int port;
      try {
        port = Integer.parseInt(server.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("'" + server + "' has no port number");
      }
      if (port < 1 || port > 65_535) {
        throw new IllegalArgumentException("'" + server + "' has a port out of 1-65535");
      }
    }
    return trimmed;
  }

  /**
   * The properties of a Kafka client properties file.
   *
   * @throws IllegalArgumentException if the file cannot be read
   */
  public static Map<String, String> readProperties(Path file) {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      properties.load(reader);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot read " + file + ": " + (e.getMessage() == null ? e : e.getMessage()));
    }
    Map<String, String> values = new HashMap<>();
    for (String name : properties.stringPropertyNames()) {
      values.put(name, properties.getProperty(name));
    }
    return values;
  }

  /**
   * A topic prefix Kafka accepts at the start of a topic name, leaving room for the longest name
   * the server makes.
   *
   * @throws IllegalArgumentException naming what is wrong with it
   */
  public static String parseTopicPrefix(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (!(Character.isLetterOrDigit(c) && c < 0x80) && c != '.' && c != '_' && c != '-') {
        throw new IllegalArgumentException(
            "may hold only ASCII letters, digits, '.', '_' and '-' (Kafka's topic name rules)");
      }
    }
    if (value.length() > MAX_TOPIC_PREFIX) {
      throw new IllegalArgumentException("must be at most " + MAX_TOPIC_PREFIX + " characters");
    }
    return value;
  }

  /**
   * A replication factor of 1 to 32767.
   *
   * @throws IllegalArgumentException if it is not one
   */
  public static short parseReplication(String value) {
    int parsed;
    try {
      parsed = Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a whole number");
    }
    if (parsed < 1 || parsed > Short.MAX_VALUE) {
      throw new IllegalArgumentException("must be from 1 to " + Short.MAX_VALUE);
    }
    return (short) parsed;
  }
}
