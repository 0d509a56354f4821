package io.minikafka.broker.config;

import io.minikafka.broker.store.StoreLimits;
import io.minikafka.broker.store.file.DiskFloor;
import io.minikafka.broker.store.file.FileStoreConfig;
import io.minikafka.broker.store.file.FsyncPolicy;
import io.minikafka.protocol.Endpoint;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The whole configuration of a MiniKafka server, immutable. Built in one place, {@link #resolve},
 * from environment variables and flags, then passed down through constructors.
 *
 * @param host where to listen; no host means every interface, port 0 any free port
 * @param retention how long a message is kept after it is stored; positive
 * @param rootDir the file store's directory, or empty for the memory store
 * @param fsync when the file store forces records to disk
 * @param segmentBytes the file store's segment size
 * @param maxMessageBytes the largest payload accepted by Produce
 * @param maxPollBytes the largest Poll response the server builds (see {@code PollLimits})
 * @param shutdownTimeout how long in-flight calls may run on after shutdown starts
 * @param metrics where to serve Prometheus metrics over HTTP, or empty for none
 * @param logLevel the level of the broker's logs: ERROR, WARN, INFO, DEBUG or TRACE
 * @param tls the server's certificate and key, and the CA of client certificates, or empty for
 *     plaintext
 * @param authFile the file of identities and permissions, or empty to let every client do anything
 * @param storeLimits topics, consumers per topic, memory and retention by size
 * @param minFreeDisk the file store refuses produces below this much free disk space
 * @param maxCallsPerConnection calls and streams one connection may have open at once
 * @param maxSubscriptionsPerConnection Subscribe streams one connection may have open at once
 * @param produceQueueBytes bytes all produce streams together may have received and not yet stored
 * @param idleTimeout a connection without calls for this long is closed
 * @param maxConnectionAge connections are asked to reconnect after this long, or empty for never
 * @param maxOpenFiles the file store holds at most this many segment files open
 * @param kafka the Kafka cluster to keep messages in, or empty for a store of this server's own
 */
public record ServerConfig(
    Endpoint host,
    Duration retention,
    Optional<Path> rootDir,
    FsyncPolicy fsync,
    int segmentBytes,
    int maxMessageBytes,
    int maxPollBytes,
    Duration shutdownTimeout,
    Optional<Endpoint> metrics,
    String logLevel,
    Optional<TlsFiles> tls,
    Optional<Path> authFile,
    StoreLimits storeLimits,
    DiskFloor minFreeDisk,
    int maxCallsPerConnection,
    int maxSubscriptionsPerConnection,
    long produceQueueBytes,
    Duration idleTimeout,
    Optional<Duration> maxConnectionAge,
    int maxOpenFiles,
    Optional<KafkaSettings> kafka) {

  public static final Endpoint DEFAULT_HOST = new Endpoint("127.0.0.1", 9999);
  public static final Duration DEFAULT_RETENTION = Duration.ofHours(168);
  public static final int DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

  /**
   * A quarter of gRPC's default 4 MiB receive limit, so clients on defaults can take any response
   * of small messages.
   */
  public static final int DEFAULT_MAX_POLL_BYTES = 1024 * 1024;

  public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);
  public static final String DEFAULT_LOG_LEVEL = "INFO";

  /** Generous: every Producer, Consumer and Admin of a client JVM shares one connection. */
  public static final int DEFAULT_MAX_CALLS_PER_CONNECTION = 10_000;

  public static final int DEFAULT_MAX_SUBSCRIPTIONS_PER_CONNECTION = 1_000;

  /**
   * 64 MiB, or a sixteenth of the heap if that is less: the rest is for stored messages and reads.
   * A sixteenth, not an eighth, because a request of a large message takes twice its size in a
   * small heap (G1 gives an array of half a region or more whole regions of its own), and every
   * stream has one request beyond the queue.
   */
  public static final long DEFAULT_PRODUCE_QUEUE_BYTES =
      Math.min(64L * 1024 * 1024, Runtime.getRuntime().maxMemory() / 16);

  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofHours(1);
  private static final List<String> LOG_LEVELS = List.of("ERROR", "WARN", "INFO", "DEBUG", "TRACE");

  public ServerConfig {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(rootDir, "rootDir");
    Objects.requireNonNull(fsync, "fsync");
    Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
    Objects.requireNonNull(metrics, "metrics");
    Objects.requireNonNull(tls, "tls");
    Objects.requireNonNull(authFile, "authFile");
    Objects.requireNonNull(storeLimits, "storeLimits");
    Objects.requireNonNull(minFreeDisk, "minFreeDisk");
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    Objects.requireNonNull(maxConnectionAge, "maxConnectionAge");
    Objects.requireNonNull(kafka, "kafka");
    if (kafka.isPresent() && rootDir.isPresent()) {
      throw new IllegalArgumentException(
          "a server keeps its messages in files or in Kafka, not both");
    }
    if (maxCallsPerConnection < 1 || maxSubscriptionsPerConnection < 1 || produceQueueBytes < 1) {
      throw new IllegalArgumentException("per-connection limits must be positive");
    }
    if (maxOpenFiles < 1) {
      throw new IllegalArgumentException("maxOpenFiles must be positive");
    }
    logLevel = parseLogLevel(logLevel);
    if (retention == null || retention.compareTo(Duration.ofMillis(1)) < 0) {
      throw new IllegalArgumentException("retention must be at least 1ms, was " + retention);
    }
    if (maxMessageBytes < 0) {
      throw new IllegalArgumentException("maxMessageBytes must not be negative");
    }
    if (maxPollBytes < 1) {
      throw new IllegalArgumentException("maxPollBytes must be positive");
    }
  }

  /** Every setting at its default: memory store on 127.0.0.1:9999, retention 168h. */
  public static ServerConfig defaults() {
    return builder().build();
  }

  /** A builder starting from every default. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from this configuration. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /**
   * The PEM files of a TLS server.
   *
   * @param certChain the server's certificate chain, leaf first
   * @param key the private key of the leaf certificate
   * @param clientCa when present, clients must present a certificate signed by one of these
   */
  public record TlsFiles(Path certChain, Path key, Optional<Path> clientCa) {
    public TlsFiles {
      Objects.requireNonNull(certChain, "certChain");
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(clientCa, "clientCa");
    }
  }

  /** Builds a {@link ServerConfig}; every value not set keeps its default. */
  public static final class Builder {
    private Endpoint host = DEFAULT_HOST;
    private Duration retention = DEFAULT_RETENTION;
    private Optional<Path> rootDir = Optional.empty();
    private FsyncPolicy fsync = new FsyncPolicy.Always();
    private int segmentBytes = FileStoreConfig.DEFAULT_SEGMENT_BYTES;
    private int maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;
    private int maxPollBytes = DEFAULT_MAX_POLL_BYTES;
    private Duration shutdownTimeout = DEFAULT_SHUTDOWN_TIMEOUT;
    private Optional<Endpoint> metrics = Optional.empty();
    private String logLevel = DEFAULT_LOG_LEVEL;
    private Optional<TlsFiles> tls = Optional.empty();
    private Optional<Path> authFile = Optional.empty();
    private StoreLimits storeLimits = StoreLimits.DEFAULTS;
    private DiskFloor minFreeDisk = DiskFloor.DEFAULT;
    private int maxCallsPerConnection = DEFAULT_MAX_CALLS_PER_CONNECTION;
    private int maxSubscriptionsPerConnection = DEFAULT_MAX_SUBSCRIPTIONS_PER_CONNECTION;
    private long produceQueueBytes = DEFAULT_PRODUCE_QUEUE_BYTES;
    private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
    private Optional<Duration> maxConnectionAge = Optional.empty();
    private int maxOpenFiles = FileStoreConfig.DEFAULT_MAX_OPEN_FILES;
    private Optional<KafkaSettings> kafka = Optional.empty();

    private Builder() {}

    private Builder(ServerConfig c) {
      host = c.host;
      retention = c.retention;
      rootDir = c.rootDir;
      fsync = c.fsync;
      segmentBytes = c.segmentBytes;
      maxMessageBytes = c.maxMessageBytes;
      maxPollBytes = c.maxPollBytes;
      shutdownTimeout = c.shutdownTimeout;
      metrics = c.metrics;
      logLevel = c.logLevel;
      tls = c.tls;
      authFile = c.authFile;
      storeLimits = c.storeLimits;
      minFreeDisk = c.minFreeDisk;
      maxCallsPerConnection = c.maxCallsPerConnection;
      maxSubscriptionsPerConnection = c.maxSubscriptionsPerConnection;
      produceQueueBytes = c.produceQueueBytes;
      idleTimeout = c.idleTimeout;
      maxConnectionAge = c.maxConnectionAge;
      maxOpenFiles = c.maxOpenFiles;
      kafka = c.kafka;
    }

    public Builder host(Endpoint value) {
      host = value;
      return this;
    }

    public Builder retention(Duration value) {
      retention = value;
      return this;
    }

    public Builder rootDir(Path value) {
      rootDir = Optional.ofNullable(value);
      return this;
    }

    public Builder fsync(FsyncPolicy value) {
      fsync = value;
      return this;
    }

    public Builder segmentBytes(int value) {
      segmentBytes = value;
      return this;
    }

    public Builder maxMessageBytes(int value) {
      maxMessageBytes = value;
      return this;
    }

    public Builder maxPollBytes(int value) {
      maxPollBytes = value;
      return this;
    }

    public Builder shutdownTimeout(Duration value) {
      shutdownTimeout = value;
      return this;
    }

    public Builder metrics(Endpoint value) {
      metrics = Optional.ofNullable(value);
      return this;
    }

    public Builder logLevel(String value) {
      logLevel = value;
      return this;
    }

    public Builder tls(TlsFiles value) {
      tls = Optional.ofNullable(value);
      return this;
    }

    public Builder authFile(Path value) {
      authFile = Optional.ofNullable(value);
      return this;
    }

    public Builder storeLimits(StoreLimits value) {
      storeLimits = value;
      return this;
    }

    public Builder minFreeDisk(DiskFloor value) {
      minFreeDisk = value;
      return this;
    }

    public Builder maxCallsPerConnection(int value) {
      maxCallsPerConnection = value;
      return this;
    }

    public Builder maxSubscriptionsPerConnection(int value) {
      maxSubscriptionsPerConnection = value;
      return this;
    }

    public Builder produceQueueBytes(long value) {
      produceQueueBytes = value;
      return this;
    }

    public Builder idleTimeout(Duration value) {
      idleTimeout = value;
      return this;
    }

    public Builder maxConnectionAge(Duration value) {
      maxConnectionAge = Optional.ofNullable(value);
      return this;
    }

    public Builder maxOpenFiles(int value) {
      maxOpenFiles = value;
      return this;
    }

    public Builder kafka(KafkaSettings value) {
      kafka = Optional.ofNullable(value);
      return this;
    }

    /**
     * @throws IllegalArgumentException naming a value out of range
     */
    public ServerConfig build() {
      return new ServerConfig(
          host,
          retention,
          rootDir,
          fsync,
          segmentBytes,
          maxMessageBytes,
          maxPollBytes,
          shutdownTimeout,
          metrics,
          logLevel,
          tls,
          authFile,
          storeLimits,
          minFreeDisk,
          maxCallsPerConnection,
          maxSubscriptionsPerConnection,
          produceQueueBytes,
          idleTimeout,
          maxConnectionAge,
          maxOpenFiles,
          kafka);
    }
  }

  /**
   * The file store settings this configuration implies: segments also roll once they span the
   * retention time (at most a week), so expired data frees its disk space within about twice the
   * retention time.
   */
  public FileStoreConfig fileStoreConfig() {
    Duration maxAge =
        retention.compareTo(FileStoreConfig.DEFAULT_SEGMENT_MAX_AGE) < 0
            ? retention
            : FileStoreConfig.DEFAULT_SEGMENT_MAX_AGE;
    return FileStoreConfig.defaults()
        .withFsync(fsync)
        .withSegmentBytes(segmentBytes)
        .withSegmentMaxAge(maxAge)
        .withLimits(storeLimits)
        .withMinFreeDisk(minFreeDisk)
        .withMaxOpenFiles(maxOpenFiles);
  }

  /** How often the sweeper runs: a tenth of the retention, as the original. */
  public Duration sweepInterval() {
    Duration tenth = retention.dividedBy(10);
    return tenth.isZero() ? Duration.ofNanos(1) : tenth;
  }

  /**
   * Builds the configuration from environment variables and flags; a flag overrides its variable,
   * and an unset or empty value leaves the default.
   *
   * @param env environment variables, such as {@link System#getenv()}
   * @param flags flag values given on the command line, by setting
   * @throws ConfigException one line naming the variable or flag, the bad value and an example
   */
  public static ServerConfig resolve(Map<String, String> env, Map<Setting, String> flags) {
    return resolve(env, flags, ConfigFile.NONE);
  }

  /**
   * Builds the configuration from a configuration file, environment variables and flags: a flag
   * overrides its variable, which overrides the file.
   *
   * @throws ConfigException one line naming the file, variable or flag, the bad value and an
   *     example
   */
  public static ServerConfig resolve(
      Map<String, String> env, Map<Setting, String> flags, ConfigFile file) {
    return resolve(env, flags, file, new ArrayList<>());
  }

  /**
   * Where each setting's effective value comes from, in {@link Setting} order, for {@code
   * mkfk-server --print-config}.
   *
   * @throws ConfigException as {@link #resolve}
   */
  public static List<Origin> origins(Map<String, String> env, Map<Setting, String> flags) {
    return origins(env, flags, ConfigFile.NONE);
  }

  /** {@link #origins(Map, Map)} with a configuration file under the variables and flags. */
  public static List<Origin> origins(
      Map<String, String> env, Map<Setting, String> flags, ConfigFile file) {
    List<Origin> origins = new ArrayList<>();
    resolve(env, flags, file, origins);
    return origins;
  }

  /**
   * One setting's effective value and where it came from.
   *
   * @param value the value as given, or the default written as it would be given
   * @param source {@code flag --x}, the environment variable's name, {@code file <path>}, or {@code
   *     default}
   */
  public record Origin(Setting setting, String value, String source) {}

  private static ServerConfig resolve(
      Map<String, String> env, Map<Setting, String> flags, ConfigFile file, List<Origin> origins) {
    Sources sources = new Sources(env, flags, file, origins);
    ServerConfig d = defaults();
    Builder config = builder();
    config.host(
        sources.parse(
            Setting.HOST, Endpoint::parse, "127.0.0.1:9999 or :9999", d.host, d.host.toString()));
    config.retention(
        sources.parse(
            Setting.RETENTION,
            ServerConfig::parseRetention,
            GoDuration.EXAMPLES,
            d.retention,
            GoDuration.format(d.retention)));
    config.rootDir(
        sources.parse(Setting.ROOT_DIR, Path::of, "/var/lib/minikafka", null, "(memory store)"));
    config.fsync(
        sources.parse(
            Setting.FSYNC, FsyncPolicy::parse, FsyncPolicy.EXAMPLES, d.fsync, d.fsync.toString()));
    config.segmentBytes(
        sources.parse(
            Setting.SEGMENT_BYTES,
            v -> parseSize(v, 1024),
            "67108864 or 64MiB",
            d.segmentBytes,
            Integer.toString(d.segmentBytes)));
    config.maxMessageBytes(
        sources.parse(
            Setting.MAX_MESSAGE_BYTES,
            v -> parseSize(v, 0),
            "16777216 or 16MiB",
            d.maxMessageBytes,
            Integer.toString(d.maxMessageBytes)));
    config.maxPollBytes(
        sources.parse(
            Setting.MAX_POLL_BYTES,
            v -> parseSize(v, 1),
            "1048576 or 1MiB",
            d.maxPollBytes,
            Integer.toString(d.maxPollBytes)));
    config.metrics(
        sources.parse(Setting.METRICS, Endpoint::parse, "127.0.0.1:9998", null, "(off)"));
    config.logLevel(
        sources.parse(
            Setting.LOG_LEVEL, ServerConfig::parseLogLevel, "INFO", d.logLevel, d.logLevel));
    Path cert =
        sources.parse(Setting.TLS_CERT, Path::of, "/etc/minikafka/server.pem", null, "(plaintext)");
    Path key =
        sources.parse(Setting.TLS_KEY, Path::of, "/etc/minikafka/server.key", null, "(none)");
    Path clientCa =
        sources.parse(
            Setting.TLS_CLIENT_CA, Path::of, "/etc/minikafka/clients-ca.pem", null, "(none)");
    if ((cert == null) != (key == null)) {
      Setting missing = cert == null ? Setting.TLS_CERT : Setting.TLS_KEY;
      Setting given = cert == null ? Setting.TLS_KEY : Setting.TLS_CERT;
      throw new ConfigException(
          missing.envVar()
              + " ("
              + missing.flag()
              + ") is needed with "
              + given.envVar()
              + " ("
              + given.flag()
              + ")");
    }
    if (clientCa != null && cert == null) {
      throw new ConfigException(
          Setting.TLS_CLIENT_CA.envVar()
              + " needs TLS: set "
              + Setting.TLS_CERT.envVar()
              + " and "
              + Setting.TLS_KEY.envVar()
              + " too");
    }
    if (cert != null) {
      config.tls(new TlsFiles(cert, key, Optional.ofNullable(clientCa)));
    }
    config.authFile(
        sources.parse(Setting.AUTH_FILE, Path::of, "/etc/minikafka/auth", null, "(off)"));
    StoreLimits limits = d.storeLimits;
    limits =
        limits.withMaxTopics(
            sources.parse(
                Setting.MAX_TOPICS,
                v -> parseCount(v, 1),
                "10000",
                limits.maxTopics(),
                Integer.toString(limits.maxTopics())));
    limits =
        limits.withMaxConsumersPerTopic(
            sources.parse(
                Setting.MAX_CONSUMERS_PER_TOPIC,
                v -> parseCount(v, 1),
                "1000",
                limits.maxConsumersPerTopic(),
                Integer.toString(limits.maxConsumersPerTopic())));
    limits =
        limits.withMaxMemoryBytes(
            sources.parse(
                Setting.MAX_MEMORY_BYTES,
                v -> parseLong(v, 1),
                "1073741824 or 1GiB",
                limits.maxMemoryBytes(),
                limits.maxMemoryBytes() + " (a third of the heap)"));
    limits =
        limits.withRetentionBytes(
            sources.parse(
                Setting.RETENTION_BYTES,
                v -> parseLong(v, 0),
                "1073741824 or 1GiB",
                0L,
                "0 (no limit)"));
    config.storeLimits(limits);
    config.minFreeDisk(
        sources.parse(
            Setting.MIN_FREE_DISK,
            DiskFloor::parse,
            DiskFloor.EXAMPLES,
            d.minFreeDisk,
            d.minFreeDisk.toString()));
    config.maxCallsPerConnection(
        sources.parse(
            Setting.MAX_CALLS_PER_CONNECTION,
            v -> parseCount(v, 1),
            "10000",
            d.maxCallsPerConnection,
            Integer.toString(d.maxCallsPerConnection)));
    config.maxSubscriptionsPerConnection(
        sources.parse(
            Setting.MAX_SUBSCRIPTIONS_PER_CONNECTION,
            v -> parseCount(v, 1),
            "1000",
            d.maxSubscriptionsPerConnection,
            Integer.toString(d.maxSubscriptionsPerConnection)));
    config.produceQueueBytes(
        sources.parse(
            Setting.PRODUCE_QUEUE_BYTES,
            v -> parseLong(v, 1),
            "67108864 or 64MiB",
            d.produceQueueBytes,
            d.produceQueueBytes + " (64 MiB or a sixteenth of the heap)"));
    config.idleTimeout(
        sources.parse(
            Setting.IDLE_TIMEOUT,
            ServerConfig::parseRetention,
            GoDuration.EXAMPLES,
            d.idleTimeout,
            GoDuration.format(d.idleTimeout)));
    config.maxConnectionAge(
        sources.parse(
            Setting.MAX_CONNECTION_AGE,
            ServerConfig::parseRetention,
            GoDuration.EXAMPLES,
            null,
            "(never)"));
    config.maxOpenFiles(
        sources.parse(
            Setting.MAX_OPEN_FILES,
            v -> parseCount(v, 1),
            "4096",
            d.maxOpenFiles,
            d.maxOpenFiles + " (half the process's file handle limit)"));
    String bootstrap =
        sources.parse(
            Setting.KAFKA_BOOTSTRAP,
            KafkaSettings::parseBootstrap,
            "127.0.0.1:9092,127.0.0.1:9093",
            null,
            "(none: this server's own store)");
    Map<String, String> kafkaProperties =
        sources.parse(
            Setting.KAFKA_PROPERTIES,
            v -> KafkaSettings.readProperties(Path.of(v)),
            "/etc/minikafka/kafka-client.properties",
            Map.of(),
            "(none)");
    String prefix =
        sources.parse(
            Setting.KAFKA_TOPIC_PREFIX,
            KafkaSettings::parseTopicPrefix,
            KafkaSettings.DEFAULT_TOPIC_PREFIX,
            KafkaSettings.DEFAULT_TOPIC_PREFIX,
            KafkaSettings.DEFAULT_TOPIC_PREFIX);
    Short replication =
        sources.parse(
            Setting.KAFKA_REPLICATION,
            v -> {
              int factor = parseCount(v, 1);
              if (factor > Short.MAX_VALUE) {
                throw new IllegalArgumentException("must be at most " + Short.MAX_VALUE);
              }
              return (short) factor;
            },
            "3",
            null,
            "(the cluster's default)");
    if (bootstrap != null) {
      if (config.rootDir.isPresent()) {
        throw new ConfigException(
            Setting.ROOT_DIR.envVar()
                + " ("
                + Setting.ROOT_DIR.flag()
                + ") and "
                + Setting.KAFKA_BOOTSTRAP.envVar()
                + " ("
                + Setting.KAFKA_BOOTSTRAP.flag()
                + ") are both set: a server keeps its messages in files or in Kafka, not both");
      }
      config.kafka(
          new KafkaSettings(bootstrap, kafkaProperties, prefix, Optional.ofNullable(replication)));
    }
    return config.build();
  }

  private static Duration parseRetention(String value) {
    Duration parsed = GoDuration.parse(value);
    if (parsed.isNegative() || parsed.isZero()) {
      throw new IllegalArgumentException("must be positive");
    }
    // Retention is kept and shown in milliseconds, as a topic's own retention is set.
    if (parsed.compareTo(Duration.ofMillis(1)) < 0) {
      throw new IllegalArgumentException("must be at least 1ms");
    }
    return parsed;
  }

  private static String parseLogLevel(String value) {
    String level = value == null ? "" : value.trim().toUpperCase(java.util.Locale.ROOT);
    if (!LOG_LEVELS.contains(level)) {
      throw new IllegalArgumentException("not one of " + String.join(", ", LOG_LEVELS));
    }
    return level;
  }

  private static long parseLong(String value, long min) {
    return ByteSize.parse(value, min, Long.MAX_VALUE);
  }

  private static int parseCount(String value, int min) {
    int parsed;
    try {
      parsed = Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a whole number up to " + Integer.MAX_VALUE);
    }
    if (parsed < min) {
      throw new IllegalArgumentException("must be at least " + min);
    }
    return parsed;
  }

  private static int parseSize(String value, int min) {
    return (int) ByteSize.parse(value, min, Integer.MAX_VALUE);
  }

  /** Where each setting's text comes from, and the one place errors are worded. */
  private record Sources(
      Map<String, String> env, Map<Setting, String> flags, ConfigFile file, List<Origin> origins) {

    <T> T parse(
        Setting setting,
        Function<String, T> parser,
        String example,
        T fallback,
        String shownDefault) {
      String flagValue = flags.get(setting);
      String source;
      String value;
      String named = null;
      if (flagValue != null && !flagValue.isEmpty()) {
        source = "flag " + setting.flag();
        value = flagValue;
      } else {
        value = env.get(setting.envVar());
        source = setting.envVar();
        if (value == null || value.isEmpty()) {
          value = file.values().get(setting);
          source = file.source();
          named = file.origin(setting);
        }
        if (value == null || value.isEmpty()) {
          origins.add(new Origin(setting, shownDefault, "default"));
          return fallback;
        }
      }
      try {
        T parsed = parser.apply(value);
        origins.add(new Origin(setting, value, source));
        return parsed;
      } catch (IllegalArgumentException e) {
        throw new ConfigException(
            "invalid "
                + (named != null ? named : source)
                + " '"
                + value
                + "': "
                + e.getMessage()
                + (String.valueOf(e.getMessage()).contains(example)
                    ? ""
                    : " (example: " + example + ")"));
      }
    }
  }
}
