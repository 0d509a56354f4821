package io.minikafka.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.minikafka.broker.security.AuthRules;
import io.minikafka.protocol.TestPki;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real server and every CLI as processes over TLS, mutual TLS and tokens: the worked example of
 * docs/security.md, refusals as one line with the documented exit code, and SIGHUP.
 */
class SecurityIT {

  private static final String WRITER = "writer-7c1e5f0a9b";
  private static final String READER = "reader-33d0aa8e12";

  @TempDir Path dir;

  @Test
  void everyCliRoundTripsOverMutualTlsWithTokensAndCertificates() throws Exception {
    TestPki pki = TestPki.create(dir, "example");
    TestPki.Issued server = pki.server();
    TestPki.Issued client = pki.client("ops-console");
    Path auth =
        Files.writeString(
            dir.resolve("auth"),
            "# tokens: mkfk-admin hash-token < token-file\n"
                + hash(WRITER)
                + " writer produce:events\n"
                + hash(READER)
                + " reader consume:events\n"
                + "cn:ops-console ops admin\n");
    Path writerToken = Files.writeString(dir.resolve("writer.token"), WRITER + "\n");
    Map<String, String> serverEnv =
        Map.of(
            "MINIKAFKA_TLS_CERT", server.cert().toString(),
            "MINIKAFKA_TLS_KEY", server.key().toString(),
            "MINIKAFKA_TLS_CLIENT_CA", pki.caCert().toString(),
            "MINIKAFKA_AUTH_FILE", auth.toString());
    Map<String, String> tlsEnv =
        Map.of(
            "MINIKAFKA_CA_CERT", pki.caCert().toString(),
            "MINIKAFKA_CERT", client.cert().toString(),
            "MINIKAFKA_KEY", client.key().toString());
    try (ServerProcess broker = ServerProcess.start(serverEnv)) {
      assertThat(broker.log())
          .anyMatch(
              l ->
                  l.contains(
                      "Security: TLS with client certificates, identities from the auth file"));
      String host = broker.host();

      MiniKafkaHome.Outcome produced =
          MiniKafkaHome.run(
              "mkfk-producer",
              tlsEnv,
              "one\ntwo\n".getBytes(UTF_8),
              60,
              "--host",
              host,
              "--topic",
              "events",
              "--token-file",
              writerToken.toString());
      assertThat(produced.exitCode()).as(produced.stderr()).isZero();

      Map<String, String> readerEnv = new HashMap<>(tlsEnv);
      readerEnv.put("MINIKAFKA_TOKEN", READER);
      MiniKafkaHome.Outcome consumed =
          MiniKafkaHome.run(
              "mkfk-consumer",
              readerEnv,
              new byte[0],
              60,
              "--host",
              host,
              "--topic",
              "events",
              "--once");
      assertThat(consumed.exitCode()).as(consumed.stderr()).isZero();
      assertThat(consumed.stdoutText()).isEqualTo("one\ntwo\n");

      MiniKafkaHome.Outcome denied =
          MiniKafkaHome.run(
              "mkfk-producer",
              readerEnv,
              "three\n".getBytes(UTF_8),
              60,
              "--host",
              host,
              "--topic",
              "events");
      assertThat(denied.exitCode()).isEqualTo(1);
      assertThat(denied.stderr().strip().lines())
          .anyMatch(
              l ->
                  l.startsWith("mkfk-producer: ")
                      && l.contains(
                          "principal 'reader' is not allowed to produce on topic 'events'"));

      MiniKafkaHome.Outcome perf =
          MiniKafkaHome.run(
              "mkfk-perf",
              tlsEnv,
              new byte[0],
              120,
              "produce",
              "--host",
              host,
              "--topic",
              "events",
              "--messages",
              "200",
              "--token",
              WRITER);
      assertThat(perf.exitCode()).as(perf.stderr()).isZero();

      // The certificate alone is the admin's identity.
      MiniKafkaHome.Outcome topics =
          MiniKafkaHome.run("mkfk-admin", tlsEnv, new byte[0], 60, "topics", "--host", host);
      assertThat(topics.exitCode()).as(topics.stderr()).isZero();
      assertThat(topics.stdoutText()).contains("events").contains("202");
      MiniKafkaHome.Outcome deleted =
          MiniKafkaHome.run(
              "mkfk-admin", tlsEnv, new byte[0], 60, "delete", "events", "--host", host);
      assertThat(deleted.exitCode()).as(deleted.stderr()).isZero();

      assertThat(broker.stop()).isZero();
      assertThat(String.join("\n", broker.log())).doesNotContain(WRITER).doesNotContain(READER);
    }
  }

  @Test
  void tlsWithoutClientCertificatesServesAClientTrustingItsCaAndRefusesPlaintext()
      throws Exception {
    TestPki pki = TestPki.create(dir, "plain");
    TestPki.Issued server = pki.server(TestPki.KeyFormat.PKCS1_RSA);
    Map<String, String> serverEnv =
        Map.of(
            "MINIKAFKA_TLS_CERT",
            server.cert().toString(),
            "MINIKAFKA_TLS_KEY",
            server.key().toString());
    try (ServerProcess broker = ServerProcess.start(serverEnv)) {
      String host = broker.host();
      MiniKafkaHome.Outcome produced =
          MiniKafkaHome.run(
              "mkfk-producer",
              Map.of(),
              "hello\n".getBytes(UTF_8),
              60,
              "--host",
              host,
              "--topic",
              "t",
              "--ca-cert",
              pki.caCert().toString());
      assertThat(produced.exitCode()).as(produced.stderr()).isZero();
      MiniKafkaHome.Outcome consumed =
          MiniKafkaHome.run(
              "mkfk-consumer",
              Map.of("MINIKAFKA_CA_CERT", pki.caCert().toString()),
              new byte[0],
              60,
              "--host",
              host,
              "--topic",
              "t",
              "--once");
      assertThat(consumed.stdoutText()).isEqualTo("hello\n");

      MiniKafkaHome.Outcome plaintext =
          MiniKafkaHome.run(
              "mkfk-admin", Map.of(), new byte[0], 60, "topics", "--host", host, "--timeout", "3s");
      assertThat(plaintext.exitCode()).isEqualTo(1);
      assertThat(plaintext.stderr().strip().lines()).hasSize(1);

      MiniKafkaHome.Outcome wrongCa =
          MiniKafkaHome.run(
              "mkfk-admin",
              Map.of(),
              new byte[0],
              60,
              "topics",
              "--host",
              host,
              "--ca-cert",
              TestPki.create(dir, "other").caCert().toString());
      assertThat(wrongCa.exitCode()).isEqualTo(1);
      assertThat(wrongCa.stderr())
          .startsWith(
              "mkfk-admin: listing topics failed: TLS handshake with MiniKafka server at "
                  + host
                  + " failed");
    }
  }

  @Test
  void aWrongTlsFileExitsTwoWithOneLineNamingTheSetting() throws Exception {
    TestPki pki = TestPki.create(dir, "bad");
    Path missing = dir.resolve("missing.key");
    MiniKafkaHome.Outcome outcome =
        MiniKafkaHome.run(
            "mkfk-server",
            Map.of(
                "MINIKAFKA_TLS_CERT",
                pki.server().cert().toString(),
                "MINIKAFKA_TLS_KEY",
                missing.toString(),
                "MINIKAFKA_HOST",
                "127.0.0.1:0"),
            new byte[0],
            60);
    assertThat(outcome.exitCode()).isEqualTo(2);
    assertThat(outcome.stderr().strip().lines().filter(l -> l.startsWith("mkfk-server:")).toList())
        .containsExactly(
            "mkfk-server: MINIKAFKA_TLS_KEY (--tls-key) " + missing + ": no such file");
  }

  @Test
  void aSighupWhileTheServerStartsIsNotLost() throws Exception {
    try (ServerProcess starting = ServerProcess.launch(Map.of())) {
      // Its settings are logged once its signal handlers are in place, before it opens its store.
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> starting.log().stream().anyMatch(l -> l.contains("Setting MINIKAFKA_")));
      // Only a signal before it listens tests the start-up; one after is the next test's case.
      boolean beforeListening = starting.log().stream().noneMatch(l -> l.contains("listening on"));
      starting.hangUp();
      assumeTrue(beforeListening, "the server was listening before the signal was sent");
      assertThat(starting.port()).isPositive();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  starting.log().stream().anyMatch(l -> l.contains("no auth file is configured")));
      assertThat(starting.alive()).isTrue();
    }
  }

  @Test
  void aTokenFileFlagOverridesTheTokenVariableAndEmptyVariablesMeanUnset() throws Exception {
    Path auth =
        Files.writeString(
            dir.resolve("auth"),
            hash(READER) + " reader consume:*\n" + hash(WRITER) + " writer produce:t\n");
    Path writerToken = Files.writeString(dir.resolve("writer.token"), WRITER + "\n");
    try (ServerProcess broker =
        ServerProcess.start(Map.of("MINIKAFKA_AUTH_FILE", auth.toString()))) {
      Map<String, String> env =
          Map.of(
              "MINIKAFKA_TOKEN", READER,
              "MINIKAFKA_CA_CERT", "",
              "MINIKAFKA_CERT", "",
              "MINIKAFKA_KEY", "");
      MiniKafkaHome.Outcome produced =
          MiniKafkaHome.run(
              "mkfk-producer",
              env,
              "x\n".getBytes(UTF_8),
              60,
              "--host",
              broker.host(),
              "--topic",
              "t",
              "--token-file",
              writerToken.toString());

      assertThat(produced.exitCode()).as(produced.stderr()).isZero();
      assertThat(produced.stderr()).contains("sent 1 message");
    }
  }

  @Test
  void sighupReloadsTheAuthFileAndNeverKillsTheServer() throws Exception {
    Path auth = Files.writeString(dir.resolve("auth"), hash(READER) + " reader consume:*\n");
    try (ServerProcess open = ServerProcess.start(Map.of())) {
      open.hangUp();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> open.log().stream().anyMatch(l -> l.contains("no auth file is configured")));
      assertThat(open.alive()).isTrue();
    }
    try (ServerProcess broker =
        ServerProcess.start(Map.of("MINIKAFKA_AUTH_FILE", auth.toString()))) {
      Map<String, String> writer = Map.of("MINIKAFKA_TOKEN", WRITER);
      MiniKafkaHome.Outcome before =
          MiniKafkaHome.run(
              "mkfk-producer",
              writer,
              "x\n".getBytes(UTF_8),
              60,
              "--host",
              broker.host(),
              "--topic",
              "t");
      assertThat(before.exitCode()).isEqualTo(1);
      assertThat(before.stderr()).contains("unknown token");

      Files.writeString(
          auth, hash(READER) + " reader consume:*\n" + hash(WRITER) + " writer produce:t\n");
      broker.hangUp();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> broker.log().stream().anyMatch(l -> l.contains("reloaded: 2 identities")));
      MiniKafkaHome.Outcome after =
          MiniKafkaHome.run(
              "mkfk-producer",
              writer,
              "x\n".getBytes(UTF_8),
              60,
              "--host",
              broker.host(),
              "--topic",
              "t");
      assertThat(after.exitCode()).as(after.stderr()).isZero();
      assertThat(broker.stop()).isZero();
    }
  }

  @Test
  void hashTokenPrintsTheFormTheAuthFileTakes() throws Exception {
    MiniKafkaHome.Outcome hashed =
        MiniKafkaHome.run(
            "mkfk-admin", Map.of(), (WRITER + "\n").getBytes(UTF_8), 60, "hash-token");
    assertThat(hashed.exitCode()).isZero();
    assertThat(hashed.stdoutText()).isEqualTo(hash(WRITER) + "\n");
  }

  @Test
  void theWorkedExampleOfTheSecurityPageRunsAsWritten() throws Exception {
    Matcher example =
        Pattern.compile("<!-- example: security -->\\s*```sh\\n(.*?)```", Pattern.DOTALL)
            .matcher(Files.readString(MiniKafkaHome.HOME.resolve("docs/security.md")));
    assertThat(example.find()).as("the example block of docs/security.md").isTrue();
    int port;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    Path script =
        Files.writeString(
            dir.resolve("example.sh"),
            example.group(1).replace("127.0.0.1:9443", "127.0.0.1:" + port));
    ProcessBuilder bash = new ProcessBuilder("bash", script.toString()).directory(dir.toFile());
    bash.environment().keySet().removeIf(k -> k.startsWith("MINIKAFKA_"));
    bash.environment().put("PATH", MiniKafkaHome.HOME.resolve("bin") + ":" + System.getenv("PATH"));
    Process process = bash.redirectErrorStream(true).start();
    String output;
    try (var in = process.getInputStream()) {
      output = new String(in.readAllBytes(), UTF_8);
    }
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();

    assertThat(process.exitValue()).as(output).isZero();
    assertThat(output)
        .contains("one\ntwo\n")
        .contains("principal 'reader' is not allowed to produce on topic 'events'")
        .containsPattern("events\\s+2\\s+1\\s+3");
    assertThat(Files.readString(dir.resolve("server.log")))
        .contains("Security: TLS with client certificates");
  }

  private static String hash(String token) {
    return AuthRules.hashToken(token);
  }
}
