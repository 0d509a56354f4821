package io.minikafka.broker.config;

/**
 * Every server setting, with the environment variable and the flag that set it. A flag overrides
 * the environment variable, which overrides the configuration file ({@link ConfigFile}); all fall
 * back to the default in {@link ServerConfig}.
 */
public enum Setting {
  HOST("MINIKAFKA_HOST", "--host", "address to listen on: host:port, or :port for every interface"),
  RETENTION(
      "MINIKAFKA_RETENTIONTIME",
      "--retention",
      "how long messages are kept, such as 500ms, 10s, 1h30m or 7d"),
  ROOT_DIR(
      "MINIKAFKA_ROOT_DIR", "--root-dir", "directory of the file store; unset or empty = memory"),
  FSYNC(
      "MINIKAFKA_FSYNC", "--fsync", "file store durability: always, interval:<duration> or never"),
  SEGMENT_BYTES(
      "MINIKAFKA_SEGMENT_BYTES",
      "--segment-bytes",
      "file store segment size before it rolls, in bytes"),
  MAX_MESSAGE_BYTES(
      "MINIKAFKA_MAX_MESSAGE_BYTES", "--max-message-bytes", "largest message accepted, in bytes"),
  MAX_POLL_BYTES(
      "MINIKAFKA_MAX_POLL_BYTES",
      "--max-poll-bytes",
      "largest Poll response, in bytes (one larger message is still returned whole)"),
  METRICS(
      "MINIKAFKA_METRICS",
      "--metrics",
      "host:port to serve Prometheus metrics on at /metrics; unset = off"),
  LOG_LEVEL("MINIKAFKA_LOG_LEVEL", "--log-level", "log level: ERROR, WARN, INFO, DEBUG or TRACE"),
  TLS_CERT(
      "MINIKAFKA_TLS_CERT",
      "--tls-cert",
      "PEM certificate chain of the server; set with the key to turn TLS on"),
  TLS_KEY(
      "MINIKAFKA_TLS_KEY",
      "--tls-key",
      "PEM private key of the server certificate (PKCS#8, PKCS#1 or EC)"),
  TLS_CLIENT_CA(
      "MINIKAFKA_TLS_CLIENT_CA",
      "--tls-client-ca",
      "PEM CA certificates; clients must present a certificate they signed (mutual TLS)"),
  AUTH_FILE(
      "MINIKAFKA_AUTH_FILE",
      "--auth-file",
      "file of identities and their permissions (docs/security.md); unset = no authentication"),
  MAX_TOPICS(
      "MINIKAFKA_MAX_TOPICS",
      "--max-topics",
      "topics that may exist at once; creating one more is refused"),
  MAX_CONSUMERS_PER_TOPIC(
      "MINIKAFKA_MAX_CONSUMERS_PER_TOPIC",
      "--max-consumers-per-topic",
      "named consumers whose positions one topic keeps"),
  MAX_MEMORY_BYTES(
      "MINIKAFKA_MAX_MEMORY_BYTES",
      "--max-memory-bytes",
      "memory store: payload bytes held at most; past it producers are refused"),
  RETENTION_BYTES(
      "MINIKAFKA_RETENTION_BYTES",
      "--retention-bytes",
      "bytes a topic keeps at most, oldest deleted first (file store: whole segments); 0 = no limit"),
  MIN_FREE_DISK(
      "MINIKAFKA_MIN_FREE_DISK",
      "--min-free-disk",
      "file store: below this free space (bytes, KiB/MiB/GiB, or %) producers are refused"),
  MAX_CALLS_PER_CONNECTION(
      "MINIKAFKA_MAX_CALLS_PER_CONNECTION",
      "--max-calls-per-connection",
      "calls and streams one connection may have open at once"),
  MAX_SUBSCRIPTIONS_PER_CONNECTION(
      "MINIKAFKA_MAX_SUBSCRIPTIONS_PER_CONNECTION",
      "--max-subscriptions-per-connection",
      "Subscribe streams one connection may have open at once"),
  PRODUCE_QUEUE_BYTES(
      "MINIKAFKA_PRODUCE_QUEUE_BYTES",
      "--produce-queue-bytes",
      "bytes all produce streams together may have received and not yet stored; past it they wait"),
  IDLE_TIMEOUT(
      "MINIKAFKA_IDLE_TIMEOUT",
      "--idle-timeout",
      "a connection without calls for this long is closed"),
  MAX_CONNECTION_AGE(
      "MINIKAFKA_MAX_CONNECTION_AGE",
      "--max-connection-age",
      "connections are asked to reconnect after this long (clients do so by themselves); unset = never"),
  MAX_OPEN_FILES(
      "MINIKAFKA_MAX_OPEN_FILES",
      "--max-open-files",
      "file store: segment files held open at most; the least recently used are closed until needed"),
  KAFKA_BOOTSTRAP(
      "MINIKAFKA_KAFKA_BOOTSTRAP",
      "--kafka-bootstrap",
      "host:port list of an Apache Kafka cluster to keep messages in (docs/scaling.md); unset = this server's own store"),
  KAFKA_PROPERTIES(
      "MINIKAFKA_KAFKA_PROPERTIES",
      "--kafka-properties",
      "file of extra Kafka client properties (security settings too), passed through as they are"),
  KAFKA_TOPIC_PREFIX(
      "MINIKAFKA_KAFKA_TOPIC_PREFIX",
      "--kafka-topic-prefix",
      "start of the name of every Kafka topic, consumer group and catalog the server makes"),
  KAFKA_REPLICATION(
      "MINIKAFKA_KAFKA_REPLICATION",
      "--kafka-replication",
      "replication factor of the Kafka topics the server makes; unset = the cluster's default");

  private final String envVar;
  private final String flag;
  private final String description;

  /** The original's Go-style single-dash spellings of its three settings. */
  private static final java.util.Set<Setting> GO_FLAGS =
      java.util.EnumSet.of(HOST, RETENTION, ROOT_DIR);

  Setting(String envVar, String flag, String description) {
    this.envVar = envVar;
    this.flag = flag;
    this.description = description;
  }

  public String envVar() {
    return envVar;
  }

  public String flag() {
    return flag;
  }

  /**
   * Every spelling of the flag: {@link #flag()}, and {@code -host} style for the original's
   * settings.
   */
  public String[] flagNames() {
    return GO_FLAGS.contains(this) ? new String[] {flag, flag.substring(1)} : new String[] {flag};
  }

  public String description() {
    return description;
  }

  /**
   * The setting a mistyped {@code name} (a variable, or a flag without its dashes) was most likely
   * meant for: the one whose name begins or ends with it (or it with that name), if only one does;
   * else one whose name, after {@code MINIKAFKA_}, differs from it by a character in four.
   */
  public static java.util.Optional<Setting> closestTo(String name) {
    String given = name.toUpperCase(java.util.Locale.ROOT).replace('-', '_');
    java.util.Set<Setting> related = java.util.EnumSet.noneOf(Setting.class);
    Setting nearest = null;
    int nearestDistance = Integer.MAX_VALUE;
    for (Setting setting : values()) {
      for (String known :
          new String[] {
            setting.envVar(),
            setting.flag().substring(2).toUpperCase(java.util.Locale.ROOT).replace('-', '_')
          }) {
        String a = unprefixed(given);
        String b = unprefixed(known);
        if (a.length() >= 4 && (b.startsWith(a) || a.startsWith(b) || b.endsWith(a))) {
          related.add(setting);
        }
        int distance = distance(a, b);
        if (distance <= Math.max(1, b.length() / 4) && distance < nearestDistance) {
          nearest = setting;
          nearestDistance = distance;
        }
      }
    }
    if (related.size() == 1) {
      return java.util.Optional.of(related.iterator().next());
    }
    return java.util.Optional.ofNullable(nearest);
  }

  private static String unprefixed(String name) {
    return name.startsWith("MINIKAFKA_") ? name.substring("MINIKAFKA_".length()) : name;
  }

  /** Levenshtein distance, ignoring case. */
  private static int distance(String a, String b) {
    a = a.toLowerCase(java.util.Locale.ROOT);
    b = b.toLowerCase(java.util.Locale.ROOT);
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
