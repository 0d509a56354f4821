package io.minikafka.cli;

import io.minikafka.client.Header;
import io.minikafka.client.MiniKafkaException;
import io.minikafka.client.Producer;
import io.minikafka.client.ProducerRecord;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
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
      "Exit codes: 0 every line was sent, 1 a send failed (server unreachable, message refused;"
          + " the error says which lines are stored), 2 bad usage."
    })
public final class ProducerCommand implements Callable<Integer> {

  @Spec private CommandSpec spec;
  @Mixin private ConnectionOptions connection;

  @Option(
      names = {"--quiet", "-q"},
      description = "Print nothing but errors: no prompt, no count of what was sent.")
  private boolean quiet;

  @Option(
      names = "--key-separator",
      paramLabel = "SEP",
      description =
          "Each line is KEY SEP PAYLOAD: the text before the first SEP is the message's key, the"
              + " rest its payload. A line without SEP is sent without a key.")
  private String keySeparator;

  @Option(
      names = "--header",
      paramLabel = "NAME=VALUE",
      description =
          "A header every message gets (repeatable), such as --header"
              + " traceparent=00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01.")
  private List<String> headerOptions = new ArrayList<>();

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

  /** The --header options, each NAME=VALUE. */
  private List<Header> headers() {
    List<Header> headers = new ArrayList<>();
    for (String option : headerOptions) {
      int equals = option.indexOf('=');
      if (equals <= 0) {
        throw new IllegalArgumentException(
            "--header '" + option + "' is not NAME=VALUE (such as --header source=billing)");
      }
      headers.add(Header.of(option.substring(0, equals), option.substring(equals + 1)));
    }
    return headers;
  }

  /** A line as a record: its key before the first separator, if it has one; the headers given. */
  private static ProducerRecord record(byte[] line, byte[] separator, List<Header> headers) {
    ProducerRecord record = new ProducerRecord(new byte[0], headers, line);
    if (separator == null) {
      return record;
    }
    int at = indexOf(line, separator);
    if (at < 0) {
      return record;
    }
    return new ProducerRecord(
        Arrays.copyOfRange(line, 0, at),
        headers,
        Arrays.copyOfRange(line, at + separator.length, line.length));
  }

  private static int indexOf(byte[] line, byte[] separator) {
    outer:
    for (int i = 0; i + separator.length <= line.length; i++) {
      for (int j = 0; j < separator.length; j++) {
        if (line[i + j] != separator[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /** Queues one line; a send refused at once (a full buffer) is a failed send like any other. */
  private static CompletableFuture<Long> send(
      Producer producer, byte[] line, byte[] separator, List<Header> headers) {
    try {
      return separator == null && headers.isEmpty()
          ? producer.sendAsync(line)
          : producer.sendAsync(record(line, separator, headers));
    } catch (MiniKafkaException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public Integer call() throws IOException {
    PrintWriter err = spec.commandLine().getErr();
    if (interactive && !quiet) {
      err.println(
          "Enter messages for topic '"
              + CommandRunner.printable(connection.topic)
              + "', one per line (Ctrl-D to end):");
    }
    List<Header> headers = headers();
    byte[] separator = keySeparator == null ? null : keySeparator.getBytes(StandardCharsets.UTF_8);
    if (separator != null && separator.length == 0) {
      throw new IllegalArgumentException("--key-separator must not be empty");
    }
    LineReader lines = new LineReader(new BufferedInputStream(stdin, 64 * 1024));
    SendOutcomes outcomes = new SendOutcomes();
    IOException inputFailure = null;
    try (Producer producer = new Producer(connection.topic, connection.connection())) {
      // Batched and pipelined, yet in order: numbers follow the order of the lines. Reading stops
      // at the first failure seen; lines already queued still go out.
      try {
        byte[] line;
        while (!outcomes.failureSeen() && (line = lines.readLine()) != null) {
          outcomes.add(send(producer, line, separator, headers));
        }
      } catch (IOException e) {
        inputFailure = e;
      }
      producer.flush();
    }
    outcomes.settle();
    if (outcomes.failure() != null) {
      RuntimeException reported = outcomes.reported();
      if (inputFailure != null) {
        reported.addSuppressed(inputFailure);
      }
      throw reported;
    }
    if (inputFailure != null) {
      throw new IOException(
          "reading standard input failed ("
              + inputFailure.getMessage()
              + "); "
              + outcomes.summary(),
          inputFailure);
    }
    long sent = outcomes.stored();
    if (!quiet) {
      String to = " to topic '" + CommandRunner.printable(connection.topic) + "'";
      err.println(
          sent == 0
              ? "sent no messages" + to + " (standard input was empty)"
              : sent == 1
                  ? "sent 1 message" + to + " (number " + outcomes.firstNumber() + ")"
                  : "sent "
                      + sent
                      + " messages"
                      + to
                      + " (numbers "
                      + outcomes.firstNumber()
                      + " to "
                      + outcomes.lastNumber()
                      + ")");
    }
    return CommandRunner.EXIT_OK;
  }
}
