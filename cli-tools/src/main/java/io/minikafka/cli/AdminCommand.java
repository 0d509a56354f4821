package io.minikafka.cli;

import io.minikafka.broker.config.GoDuration;
import io.minikafka.broker.security.AuthRules;
import io.minikafka.client.Admin;
import io.minikafka.client.TopicDescription;
import io.minikafka.protocol.Endpoint;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code mkfk-admin}: lists, describes and deletes topics, as a table or as JSON. */
@Command(
    name = "mkfk-admin",
    mixinStandardHelpOptions = true,
    versionProvider = CommandRunner.Version.class,
    description = "Looks after a MiniKafka server's topics.",
    subcommands = {
      AdminCommand.Topics.class,
      AdminCommand.Describe.class,
      AdminCommand.Delete.class,
      AdminCommand.Create.class,
      AdminCommand.Alter.class,
      AdminCommand.Copy.class,
      AdminCommand.HashToken.class
    },
    footer = {
      "",
      "Exit codes: 0 done, 1 a call failed (unreachable server, unknown topic) or, for topics,"
          + " the server reported a problem, 2 bad usage."
    })
public final class AdminCommand implements Runnable {

  @Spec private CommandSpec spec;
  @Mixin ServerOptions server;

  @Option(
      names = "--json",
      scope = picocli.CommandLine.ScopeType.INHERIT,
      description = "Print JSON instead of a table.")
  boolean json;

  private final InputStream stdin;

  public AdminCommand() {
    this(System.in);
  }

  AdminCommand(InputStream stdin) {
    this.stdin = stdin;
  }

  public static void main(String[] args) {
    CommandRunner.runAndExit(new AdminCommand(), args);
  }

  /** Without a subcommand there is nothing to do: a usage error. */
  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(),
        "a command is needed: topics, describe, create, alter, delete, copy or hash-token");
  }

  @Command(
      name = "hash-token",
      mixinStandardHelpOptions = true,
      description = {
        "Reads a token on standard input and prints the sha256: form the auth file names it by.",
        "A trailing newline is not part of the token: echo \"$TOKEN\" | mkfk-admin hash-token"
      })
  static final class HashToken implements Callable<Integer> {
    @ParentCommand AdminCommand parent;
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws IOException {
      String token =
          ServerOptions.stripNewline(
              new String(parent.stdin.readAllBytes(), StandardCharsets.UTF_8));
      if (token.isEmpty()) {
        throw new IllegalArgumentException("no token on standard input");
      }
      if (!io.minikafka.client.ConnectionConfig.isSendable(token)) {
        // Its hash would be a rule no client can match.
        throw new IllegalArgumentException(
            "the token on standard input must be printable ASCII without spaces, as clients send"
                + " it (one trailing newline is dropped)");
      }
      spec.commandLine().getOut().println(AuthRules.hashToken(token));
      return CommandRunner.EXIT_OK;
    }
  }

  @Command(
      name = "topics",
      mixinStandardHelpOptions = true,
      description =
          "Lists every topic with its numbers and size; on standard error, what keeps the server"
              + " from working fully (a failed disk, a topic directory it could not read), which"
              + " makes it exit 1 after listing the topics it could.")
  static final class Topics implements Callable<Integer> {
    @ParentCommand AdminCommand parent;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      List<TopicDescription> described = new ArrayList<>();
      List<String> problems;
      try (Admin admin = new Admin(parent.server.connection())) {
        for (String topic : admin.topics()) {
          described.add(admin.describe(topic));
        }
        problems = admin.problems();
      }
      // On standard error, so that the table or JSON on standard output stays as scripts expect.
      for (String problem : problems) {
        spec.commandLine().getErr().println("mkfk-admin: server problem: " + problem);
      }
      PrintWriter out = spec.commandLine().getOut();
      if (parent.json) {
        List<String> objects = new ArrayList<>();
        for (TopicDescription d : described) {
          objects.add(json(d));
        }
        out.println("[" + String.join(",", objects) + "]");
        return exitCode(problems);
      }
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"TOPIC", "MESSAGES", "FIRST", "NEXT", "BYTES"});
      for (TopicDescription d : described) {
        rows.add(
            new String[] {
              d.topic(),
              Long.toString(d.messageCount()),
              Long.toString(d.firstAvailable()),
              Long.toString(d.nextNumber()),
              Long.toString(d.bytesStored())
            });
      }
      printTable(out, rows);
      return exitCode(problems);
    }

    /**
     * Failure when the server reports a problem, as {@code ls} lists what it can and still fails: a
     * topic whose directory could not be read is missing from the list, and a script must not take
     * the list for whole.
     */
    private static int exitCode(List<String> problems) {
      return problems.isEmpty() ? CommandRunner.EXIT_OK : CommandRunner.EXIT_FAILURE;
    }
  }

  @Command(
      name = "describe",
      mixinStandardHelpOptions = true,
      description = "Shows what a topic holds.")
  static final class Describe implements Callable<Integer> {
    @ParentCommand AdminCommand parent;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "TOPIC", converter = TopicArgument.class, description = "The topic.")
    String topic;

    @Override
    public Integer call() {
      TopicDescription d;
      try (Admin admin = new Admin(parent.server.connection())) {
        d = admin.describe(topic);
      }
      PrintWriter out = spec.commandLine().getOut();
      if (parent.json) {
        out.println(json(d));
        return CommandRunner.EXIT_OK;
      }
      List<String[]> rows =
          new ArrayList<>(
              List.of(
                  new String[] {"topic", d.topic()},
                  new String[] {"messages", Long.toString(d.messageCount())},
                  new String[] {"first available", Long.toString(d.firstAvailable())},
                  new String[] {"next number", Long.toString(d.nextNumber())},
                  new String[] {"bytes stored", Long.toString(d.bytesStored())},
                  new String[] {"oldest append", time(d.oldestAppendTimeMillis())},
                  new String[] {"newest append", time(d.newestAppendTimeMillis())},
                  new String[] {"retention", retention(d)}));
      d.consumers()
          .forEach(
              (consumer, next) ->
                  rows.add(
                      new String[] {
                        "consumer " + consumer,
                        "reads " + next + " next, lag " + d.lag(consumer).orElseThrow()
                      }));
      printTable(out, rows);
      return CommandRunner.EXIT_OK;
    }
  }

  /** Makes one change to a topic and prints the topic as it now is: as JSON, or {@code said}. */
  private int changeTopic(
      CommandSpec spec,
      java.util.function.Function<Admin, TopicDescription> change,
      java.util.function.Function<TopicDescription, String> said) {
    TopicDescription d;
    try (Admin admin = new Admin(server.connection())) {
      d = change.apply(admin);
    }
    spec.commandLine().getOut().println(json ? json(d) : CommandRunner.printable(said.apply(d)));
    return CommandRunner.EXIT_OK;
  }

  /** A --retention value: a duration, or "default" for the server's. */
  private static Optional<Duration> retentionOption(String text) {
    if (text.equals("default")) {
      return Optional.empty();
    }
    Duration parsed;
    try {
      parsed = GoDuration.parse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "--retention '" + text + "' is not a duration such as 2s, 1h or 7d, nor default");
    }
    if (parsed.toMillis() < 1) {
      throw new IllegalArgumentException("--retention must be at least 1ms, was " + text);
    }
    return Optional.of(parsed);
  }

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description =
          "Creates a topic that holds no message yet, with its own retention or the server's."
              + " A deleted topic comes back, its numbering continuing.")
  static final class Create implements Callable<Integer> {
    @ParentCommand AdminCommand parent;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "TOPIC", converter = TopicArgument.class, description = "The topic.")
    String topic;

    @Option(
        names = "--retention",
        paramLabel = "DURATION",
        defaultValue = "default",
        description =
            "How long the topic keeps a message, such as 2s, 1h or 7d; default: the server's.")
    String retention;

    @Override
    public Integer call() {
      Optional<Duration> own = retentionOption(retention);
      return parent.changeTopic(
          spec,
          admin -> admin.createTopic(topic, own),
          d -> "created topic '" + topic + "', retention " + AdminCommand.retention(d));
    }
  }

  @Command(
      name = "alter",
      mixinStandardHelpOptions = true,
      description = "Changes a topic's settings.")
  static final class Alter implements Callable<Integer> {
    @ParentCommand AdminCommand parent;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "TOPIC", converter = TopicArgument.class, description = "The topic.")
    String topic;

    @Option(
        names = "--retention",
        paramLabel = "DURATION",
        required = true,
        description =
            "How long the topic keeps a message, such as 2s, 1h or 7d; default for the server's.")
    String retention;

    @Override
    public Integer call() {
      Optional<Duration> own = retentionOption(retention);
      return parent.changeTopic(
          spec,
          admin -> admin.setRetention(topic, own),
          d -> "topic '" + topic + "' now has retention " + AdminCommand.retention(d));
    }
  }

  @Command(
      name = "delete",
      mixinStandardHelpOptions = true,
      description =
          "Deletes a topic's messages and hides it until it is produced to again; its numbers are"
              + " never reused.")
  static final class Delete implements Callable<Integer> {
    @ParentCommand AdminCommand parent;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "TOPIC", converter = TopicArgument.class, description = "The topic.")
    String topic;

    @Override
    public Integer call() {
      long deleted;
      try (Admin admin = new Admin(parent.server.connection())) {
        deleted = admin.deleteTopic(topic);
      }
      PrintWriter out = spec.commandLine().getOut();
      if (parent.json) {
        out.println("{\"topic\":" + quote(topic) + ",\"messagesDeleted\":" + deleted + "}");
      } else {
        out.println(
            "deleted topic '"
                + CommandRunner.printable(topic)
                + "' ("
                + deleted
                + (deleted == 1 ? " message)" : " messages)"));
      }
      return CommandRunner.EXIT_OK;
    }
  }

  @Command(
      name = "copy",
      mixinStandardHelpOptions = true,
      description = {
        "Copies a topic to another server, every message at the same number with its key and"
            + " headers: how a file-store topic moves into Kafka behind a gateway.",
        "The destination topic must be new, empty, or a copy stopped half-way (it resumes)."
            + " Append times are the copy's own. The same TLS and token options reach both servers."
      })
  static final class Copy implements Callable<Integer> {
    @ParentCommand AdminCommand parent;
    @Spec CommandSpec spec;

    @Parameters(
        paramLabel = "TOPIC",
        converter = TopicArgument.class,
        description = "The topic on the server of --host.")
    String topic;

    @Option(
        names = "--to",
        paramLabel = "HOST:PORT",
        required = true,
        description = "The server to copy to.")
    String to;

    @Option(
        names = "--to-topic",
        paramLabel = "TOPIC",
        converter = TopicArgument.class,
        description = "The topic to copy into (default: the same name).")
    String toTopic;

    /**
     * Whether two addresses reach the same server: the same port, and an address in common once
     * their hosts are resolved (as {@code localhost}, {@code 127.0.0.1} and no host have).
     * Unresolvable ones are compared as written; the copy then says they cannot be reached.
     */
    private static boolean sameServer(String a, String b) {
      if (a.strip().equals(b.strip())) {
        return true;
      }
      try {
        Endpoint one = Endpoint.parse(a);
        Endpoint other = Endpoint.parse(b);
        if (one.port() != other.port()) {
          return false;
        }
        List<InetAddress> theirs = List.of(InetAddress.getAllByName(other.dialHost()));
        for (InetAddress address : InetAddress.getAllByName(one.dialHost())) {
          if (theirs.contains(address)) {
            return true;
          }
        }
        return false;
      } catch (IllegalArgumentException | UnknownHostException e) {
        return false;
      }
    }

    @Override
    public Integer call() {
      io.minikafka.client.ConnectionConfig from = parent.server.connection();
      io.minikafka.client.ConnectionConfig destination =
          new io.minikafka.client.ConnectionConfig(to, from.timeout(), from.tls(), from.token());
      String target = toTopic == null ? topic : toTopic;
      if (target.equals(topic) && sameServer(from.host(), destination.host())) {
        throw new IllegalArgumentException(
            "the destination is the source: topic '"
                + topic
                + "' at "
                + to
                + "; give another --to or --to-topic");
      }
      TopicCopy.Outcome done = new TopicCopy(from, destination).copy(topic, target);
      PrintWriter out = spec.commandLine().getOut();
      if (parent.json) {
        out.println(
            "{\"topic\":"
                + quote(target)
                + ",\"copied\":"
                + done.copied()
                + ",\"firstNumber\":"
                + done.first()
                + ",\"nextNumber\":"
                + done.next()
                + "}");
      } else {
        out.println(
            "copied "
                + done.copied()
                + (done.copied() == 1 ? " message" : " messages")
                + " to topic '"
                + CommandRunner.printable(target)
                + "' at "
                + to
                + "; it holds numbers "
                + done.first()
                + " to "
                + (done.next() - 1)
                + " as the source does");
      }
      return CommandRunner.EXIT_OK;
    }
  }

  private static String time(long millis) {
    return millis == 0 ? "-" : Instant.ofEpochMilli(millis).toString();
  }

  private static String json(TopicDescription d) {
    return "{\"topic\":"
        + quote(d.topic())
        + ",\"messages\":"
        + d.messageCount()
        + ",\"firstAvailable\":"
        + d.firstAvailable()
        + ",\"nextNumber\":"
        + d.nextNumber()
        + ",\"bytesStored\":"
        + d.bytesStored()
        + ",\"oldestAppendTime\":"
        + (d.oldestAppendTimeMillis() == 0 ? "null" : quote(time(d.oldestAppendTimeMillis())))
        + ",\"newestAppendTime\":"
        + (d.newestAppendTimeMillis() == 0 ? "null" : quote(time(d.newestAppendTimeMillis())))
        + ",\"retentionMs\":"
        + d.retention().toMillis()
        + ",\"ownRetention\":"
        + d.ownRetention()
        + ",\"consumers\":["
        + d.consumers().entrySet().stream()
            .map(
                c ->
                    "{\"name\":"
                        + quote(c.getKey())
                        + ",\"nextNumber\":"
                        + c.getValue()
                        + ",\"lag\":"
                        + d.lag(c.getKey()).orElseThrow()
                        + "}")
            .collect(java.util.stream.Collectors.joining(","))
        + "]}";
  }

  /** How a topic's retention reads: {@code 1h0m0s (its own)} or {@code 168h0m0s (the server's)}. */
  private static String retention(TopicDescription d) {
    return GoDuration.format(d.retention()) + (d.ownRetention() ? " (its own)" : " (the server's)");
  }

  private static String quote(String s) {
    return JsonText.quote(s);
  }

  private static void printTable(PrintWriter out, List<String[]> rows) {
    rows =
        rows.stream()
            .map(
                row ->
                    java.util.Arrays.stream(row)
                        .map(CommandRunner::printable)
                        .toArray(String[]::new))
            .toList();
    int[] widths = new int[rows.get(0).length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.length; i++) {
        line.append(i == row.length - 1 ? row[i] : String.format("%-" + widths[i] + "s  ", row[i]));
      }
      out.println(line.toString().stripTrailing());
    }
  }
}
