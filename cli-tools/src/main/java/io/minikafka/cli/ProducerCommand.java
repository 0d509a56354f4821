package io.minikafka.cli;

import io.minikafka.client.Producer;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mkfk-producer}: sends each line of standard input to a topic as one message. */
@Command(
    name = "mkfk-producer",
    mixinStandardHelpOptions = true,
    versionProvider = CommandRunner.Version.class,
    sortOptions = false,
    description =
        "Sends each line of standard input to a topic as one message (its bytes as they are,"
            + " without the line ending), batched and in order. Prompts only when standard input"
            + " is a terminal; reports how many messages it sent and their numbers on exit.",
    footer = {
      "",
      "Exit codes: 0 every line was sent, 1 a send failed (server unreachable, message refused),"
          + " 2 bad usage."
    })
public final class ProducerCommand implements Callable<Integer> {

  @Spec private CommandSpec spec;
  @Mixin private ConnectionOptions connection;

  @Option(
      names = {"--quiet", "-q"},
      description = "Print nothing but errors: no prompt, no count of what was sent.")
  private boolean quiet;

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
    if (interactive && !quiet) {
      err.println(
          "Enter messages for topic '" + connection.topic + "', one per line (Ctrl-D to end):");
    }
    LineReader lines = new LineReader(new BufferedInputStream(stdin, 64 * 1024));
    AtomicReference<Throwable> failure = new AtomicReference<>();
    CompletableFuture<Long> first = null;
    CompletableFuture<Long> last = null;
    long sent = 0;
    try (Producer producer = new Producer(connection.topic, connection.connection())) {
      byte[] line;
      // Batched and pipelined, yet in order: numbers follow the order of the lines.
      while (failure.get() == null && (line = lines.readLine()) != null) {
        last = producer.sendAsync(line);
        last.whenComplete(
            (number, error) -> {
              if (error != null) {
                failure.compareAndSet(null, error);
              }
            });
        if (first == null) {
          first = last;
        }
        sent++;
      }
      producer.flush();
    }
    Throwable error = failure.get();
    if (error != null) {
      throw CommandRunner.rethrow(error);
    }
    if (!quiet) {
      String to = " to topic '" + connection.topic + "'";
      err.println(
          sent == 0
              ? "sent no messages" + to + " (standard input was empty)"
              : sent == 1
                  ? "sent 1 message" + to + " (number " + first.join() + ")"
                  : "sent "
                      + sent
                      + " messages"
                      + to
                      + " (numbers "
                      + first.join()
                      + " to "
                      + last.join()
                      + ")");
    }
    return CommandRunner.EXIT_OK;
  }
}
