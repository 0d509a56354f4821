package io.minikafka.cli;

import io.minikafka.broker.config.GoDuration;
import io.minikafka.client.Consumer;
import io.minikafka.client.Header;
import io.minikafka.client.Message;
import io.minikafka.client.MiniKafkaException;
import io.minikafka.client.PollResult;
import io.minikafka.client.PositionOutOfRangeException;
import io.minikafka.client.StartAt;
import io.minikafka.client.Subscription;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mkfk-consumer}: polls a topic every few seconds, printing each message as a line on
 * standard output and the original's progress lines on standard error.
 */
@Command(
    name = "mkfk-consumer",
    mixinStandardHelpOptions = true,
    versionProvider = CommandRunner.Version.class,
    sortOptions = false,
    description =
        "Polls a topic and prints each message's bytes as one line on standard output; progress"
            + " goes to standard error. Waits --interval after a poll that found nothing new (the"
            + " original's behaviour, and the default). With --follow the server pushes new"
            + " messages instead, within milliseconds. With --once it reads everything stored from"
            + " --from onwards, then exits.",
    footer = {
      "",
      "Exit codes: 0 done (--once), 1 a poll failed (with --once also an unknown topic or an"
          + " unreachable server; without --once those are reported and retried), 2 bad usage."
    })
public final class ConsumerCommand implements Callable<Integer> {

  /** Failures a polling loop outlives: the server may come back, the topic may be created. */
  private static final Set<MiniKafkaException.ErrorCode> TRANSIENT =
      Set.of(
          MiniKafkaException.ErrorCode.UNAVAILABLE,
          MiniKafkaException.ErrorCode.TIMEOUT,
          MiniKafkaException.ErrorCode.UNKNOWN_TOPIC);

  @Spec private CommandSpec spec;
  @Mixin private ConnectionOptions connection;

  @Option(
      names = {"--from", "-from"},
      paramLabel = "POSITION",
      defaultValue = "start",
      description =
          "Where to start: start (the oldest message, the default), end (only messages produced"
              + " after the consumer starts), a message number N, @TIME (ISO-8601, such as"
              + " @2026-11-29T10:00:00Z) or an age such as -5m. With --group, only when the group"
              + " has no position yet.")
  private String from;

  @Option(
      names = "--group",
      paramLabel = "NAME",
      description =
          "Read as the named consumer NAME, whose position the server keeps: resume where it last"
              + " committed (--from only when it never ran; a first run from end keeps that end)."
              + " What was printed is committed before"
              + " the next read and at exit, never before it was printed (at-least-once). NAME is a"
              + " named cursor, not a Kafka consumer group that shares out the work: consumers"
              + " run with the same NAME at once each read every message and move one position.")
  private String group;

  @Option(
      names = "--from-time",
      paramLabel = "TIME",
      description =
          "Start at the first message appended at or after TIME: an ISO-8601 time such as"
              + " 2026-11-29T10:00:00Z, or an age such as -5m (the same as --from @TIME or --from"
              + " -5m).")
  private String fromTime;

  @Option(
      names = {"--interval", "-interval"},
      paramLabel = "DURATION",
      defaultValue = "3s",
      description = "Pause after a poll that found nothing new (default: ${DEFAULT-VALUE}).")
  private Duration interval;

  @Option(names = "--once", description = "Read everything stored from --from onwards, then exit.")
  private boolean once;

  @Option(
      names = {"--follow", "-f"},
      description =
          "Print new messages the moment they are stored (server push) instead of polling every"
              + " --interval; survives server restarts.")
  private boolean follow;

  /** How each message is printed. */
  enum Format {
    raw,
    json,
    hex
  }

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      defaultValue = "raw",
      description =
          "raw: the payload's bytes and a newline (default); json: one object per line with number,"
              + " timestamp (null from servers that do not send append times), key and headers"
              + " when the message has them, and payload; each as UTF-8 text when it is valid"
              + " UTF-8, else base64; hex: number and the payload in hex.")
  private Format format;

  @Option(
      names = "--print-key",
      description = "raw format: print each message's key and a tab before its payload.")
  private boolean printKey;

  @Option(
      names = "--print-headers",
      description =
          "raw format: print each message's headers (NAME:VALUE,... or NO_HEADERS, values as"
              + " their bytes) and a tab first. The json format always has key and headers,"
              + " exactly.")
  private boolean printHeaders;

  @Option(
      names = "--max",
      paramLabel = "N",
      description = "Exit (status 0) after printing N messages.")
  private Long max;

  @Option(
      names = {"--quiet", "-q"},
      description =
          "Print only the messages, errors and warnings: no progress lines on standard error.")
  private boolean quiet;

  private long printed;

  /** One past the last message printed and flushed: what a named consumer may commit. */
  private long nextUnprinted = -1;

  private final OutputStream stdout;

  public ConsumerCommand() {
    // Not System.out: a PrintStream swallows write errors, so a full disk or a reader gone from the
    // pipe went unnoticed, and a named consumer committed what nobody received.
    this(new FileOutputStream(FileDescriptor.out));
  }

  ConsumerCommand(OutputStream stdout) {
    this.stdout = stdout;
  }

  public static void main(String[] args) {
    CommandRunner.runAndExit(new ConsumerCommand(), args);
  }

  /** An ISO-8601 instant, or a negative duration counted back from now. */
  private static Instant parseTime(String option, String text) {
    try {
      if (text.startsWith("-")) {
        return Instant.now().plus(GoDuration.parse(text));
      }
      return Instant.parse(text);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          option
              + " '"
              + text
              + "' is neither an ISO-8601 time such as 2026-11-29T10:00:00Z nor an age such as"
              + " -5m");
    }
  }

  /** Where --from (or --from-time) says to start. */
  private StartAt startAt() {
    if (fromTime != null) {
      return StartAt.time(parseTime("--from-time", fromTime));
    }
    String text = from.trim();
    if (text.equals("start")) {
      return StartAt.start();
    }
    if (text.equals("end")) {
      return StartAt.end();
    }
    if (text.startsWith("@")) {
      return StartAt.time(parseTime("--from", text.substring(1)));
    }
    if (text.startsWith("-")) {
      return StartAt.time(parseTime("--from", text));
    }
    try {
      return StartAt.number(Long.parseLong(text));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "--from '"
              + from
              + "' is not a position: use start, end, a message number, @TIME (such as"
              + " @2026-11-29T10:00:00Z) or an age such as -5m");
    }
  }

  /**
   * Prints messages in the chosen format and flushes them, stopping at --max; returns how many it
   * printed. Afterwards {@code nextUnprinted} is the number after the last message printed; if
   * printing fails it stays at the batch's first, so that nothing unprinted is committed.
   */
  private int print(List<Message> messages, OutputStream out) throws IOException {
    try {
      return printBatch(messages, out);
    } catch (IOException e) {
      throw new IOException("writing to standard output failed (" + e.getMessage() + ")", e);
    }
  }

  private int printBatch(List<Message> messages, OutputStream out) throws IOException {
    int now = 0;
    long lastPrinted = -1;
    for (Message message : messages) {
      if (max != null && printed >= max) {
        break;
      }
      switch (format) {
        case raw -> {
          if (printHeaders) {
            writeHeaders(message, out);
            out.write('\t');
          }
          if (printKey) {
            out.write(message.key());
            out.write('\t');
          }
          out.write(message.payload());
          out.write('\n');
        }
        case json -> out.write((json(message) + "\n").getBytes(StandardCharsets.UTF_8));
        case hex ->
            out.write(
                (message.number() + " " + HexFormat.of().formatHex(message.payload()) + "\n")
                    .getBytes(StandardCharsets.UTF_8));
      }
      printed++;
      now++;
      lastPrinted = message.number();
    }
    out.flush();
    if (lastPrinted > 0) {
      nextUnprinted = lastPrinted + 1;
    }
    return now;
  }

  private boolean reachedMax() {
    return max != null && printed >= max;
  }

  /** The original's two progress lines, counting what was printed. */
  private void progress(PrintWriter err, int count, long nextNumber) {
    if (quiet || count == 0) {
      return;
    }
    err.println("received " + count + (count == 1 ? " message" : " messages"));
    err.println("next message to read advanced to " + nextNumber);
  }

  /**
   * Says that messages expired or were deleted before they could be read: they are gone, not
   * delivered (the server knows only that they are no longer stored). Not for a reader asked to
   * start at the oldest message that has read nothing yet: the oldest is where it starts, expired
   * ones were never its to miss.
   */
  private void warnSkipped(PrintWriter err, long skipped, long firstAvailable) {
    if (printed == 0 && group == null && fromTime == null && from.trim().equals("start")) {
      return;
    }
    err.println(
        "warning: skipped "
            + skipped
            + (skipped == 1 ? " message" : " messages")
            + " no longer stored (expired or deleted; first available "
            + firstAvailable
            + ")");
  }

  private static String json(Message message) {
    String timestamp =
        message.appendTimeMillis() < 0
            ? "null"
            : JsonText.quote(Instant.ofEpochMilli(message.appendTimeMillis()).toString());
    StringBuilder json =
        new StringBuilder("{\"number\":")
            .append(message.number())
            .append(",\"timestamp\":")
            .append(timestamp);
    if (message.key().length > 0) {
      json.append(',').append(bytesField("key", message.key()));
    }
    if (!message.headers().isEmpty()) {
      json.append(",\"headers\":[");
      for (int i = 0; i < message.headers().size(); i++) {
        Header header = message.headers().get(i);
        json.append(i == 0 ? "" : ",")
            .append("{\"name\":")
            .append(JsonText.quote(header.name()))
            .append(',')
            .append(bytesField("value", header.value()))
            .append('}');
      }
      json.append(']');
    }
    return json.append(',').append(bytesField("payload", message.payload())).append('}').toString();
  }

  /** {@code "name":"text"} when the bytes are UTF-8, else {@code "nameBase64":"..."}. */
  private static String bytesField(String name, byte[] bytes) {
    String text = utf8(bytes);
    return text != null
        ? "\"" + name + "\":" + JsonText.quote(text)
        : "\"" + name + "Base64\":\"" + Base64.getEncoder().encodeToString(bytes) + "\"";
  }

  /**
   * Kafka's console consumer's form, NAME:VALUE,NAME:VALUE or NO_HEADERS, with each value's bytes
   * as they are, as the key's and the payload's.
   */
  private static void writeHeaders(Message message, OutputStream out) throws IOException {
    if (message.headers().isEmpty()) {
      out.write("NO_HEADERS".getBytes(StandardCharsets.UTF_8));
      return;
    }
    boolean first = true;
    for (Header header : message.headers()) {
      if (!first) {
        out.write(',');
      }
      first = false;
      out.write(header.name().getBytes(StandardCharsets.UTF_8));
      out.write(':');
      out.write(header.value());
    }
  }

  /** The payload as text if it is valid UTF-8, else null. */
  private static String utf8(byte[] payload) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(payload))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  /** Prints messages as the server pushes them, until interrupted (Ctrl-C) or --max is reached. */
  private int follow(Consumer consumer, OutputStream out, PrintWriter err)
      throws IOException, InterruptedException {
    FollowStatus status = new FollowStatus(err);
    try (Subscription subscription = subscribe(consumer, status)) {
      while (true) {
        List<Message> messages = subscription.poll(Duration.ofSeconds(1));
        status.update(subscription);
        for (io.minikafka.client.Skip skip : subscription.takeSkips()) {
          warnSkipped(err, skip.skipped(), skip.firstAvailable());
        }
        if (messages.isEmpty()) {
          continue;
        }
        int count;
        try {
          count = print(messages, out);
        } catch (IOException e) {
          // Standard output failed: none of these count as handed out.
          subscription.seek(messages.get(0).number());
          throw e;
        }
        boolean done = reachedMax();
        progress(err, count, done ? nextUnprinted : subscription.nextNumber());
        if (done) {
          // A named consumer commits what was printed, not the rest of the batch.
          subscription.seek(nextUnprinted);
          return CommandRunner.EXIT_OK;
        }
      }
    }
  }

  /**
   * Opens the subscription, waiting for the server while it is unreachable: starting at the end
   * asks the server where the end is.
   */
  private Subscription subscribe(Consumer consumer, FollowStatus status)
      throws InterruptedException {
    while (true) {
      try {
        Subscription subscription = consumer.subscribe();
        status.connected();
        return subscription;
      } catch (MiniKafkaException e) {
        if (!TRANSIENT.contains(e.errorCode())
            || e.errorCode() == MiniKafkaException.ErrorCode.UNKNOWN_TOPIC) {
          throw e;
        }
        status.serverGone(e.getMessage());
        Thread.sleep(Math.min(interval.toMillis(), 1_000));
      }
    }
  }

  /**
   * Tells, once each, that the server is gone, that it is back, and that the topic does not exist
   * yet, so that a follower is never silent for no visible reason.
   */
  private final class FollowStatus {
    private final PrintWriter err;
    private boolean saidServerGone;
    private boolean saidTopicMissing;

    FollowStatus(PrintWriter err) {
      this.err = err;
    }

    void serverGone(String why) {
      if (!saidServerGone && !quiet) {
        saidServerGone = true;
        err.println("waiting for server (" + CommandRunner.printable(why) + "); retrying");
      }
    }

    void connected() {
      if (saidServerGone) {
        saidServerGone = false;
        err.println("reconnected to " + CommandRunner.printable(connection.host));
      }
    }

    void update(Subscription subscription) {
      switch (subscription.state()) {
        case RECONNECTING -> serverGone(subscription.reconnectReason().orElse("unreachable"));
        case READING, WAITING_FOR_TOPIC -> {
          connected();
          if (subscription.state() == Subscription.State.WAITING_FOR_TOPIC
              && !saidTopicMissing
              && !quiet) {
            saidTopicMissing = true;
            err.println(
                "waiting for topic '"
                    + CommandRunner.printable(connection.topic)
                    + "' (it does not exist: never produced to, or deleted)");
          }
        }
        case CONNECTING -> {
          // Nothing known yet.
        }
      }
    }
  }

  @Override
  public Integer call() throws IOException, InterruptedException {
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException(
          "--interval must be positive, was " + GoDuration.format(interval));
    }
    if (max != null && max < 1) {
      throw new IllegalArgumentException("--max must be at least 1, was " + max);
    }
    if (fromTime != null && spec.commandLine().getParseResult().hasMatchedOption("--from")) {
      throw new IllegalArgumentException("--from and --from-time cannot be combined");
    }
    if (once && follow) {
      throw new IllegalArgumentException("--once and --follow cannot be combined");
    }
    PrintWriter err = spec.commandLine().getErr();
    OutputStream out = new BufferedOutputStream(stdout, 64 * 1024);
    StartAt start = startAt();
    try {
      return consume(start, out, err);
    } catch (PositionOutOfRangeException e) {
      throw new MiniKafkaException(pastTheEnd(e), e.status());
    }
  }

  /**
   * A read past the topic's end, in this tool's terms: the library's message says to seek, which a
   * user of this tool does with {@code --from}, or, for a group that keeps that position, under a
   * new name.
   */
  private String pastTheEnd(PositionOutOfRangeException e) {
    String said =
        "reading topic '"
            + connection.topic
            + "' from "
            + e.requested()
            + " is past its end: its next number is "
            + e.nextNumber()
            + " (the server lost or never had the numbers in between); ";
    return said
        + (group == null
            ? "read with --from " + e.nextNumber() + " or lower"
            : "consumer group '"
                + group
                + "' is at "
                + e.requested()
                + ": go on under a new --group name with --from "
                + e.nextNumber()
                + " or lower");
  }

  private int consume(StartAt start, OutputStream out, PrintWriter err)
      throws IOException, InterruptedException {
    try (Consumer consumer =
        new Consumer(connection.topic, group, start, connection.connection())) {
      if (follow) {
        return follow(consumer, out, err);
      }
      String lastProblem = null;
      while (true) {
        PollResult result;
        try {
          result = consumer.poll();
          lastProblem = null;
        } catch (MiniKafkaException e) {
          if (once || !TRANSIENT.contains(e.errorCode())) {
            throw e;
          }
          if (!e.getMessage().equals(lastProblem)) {
            err.println(
                CommandRunner.printable(e.getMessage())
                    + "; retrying every "
                    + interval.toMillis()
                    + " ms");
            lastProblem = e.getMessage();
          }
          Thread.sleep(interval.toMillis());
          continue;
        }
        if (result.skipped() > 0) {
          warnSkipped(err, result.skipped(), result.firstAvailable());
        }
        int count;
        try {
          count = print(result.messages(), out);
        } catch (IOException e) {
          // Standard output failed: none of these count as handed out.
          if (!result.messages().isEmpty()) {
            consumer.seek(result.messages().get(0).number());
          }
          throw e;
        }
        boolean done = reachedMax();
        progress(err, count, done ? nextUnprinted : result.newReadFrom());
        if (done) {
          // A named consumer commits what was printed, not the rest of the batch.
          consumer.seek(nextUnprinted);
          return CommandRunner.EXIT_OK;
        }
        if (result.messages().isEmpty()) {
          if (once) {
            return CommandRunner.EXIT_OK;
          }
          // The polling cadence, as the original's; a poll that found messages is followed at once,
          // so a consumer behind catches up without waiting an interval per response.
          Thread.sleep(interval.toMillis());
        }
      }
    }
  }
}
