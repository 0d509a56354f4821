package io.minikafka.broker.config;

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
    String logLevel) {

  public static final Endpoint DEFAULT_HOST = new Endpoint("127.0.0.1", 9999);
  public static final Duration DEFAULT_RETENTION = Duration.ofHours(168);
  public static final int DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
  /** A quarter of gRPC's default 4 MiB receive limit, so clients on defaults can take any response of small messages. */
  public static final int DEFAULT_MAX_POLL_BYTES = 1024 * 1024;
  public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);
  public static final String DEFAULT_LOG_LEVEL = "INFO";
  private static final List<String> LOG_LEVELS = List.of("ERROR", "WARN", "INFO", "DEBUG", "TRACE");

  public ServerConfig {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(rootDir, "rootDir");
    Objects.requireNonNull(fsync, "fsync");
    Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
    Objects.requireNonNull(metrics, "metrics");
    logLevel = parseLogLevel(logLevel);
    if (retention == null || retention.isNegative() || retention.isZero()) {
      throw new IllegalArgumentException("retention must be positive, was " + retention);
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
    return new ServerConfig(
        DEFAULT_HOST,
        DEFAULT_RETENTION,
        Optional.empty(),
        new FsyncPolicy.Always(),
        FileStoreConfig.DEFAULT_SEGMENT_BYTES,
        DEFAULT_MAX_MESSAGE_BYTES,
        DEFAULT_MAX_POLL_BYTES,
        DEFAULT_SHUTDOWN_TIMEOUT,
        Optional.empty(),
        DEFAULT_LOG_LEVEL);
  }

  public ServerConfig withHost(Endpoint newHost) {
    return new ServerConfig(
        newHost, retention, rootDir, fsync, segmentBytes, maxMessageBytes, maxPollBytes, shutdownTimeout, metrics, logLevel);
  }

  public ServerConfig withRetention(Duration newRetention) {
    return new ServerConfig(
        host, newRetention, rootDir, fsync, segmentBytes, maxMessageBytes, maxPollBytes, shutdownTimeout, metrics, logLevel);
  }

  public ServerConfig withMaxMessageBytes(int bytes) {
    return new ServerConfig(
        host, retention, rootDir, fsync, segmentBytes, bytes, maxPollBytes, shutdownTimeout, metrics, logLevel);
  }

  public ServerConfig withMetrics(Endpoint at) {
    return new ServerConfig(
        host, retention, rootDir, fsync, segmentBytes, maxMessageBytes, maxPollBytes, shutdownTimeout, Optional.of(at), logLevel);
  }

  public ServerConfig withMaxPollBytes(int bytes) {
    return new ServerConfig(
        host, retention, rootDir, fsync, segmentBytes, maxMessageBytes, bytes, shutdownTimeout, metrics, logLevel);
  }

  /**
   * The file store settings this configuration implies: segments also roll once they span the
   * retention time (at most a week), so expired data frees its disk space within about twice the
   * retention time.
   */
  public FileStoreConfig fileStoreConfig() {
    Duration maxAge = retention.compareTo(FileStoreConfig.DEFAULT_SEGMENT_MAX_AGE) < 0
        ? retention
        : FileStoreConfig.DEFAULT_SEGMENT_MAX_AGE;
    return FileStoreConfig.defaults()
        .withFsync(fsync)
        .withSegmentBytes(segmentBytes)
        .withSegmentMaxAge(maxAge);
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
    return resolve(env, flags, new ArrayList<>());
  }

  /**
   * Where each setting's effective value comes from, in {@link Setting} order, for {@code
   * mkfk-server --print-config}.
   *
   * @throws ConfigException as {@link #resolve}
   */
  public static List<Origin> origins(Map<String, String> env, Map<Setting, String> flags) {
    List<Origin> origins = new ArrayList<>();
    resolve(env, flags, origins);
    return origins;
  }

  /**
   * One setting's effective value and where it came from.
   *
   * @param value the value as given, or the default written as it would be given
   * @param source {@code flag --x}, the environment variable's name, or {@code default}
   */
  public record Origin(Setting setting, String value, String source) {}

  private static ServerConfig resolve(
      Map<String, String> env, Map<Setting, String> flags, List<Origin> origins) {
    Sources sources = new Sources(env, flags, origins);
    ServerConfig d = defaults();
    Endpoint host =
        sources.parse(Setting.HOST, Endpoint::parse, "127.0.0.1:9999 or :9999", d.host, d.host.toString());
    Duration retention =
        sources.parse(
            Setting.RETENTION,
            ServerConfig::parseRetention,
            GoDuration.EXAMPLES,
            d.retention,
            GoDuration.format(d.retention));
    Optional<Path> rootDir =
        Optional.ofNullable(
            sources.parse(Setting.ROOT_DIR, Path::of, "/var/lib/minikafka", null, "(memory store)"));
    FsyncPolicy fsync =
        sources.parse(Setting.FSYNC, FsyncPolicy::parse, FsyncPolicy.EXAMPLES, d.fsync, d.fsync.toString());
    int segmentBytes =
        sources.parse(
            Setting.SEGMENT_BYTES, v -> parseSize(v, 1024), "67108864", d.segmentBytes, Integer.toString(d.segmentBytes));
    int maxMessageBytes =
        sources.parse(
            Setting.MAX_MESSAGE_BYTES,
            v -> parseSize(v, 0),
            "16777216",
            d.maxMessageBytes,
            Integer.toString(d.maxMessageBytes));
    int maxPollBytes =
        sources.parse(
            Setting.MAX_POLL_BYTES, v -> parseSize(v, 1), "1048576", d.maxPollBytes, Integer.toString(d.maxPollBytes));
    Optional<Endpoint> metrics =
        Optional.ofNullable(
            sources.parse(Setting.METRICS, Endpoint::parse, "127.0.0.1:9998", null, "(off)"));
    return new ServerConfig(
        host,
        retention,
        rootDir,
        fsync,
        segmentBytes,
        maxMessageBytes,
        maxPollBytes,
        d.shutdownTimeout,
        metrics,
        sources.parse(Setting.LOG_LEVEL, ServerConfig::parseLogLevel, "INFO", d.logLevel, d.logLevel));
  }

  private static Duration parseRetention(String value) {
    Duration parsed = GoDuration.parse(value);
    if (parsed.isNegative() || parsed.isZero()) {
      throw new IllegalArgumentException("retention must be positive");
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

  private static int parseSize(String value, int min) {
    int parsed;
    try {
      parsed = Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a whole number of bytes up to " + Integer.MAX_VALUE);
    }
    if (parsed < min) {
      throw new IllegalArgumentException("must be at least " + min);
    }
    return parsed;
  }

  /** Where each setting's text comes from, and the one place errors are worded. */
  private record Sources(Map<String, String> env, Map<Setting, String> flags, List<Origin> origins) {

    <T> T parse(
        Setting setting, Function<String, T> parser, String example, T fallback, String shownDefault) {
      String flagValue = flags.get(setting);
      String source;
      String value;
      if (flagValue != null && !flagValue.isEmpty()) {
        source = "flag " + setting.flag();
        value = flagValue;
      } else {
        value = env.get(setting.envVar());
        source = setting.envVar();
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
                + source
                + " '"
                + value
                + "': "
                + e.getMessage()
                + " (example: "
                + example
                + ")");
      }
    }
  }
}
