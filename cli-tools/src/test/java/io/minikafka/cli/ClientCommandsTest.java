package io.minikafka.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.minikafka.broker.config.ServerConfig;
import io.minikafka.broker.server.MiniKafkaServer;
import io.minikafka.broker.store.PollLimits;
import io.minikafka.broker.store.StoredMessage;
import io.minikafka.broker.store.memory.MemoryStore;
import io.minikafka.protocol.Endpoint;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** mkfk-producer and mkfk-consumer run in this JVM against a real server on loopback. */
class ClientCommandsTest extends LiveServerTest {

  private CliHarness.Result produce(byte[] stdin, String... args) {
    return CliHarness.run(new ProducerCommand(new ByteArrayInputStream(stdin), false), args);
  }

  @Test
  void producerSendsEachLineAndReportsTheNumbers() throws IOException {
    CliHarness.Result result =
        produce("one\ntwo\nthree\n".getBytes(UTF_8), "-host", host, "-topic", "topic_foo");

    assertThat(result.exitCode()).isZero();
    assertThat(result.err()).contains("sent 3 messages").contains("numbers 1 to 3");
    assertThat(result.err()).doesNotContain("Enter messages");
    List<StoredMessage> stored = store.poll("topic_foo", 1, PollLimits.UNLIMITED).messages();
    assertThat(stored)
        .extracting(m -> new String(m.payload(), UTF_8))
        .containsExactly("one", "two", "three");
  }

  @Test
  void producerAcceptsDoubleDashSpellingsAndPromptsOnATerminal() throws IOException {
    CliHarness.Result result =
        CliHarness.run(
            new ProducerCommand(new ByteArrayInputStream("x\n".getBytes(UTF_8)), true),
            "--host",
            host,
            "--topic",
            "t");

    assertThat(result.exitCode()).isZero();
    assertThat(result.err()).contains("Enter messages");
    assertThat(store.poll("t", 1, PollLimits.UNLIMITED).messages()).hasSize(1);
  }

  @Test
  void producerFailsWithOneLineWhenTheServerIsUnreachable() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }

    CliHarness.Result result =
        produce("x\n".getBytes(UTF_8), "-host", "127.0.0.1:" + closedPort, "-topic", "t");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err().strip().lines())
        .singleElement()
        .asString()
        .startsWith("mkfk-producer: ")
        .contains("cannot reach MiniKafka server at 127.0.0.1:" + closedPort)
        .contains("connection refused")
        .doesNotContain("io exception");
  }

  @Test
  void aFailedLineIsNamedWithTheLinesStoredBeforeItSoTheUserKnowsWhereToResume()
      throws IOException {
    MemoryStore small = new MemoryStore();
    try (MiniKafkaServer limited =
        MiniKafkaServer.start(
            small,
            ServerConfig.builder()
                .host(Endpoint.parse("127.0.0.1:0"))
                .maxMessageBytes(1024)
                .build(),
            Clock.systemUTC())) {
      String tooLong = "x".repeat(2000);
      CliHarness.Result result =
          produce(
              ("one\ntwo\n" + tooLong + "\nfour\n").getBytes(UTF_8),
              "-host",
              "127.0.0.1:" + limited.port(),
              "-topic",
              "t");

      assertThat(result.exitCode()).isEqualTo(1);
      assertThat(result.err().strip().lines())
          .singleElement()
          .asString()
          .startsWith("mkfk-producer: send to topic 't' failed: message of 2000 bytes")
          .endsWith("; stored: lines 1 to 2 (numbers 1 to 2); not confirmed: line 3");
      assertThat(small.poll("t", 1, PollLimits.UNLIMITED).messages())
          .extracting(m -> new String(m.payload(), UTF_8))
          .containsExactly("one", "two");
    }
  }

  @Test
  void producerRejectsAnInvalidTopicWithOneLine() {
    CliHarness.Result result =
        produce("x\n".getBytes(UTF_8), "-host", host, "-topic", "bad\u001b[31mred");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err().strip().lines())
        .singleElement()
        .asString()
        .contains("control characters")
        .contains("topic 'bad\\u001b[31mred'")
        .doesNotContain("\u001b");
  }

  @Test
  void missingTopicIsAUsageError() {
    CliHarness.Result result = produce(new byte[0], "-host", host);

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("--topic");
  }

  @Test
  void aMistypedSingleDashFlagIsAUsageErrorNotHelp() {
    for (String typo : new String[] {"-hsot", "-hots", "-host:"}) {
      CliHarness.Result producer = produce("x\n".getBytes(UTF_8), typo, host, "-topic", "t");
      CliHarness.Result consumer =
          CliHarness.run(new ConsumerCommand(), typo, host, "-topic", "t", "--once");
      CliHarness.Result admin = CliHarness.run(new AdminCommand(), typo, host, "topics");

      for (CliHarness.Result result : List.of(producer, consumer, admin)) {
        assertThat(result.exitCode()).as(typo).isEqualTo(2);
        assertThat(result.err()).as(typo).contains("'" + typo + "'");
        assertThat(result.out()).as(typo).doesNotContain("Usage:");
      }
    }
    CliHarness.Result fromm =
        CliHarness.run(new ConsumerCommand(), "-host", host, "-topic", "t", "-fromm", "1");
    assertThat(fromm.exitCode()).isEqualTo(2);
    assertThat(fromm.err()).contains("'-fromm'").doesNotContain("'-romm'");
  }

  @Test
  void anEmptyTopicIsAUsageErrorBeforeAnyCall() throws IOException {
    CliHarness.Result producer = produce("x\n".getBytes(UTF_8), "-host", host, "-topic", "");
    CliHarness.Result consumer =
        CliHarness.run(new ConsumerCommand(), "-host", host, "-topic", "", "--once");
    CliHarness.Result create = CliHarness.run(new AdminCommand(), "create", "", "--host", host);
    CliHarness.Result copy =
        CliHarness.run(
            new AdminCommand(), "copy", "t", "--host", host, "--to", host, "--to-topic", "");

    for (CliHarness.Result result : List.of(producer, consumer, create, copy)) {
      assertThat(result.exitCode()).isEqualTo(2);
      assertThat(result.err()).contains("a topic name must not be empty");
    }
    assertThat(store.topics()).isEmpty();
  }

  @Test
  void consumerOncePrintsEveryMessageByteExactAndProgressOnStderr() throws IOException {
    byte[][] payloads = {{'a'}, {(byte) 0xff, 0, (byte) 0x80}, {}, "ünïcødé".getBytes(UTF_8)};
    for (byte[] payload : payloads) {
      store.store("t", payload);
    }
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();

    CliHarness.Result result =
        CliHarness.run(new ConsumerCommand(stdout), "-host", host, "-topic", "t", "--once");

    assertThat(result.exitCode()).isZero();
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    for (byte[] payload : payloads) {
      expected.write(payload);
      expected.write('\n');
    }
    assertThat(stdout.toByteArray()).isEqualTo(expected.toByteArray());
    assertThat(result.err())
        .contains("received 4 messages")
        .contains("next message to read advanced to 5");
  }

  @Test
  void consumerOnceReadsPastTheResponseLimitAndHonoursFrom() throws IOException {
    byte[] big = new byte[300_000];
    for (int i = 1; i <= 10; i++) {
      big[0] = (byte) ('0' + i % 10);
      store.store("t", big.clone());
    }
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();

    CliHarness.Result result =
        CliHarness.run(
            new ConsumerCommand(stdout), "--host", host, "--topic", "t", "--from", "3", "--once");

    assertThat(result.exitCode()).isZero();
    assertThat(stdout.size()).isEqualTo(8 * (big.length + 1));
    assertThat(stdout.toByteArray()[0]).isEqualTo((byte) '3');
    assertThat(result.err()).contains("next message to read advanced to 11");
  }

  @Test
  void consumerOnceOfAnUnknownTopicFailsWithOneLine() {
    CliHarness.Result result =
        CliHarness.run(
            new ConsumerCommand(new ByteArrayOutputStream()),
            "-host",
            host,
            "-topic",
            "nope",
            "--once");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err().strip().lines())
        .singleElement()
        .asString()
        .startsWith("mkfk-consumer: ")
        .contains("unknown topic 'nope'");
  }

  @Test
  void producerPipesManyLinesInOrderThroughBatches() throws IOException {
    StringBuilder input = new StringBuilder();
    for (int i = 1; i <= 20_000; i++) {
      input.append(i).append('\n');
    }

    CliHarness.Result result =
        produce(input.toString().getBytes(UTF_8), "--host", host, "--topic", "numbers");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.err()).contains("sent 20000 messages").contains("numbers 1 to 20000");
    List<StoredMessage> stored = store.poll("numbers", 1, PollLimits.UNLIMITED).messages();
    assertThat(stored).hasSize(20_000);
    for (int i = 0; i < stored.size(); i++) {
      assertThat(new String(stored.get(i).payload(), UTF_8)).isEqualTo(Integer.toString(i + 1));
    }
  }

  @Test
  void followPrintsNewMessagesAsTheyArrive() throws Exception {
    java.io.PipedInputStream printed = new java.io.PipedInputStream(1 << 16);
    java.io.PipedOutputStream stdout = new java.io.PipedOutputStream(printed);
    Thread consumer =
        new Thread(
            () ->
                CliHarness.run(
                    new ConsumerCommand(stdout), "-host", host, "-topic", "live", "--follow"));
    consumer.setDaemon(true);
    consumer.start();
    java.io.BufferedReader lines =
        new java.io.BufferedReader(new java.io.InputStreamReader(printed, UTF_8));

    store.store("live", "first".getBytes(UTF_8));
    assertThat(lines.readLine()).isEqualTo("first");
    server.close();
    // The store is closed with the server; the follower must outlive a restart on the same port.
    int port = Integer.parseInt(host.substring(host.lastIndexOf(':') + 1));
    store = new MemoryStore();
    store.store("live", "again-1".getBytes(UTF_8));
    store.store("live", "again-2".getBytes(UTF_8));
    server = MiniKafkaServer.start(store, "127.0.0.1:" + port, Duration.ofHours(1));

    assertThat(lines.readLine()).as("number 1 is not delivered twice").isEqualTo("again-2");
    consumer.interrupt();
  }

  @Test
  void jsonFormatGivesNumberTimestampAndTextOrBase64() throws IOException {
    store.store("t", "say \"hi\"\u0001".getBytes(UTF_8));
    store.store("t", new byte[] {(byte) 0xff, 0x00});
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();

    CliHarness.Result result =
        CliHarness.run(
            new ConsumerCommand(stdout),
            "-host",
            host,
            "-topic",
            "t",
            "--once",
            "--format",
            "json");

    assertThat(result.exitCode()).as(result.err()).isZero();
    // Polls carry append times too, so timestamps are there without --follow.
    assertThat(stdout.toString(UTF_8).lines())
        .satisfiesExactly(
            line ->
                assertThat(line)
                    .matches(
                        "\\{\"number\":1,\"timestamp\":\"20\\d\\d-[^\"]+Z\","
                            + "\"payload\":\"say \\\\\"hi\\\\\"\\\\u0001\"}"),
            line ->
                assertThat(line)
                    .matches(
                        "\\{\"number\":2,\"timestamp\":\"20\\d\\d-[^\"]+Z\","
                            + "\"payloadBase64\":\"/wA=\"}"));
  }

  @Test
  void fromTakesStartEndANumberATimeOrAnAge() throws IOException {
    for (int i = 1; i <= 5; i++) {
      store.store("p", ("m" + i).getBytes(UTF_8));
    }
    java.util.Map<String, List<String>> expected =
        java.util.Map.of(
            "start",
            List.of("m1", "m2", "m3", "m4", "m5"),
            "4",
            List.of("m4", "m5"),
            "end",
            List.of(),
            "-1h",
            List.of("m1", "m2", "m3", "m4", "m5"),
            "@" + java.time.Instant.now().plusSeconds(3600),
            List.of());
    for (var position : expected.entrySet()) {
      ByteArrayOutputStream stdout = new ByteArrayOutputStream();
      CliHarness.Result result =
          CliHarness.run(
              new ConsumerCommand(stdout),
              "-host",
              host,
              "-topic",
              "p",
              "--once",
              "--from",
              position.getKey());
      assertThat(result.exitCode()).as(position.getKey() + ": " + result.err()).isZero();
      assertThat(stdout.toString(UTF_8).lines().toList())
          .as(position.getKey())
          .isEqualTo(position.getValue());
    }

    CliHarness.Result bad =
        CliHarness.run(
            new ConsumerCommand(new ByteArrayOutputStream()),
            "-host",
            host,
            "-topic",
            "p",
            "--from",
            "latest");
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err().strip())
        .isEqualTo(
            "mkfk-consumer: --from 'latest' is not a position: use start, end, a message number,"
                + " @TIME (such as @2026-11-29T10:00:00Z) or an age such as -5m");
  }

  @Test
  void progressCountsWhatWasPrintedAndSaysOneMessageInTheSingular() throws IOException {
    for (int i = 1; i <= 20; i++) {
      store.store("t", ("m" + i).getBytes(UTF_8));
    }
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();

    CliHarness.Result three =
        CliHarness.run(
            new ConsumerCommand(stdout), "-host", host, "-topic", "t", "--once", "--max", "3");
    CliHarness.Result last =
        CliHarness.run(
            new ConsumerCommand(new ByteArrayOutputStream()),
            "-host",
            host,
            "-topic",
            "t",
            "--once",
            "--from",
            "20");

    assertThat(three.exitCode()).as(three.err()).isZero();
    assertThat(stdout.toString(UTF_8).lines()).containsExactly("m1", "m2", "m3");
    assertThat(three.err().lines())
        .containsExactly("received 3 messages", "next message to read advanced to 4");
    assertThat(last.err().lines())
        .containsExactly("received 1 message", "next message to read advanced to 21");
  }

  @Test
  void producerSaysWhenItSentNothingAndUsesTheSingular() {
    CliHarness.Result empty = produce(new byte[0], "-host", host, "-topic", "e");
    CliHarness.Result one = produce("x\n".getBytes(UTF_8), "-host", host, "-topic", "e");

    assertThat(empty.exitCode()).isZero();
    assertThat(empty.err().strip())
        .isEqualTo("sent no messages to topic 'e' (standard input was empty)");
    assertThat(one.err().strip()).isEqualTo("sent 1 message to topic 'e' (number 1)");
  }

  @Test
  void quietToolsPrintNothingButTheMessagesAndErrors() throws IOException {
    CliHarness.Result produced =
        produce("a\nb\n".getBytes(UTF_8), "-host", host, "-topic", "q", "--quiet");
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    CliHarness.Result consumed =
        CliHarness.run(new ConsumerCommand(stdout), "-host", host, "-topic", "q", "--once", "-q");
    CliHarness.Result failed =
        CliHarness.run(
            new ConsumerCommand(new ByteArrayOutputStream()),
            "-host",
            host,
            "-topic",
            "missing",
            "--once",
            "-q");

    assertThat(produced.exitCode()).isZero();
    assertThat(produced.err()).isEmpty();
    assertThat(consumed.exitCode()).isZero();
    assertThat(consumed.err()).isEmpty();
    assertThat(stdout.toString(UTF_8).lines()).containsExactly("a", "b");
    assertThat(failed.exitCode()).isEqualTo(1);
    assertThat(failed.err()).contains("unknown topic 'missing'");
  }

  @Test
  void messagesThatExpiredBeforeTheyWereReadAreSaidToBeSkipped() throws IOException {
    for (int i = 1; i <= 5; i++) {
      store.store("x", ("old" + i).getBytes(UTF_8));
    }
    store.removeOlderThan(java.time.Instant.now().plusSeconds(1));
    store.store("x", "new6".getBytes(UTF_8));
    store.store("x", "new7".getBytes(UTF_8));
    ByteArrayOutputStream polled = new ByteArrayOutputStream();
    ByteArrayOutputStream followed = new ByteArrayOutputStream();

    CliHarness.Result poll =
        CliHarness.run(
            new ConsumerCommand(polled), "-host", host, "-topic", "x", "--once", "--from", "1");
    CliHarness.Result follow =
        CliHarness.run(
            new ConsumerCommand(followed),
            "-host",
            host,
            "-topic",
            "x",
            "-f",
            "--max",
            "2",
            "--from",
            "2");
    CliHarness.Result fromOldest =
        CliHarness.run(
            new ConsumerCommand(new ByteArrayOutputStream()),
            "-host",
            host,
            "-topic",
            "x",
            "--once");
    assertThat(fromOldest.err()).as("the oldest is where it starts").doesNotContain("skipped");

    for (CliHarness.Result result : List.of(poll, follow)) {
      assertThat(result.exitCode()).as(result.err()).isZero();
      assertThat(result.err())
          .containsPattern(
              "warning: skipped [45] messages no longer stored \\(expired or deleted; first"
                  + " available 6\\)");
    }
    assertThat(polled.toString(UTF_8).lines()).containsExactly("new6", "new7");
    assertThat(followed.toString(UTF_8).lines()).containsExactly("new6", "new7");
  }

  @Test
  void followSaysOnceEachThatTheServerIsGoneThatItIsBackAndThatTheTopicIsMissing()
      throws Exception {
    int port = server.port();
    server.close();
    java.io.StringWriter err = new java.io.StringWriter();
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    java.util.concurrent.CompletableFuture<CliHarness.Result> following =
        java.util.concurrent.CompletableFuture.supplyAsync(
            () ->
                CliHarness.run(
                    new ConsumerCommand(stdout),
                    err,
                    "-host",
                    "127.0.0.1:" + port,
                    "-topic",
                    "later",
                    "-f",
                    "--max",
                    "1",
                    "--from",
                    "end"));
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> err.toString().contains("waiting for server"));

    // The server comes back (closing it closed its store): the topic is not there yet.
    store = new io.minikafka.broker.store.memory.MemoryStore();
    server = MiniKafkaServer.start(store, "127.0.0.1:" + port, Duration.ofHours(1));
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> err.toString().contains("waiting for topic"));
    // Through the server, which wakes its subscribers.
    assertThat(produce("first\n".getBytes(UTF_8), "-host", host, "-topic", "later").exitCode())
        .isZero();
    CliHarness.Result result = following.get(30, java.util.concurrent.TimeUnit.SECONDS);

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(stdout.toString(UTF_8).lines()).containsExactly("first");
    // Starting at the end asks the server where the end is: that waits for the server too.
    assertThat(result.err().lines().findFirst().orElseThrow())
        .startsWith("waiting for server (")
        .contains(
            "cannot reach MiniKafka server at 127.0.0.1:"
                + port
                + ": connection refused (is the server running, and on this port?)); retrying");
    assertThat(result.err().lines().skip(1))
        .containsExactly(
            "reconnected to 127.0.0.1:" + port,
            "waiting for topic 'later' (it does not exist: never produced to, or deleted)",
            "received 1 message",
            "next message to read advanced to 2");
  }

  @Test
  void followOnADeletedTopicSaysItMayHaveBeenDeletedAndGetsItsNextNumber() throws Exception {
    assertThat(produce("one\ntwo\n".getBytes(UTF_8), "-host", host, "-topic", "gone").exitCode())
        .isZero();
    assertThat(CliHarness.run(new AdminCommand(), "delete", "gone", "--host", host).exitCode())
        .isZero();
    java.io.StringWriter err = new java.io.StringWriter();
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    java.util.concurrent.CompletableFuture<CliHarness.Result> following =
        java.util.concurrent.CompletableFuture.supplyAsync(
            () ->
                CliHarness.run(
                    new ConsumerCommand(stdout),
                    err,
                    "-host",
                    host,
                    "-topic",
                    "gone",
                    "-f",
                    "--max",
                    "1",
                    "--from",
                    "end"));
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> err.toString().contains("waiting for topic"));
    assertThat(produce("three\n".getBytes(UTF_8), "-host", host, "-topic", "gone").exitCode())
        .isZero();
    CliHarness.Result result = following.get(30, java.util.concurrent.TimeUnit.SECONDS);

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(stdout.toString(UTF_8).lines()).containsExactly("three");
    assertThat(result.err().lines())
        .containsExactly(
            "waiting for topic 'gone' (it does not exist: never produced to, or deleted)",
            "received 1 message",
            "next message to read advanced to 4");
  }

  @Test
  void keysAndHeadersGoInWithTheProducerAndComeOutWithTheConsumer() throws IOException {
    CliHarness.Result produced =
        produce(
            "order-1:first\nno key here\norder-2:a:b\n".getBytes(UTF_8),
            "-host",
            host,
            "-topic",
            "k",
            "--key-separator",
            ":",
            "--header",
            "source=billing",
            "--header",
            "traceparent=00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    assertThat(produced.exitCode()).as(produced.err()).isZero();

    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    CliHarness.Result printed =
        CliHarness.run(
            new ConsumerCommand(raw),
            "-host",
            host,
            "-topic",
            "k",
            "--once",
            "--print-key",
            "--print-headers");
    ByteArrayOutputStream json = new ByteArrayOutputStream();
    CliHarness.run(
        new ConsumerCommand(json), "-host", host, "-topic", "k", "--once", "--format", "json");

    assertThat(printed.exitCode()).as(printed.err()).isZero();
    String headers =
        "source:billing,traceparent:00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    assertThat(raw.toString(UTF_8).lines())
        .containsExactly(
            headers + "\torder-1\tfirst", headers + "\t\tno key here", headers + "\torder-2\ta:b");
    assertThat(json.toString(UTF_8).lines().findFirst().orElseThrow())
        .contains("\"key\":\"order-1\"")
        .contains(
            "\"headers\":[{\"name\":\"source\",\"value\":\"billing\"},{\"name\":\"traceparent\"")
        .endsWith("\"payload\":\"first\"}");
    List<StoredMessage> stored = store.poll("k", 1, PollLimits.UNLIMITED).messages();
    assertThat(stored.get(1).key()).isEmpty();
    assertThat(stored.get(2).payload()).isEqualTo("a:b".getBytes(UTF_8));
  }

  @Test
  void rawPrintingWritesHeaderValuesAsTheirBytesAsKeysAndPayloadsAre() throws IOException {
    byte[] value = {(byte) 0xff, 0, 'v'};
    store.storeRecords(
        "bin",
        List.of(
            new io.minikafka.broker.store.Record(
                new byte[] {'k', 1},
                List.of(new io.minikafka.broker.store.Header("n", value)),
                new byte[] {(byte) 0xfe})));
    ByteArrayOutputStream raw = new ByteArrayOutputStream();

    CliHarness.Result printed =
        CliHarness.run(
            new ConsumerCommand(raw),
            "-host",
            host,
            "-topic",
            "bin",
            "--once",
            "--print-key",
            "--print-headers");

    assertThat(printed.exitCode()).as(printed.err()).isZero();
    assertThat(raw.toByteArray())
        .isEqualTo(
            new byte[] {'n', ':', (byte) 0xff, 0, 'v', '\t', 'k', 1, '\t', (byte) 0xfe, '\n'});
  }

  @Test
  void aHeaderWithoutAnEqualsSignIsAUsageError() {
    CliHarness.Result result =
        produce("x\n".getBytes(UTF_8), "-host", host, "-topic", "k", "--header", "novalue");
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err().strip())
        .isEqualTo(
            "mkfk-producer: --header 'novalue' is not NAME=VALUE (such as --header"
                + " source=billing)");
  }

  @Test
  void hexFormatAndMaxStopAfterNMessages() throws IOException {
    for (int i = 0; i < 5; i++) {
      store.store("t", new byte[] {(byte) i, (byte) 0xab});
    }
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();

    CliHarness.Result result =
        CliHarness.run(
            new ConsumerCommand(stdout),
            "-host",
            host,
            "-topic",
            "t",
            "--format",
            "hex",
            "--max",
            "3");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(stdout.toString(UTF_8).lines()).containsExactly("1 00ab", "2 01ab", "3 02ab");
  }

  @Test
  void followWithMaxExitsAndJsonCarriesTheAppendTime() throws IOException {
    store.store("t", "a".getBytes(UTF_8));
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();

    CliHarness.Result result =
        CliHarness.run(
            new ConsumerCommand(stdout),
            "-host",
            host,
            "-topic",
            "t",
            "--follow",
            "--max",
            "1",
            "--format",
            "json");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(stdout.toString(UTF_8))
        .containsPattern("\\{\"number\":1,\"timestamp\":\"20\\d\\d-[^\"]+Z\",\"payload\":\"a\"}");
  }

  @Test
  void verboseAddsTheStackTraceToTheErrorLine() {
    CliHarness.Result plain =
        CliHarness.run(
            new ConsumerCommand(new ByteArrayOutputStream()),
            "-host",
            host,
            "-topic",
            "nope",
            "--once");
    CliHarness.Result verbose =
        CliHarness.run(
            new ConsumerCommand(new ByteArrayOutputStream()),
            "-host",
            host,
            "-topic",
            "nope",
            "--once",
            "--verbose");

    assertThat(plain.err().strip().lines()).hasSize(1);
    assertThat(verbose.err()).contains("unknown topic 'nope'").contains("\tat io.minikafka.");
  }

  @Test
  void fromTimeStartsAtTheFirstMessageAppendedThenOrLater() throws Exception {
    store.store("t", "old".getBytes(UTF_8));
    java.time.Instant cut = java.time.Instant.now().plusMillis(5);
    org.awaitility.Awaitility.await().until(() -> java.time.Instant.now().isAfter(cut));
    store.store("t", "new".getBytes(UTF_8));
    ByteArrayOutputStream iso = new ByteArrayOutputStream();
    ByteArrayOutputStream relative = new ByteArrayOutputStream();

    CliHarness.Result byTime =
        CliHarness.run(
            new ConsumerCommand(iso),
            "-host",
            host,
            "-topic",
            "t",
            "--once",
            "--from-time",
            cut.toString());
    CliHarness.Result byAge =
        CliHarness.run(
            new ConsumerCommand(relative),
            "-host",
            host,
            "-topic",
            "t",
            "--once",
            "--from-time",
            "-1h");

    assertThat(byTime.exitCode()).as(byTime.err()).isZero();
    assertThat(iso.toString(UTF_8)).isEqualTo("new\n");
    assertThat(byAge.exitCode()).as(byAge.err()).isZero();
    assertThat(relative.toString(UTF_8)).isEqualTo("old\nnew\n");
  }

  @Test
  void aGroupResumesWhereItLastCommitted() throws IOException {
    store.store("t", "one".getBytes(UTF_8));
    ByteArrayOutputStream first = new ByteArrayOutputStream();
    ByteArrayOutputStream second = new ByteArrayOutputStream();

    CliHarness.Result run1 =
        CliHarness.run(
            new ConsumerCommand(first), "-host", host, "-topic", "t", "--once", "--group", "g");
    store.store("t", "two".getBytes(UTF_8));
    CliHarness.Result run2 =
        CliHarness.run(
            new ConsumerCommand(second), "-host", host, "-topic", "t", "--once", "--group", "g");

    assertThat(run1.exitCode()).as(run1.err()).isZero();
    assertThat(first.toString(UTF_8)).isEqualTo("one\n");
    assertThat(run2.exitCode()).as(run2.err()).isZero();
    assertThat(second.toString(UTF_8)).isEqualTo("two\n");
    assertThat(store.position("t", "g")).hasValue(3);
  }

  @Test
  void aGroupCommitsOnlyWhatItPrintedSoMaxThreeTwiceGivesOneToSix() throws IOException {
    for (int i = 1; i <= 10; i++) {
      store.store("t", Integer.toString(i).getBytes(UTF_8));
    }
    for (String mode : new String[] {"--once", "--follow"}) {
      String group = "g" + mode;
      ByteArrayOutputStream first = new ByteArrayOutputStream();
      ByteArrayOutputStream second = new ByteArrayOutputStream();

      CliHarness.Result run1 =
          CliHarness.run(
              new ConsumerCommand(first),
              "-host",
              host,
              "-topic",
              "t",
              mode,
              "--group",
              group,
              "--max",
              "3");
      CliHarness.Result run2 =
          CliHarness.run(
              new ConsumerCommand(second),
              "-host",
              host,
              "-topic",
              "t",
              mode,
              "--group",
              group,
              "--max",
              "3");

      assertThat(run1.exitCode()).as(run1.err()).isZero();
      assertThat(first.toString(UTF_8)).as(mode).isEqualTo("1\n2\n3\n");
      assertThat(run2.exitCode()).as(run2.err()).isZero();
      assertThat(second.toString(UTF_8)).as(mode).isEqualTo("4\n5\n6\n");
      assertThat(store.position("t", group)).as(mode).hasValue(7);
    }
  }

  @Test
  void whatCouldNotBeWrittenToStandardOutputIsNotCommitted() throws IOException {
    for (int i = 1; i <= 10; i++) {
      store.store("t", Integer.toString(i).getBytes(UTF_8));
    }
    OutputStream broken =
        new OutputStream() {
          @Override
          public void write(int b) throws IOException {
            throw new IOException("Broken pipe");
          }
        };
    CliHarness.Result failed =
        CliHarness.run(
            new ConsumerCommand(broken), "-host", host, "-topic", "t", "--once", "--group", "g");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CliHarness.Result next =
        CliHarness.run(
            new ConsumerCommand(out), "-host", host, "-topic", "t", "--once", "--group", "g");

    assertThat(failed.exitCode()).isEqualTo(1);
    assertThat(failed.err()).contains("Broken pipe");
    assertThat(next.exitCode()).as(next.err()).isZero();
    assertThat(out.toString(UTF_8)).startsWith("1\n2\n").endsWith("10\n");
  }

  @Test
  void aBadFromTimeIsAUsageError() {
    CliHarness.Result result =
        CliHarness.run(
            new ConsumerCommand(new ByteArrayOutputStream()),
            "-host",
            host,
            "-topic",
            "t",
            "--once",
            "--from-time",
            "yesterday");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("--from-time 'yesterday'").contains("-5m");
  }

  @Test
  void onceAndFollowDoNotMix() {
    CliHarness.Result result =
        CliHarness.run(
            new ConsumerCommand(new ByteArrayOutputStream()),
            "-host",
            host,
            "-topic",
            "t",
            "--once",
            "--follow");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("cannot be combined");
  }

  @Test
  void aTimeoutOrIntervalTooShortIsAUsageErrorWrittenAsItWasTyped() {
    for (String timeout : List.of("-1s", "0", "1ns", "999us")) {
      CliHarness.Result result =
          CliHarness.run(
              new ConsumerCommand(new ByteArrayOutputStream()),
              "-host",
              host,
              "-topic",
              "t",
              "--once",
              "--timeout",
              timeout);

      assertThat(result.exitCode()).as(timeout).isEqualTo(2);
      assertThat(result.err().strip())
          .as(timeout)
          .startsWith("mkfk-consumer: --timeout must be at least 1ms, was ")
          .doesNotContain("PT");
    }
    CliHarness.Result interval =
        CliHarness.run(
            new ConsumerCommand(new ByteArrayOutputStream()),
            "-host",
            host,
            "-topic",
            "t",
            "--interval",
            "-2s");
    assertThat(interval.exitCode()).isEqualTo(2);
    assertThat(interval.err().strip())
        .isEqualTo("mkfk-consumer: --interval must be positive, was -2s");
  }

  @Test
  void aGroupStartedAtTheEndThatPrintedNothingResumesThereNotAtTheBacklog() throws IOException {
    for (int i = 1; i <= 10; i++) {
      store.store("t", ("old " + i).getBytes(UTF_8));
    }
    ByteArrayOutputStream first = new ByteArrayOutputStream();
    CliHarness.Result nothing =
        CliHarness.run(
            new ConsumerCommand(first),
            "-host",
            host,
            "-topic",
            "t",
            "--group",
            "ge",
            "--from",
            "end",
            "--once");
    assertThat(nothing.exitCode()).as(nothing.err()).isZero();
    assertThat(first.size()).isZero();
    store.store("t", "new".getBytes(UTF_8));

    ByteArrayOutputStream second = new ByteArrayOutputStream();
    CliHarness.Result resumed =
        CliHarness.run(
            new ConsumerCommand(second), "-host", host, "-topic", "t", "--group", "ge", "--once");

    assertThat(resumed.exitCode()).as(resumed.err()).isZero();
    assertThat(second.toString(UTF_8)).isEqualTo("new\n");
  }

  @Test
  void readingPastTheEndSaysWhichFromToUseNotALibraryCall() throws IOException {
    for (int i = 1; i <= 3; i++) {
      store.store("t", ("m" + i).getBytes(UTF_8));
    }

    CliHarness.Result result =
        CliHarness.run(
            new ConsumerCommand(new ByteArrayOutputStream()),
            "-host",
            host,
            "-topic",
            "t",
            "--once",
            "--from",
            "10");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err().strip().lines())
        .singleElement()
        .asString()
        .contains("reading topic 't' from 10 is past its end: its next number is 4")
        .endsWith("read with --from 4 or lower")
        .doesNotContain("seek");
  }

  @Test
  void badDurationsAreUsageErrors() {
    CliHarness.Result result =
        CliHarness.run(
            new ConsumerCommand(new ByteArrayOutputStream()),
            "-host",
            host,
            "-topic",
            "t",
            "--interval",
            "3 parsecs");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("--interval").contains("3 parsecs");
  }
}
