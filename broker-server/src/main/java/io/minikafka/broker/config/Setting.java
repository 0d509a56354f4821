package io.minikafka.broker.config;

/**
 * Every server setting, with the environment variable and the flag that set it. A flag overrides
 * the environment variable; both fall back to the default in {@link ServerConfig}.
 */
public enum Setting {
  HOST("MINIKAFKA_HOST", "--host", "address to listen on: host:port, or :port for every interface"),
  RETENTION(
      "MINIKAFKA_RETENTIONTIME",
      "--retention",
      "how long messages are kept, such as 500ms, 10s, 1h30m or 7d"),
  ROOT_DIR("MINIKAFKA_ROOT_DIR", "--root-dir", "directory of the file store; unset or empty = memory"),
  FSYNC(
      "MINIKAFKA_FSYNC",
      "--fsync",
      "file store durability: always, interval:<duration> or never"),
  SEGMENT_BYTES(
      "MINIKAFKA_SEGMENT_BYTES", "--segment-bytes", "file store segment size before it rolls, in bytes"),
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
  LOG_LEVEL("MINIKAFKA_LOG_LEVEL", "--log-level", "log level: ERROR, WARN, INFO, DEBUG or TRACE");

  private final String envVar;
  private final String flag;
  private final String description;

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

  public String description() {
    return description;
  }
}
