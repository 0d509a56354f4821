package io.minikafka.broker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.minikafka.broker.store.file.FsyncPolicy;
import io.minikafka.protocol.Endpoint;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServerConfigTest {

  @Test
  void defaultsAreLoopbackMemoryStoreAndAWeek() {
    ServerConfig config = ServerConfig.resolve(Map.of(), Map.of());

    assertThat(config.host()).isEqualTo(new Endpoint("127.0.0.1", 9999));
    assertThat(config.retention()).isEqualTo(Duration.ofHours(168));
    assertThat(config.rootDir()).isEmpty();
    assertThat(config.maxMessageBytes()).isEqualTo(16 * 1024 * 1024);
    assertThat(config.sweepInterval()).isEqualTo(Duration.ofMinutes(1008));
  }

  @Test
  void environmentVariablesSetValues() {
    ServerConfig config =
        ServerConfig.resolve(
            Map.of(
                "MINIKAFKA_HOST", ":9999",
                "MINIKAFKA_RETENTIONTIME", "10s",
                "MINIKAFKA_ROOT_DIR", "/tmp/minikafka",
                "MINIKAFKA_MAX_MESSAGE_BYTES", "1000"),
            Map.of());

    assertThat(config.host().anyHost()).isTrue();
    assertThat(config.host().port()).isEqualTo(9999);
    assertThat(config.retention()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.sweepInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(config.rootDir()).contains(Path.of("/tmp/minikafka"));
    assertThat(config.maxMessageBytes()).isEqualTo(1000);
  }

  @Test
  void flagsOverrideEnvironmentVariables() {
    ServerConfig config =
        ServerConfig.resolve(
            Map.of("MINIKAFKA_RETENTIONTIME", "10s", "MINIKAFKA_HOST", ":1"),
            Map.of(Setting.RETENTION, "7d"));

    assertThat(config.retention()).isEqualTo(Duration.ofDays(7));
    assertThat(config.host().port()).isEqualTo(1);
  }

  @Test
  void emptyValuesMeanUnset() {
    ServerConfig config =
        ServerConfig.resolve(
            Map.of("MINIKAFKA_ROOT_DIR", "", "MINIKAFKA_RETENTIONTIME", ""),
            Map.of(Setting.ROOT_DIR, ""));

    assertThat(config.rootDir()).isEmpty();
    assertThat(config.retention()).isEqualTo(ServerConfig.DEFAULT_RETENTION);
  }

  @Test
  void kafkaSettingsComeTogetherWithTheirPropertiesFile(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path properties = dir.resolve("kafka.properties");
    java.nio.file.Files.writeString(
        properties, "security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\n");

    ServerConfig config =
        ServerConfig.resolve(
            Map.of(
                "MINIKAFKA_KAFKA_BOOTSTRAP", "127.0.0.1:9092, 127.0.0.1:9093",
                "MINIKAFKA_KAFKA_PROPERTIES", properties.toString(),
                "MINIKAFKA_KAFKA_REPLICATION", "3"),
            Map.of(Setting.KAFKA_TOPIC_PREFIX, "team-a."));

    KafkaSettings kafka = config.kafka().orElseThrow();
    assertThat(kafka.bootstrap()).isEqualTo("127.0.0.1:9092, 127.0.0.1:9093");
    assertThat(kafka.clientProperties())
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512");
    assertThat(kafka.topicPrefix()).isEqualTo("team-a.");
    assertThat(kafka.replication()).contains((short) 3);
    assertThat(ServerConfig.resolve(Map.of(), Map.of()).kafka()).isEmpty();
  }

  @Test
  void badEnvironmentValueIsNamedWithTheValueAndAnExample() {
    assertThatThrownBy(
            () -> ServerConfig.resolve(Map.of("MINIKAFKA_RETENTIONTIME", "10 parsecs"), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("MINIKAFKA_RETENTIONTIME")
        .hasMessageContaining("'10 parsecs'")
        .hasMessageContaining("10s")
        .hasMessageNotContaining("\n");
  }

  @Test
  void badFlagValueIsNamedAsTheFlag() {
    assertThatThrownBy(
            () ->
                ServerConfig.resolve(
                    Map.of("MINIKAFKA_RETENTIONTIME", "10s"), Map.of(Setting.RETENTION, "-5s")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("--retention")
        .hasMessageContaining("'-5s'")
        .hasMessageContaining("positive");
  }

  @Test
  void aRetentionUnderAMillisecondIsRefusedAsTopicRetentionsAre() {
    for (String tooShort : new String[] {"1us", "999us", "500ns"}) {
      assertThatThrownBy(
              () -> ServerConfig.resolve(Map.of("MINIKAFKA_RETENTIONTIME", tooShort), Map.of()))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("MINIKAFKA_RETENTIONTIME")
          .hasMessageContaining("at least 1ms");
    }
    assertThat(ServerConfig.resolve(Map.of("MINIKAFKA_RETENTIONTIME", "1ms"), Map.of()).retention())
        .isEqualTo(Duration.ofMillis(1));
    assertThatThrownBy(() -> ServerConfig.builder().retention(Duration.ofNanos(999_999)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 1ms");
  }

  @Test
  void badHostIsNamed() {
    assertThatThrownBy(() -> ServerConfig.resolve(Map.of("MINIKAFKA_HOST", "nowhere"), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("MINIKAFKA_HOST")
        .hasMessageContaining("'nowhere'")
        .hasMessageContaining(":9999");
  }

  @Test
  void fileStoreSettingsComeThrough() {
    ServerConfig config =
        ServerConfig.resolve(
            Map.of("MINIKAFKA_FSYNC", "interval:250ms", "MINIKAFKA_RETENTIONTIME", "10s"),
            Map.of(Setting.SEGMENT_BYTES, "1048576"));

    assertThat(config.fsync()).isEqualTo(new FsyncPolicy.Interval(Duration.ofMillis(250)));
    assertThat(config.fileStoreConfig().segmentBytes()).isEqualTo(1048576);
    assertThat(config.fileStoreConfig().segmentMaxAge()).isEqualTo(Duration.ofSeconds(10));
    assertThat(ServerConfig.defaults().fsync()).isEqualTo(new FsyncPolicy.Always());
    assertThat(ServerConfig.defaults().fileStoreConfig().segmentMaxAge())
        .isEqualTo(Duration.ofDays(7));
  }

  @Test
  void badFsyncPolicyIsNamed() {
    assertThatThrownBy(
            () -> ServerConfig.resolve(Map.of("MINIKAFKA_FSYNC", "interval:soon"), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("MINIKAFKA_FSYNC 'interval:soon'")
        .hasMessageContaining("always, interval:1s or never");
  }

  @Test
  void originsSayWhereEachValueCameFrom() {
    List<ServerConfig.Origin> origins =
        ServerConfig.origins(
            Map.of("MINIKAFKA_RETENTIONTIME", "10s", "MINIKAFKA_HOST", ":1"),
            Map.of(Setting.HOST, ":2"));

    assertThat(origins).extracting(ServerConfig.Origin::setting).containsExactly(Setting.values());
    assertThat(origins.get(0))
        .isEqualTo(new ServerConfig.Origin(Setting.HOST, ":2", "flag --host"));
    assertThat(origins.get(1))
        .isEqualTo(new ServerConfig.Origin(Setting.RETENTION, "10s", "MINIKAFKA_RETENTIONTIME"));
    assertThat(origins.get(2))
        .isEqualTo(new ServerConfig.Origin(Setting.ROOT_DIR, "(memory store)", "default"));
  }

  @Test
  void badSizeIsNamed() {
    assertThatThrownBy(
            () -> ServerConfig.resolve(Map.of("MINIKAFKA_MAX_MESSAGE_BYTES", "16MB"), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("MINIKAFKA_MAX_MESSAGE_BYTES")
        .hasMessageContaining("'16MB'");
  }

  @Test
  void aMistypedNameIsMatchedToTheSettingItWasMeantForAndNothingElseIs() {
    assertThat(Setting.closestTo("MINIKAFKA_RETENTION")).contains(Setting.RETENTION);
    assertThat(Setting.closestTo("MINIKAFKA_ROOTDIR")).contains(Setting.ROOT_DIR);
    assertThat(Setting.closestTo("MINIKAFKA_FSINC")).contains(Setting.FSYNC);
    assertThat(Setting.closestTo("segment-byte")).contains(Setting.SEGMENT_BYTES);
    assertThat(Setting.closestTo("root")).contains(Setting.ROOT_DIR);
    assertThat(Setting.closestTo("MINIKAFKA_HOME")).isEmpty();
    assertThat(Setting.closestTo("MINIKAFKA_HEAP_OPTS")).isEmpty();
    assertThat(Setting.closestTo("colour")).isEmpty();
  }

  @Test
  void everyByteSettingTakesTheSuffixesTheDiskFloorTakes() {
    ServerConfig config =
        ServerConfig.resolve(
            Map.of(
                "MINIKAFKA_SEGMENT_BYTES", "64MiB",
                "MINIKAFKA_MAX_MESSAGE_BYTES", "16 mib",
                "MINIKAFKA_MAX_POLL_BYTES", "512KiB",
                "MINIKAFKA_MAX_MEMORY_BYTES", "2GiB",
                "MINIKAFKA_RETENTION_BYTES", "1TiB",
                "MINIKAFKA_PRODUCE_QUEUE_BYTES", "32MiB"),
            Map.of(Setting.MAX_POLL_BYTES, "2MiB"));
    assertThat(config.segmentBytes()).isEqualTo(64 << 20);
    assertThat(config.maxMessageBytes()).isEqualTo(16 << 20);
    assertThat(config.maxPollBytes()).isEqualTo(2 << 20);
    assertThat(config.storeLimits().maxMemoryBytes()).isEqualTo(2L << 30);
    assertThat(config.storeLimits().retentionBytes()).isEqualTo(1L << 40);
    assertThat(config.produceQueueBytes()).isEqualTo(32L << 20);
  }

  @Test
  void aSizeTooLargeForItsSettingOrInAUnitNotTakenIsNamed() {
    assertThatThrownBy(
            () -> ServerConfig.resolve(Map.of("MINIKAFKA_SEGMENT_BYTES", "2GiB"), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("MINIKAFKA_SEGMENT_BYTES '2GiB'")
        .hasMessageContaining("at most 2147483647");
    assertThatThrownBy(
            () -> ServerConfig.resolve(Map.of("MINIKAFKA_RETENTION_BYTES", "1MB"), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("MINIKAFKA_RETENTION_BYTES '1MB'")
        .hasMessageContaining("KiB, MiB, GiB or TiB");
    assertThatThrownBy(
            () -> ServerConfig.resolve(Map.of("MINIKAFKA_SEGMENT_BYTES", "1000"), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("at least 1024");
  }

  @Test
  void limitsAndSecuritySettingsComeFromTheirVariables() {
    ServerConfig config =
        ServerConfig.resolve(
            Map.ofEntries(
                Map.entry("MINIKAFKA_MAX_TOPICS", "5"),
                Map.entry("MINIKAFKA_MAX_CONSUMERS_PER_TOPIC", "6"),
                Map.entry("MINIKAFKA_MAX_MEMORY_BYTES", "7000"),
                Map.entry("MINIKAFKA_RETENTION_BYTES", "8000"),
                Map.entry("MINIKAFKA_MIN_FREE_DISK", "5%"),
                Map.entry("MINIKAFKA_MAX_CALLS_PER_CONNECTION", "9"),
                Map.entry("MINIKAFKA_MAX_SUBSCRIPTIONS_PER_CONNECTION", "10"),
                Map.entry("MINIKAFKA_PRODUCE_QUEUE_BYTES", "11000"),
                Map.entry("MINIKAFKA_IDLE_TIMEOUT", "5m"),
                Map.entry("MINIKAFKA_MAX_CONNECTION_AGE", "2h"),
                Map.entry("MINIKAFKA_TLS_CERT", "/etc/s.pem"),
                Map.entry("MINIKAFKA_TLS_KEY", "/etc/s.key"),
                Map.entry("MINIKAFKA_AUTH_FILE", "/etc/auth")),
            Map.of(Setting.MAX_TOPICS, "12"));

    assertThat(config.storeLimits())
        .isEqualTo(new io.minikafka.broker.store.StoreLimits(12, 6, 7000, 8000));
    assertThat(config.minFreeDisk().toString()).isEqualTo("5%");
    assertThat(config.maxCallsPerConnection()).isEqualTo(9);
    assertThat(config.maxSubscriptionsPerConnection()).isEqualTo(10);
    assertThat(config.produceQueueBytes()).isEqualTo(11000);
    assertThat(config.idleTimeout()).isEqualTo(Duration.ofMinutes(5));
    assertThat(config.maxConnectionAge()).contains(Duration.ofHours(2));
    assertThat(config.tls())
        .contains(
            new ServerConfig.TlsFiles(
                Path.of("/etc/s.pem"), Path.of("/etc/s.key"), java.util.Optional.empty()));
    assertThat(config.authFile()).contains(Path.of("/etc/auth"));
    assertThat(config.fileStoreConfig().limits()).isEqualTo(config.storeLimits());
  }

  @Test
  void aBadValueWhoseReasonGivesTheExampleDoesNotGiveItTwice() {
    assertThatThrownBy(
            () -> ServerConfig.resolve(Map.of("MINIKAFKA_HOST", "127.0.0.1:abc"), Map.of()))
        .isInstanceOf(ConfigException.class)
        .satisfies(
            e ->
                assertThat(e.getMessage().split("127.0.0.1:9999", -1))
                    .as(e.getMessage())
                    .hasSize(2));
  }

  @Test
  void aBadLimitIsNamedWithItsVariable() {
    assertThatThrownBy(() -> ServerConfig.resolve(Map.of("MINIKAFKA_MAX_TOPICS", "0"), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("invalid MINIKAFKA_MAX_TOPICS '0': must be at least 1 (example: 10000)");
    assertThatThrownBy(
            () -> ServerConfig.resolve(Map.of("MINIKAFKA_MIN_FREE_DISK", "lots"), Map.of()))
        .hasMessageStartingWith("invalid MINIKAFKA_MIN_FREE_DISK 'lots'");
    assertThatThrownBy(
            () -> ServerConfig.resolve(Map.of("MINIKAFKA_TLS_CLIENT_CA", "/ca.pem"), Map.of()))
        .hasMessage(
            "MINIKAFKA_TLS_CLIENT_CA needs TLS: set MINIKAFKA_TLS_CERT and MINIKAFKA_TLS_KEY too");
  }
}
