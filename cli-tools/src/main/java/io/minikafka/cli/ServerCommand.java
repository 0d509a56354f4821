package io.minikafka.cli;

import ch.qos.logback.classic.Level;
import io.minikafka.broker.config.ConfigException;
import io.minikafka.broker.config.ServerConfig;
import io.minikafka.broker.config.Setting;
import io.minikafka.broker.server.MiniKafkaServer;
import io.minikafka.broker.store.BackingStore;
import io.minikafka.broker.store.file.FileStore;
import io.minikafka.broker.store.memory.MemoryStore;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.time.Clock;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import sun.misc.Signal;

/** {@code mkfk-server}: runs a MiniKafka broker until SIGTERM or SIGINT, then shuts down gracefully. */
@Command(
    name = "mkfk-server",
    mixinStandardHelpOptions = true,
    versionProvider = CommandRunner.Version.class,
    sortOptions = false,
    description = {
      "Runs a MiniKafka message broker.",
      "Each flag overrides its environment variable; unset or empty values take the default.",
      "SIGTERM or SIGINT stops it gracefully: in-flight calls finish (for up to 10s), then it exits 0."
    },
    footer = {
      "",
      "Environment variables:",
      "  MINIKAFKA_HOST               default 127.0.0.1:9999 (:9999 = every interface)",
      "  MINIKAFKA_RETENTIONTIME      default 168h",
      "  MINIKAFKA_ROOT_DIR           default unset (memory store)",
      "  MINIKAFKA_FSYNC              default always",
      "  MINIKAFKA_SEGMENT_BYTES      default 67108864",
      "  MINIKAFKA_MAX_MESSAGE_BYTES  default 16777216",
      "  MINIKAFKA_MAX_POLL_BYTES     default 1048576",
      "  MINIKAFKA_METRICS            default unset (no metrics endpoint)",
      "  MINIKAFKA_LOG_LEVEL          default INFO",
      "Exit codes: 0 stopped cleanly, 1 could not start, 2 bad setting."
    })
public final class ServerCommand implements Callable<Integer> {

  private static final org.slf4j.Logger LOG = LoggerFactory.getLogger(ServerCommand.class);

  @Spec private CommandSpec spec;

  @Option(
      names = {"--host", "-host"},
      paramLabel = "HOST:PORT",
      description = "Address to listen on; :PORT for every interface, port 0 for any free port.")
  private String host;

  @Option(
      names = {"--retention", "-retention"},
      paramLabel = "DURATION",
      description = "How long messages are kept: 500ms, 10s, 1h30m, 7d.")
  private String retention;

  @Option(
      names = {"--root-dir", "-root-dir"},
      paramLabel = "DIR",
      description = "Directory of the file store; unset or empty for the memory store.")
  private String rootDir;

  @Option(
      names = "--fsync",
      paramLabel = "POLICY",
      description = "File store durability: always (default), interval:DURATION or never.")
  private String fsync;

  @Option(
      names = "--segment-bytes",
      paramLabel = "BYTES",
      description = "File store segment size before it rolls.")
  private String segmentBytes;

  @Option(
      names = "--max-message-bytes",
      paramLabel = "BYTES",
      description = "Largest message accepted.")
  private String maxMessageBytes;

  @Option(
      names = "--max-poll-bytes",
      paramLabel = "BYTES",
      description = "Largest Poll response; one larger message is still returned whole.")
  private String maxPollBytes;

  @Option(
      names = "--metrics",
      paramLabel = "HOST:PORT",
      description = "Serve Prometheus metrics over HTTP at /metrics on this address; off by default.")
  private String metricsAt;

  @Option(
      names = "--log-level",
      paramLabel = "LEVEL",
      description = "ERROR, WARN, INFO (default), DEBUG or TRACE.")
  private String logLevel;

  @Option(
      names = "--print-config",
      description = "Print the effective configuration and where each value comes from, then exit.")
  private boolean printConfig;

  private final Map<String, String> env;

  public ServerCommand() {
    this(System.getenv());
  }

  ServerCommand(Map<String, String> env) {
    this.env = env;
  }

  public static void main(String[] args) {
    CommandRunner.runAndExit(new ServerCommand(), args);
  }

  @Override
  public Integer call() throws IOException, InterruptedException {
    ServerConfig config;
    try {
      config = ServerConfig.resolve(env, flags());
      if (printConfig) {
        for (ServerConfig.Origin origin : ServerConfig.origins(env, flags())) {
          spec.commandLine()
              .getOut()
              .printf(
                  "%-28s %-20s %-24s %s%n",
                  origin.setting().envVar(),
                  origin.setting().flag(),
                  origin.value(),
                  "(" + origin.source() + ")");
        }
        return CommandRunner.EXIT_OK;
      }
    } catch (ConfigException e) {
      spec.commandLine().getErr().println(spec.name() + ": " + e.getMessage());
      return CommandRunner.EXIT_USAGE;
    }
    CountDownLatch stop = new CountDownLatch(1);
    // Handling the signals ourselves (not a shutdown hook) lets a requested stop exit 0; they are
    // caught before the server announces itself, so a supervisor may signal it at any time after.
    Signal.handle(new Signal("TERM"), signal -> stop.countDown());
    Signal.handle(new Signal("INT"), signal -> stop.countDown());
    // The flag overrides MINIKAFKA_LOG_LEVEL, which logback.xml read at start-up.
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
        .setLevel(Level.toLevel(config.logLevel()));
    for (ServerConfig.Origin origin : ServerConfig.origins(env, flags())) {
      LOG.info("Setting {} = {} ({})", origin.setting().envVar(), origin.value(), origin.source());
    }
    Clock clock = Clock.systemUTC();
    BackingStore store;
    try {
      store =
          config.rootDir().isPresent()
              ? FileStore.open(config.rootDir().get(), config.fileStoreConfig(), clock)
              : new MemoryStore(clock);
    } catch (IOException e) {
      spec.commandLine()
          .getErr()
          .println(
              spec.name() + ": cannot open the file store at " + config.rootDir().get() + ": " + rootCause(e));
      return CommandRunner.EXIT_FAILURE;
    }
    MiniKafkaServer server;
    try {
      server = MiniKafkaServer.start(store, config, clock);
    } catch (IOException e) {
      store.close();
      spec.commandLine()
          .getErr()
          .println(spec.name() + ": cannot listen on " + config.host() + ": " + rootCause(e));
      return CommandRunner.EXIT_FAILURE;
    }
    stop.await();
    server.close();
    return CommandRunner.EXIT_OK;
  }

  private Map<Setting, String> flags() {
    Map<Setting, String> flags = new EnumMap<>(Setting.class);
    putIfGiven(flags, Setting.HOST, host);
    putIfGiven(flags, Setting.RETENTION, retention);
    putIfGiven(flags, Setting.ROOT_DIR, rootDir);
    putIfGiven(flags, Setting.FSYNC, fsync);
    putIfGiven(flags, Setting.SEGMENT_BYTES, segmentBytes);
    putIfGiven(flags, Setting.MAX_MESSAGE_BYTES, maxMessageBytes);
    putIfGiven(flags, Setting.MAX_POLL_BYTES, maxPollBytes);
    putIfGiven(flags, Setting.METRICS, metricsAt);
    putIfGiven(flags, Setting.LOG_LEVEL, logLevel);
    return flags;
  }

  private static void putIfGiven(Map<Setting, String> flags, Setting setting, String value) {
    if (value != null) {
      flags.put(setting, value);
    }
  }

  /** The innermost cause in words; NIO's file exceptions carry only the path as their message. */
  private static String rootCause(Throwable t) {
    Throwable cause = t;
    while (cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof FileAlreadyExistsException e) {
      return e.getFile() + " exists and is not a directory";
    }
    if (cause instanceof AccessDeniedException e) {
      return "permission denied: " + e.getFile();
    }
    if (cause instanceof NoSuchFileException e) {
      return "no such file or directory: " + e.getFile();
    }
    return cause.getMessage() == null ? cause.toString() : cause.getMessage();
  }
}
