package io.minikafka.cli;

import io.minikafka.broker.config.GoDuration;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Properties;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;

/**
 * Runs a MiniKafka command with the behaviour every CLI shares: Go-style durations, one readable
 * error line instead of a stack trace, and the documented exit codes.
 *
 * <p>Exit codes: 0 success, 1 a failure at run time (server unreachable, call refused), 2 bad usage
 * or a bad setting. Errors are one line; {@code --verbose} (where a command has it) adds the stack
 * trace.
 */
final class CommandRunner {

  static final int EXIT_OK = 0;
  static final int EXIT_FAILURE = 1;
  static final int EXIT_USAGE = 2;

  private CommandRunner() {}

  /** A command with options made at run time rather than declared by annotations. */
  interface ExtraOptions {
    /** Adds the options to the command's spec, before anything is parsed. */
    void addOptions(CommandLine.Model.CommandSpec command);
  }

  /** A configured command line for {@code command}, writing to the given streams. */
  static CommandLine commandLine(Object command, PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(command);
    if (command instanceof ExtraOptions extra) {
      extra.addOptions(cli.getCommandSpec());
    }
    // The original's flags are single-dash words (-host, -topic): a mistyped one such as -hsot must
    // be an unknown option, not -h (help, exit 0) clustered with -s, -o and -t.
    cli.setPosixClusteredShortOptionsAllowed(false);
    cli.setOut(out);
    cli.setErr(err);
    cli.registerConverter(Duration.class, CommandRunner::duration);
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          // The tool's name, as a user typed it, whichever subcommand failed.
          commandLine
              .getErr()
              .println(commandLine.getCommandSpec().root().name() + ": " + oneLine(e));
          if (verbose(parseResult)) {
            e.printStackTrace(commandLine.getErr());
          }
          commandLine.getErr().flush();
          return e instanceof IllegalArgumentException ? EXIT_USAGE : EXIT_FAILURE;
        });
    cli.setParameterExceptionHandler(
        (e, args) -> {
          CommandLine commandLine = e.getCommandLine();
          // One prefix for every message of a tool: its name, whichever subcommand failed.
          commandLine
              .getErr()
              .println(
                  commandLine.getCommandSpec().root().name() + ": " + printable(e.getMessage()));
          commandLine
              .getErr()
              .println(
                  "Try '"
                      + commandLine.getCommandSpec().qualifiedName()
                      + " --help' for more information.");
          commandLine.getErr().flush();
          return EXIT_USAGE;
        });
    return cli;
  }

  /** Whether --verbose was given to the command or to any subcommand on the way to it. */
  private static boolean verbose(CommandLine.ParseResult parseResult) {
    for (CommandLine.ParseResult level = parseResult; level != null; level = level.subcommand()) {
      if (level.hasMatchedOption("--verbose")) {
        return true;
      }
    }
    return false;
  }

  /** A Go-style duration, or a conversion error that says what one looks like. */
  private static Duration duration(String text) {
    try {
      return GoDuration.parse(text);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.TypeConversionException(
          "'"
              + text
              + "' is not a duration ("
              + e.getMessage()
              + "): use one such as 500ms, 3s or 1m30s");
    }
  }

  /** Runs the command on the process's streams and exits with its code. */
  static void runAndExit(Object command, String[] args) {
    routeJavaLogging();
    PrintWriter out = new PrintWriter(System.out, true);
    PrintWriter err = new PrintWriter(System.err, true);
    int code = commandLine(command, out, err).execute(args);
    out.flush();
    err.flush();
    System.exit(code);
  }

  /**
   * Sends java.util.logging, which gRPC and Netty log through, to SLF4J, so every line a tool logs
   * has one format and obeys one level setting.
   */
  static void routeJavaLogging() {
    if (!SLF4JBridgeHandler.isInstalled()) {
      SLF4JBridgeHandler.removeHandlersForRootLogger();
      SLF4JBridgeHandler.install();
    }
  }

  /** Throws a failure collected from a future or another thread, unchecked as it came if it can. */
  static RuntimeException rethrow(Throwable failure) {
    throw failure instanceof RuntimeException r ? r : new IllegalStateException(failure);
  }

  private static String oneLine(Exception e) {
    String message = e.getMessage();
    return printable(message == null ? e.getClass().getSimpleName() : message);
  }

  /**
   * The text with control characters written as {@code \u001b}: a message echoes what the user
   * typed (a topic name, say), and an escape sequence in it would drive the terminal.
   */
  static String printable(String text) {
    if (text == null) {
      return "null";
    }
    StringBuilder out = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isISOControl(c)) {
        if (out == null) {
          out = new StringBuilder(text.length() + 16).append(text, 0, i);
        }
        out.append(String.format("\\u%04x", (int) c));
      } else if (out != null) {
        out.append(c);
      }
    }
    return out == null ? text : out.toString();
  }

  /** Supplies {@code --version} from the build. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
      return new String[] {
        "${COMMAND-FULL-NAME} (MiniKafka) " + number(), "Java " + System.getProperty("java.version")
      };
    }

    /** This build's version, as Maven gave it. */
    static String number() throws IOException {
      Properties properties = new Properties();
      try (InputStream in = Version.class.getResourceAsStream("/minikafka-version.properties")) {
        if (in != null) {
          properties.load(in);
        }
      }
      return properties.getProperty("version", "unknown");
    }
  }
}
