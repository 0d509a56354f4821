package io.minikafka.broker.config;

import io.minikafka.protocol.Endpoint;
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
      Endpoint server;
      try {
        server = Endpoint.parse(entry);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("'" + entry.trim() + "' is not host:port");
      }
      if (server.anyHost() || server.port() == 0) {
        throw new IllegalArgumentException(
            "'" + entry.trim() + "' needs a host and a port from 1 to 65535");
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
}
