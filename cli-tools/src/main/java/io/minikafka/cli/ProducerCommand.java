package io.minikafka.cli;

import io.minikafka.client.Producer;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code mkfk-producer}: sends each line of standard input to a topic as one message. */
@Command(
    name = "mkfk-producer",
    mixinStandardHelpOptions = true,
    versionProvider = CommandRunner.Version.class,
    sortOptions = false,
    description =
        "Sends each line of standard input to a topic as one message (its bytes as they are,"
            + " without the line ending). Prompts only when standard input is a terminal.",
    footer = {
      "",
      "Exit codes: 0 every line was sent, 1 a send failed (server unreachable, message refused),"
          + " 2 bad usage."
    })
public final class ProducerCommand implements Callable<Integer> {

  @Spec private CommandSpec spec;
  @Mixin private ConnectionOptions connection;

  private final InputStream stdin;
  private final boolean interactive;

  public ProducerCommand() {
    this(System.in, System.console() != null);
  }

  ProducerCommand(InputStream stdin, boolean interactive) {
    this.stdin = stdin;
    this.interactive = interactive;
  }

  public static void main(String[] args) {
    CommandRunner.runAndExit(new ProducerCommand(), args);
  }

  @Override
  public Integer call() throws IOException {
    PrintWriter err = spec.commandLine().getErr();
    if (interactive) {
      err.println("Enter messages for topic '" + connection.topic + "', one per line (Ctrl-D to end):");
    }
    LineReader lines = new LineReader(new BufferedInputStream(stdin, 64 * 1024));
    long sent = 0;
    long first = 0;
    long last = 0;
    try (Producer producer = new Producer(connection.topic, connection.timeout, connection.host)) {
      byte[] line;
      while ((line = lines.readLine()) != null) {
        last = producer.sendMessage(line);
        if (sent++ == 0) {
          first = last;
        }
      }
    } finally {
      if (sent > 0) {
        err.println("sent " + sent + " messages to topic '" + connection.topic + "' (numbers " + first + " to " + last + ")");
      }
    }
    return CommandRunner.EXIT_OK;
  }
}
