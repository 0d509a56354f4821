package io.minikafka.cli;

import ch.qos.logback.classic.Level;
import io.grpc.netty.shaded.io.netty.util.ResourceLeakDetector;
import io.minikafka.broker.config.ConfigException;
import io.minikafka.broker.config.ConfigFile;
import io.minikafka.broker.config.ServerConfig;
import io.minikafka.broker.config.Setting;
import io.minikafka.broker.server.MiniKafkaServer;
import io.minikafka.broker.store.BackingStore;
import io.minikafka.broker.store.file.FileStore;
import io.minikafka.broker.store.memory.MemoryStore;
import io.minikafka.kafka.KafkaStore;
import io.minikafka.kafka.KafkaStoreConfig;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.ISetter;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import sun.misc.Signal;

/**
 * {@code mkfk-server}: runs a MiniKafka broker until SIGTERM or SIGINT, then shuts down gracefully.
 */
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
      "SIGHUP reads the auth file again.",
      "Exit codes: 0 stopped cleanly, 1 could not start, 2 bad setting."
    })
public final class ServerCommand implements Callable<Integer>, CommandRunner.ExtraOptions {

  private static final org.slf4j.Logger LOG = LoggerFactory.getLogger(ServerCommand.class);

  /** Names the configuration file when --config does not. */
  static final String CONFIG_VARIABLE = "MINIKAFKA_CONFIG";

  @Spec private CommandSpec spec;

  @Option(
      names = "--print-config",
      description = "Print the effective configuration and where each value comes from, then exit.")
  private boolean printConfig;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "A properties file of settings (keys: the variables or the flags below without their"
              + " dashes, such as retention=1h); variables and flags override it (default:"
              + " $MINIKAFKA_CONFIG).")
  private java.nio.file.Path configFile;

  private final Map<String, String> env;

  /** The value of each setting's flag, when given. */
  private final Map<Setting, String> flags = new EnumMap<>(Setting.class);

  public ServerCommand() {
    this(System.getenv());
  }

  ServerCommand(Map<String, String> env) {
    this.env = env;
  }

  /** The property that sets gRPC's Netty's leak detection. */
  static final String LEAK_DETECTION = "io.grpc.netty.shaded.io.netty.leakDetection.level";

  public static void main(String[] args) {
    quietNetty();
    CommandRunner.runAndExit(new ServerCommand(), args);
  }

  /**
   * Turns off Netty's leak detection unless {@value #LEAK_DETECTION} asks for it: it records a
   * stack trace for one buffer in 128, about 4% of the server's CPU at one message per call
   * (docs/PERFORMANCE.md), to find leaks in code that handles Netty's buffers, which MiniKafka has
   * none of.
   */
  static void quietNetty() {
    if (System.getProperty(LEAK_DETECTION) == null) {
      ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
    }
  }

  /**
   * One option per {@link Setting}, described as the setting is, before the help's footer of
   * variables.
   */
  @Override
  public void addOptions(CommandSpec command) {
    List<String> variables = new ArrayList<>();
    variables.add("");
    variables.add("Environment variables (each flag overrides its own):");
    for (ServerConfig.Origin origin : ServerConfig.origins(Map.of(), Map.of())) {
      Setting setting = origin.setting();
      command.addOption(
          OptionSpec.builder(setting.flagNames())
              .paramLabel("VALUE")
              .type(String.class)
              // Picocli formats descriptions: a percent sign in one would be taken for a format.
              .description(
                  (setting.description() + "; default: " + origin.value()).replace("%", "%%"))
              .setter(
                  new ISetter() {
                    @Override
                    public <T> T set(T value) {
                      if (value != null) {
                        flags.put(setting, (String) value);
                      }
                      return null;
                    }
                  })
              .build());
      variables.add(String.format("  %-28s %s", setting.envVar(), setting.flag()));
    }
    variables.addAll(List.of(command.usageMessage().footer()));
    command.usageMessage().footer(variables.toArray(new String[0]));
  }

  /** Variables other MiniKafka tools read, which a server started beside them may see. */
  private static final Set<String> OTHER_VARIABLES =
      Set.of(
          CONFIG_VARIABLE,
          "MINIKAFKA_HEAP_OPTS",
          "MINIKAFKA_JVM_PERFORMANCE_OPTS",
          "MINIKAFKA_TOKEN",
          "MINIKAFKA_CA_CERT",
          "MINIKAFKA_CERT",
          "MINIKAFKA_KEY");

  /**
   * Variables named like settings that are none, such as a misspelled {@code MINIKAFKA_RETENTION}:
   * each would otherwise be ignored without a word, the setting left at its default.
   */
  static List<String> unknownVariables(Map<String, String> env) {
    Set<String> known = new java.util.HashSet<>(OTHER_VARIABLES);
    for (Setting setting : Setting.values()) {
      known.add(setting.envVar());
    }
    return env.keySet().stream()
        .filter(name -> name.startsWith("MINIKAFKA_") && !known.contains(name))
        .sorted()
        .toList();
  }

  @Override
  public Integer call() throws IOException, InterruptedException {
    ServerConfig config;
    ConfigFile file;
    try {
      file = configFile();
      config = ServerConfig.resolve(env, flags(), file);
      for (String unknown : unknownVariables(env)) {
        // On standard error, so --print-config's table stays as scripts read it.
        spec.commandLine()
            .getErr()
            .println(
                spec.name()
                    + ": warning: ignoring "
                    + unknown
                    + ": no such setting"
                    + Setting.closestTo(unknown)
                        .map(s -> "; did you mean " + s.envVar() + "?")
                        .orElse("")
                    + " (mkfk-server --help lists them)");
      }
      if (printConfig) {
        for (ServerConfig.Origin origin : ServerConfig.origins(env, flags(), file)) {
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
      spec.commandLine()
          .getErr()
          .println(spec.name() + ": " + CommandRunner.printable(e.getMessage()));
      return CommandRunner.EXIT_USAGE;
    }
    CountDownLatch stop = new CountDownLatch(1);
    // Handling the signals ourselves (not a shutdown hook) lets a requested stop exit 0; they are
    // caught before the server announces itself, so a supervisor may signal it at any time after.
    Signal.handle(new Signal("TERM"), signal -> stop.countDown());
    Signal.handle(new Signal("INT"), signal -> stop.countDown());
    // Without a handler SIGHUP kills the JVM; it means "read the auth file again". One that comes
    // before the server runs is kept for it: a supervisor may signal as soon as it sees it listen.
    AtomicReference<MiniKafkaServer> running = new AtomicReference<>();
    AtomicBoolean reloadAsked = new AtomicBoolean();
    Signal.handle(
        new Signal("HUP"),
        signal -> {
          reloadAsked.set(true);
          MiniKafkaServer server = running.get();
          if (server != null && reloadAsked.getAndSet(false)) {
            server.reloadAuth();
          }
        });
    // The flag overrides MINIKAFKA_LOG_LEVEL, which logback.xml read at start-up.
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
        .setLevel(Level.toLevel(config.logLevel()));
    LOG.info(
        "MiniKafka {} on Java {} ({})",
        CommandRunner.Version.number(),
        System.getProperty("java.version"),
        System.getProperty("java.vm.name"));
    for (ServerConfig.Origin origin : ServerConfig.origins(env, flags(), file)) {
      LOG.info("Setting {} = {} ({})", origin.setting().envVar(), origin.value(), origin.source());
    }
    Clock clock = Clock.systemUTC();
    BackingStore store;
    try {
      if (config.kafka().isPresent()) {
        // Kafka's classes load here, and only here.
        store = KafkaStore.open(KafkaStoreConfig.of(config), clock);
      } else if (config.rootDir().isPresent()) {
        store = FileStore.open(config.rootDir().get(), config.fileStoreConfig(), clock);
      } else {
        store = new MemoryStore(clock, config.storeLimits());
      }
    } catch (IllegalArgumentException e) {
      spec.commandLine()
          .getErr()
          .println(spec.name() + ": " + CommandRunner.printable(e.getMessage()));
      return CommandRunner.EXIT_USAGE;
    } catch (IOException e) {
      spec.commandLine()
          .getErr()
          .println(
              spec.name()
                  + (config.kafka().isPresent()
                      ? ": " + e.getMessage()
                      : ": cannot open the file store at "
                          + config.rootDir().get()
                          + ": "
                          + rootCause(e)));
      return CommandRunner.EXIT_FAILURE;
    }
    MiniKafkaServer server;
    try {
      server = MiniKafkaServer.start(store, config, clock);
    } catch (ConfigException e) {
      store.close();
      spec.commandLine()
          .getErr()
          .println(spec.name() + ": " + CommandRunner.printable(e.getMessage()));
      return CommandRunner.EXIT_USAGE;
    } catch (IOException e) {
      store.close();
      spec.commandLine().getErr().println(spec.name() + ": " + e.getMessage());
      return CommandRunner.EXIT_FAILURE;
    }
    running.set(server);
    if (reloadAsked.getAndSet(false)) {
      try {
        server.reloadAuth();
      } catch (RuntimeException e) {
        // A signal's reload failing must not end a server that is serving.
        LOG.error("Reloading the auth file after SIGHUP failed: {}", e.toString());
      }
    }
    stop.await();
    server.close();
    return CommandRunner.EXIT_OK;
  }

  private Map<Setting, String> flags() {
    return flags;
  }

  /** The --config file, else MINIKAFKA_CONFIG's, else none. */
  private ConfigFile configFile() {
    if (configFile != null) {
      return ConfigFile.read(configFile);
    }
    String fromEnv = env.get(CONFIG_VARIABLE);
    return fromEnv == null || fromEnv.isEmpty()
        ? ConfigFile.NONE
        : ConfigFile.read(java.nio.file.Path.of(fromEnv));
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
