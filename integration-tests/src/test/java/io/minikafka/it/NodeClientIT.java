package io.minikafka.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.minikafka.broker.security.AuthRules;
import io.minikafka.client.Consumer;
import io.minikafka.client.Message;
import io.minikafka.client.Producer;
import io.minikafka.protocol.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Node.js client of docs/clients/node, which loads the project's .proto at run time, against
 * the real server: byte-exact both ways with the Java client.
 */
class NodeClientIT {

  private static final Path NODE_CLIENT = MiniKafkaHome.HOME.resolve("docs/clients/node");

  /** Lines with UTF-8, high bytes and a tab, but no '\n' or '\r': what both sides split on. */
  private static final List<byte[]> PAYLOADS =
      List.of(
          "plain".getBytes(UTF_8),
          "ünïcødé ✓ 🎉".getBytes(UTF_8),
          new byte[] {(byte) 0xff, (byte) 0xfe, 0x00, 0x01, '\t', (byte) 0x80},
          new byte[0],
          "x".repeat(50_000).getBytes(UTF_8));

  private static MiniKafkaHome.Outcome node(byte[] stdin, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("node"));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).directory(NODE_CLIENT.toFile()).start();
    return MiniKafkaHome.finish(process, "node " + args[0], stdin, 60);
  }

  @Test
  void messagesFromJavaReachNodeByteExact() throws Exception {
    try (ServerProcess server = ServerProcess.start(Map.of())) {
      try (Producer producer =
          new Producer("java-to-node", Duration.ofSeconds(10), server.host())) {
        for (byte[] payload : PAYLOADS) {
          producer.sendMessage(payload);
        }
      }

      MiniKafkaHome.Outcome consumed =
          node(new byte[0], "consumer.js", server.host(), "java-to-node", "1");

      assertThat(consumed.exitCode()).as(consumed.stderr()).isZero();
      assertThat(consumed.stdout()).isEqualTo(MiniKafkaHome.asLines(PAYLOADS));
    }
  }

  @Test
  void messagesFromNodeReachJavaByteExactWithTheirNumbers() throws Exception {
    try (ServerProcess server = ServerProcess.start(Map.of())) {
      MiniKafkaHome.Outcome produced =
          node(MiniKafkaHome.asLines(PAYLOADS), "producer.js", server.host(), "node-to-java");
      assertThat(produced.exitCode()).as(produced.stderr()).isZero();
      assertThat(produced.stdoutText().lines()).containsExactly("1", "2", "3", "4", "5");

      try (Consumer consumer =
          new Consumer("node-to-java", 1, Duration.ofSeconds(10), server.host())) {
        List<Message> messages = consumer.poll().messages();
        assertThat(messages).hasSize(PAYLOADS.size());
        for (int i = 0; i < PAYLOADS.size(); i++) {
          assertThat(messages.get(i).number()).isEqualTo(i + 1L);
          assertThat(messages.get(i).payload()).isEqualTo(PAYLOADS.get(i));
        }
      }
    }
  }

  @Test
  void theNodeClientTalksMutualTlsWithATokenAndIsRefusedWithoutOne(@TempDir Path dir)
      throws Exception {
    TestPki pki = TestPki.create(dir, "node");
    TestPki.Issued cert = pki.server();
    TestPki.Issued client = pki.client("node-app");
    String token = "node-token-5e1f";
    Path tokenFile = Files.writeString(dir.resolve("token"), token + "\n");
    Path auth =
        Files.writeString(
            dir.resolve("auth"),
            AuthRules.hashToken(token) + " node produce:secure consume:secure\n");
    Map<String, String> env =
        Map.of(
            "MINIKAFKA_TLS_CERT", cert.cert().toString(),
            "MINIKAFKA_TLS_KEY", cert.key().toString(),
            "MINIKAFKA_TLS_CLIENT_CA", pki.caCert().toString(),
            "MINIKAFKA_AUTH_FILE", auth.toString());
    try (ServerProcess server = ServerProcess.start(env)) {
      String[] tls = {
        "--ca-cert",
        pki.caCert().toString(),
        "--cert",
        client.cert().toString(),
        "--key",
        client.key().toString()
      };
      MiniKafkaHome.Outcome produced =
          node(
              MiniKafkaHome.asLines(PAYLOADS),
              concat(
                  "producer.js",
                  tls,
                  "--token-file",
                  tokenFile.toString(),
                  server.host(),
                  "secure"));
      assertThat(produced.exitCode()).as(produced.stderr()).isZero();
      assertThat(produced.stdoutText().lines()).hasSize(PAYLOADS.size());

      MiniKafkaHome.Outcome consumed =
          node(
              new byte[0],
              concat("consumer.js", tls, "--token", token, server.host(), "secure", "1"));
      assertThat(consumed.exitCode()).as(consumed.stderr()).isZero();
      assertThat(consumed.stdout()).isEqualTo(MiniKafkaHome.asLines(PAYLOADS));

      MiniKafkaHome.Outcome anonymous =
          node(new byte[0], concat("consumer.js", tls, server.host(), "secure", "1"));
      assertThat(anonymous.exitCode()).isEqualTo(1);
      assertThat(anonymous.stderr()).contains("UNAUTHENTICATED").doesNotContain(token);
    }
  }

  private static String[] concat(String script, String[] tls, String... rest) {
    List<String> args = new ArrayList<>();
    args.add(script);
    args.addAll(List.of(tls));
    args.addAll(List.of(rest));
    return args.toArray(new String[0]);
  }
}
