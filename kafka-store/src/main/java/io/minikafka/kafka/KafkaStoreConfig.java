package io.minikafka.kafka;

import io.minikafka.broker.config.KafkaSettings;
import io.minikafka.broker.config.ServerConfig;
import io.minikafka.broker.store.StoreLimits;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How a {@link KafkaStore} reaches and shapes its Kafka cluster.
 *
 * @param bootstrap Kafka's bootstrap servers, {@code host:port[,host:port...]}
 * @param clientProperties extra Kafka client properties (security settings included), given to
 *     every client that knows them, over the store's own defaults
 * @param topicPrefix the start of every Kafka topic the store makes
 * @param replication the replication factor of the topics it makes; empty for the cluster's default
 * @param defaultRetention the server's retention: the {@code retention.ms} of topics it makes
 * @param maxMessageBytes the largest message the server accepts; topics are made to hold it
 * @param limits the server's limits on topics and named consumers
 * @param appendTimes who stamps messages with their append time
 * @param timeout how long one call waits for Kafka before it fails UNAVAILABLE
 */
public record KafkaStoreConfig(
    String bootstrap,
    Map<String, String> clientProperties,
    String topicPrefix,
    Optional<Short> replication,
    Duration defaultRetention,
    int maxMessageBytes,
    StoreLimits limits,
    AppendTimes appendTimes,
    Duration timeout) {

  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);

  /** Who gives a message its append time. */
  public enum AppendTimes {
    /**
     * The Kafka broker that leads the topic's partition, as it appends ({@code
     * message.timestamp.type=LogAppendTime}): one clock per topic, whichever gateway produced.
     */
    BROKER,
    /**
     * The store's own clock, as a record's create time: for tests that move time by hand. With more
     * than one gateway, their clocks' skew shows in the times.
     */
    STORE_CLOCK
  }

  public KafkaStoreConfig {
    Objects.requireNonNull(bootstrap, "bootstrap");
    if (bootstrap.isBlank()) {
      throw new IllegalArgumentException("the Kafka bootstrap servers must not be empty");
    }
    clientProperties = Map.copyOf(clientProperties);
    new KafkaTopicNames(topicPrefix);
    Objects.requireNonNull(replication, "replication");
    replication.ifPresent(
        r -> {
          if (r < 1) {
            throw new IllegalArgumentException("the replication factor must be at least 1");
          }
        });
    Objects.requireNonNull(defaultRetention, "defaultRetention");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(appendTimes, "appendTimes");
    Objects.requireNonNull(timeout, "timeout");
  }

  /** A store on these bootstrap servers with every other setting at its default. */
  public static KafkaStoreConfig of(String bootstrap) {
    return new KafkaStoreConfig(
        bootstrap,
        Map.of(),
        KafkaSettings.DEFAULT_TOPIC_PREFIX,
        Optional.empty(),
        Duration.ofDays(7),
        16 * 1024 * 1024,
        StoreLimits.DEFAULTS,
        AppendTimes.BROKER,
        DEFAULT_TIMEOUT);
  }

  /**
   * What a server's configuration says: its Kafka settings, retention, largest message and limits.
   *
   * @throws IllegalArgumentException if the configuration names no Kafka cluster
   */
  public static KafkaStoreConfig of(ServerConfig server) {
    KafkaSettings kafka =
        server
            .kafka()
            .orElseThrow(() -> new IllegalArgumentException("the server names no Kafka cluster"));
    return new KafkaStoreConfig(
        kafka.bootstrap(),
        kafka.clientProperties(),
        kafka.topicPrefix(),
        kafka.replication(),
        server.retention(),
        server.maxMessageBytes(),
        server.storeLimits(),
        AppendTimes.BROKER,
        DEFAULT_TIMEOUT);
  }

  public KafkaStoreConfig withTopicPrefix(String value) {
    return new KafkaStoreConfig(
        bootstrap,
        clientProperties,
        value,
        replication,
        defaultRetention,
        maxMessageBytes,
        limits,
        appendTimes,
        timeout);
  }

  public KafkaStoreConfig withLimits(StoreLimits value) {
    return new KafkaStoreConfig(
        bootstrap,
        clientProperties,
        topicPrefix,
        replication,
        defaultRetention,
        maxMessageBytes,
        value,
        appendTimes,
        timeout);
  }

  public KafkaStoreConfig withAppendTimes(AppendTimes value) {
    return new KafkaStoreConfig(
        bootstrap,
        clientProperties,
        topicPrefix,
        replication,
        defaultRetention,
        maxMessageBytes,
        limits,
        value,
        timeout);
  }

  public KafkaStoreConfig withTimeout(Duration value) {
    return new KafkaStoreConfig(
        bootstrap,
        clientProperties,
        topicPrefix,
        replication,
        defaultRetention,
        maxMessageBytes,
        limits,
        appendTimes,
        value);
  }
}
