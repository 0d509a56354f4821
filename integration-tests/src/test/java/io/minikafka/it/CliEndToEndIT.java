package io.minikafka.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real mkfk-server, mkfk-producer and mkfk-consumer, as processes, over loopback. */
class CliEndToEndIT {

  @Test
  void linesPipedThroughTheProducerComeBackByteExactFromTheConsumer() throws Exception {
    ByteArrayOutputStream input = new ByteArrayOutputStream();
    input.write("first line\n".getBytes(UTF_8));
    input.write("ünïcødé ✓ 🎉\n".getBytes(UTF_8));
    input.write(new byte[] {(byte) 0xff, (byte) 0xfe, 0x01, '\t', '\n'});
    input.write("\n".getBytes(UTF_8));
    for (int i = 0; i < 500; i++) {
      input.write(("line " + i + "\n").getBytes(UTF_8));
    }
    input.write("x".repeat(100_000).getBytes(UTF_8));
    input.write('\n');
    byte[] lines = input.toByteArray();

    try (ServerProcess server = ServerProcess.start(Map.of())) {
      MiniKafkaHome.Outcome produced =
          MiniKafkaHome.run(
              "mkfk-producer", Map.of(), lines, 120, "-host", server.host(), "-topic", "topic_foo");
      assertThat(produced.exitCode()).as(produced.stderr()).isZero();
      assertThat(produced.stderr()).contains("sent 505 messages").contains("numbers 1 to 505");

      MiniKafkaHome.Outcome consumed =
          MiniKafkaHome.run(
              "mkfk-consumer",
              Map.of(),
              new byte[0],
              120,
              "-host",
              server.host(),
              "-topic",
              "topic_foo",
              "--once");
      assertThat(consumed.exitCode()).as(consumed.stderr()).isZero();
      assertThat(consumed.stdout()).isEqualTo(lines);
      assertThat(consumed.stderr()).contains("next message to read advanced to 506");

      assertThat(server.stop()).isZero();
      assertThat(server.log()).anyMatch(l -> l.contains("Stopped"));
    }
  }

  @Test
  void aFileStoreServerKeepsMessagesAcrossARestartAndNumberingContinues(@TempDir Path root)
      throws Exception {
    Map<String, String> env = Map.of("MINIKAFKA_ROOT_DIR", root.toString());
    byte[] lines = "kept one\nkept two\n".getBytes(UTF_8);
    try (ServerProcess server = ServerProcess.start(env)) {
      assertThat(server.log()).anyMatch(l -> l.contains("Store: file store at " + root));
      MiniKafkaHome.Outcome produced =
          MiniKafkaHome.run(
              "mkfk-producer", Map.of(), lines, 60, "-host", server.host(), "-topic", "t");
      assertThat(produced.exitCode()).as(produced.stderr()).isZero();
      assertThat(server.stop()).isZero();
    }
    try (ServerProcess server = ServerProcess.start(env)) {
      MiniKafkaHome.Outcome consumed =
          MiniKafkaHome.run(
              "mkfk-consumer",
              Map.of(),
              new byte[0],
              60,
              "-host",
              server.host(),
              "-topic",
              "t",
              "--once");
      assertThat(consumed.stdout()).isEqualTo(lines);
      MiniKafkaHome.Outcome next =
          MiniKafkaHome.run(
              "mkfk-producer",
              Map.of(),
              "third\n".getBytes(UTF_8),
              60,
              "-host",
              server.host(),
              "-topic",
              "t");
      assertThat(next.stderr()).contains("(number 3)");
      assertThat(server.stop()).isZero();
    }
    MiniKafkaHome.Outcome fsck =
        MiniKafkaHome.run("mkfk-fsck", Map.of(), new byte[0], 60, root.toString());
    assertThat(fsck.exitCode()).as(fsck.stdout() + fsck.stderr()).isZero();
    assertThat(fsck.stdoutText()).contains("messages 1-3 (3 stored)").contains("no damage");
  }

  @Test
  void serverLogsItsVersionAndSettingsAtStart() throws Exception {
    String version =
        java.util.regex.Pattern.compile(
                "<artifactId>minikafka-parent</artifactId>\\s*<version>([^<]+)</version>")
            .matcher(java.nio.file.Files.readString(MiniKafkaHome.HOME.resolve("pom.xml")))
            .results()
            .findFirst()
            .orElseThrow()
            .group(1);
    try (ServerProcess server = ServerProcess.start(Map.of("MINIKAFKA_RETENTIONTIME", "90m"))) {
      assertThat(server.log())
          .anyMatch(l -> l.contains("MiniKafka " + version + " on Java "))
          .anyMatch(l -> l.contains("listening on 127.0.0.1:" + server.port()))
          .anyMatch(l -> l.contains("Store: memory"))
          .anyMatch(l -> l.contains("Retention: 1h30m0s"));
    }
  }

  @Test
  void anExpiredMessageIsGoneAfterTheRetentionTime() throws Exception {
    try (ServerProcess server = ServerProcess.start(Map.of("MINIKAFKA_RETENTIONTIME", "1s"))) {
      MiniKafkaHome.Outcome produced =
          MiniKafkaHome.run(
              "mkfk-producer",
              Map.of(),
              "short-lived\n".getBytes(UTF_8),
              60,
              "-host",
              server.host(),
              "-topic",
              "t");
      assertThat(produced.exitCode()).as(produced.stderr()).isZero();

      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(500))
          .untilAsserted(
              () -> {
                MiniKafkaHome.Outcome consumed =
                    MiniKafkaHome.run(
                        "mkfk-consumer",
                        Map.of(),
                        new byte[0],
                        60,
                        "-host",
                        server.host(),
                        "-topic",
                        "t",
                        "--once");
                assertThat(consumed.exitCode()).as(consumed.stderr()).isZero();
                assertThat(consumed.stdout()).isEmpty();
              });

      MiniKafkaHome.Outcome next =
          MiniKafkaHome.run(
              "mkfk-producer",
              Map.of(),
              "later\n".getBytes(UTF_8),
              60,
              "-host",
              server.host(),
              "-topic",
              "t");
      assertThat(next.stderr()).as("numbers are never reused").contains("(number 2)");
    }
  }

  @Test
  void anInvalidRetentionExitsTwoWithOneLine() throws Exception {
    MiniKafkaHome.Outcome outcome =
        MiniKafkaHome.run(
            "mkfk-server", Map.of("MINIKAFKA_RETENTIONTIME", "ten seconds"), new byte[0], 60);

    assertThat(outcome.exitCode()).isEqualTo(2);
    assertThat(outcome.stderr().strip().lines())
        .singleElement()
        .asString()
        .contains("MINIKAFKA_RETENTIONTIME")
        .contains("'ten seconds'")
        .contains("10s");
  }

  @Test
  void theProducerExitsNonZeroWithOneLineWhenTheServerIsUnreachable() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }

    MiniKafkaHome.Outcome outcome =
        MiniKafkaHome.run(
            "mkfk-producer",
            Map.of(),
            "hello\n".getBytes(UTF_8),
            60,
            "-host",
            "127.0.0.1:" + closedPort,
            "-topic",
            "t");

    assertThat(outcome.exitCode()).isEqualTo(1);
    assertThat(outcome.stderr().strip().lines())
        .singleElement()
        .asString()
        .contains("cannot reach MiniKafka server")
        .contains("connection refused")
        .doesNotContain("io exception");
  }

  @Test
  void aConsumerWhoseStandardOutputFailsExitsOneAndItsGroupCommitsNothing() throws Exception {
    assumeTrue(Files.isWritable(Path.of("/dev/full")), "needs /dev/full");
    try (ServerProcess server = ServerProcess.start(Map.of())) {
      MiniKafkaHome.Outcome produced =
          MiniKafkaHome.run(
              "mkfk-producer",
              Map.of(),
              "one\ntwo\nthree\n".getBytes(UTF_8),
              60,
              "-host",
              server.host(),
              "-topic",
              "t");
      assertThat(produced.exitCode()).as(produced.stderr()).isZero();

      // A full disk: every write to standard output fails, as a closed pipe's does.
      MiniKafkaHome.Outcome full =
          MiniKafkaHome.runWritingTo(
              new File("/dev/full"),
              "mkfk-consumer",
              Map.of(),
              60,
              "-host",
              server.host(),
              "-topic",
              "t",
              "--group",
              "g",
              "--once");
      assertThat(full.exitCode()).as(full.stderr()).isEqualTo(1);
      assertThat(full.stderr()).contains("writing to standard output failed");

      MiniKafkaHome.Outcome again =
          MiniKafkaHome.run(
              "mkfk-consumer",
              Map.of(),
              new byte[0],
              60,
              "-host",
              server.host(),
              "-topic",
              "t",
              "--group",
              "g",
              "--once");
      assertThat(again.exitCode()).as(again.stderr()).isZero();
      assertThat(new String(again.stdout(), UTF_8))
          .as("nothing was committed for the group")
          .isEqualTo("one\ntwo\nthree\n");
    }
  }
}
