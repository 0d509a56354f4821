package io.minikafka.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.minikafka.broker.server.MiniKafkaServer;
import io.minikafka.broker.store.ForwardingStore;
import io.minikafka.broker.store.StoreHealth;
import io.minikafka.broker.store.memory.MemoryStore;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AdminCommandTest extends LiveServerTest {

  @BeforeEach
  void fillTopics() throws IOException {
    store.store("orders", "abc".getBytes(UTF_8));
    store.store("orders", "de".getBytes(UTF_8));
    store.store("say \"hi\"", new byte[0]);
  }

  @Test
  void topicsPrintsATableOfEveryTopic() {
    CliHarness.Result result = CliHarness.run(new AdminCommand(), "topics", "--host", host);

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out().lines())
        .first()
        .asString()
        .matches("TOPIC\\s+MESSAGES\\s+FIRST\\s+NEXT\\s+BYTES");
    assertThat(result.out()).containsPattern("orders\\s+2\\s+1\\s+3\\s+5");
  }

  @Test
  void topicsAsJsonEscapesNames() {
    CliHarness.Result result =
        CliHarness.run(new AdminCommand(), "--json", "topics", "--host", host);

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out().strip())
        .startsWith(
            "[{\"topic\":\"orders\",\"messages\":2,\"firstAvailable\":1,\"nextNumber\":3,\"bytesStored\":5,")
        .contains("{\"topic\":\"say \\\"hi\\\"\",\"messages\":1")
        .endsWith("}]");
  }

  @Test
  void describeShowsNumbersAndTimes() {
    CliHarness.Result table =
        CliHarness.run(new AdminCommand(), "describe", "orders", "--host", host);
    CliHarness.Result json =
        CliHarness.run(new AdminCommand(), "describe", "orders", "--host", host, "--json");

    assertThat(table.exitCode()).isZero();
    assertThat(table.out())
        .containsPattern("next number\\s+3")
        .containsPattern("oldest append\\s+20\\d\\d-");
    assertThat(json.out())
        .contains("\"nextNumber\":3")
        .containsPattern("\"oldestAppendTime\":\"20\\d\\d-");
  }

  @Test
  void describeShowsEachNamedConsumersPositionAndLag() throws Exception {
    store.commitPosition("orders", "billing", 2);
    store.commitPosition("orders", "audit", 3);

    CliHarness.Result table =
        CliHarness.run(new AdminCommand(), "describe", "orders", "--host", host);
    CliHarness.Result json =
        CliHarness.run(new AdminCommand(), "describe", "orders", "--host", host, "--json");

    assertThat(table.exitCode()).as(table.err()).isZero();
    assertThat(table.out())
        .containsPattern("consumer audit\\s+reads 3 next, lag 0")
        .containsPattern("consumer billing\\s+reads 2 next, lag 1");
    assertThat(json.out())
        .contains(
            "\"consumers\":[{\"name\":\"audit\",\"nextNumber\":3,\"lag\":0},"
                + "{\"name\":\"billing\",\"nextNumber\":2,\"lag\":1}]");
  }

  @Test
  void serverOptionsAndVerboseWorkBeforeTheSubcommandAsAfterIt() {
    CliHarness.Result before =
        CliHarness.run(new AdminCommand(), "--host", host, "--json", "describe", "orders");
    CliHarness.Result verbose =
        CliHarness.run(new AdminCommand(), "--verbose", "--host", host, "describe", "missing");

    assertThat(before.exitCode()).as(before.err()).isZero();
    assertThat(before.out()).contains("\"topic\":\"orders\"");
    assertThat(verbose.exitCode()).isEqualTo(1);
    assertThat(verbose.err().lines().toList())
        .first()
        .asString()
        .startsWith("mkfk-admin: describing topic 'missing' failed: unknown topic 'missing'");
    assertThat(verbose.err()).contains("at io.minikafka.");
  }

  @Test
  void noSubcommandAndBadUsageAreUsageErrorsPrefixedWithTheToolsName() {
    CliHarness.Result none = CliHarness.run(new AdminCommand(), "--host", host);
    CliHarness.Result missing = CliHarness.run(new AdminCommand(), "describe", "--host", host);
    CliHarness.Result duration =
        CliHarness.run(new AdminCommand(), "topics", "--host", host, "--timeout", "3");

    assertThat(none.exitCode()).isEqualTo(2);
    assertThat(none.err().lines())
        .containsExactly(
            "mkfk-admin: a command is needed: topics, describe, create, alter, delete, copy or hash-token",
            "Try 'mkfk-admin --help' for more information.");
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err().lines())
        .containsExactly(
            "mkfk-admin: Missing required parameter: 'TOPIC'",
            "Try 'mkfk-admin describe --help' for more information.");
    assertThat(duration.exitCode()).isEqualTo(2);
    assertThat(duration.err().lines().toList())
        .first()
        .asString()
        .isEqualTo(
            "mkfk-admin: Invalid value for option '--timeout': '3' is not a duration (missing unit"
                + " after '3'): use one such as 500ms, 3s or 1m30s")
        .doesNotContain("Exception");
  }

  @Test
  void createAndAlterGiveATopicItsOwnRetentionWhichDescribeShows() {
    CliHarness.Result created =
        CliHarness.run(new AdminCommand(), "create", "fast", "--retention", "90s", "--host", host);
    CliHarness.Result again = CliHarness.run(new AdminCommand(), "create", "fast", "--host", host);
    CliHarness.Result described =
        CliHarness.run(new AdminCommand(), "describe", "fast", "--host", host);
    CliHarness.Result altered =
        CliHarness.run(
            new AdminCommand(), "alter", "fast", "--retention", "default", "--host", host);
    CliHarness.Result json =
        CliHarness.run(new AdminCommand(), "--json", "describe", "fast", "--host", host);
    CliHarness.Result bad =
        CliHarness.run(new AdminCommand(), "alter", "fast", "--retention", "soon", "--host", host);

    assertThat(created.exitCode()).as(created.err()).isZero();
    assertThat(created.out().strip()).isEqualTo("created topic 'fast', retention 1m30s (its own)");
    assertThat(again.exitCode()).isEqualTo(1);
    assertThat(again.err())
        .contains("topic 'fast' already exists")
        .doesNotContain("ALREADY_EXISTS");
    assertThat(described.out()).containsPattern("retention\\s+1m30s \\(its own\\)");
    assertThat(altered.out().strip())
        .isEqualTo("topic 'fast' now has retention 1h0m0s (the server's)");
    assertThat(json.out()).contains("\"retentionMs\":3600000,\"ownRetention\":false");
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err().strip())
        .isEqualTo(
            "mkfk-admin: --retention 'soon' is not a duration such as 2s, 1h or 7d, nor default");
  }

  @Test
  void aTopicOfTwoSecondsLosesItsMessagesOnTimeThoughTheServerKeepsThemAnHour() throws Exception {
    assertThat(
            CliHarness.run(
                    new AdminCommand(), "create", "brief", "--retention", "2s", "--host", host)
                .exitCode())
        .isZero();
    long stored = System.nanoTime();
    store.store("brief", "gone soon".getBytes(UTF_8));
    store.store("kept", "stays".getBytes(UTF_8));

    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> store.describe("brief").messageCount() == 0);
    Duration took = Duration.ofNanos(System.nanoTime() - stored);

    assertThat(took).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
    System.out.printf("a 2 s topic was emptied after %d ms%n", took.toMillis());
    assertThat(store.describe("kept").messageCount()).isEqualTo(1);
  }

  @Test
  void deletingOneMessageSaysItInTheSingular() throws IOException {
    store.store("single", "x".getBytes(UTF_8));
    CliHarness.Result deleted =
        CliHarness.run(new AdminCommand(), "delete", "single", "--host", host);
    assertThat(deleted.out().strip()).isEqualTo("deleted topic 'single' (1 message)");
  }

  @Test
  void deleteHidesTheTopicAndUnknownTopicsFailWithOneLine() {
    CliHarness.Result deleted =
        CliHarness.run(new AdminCommand(), "delete", "orders", "--host", host);
    assertThat(deleted.exitCode()).isZero();
    assertThat(deleted.out()).contains("deleted topic 'orders' (2 messages)");

    CliHarness.Result again =
        CliHarness.run(new AdminCommand(), "describe", "orders", "--host", host);
    assertThat(again.exitCode()).isEqualTo(1);
    assertThat(again.err().strip().lines())
        .singleElement()
        .asString()
        .isEqualTo(
            "mkfk-admin: describing topic 'orders' failed: unknown topic 'orders': it was deleted,"
                + " and nothing has been produced to it since");
    CliHarness.Result twice =
        CliHarness.run(new AdminCommand(), "delete", "orders", "--host", host);
    assertThat(twice.exitCode()).isEqualTo(1);
    assertThat(twice.err()).contains("it was deleted, and nothing has been produced to it since");

    CliHarness.Result topics = CliHarness.run(new AdminCommand(), "topics", "--host", host);
    assertThat(topics.out()).doesNotContain("orders");
  }

  @Test
  void topicsReportsTheServersProblemsOnStandardErrorAndExitsOneAfterListing() throws IOException {
    MiniKafkaServer troubled =
        MiniKafkaServer.start(
            new ForwardingStore(new MemoryStore()) {
              @Override
              public StoreHealth health() {
                return new StoreHealth(
                    true,
                    List.of("topic 'orders' is unavailable: its directory could not be read"));
              }
            },
            "127.0.0.1:0",
            Duration.ofHours(1));
    try {
      CliHarness.Result result =
          CliHarness.run(new AdminCommand(), "topics", "--host", "127.0.0.1:" + troubled.port());
      assertThat(result.exitCode()).as(result.err()).isEqualTo(1);
      assertThat(result.err())
          .contains(
              "mkfk-admin: server problem: topic 'orders' is unavailable: its directory could not be read");
      assertThat(result.out()).startsWith("TOPIC");

      CliHarness.Result json =
          CliHarness.run(
              new AdminCommand(), "--json", "topics", "--host", "127.0.0.1:" + troubled.port());
      assertThat(json.exitCode()).as(json.err()).isEqualTo(1);
      assertThat(json.err()).contains("mkfk-admin: server problem: topic 'orders'");
      assertThat(json.out().strip()).isEqualTo("[]");
    } finally {
      troubled.close();
    }
  }

  @Test
  void hashTokenHashesStandardInputWithoutItsTrailingNewline() {
    CliHarness.Result lf =
        CliHarness.run(
            new AdminCommand(new java.io.ByteArrayInputStream("abc\n".getBytes(UTF_8))),
            "hash-token");
    CliHarness.Result crlf =
        CliHarness.run(
            new AdminCommand(new java.io.ByteArrayInputStream("abc\r\n".getBytes(UTF_8))),
            "hash-token");

    assertThat(lf.exitCode()).isZero();
    assertThat(lf.out().strip())
        .isEqualTo("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assertThat(crlf.out()).isEqualTo(lf.out());
  }

  @Test
  void hashTokenOfNothingIsAUsageError() {
    CliHarness.Result result =
        CliHarness.run(
            new AdminCommand(new java.io.ByteArrayInputStream(new byte[0])), "hash-token");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err().strip()).isEqualTo("mkfk-admin: no token on standard input");
  }

  @Test
  void hashTokenRefusesATokenNoClientCouldSend() {
    for (String input : List.of("a b\n", "abc\n\n", "two\nlines\n")) {
      CliHarness.Result result =
          CliHarness.run(
              new AdminCommand(new java.io.ByteArrayInputStream(input.getBytes(UTF_8))),
              "hash-token");

      assertThat(result.exitCode()).as(input).isEqualTo(2);
      assertThat(result.err().strip())
          .isEqualTo(
              "mkfk-admin: the token on standard input must be printable ASCII without spaces,"
                  + " as clients send it (one trailing newline is dropped)");
    }
  }

  @Test
  void aTokenFileClientsCannotSendIsNamed(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws IOException {
    java.nio.file.Path file = dir.resolve("token");
    java.nio.file.Files.writeString(file, "abc\n\n");

    CliHarness.Result result =
        CliHarness.run(
            new AdminCommand(), "topics", "--host", host, "--token-file", file.toString());

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err().strip())
        .isEqualTo(
            "mkfk-admin: --token-file "
                + file
                + ": a token must be printable ASCII without spaces");
  }

  @Test
  void emptySettingsMeanTheirDefaultsAsUnsetOnesDo() {
    CliHarness.Result result =
        CliHarness.run(
            new AdminCommand(),
            "topics",
            "--host",
            host,
            "--ca-cert",
            "",
            "--cert",
            "",
            "--key",
            "",
            "--token",
            "");
    CliHarness.Result noHost = CliHarness.run(new AdminCommand(), "topics", "--host", "");

    assertThat(result.exitCode()).as(result.err()).isZero();
    // The default address: whatever answers there, not a refusal of an empty one.
    assertThat(noHost.err()).doesNotContain("has no port").doesNotContain("''");
  }

  @Test
  void aTokenAndATokenFileTogetherAreAUsageErrorAndAMissingTokenFileIsNamed(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    java.nio.file.Path missing = dir.resolve("token");
    CliHarness.Result both =
        CliHarness.run(
            new AdminCommand(),
            "topics",
            "--host",
            host,
            "--token",
            "t",
            "--token-file",
            missing.toString());
    CliHarness.Result absent =
        CliHarness.run(
            new AdminCommand(), "topics", "--host", host, "--token-file", missing.toString());

    assertThat(both.exitCode()).isEqualTo(2);
    assertThat(both.err().strip()).isEqualTo("mkfk-admin: give --token or --token-file, not both");
    assertThat(absent.exitCode()).isEqualTo(2);
    assertThat(absent.err().strip())
        .isEqualTo("mkfk-admin: --token-file " + missing + ": no such file");
  }

  @Test
  void aClientCertificateWithoutItsKeyIsAUsageError() {
    CliHarness.Result result =
        CliHarness.run(new AdminCommand(), "topics", "--host", host, "--cert", "c.pem");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err().strip())
        .isEqualTo("mkfk-admin: --cert (MINIKAFKA_CERT) needs --key (MINIKAFKA_KEY)");
  }
}
