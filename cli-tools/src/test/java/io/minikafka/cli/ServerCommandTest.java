package io.minikafka.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.netty.shaded.io.netty.util.ResourceLeakDetector;
import io.minikafka.broker.config.Setting;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** mkfk-server's refusals and help; its running life is covered by the integration tests. */
class ServerCommandTest {

  @Test
  void theServerTurnsNettysLeakDetectionOffUnlessAskedFor() {
    ResourceLeakDetector.Level before = ResourceLeakDetector.getLevel();
    try {
      ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
      System.setProperty(ServerCommand.LEAK_DETECTION, "simple");
      ServerCommand.quietNetty();
      assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.SIMPLE);

      System.clearProperty(ServerCommand.LEAK_DETECTION);
      ServerCommand.quietNetty();
      assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.DISABLED);
    } finally {
      System.clearProperty(ServerCommand.LEAK_DETECTION);
      ResourceLeakDetector.setLevel(before);
    }
  }

  @Test
  void invalidRetentionInTheEnvironmentExitsTwoWithOneLine() {
    CliHarness.Result result =
        CliHarness.run(new ServerCommand(Map.of("MINIKAFKA_RETENTIONTIME", "10 days")));

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err().strip().lines())
        .singleElement()
        .asString()
        .startsWith("mkfk-server: invalid MINIKAFKA_RETENTIONTIME '10 days'")
        .contains("example: 500ms, 10s, 1h30m or 7d");
  }

  @Test
  void aRootDirectoryAndAKafkaBootstrapTogetherExitTwoNamingBoth() {
    CliHarness.Result result =
        CliHarness.run(
            new ServerCommand(Map.of("MINIKAFKA_ROOT_DIR", "/tmp/minikafka")),
            "--kafka-bootstrap",
            "127.0.0.1:9092");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err().strip().lines())
        .singleElement()
        .asString()
        .contains("MINIKAFKA_ROOT_DIR (--root-dir)")
        .contains("MINIKAFKA_KAFKA_BOOTSTRAP (--kafka-bootstrap)")
        .contains("not both");
  }

  @Test
  void kafkaSettingsThatKafkaWouldRefuseAreNamed() {
    assertThat(
            CliHarness.run(new ServerCommand(Map.of("MINIKAFKA_KAFKA_BOOTSTRAP", "kafka1"))).err())
        .contains("MINIKAFKA_KAFKA_BOOTSTRAP 'kafka1'")
        .contains("'kafka1' is not host:port");
    assertThat(
            CliHarness.run(
                    new ServerCommand(Map.of()),
                    "--kafka-bootstrap",
                    "127.0.0.1:9092",
                    "--kafka-topic-prefix",
                    "my topics.")
                .err())
        .contains("--kafka-topic-prefix 'my topics.'")
        .contains("Kafka's topic name rules");
    CliHarness.Result noFile =
        CliHarness.run(
            new ServerCommand(
                Map.of(
                    "MINIKAFKA_KAFKA_BOOTSTRAP",
                    "127.0.0.1:9092",
                    "MINIKAFKA_KAFKA_PROPERTIES",
                    "/nonexistent/kafka.properties")));
    assertThat(noFile.exitCode()).isEqualTo(2);
    assertThat(noFile.err()).contains("cannot read /nonexistent/kafka.properties");
    assertThat(CliHarness.run(new ServerCommand(Map.of("MINIKAFKA_KAFKA_REPLICATION", "0"))).err())
        .contains("MINIKAFKA_KAFKA_REPLICATION '0'")
        .contains("must be at least 1");
  }

  @Test
  void anUnknownLogLevelIsNamed() {
    CliHarness.Result result =
        CliHarness.run(new ServerCommand(Map.of("MINIKAFKA_LOG_LEVEL", "loud")));

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err())
        .contains("MINIKAFKA_LOG_LEVEL 'loud'")
        .contains("ERROR, WARN, INFO, DEBUG, TRACE");
  }

  @Test
  void invalidRetentionFlagIsNamedAsTheFlag() {
    CliHarness.Result result = CliHarness.run(new ServerCommand(Map.of()), "-retention", "soon");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("--retention 'soon'");
  }

  @Test
  void anUnusableRootDirExitsOneWithOneLine(@TempDir Path dir) throws Exception {
    Path notADirectory = Files.writeString(dir.resolve("file"), "x");

    CliHarness.Result result =
        CliHarness.run(
            new ServerCommand(Map.of("MINIKAFKA_ROOT_DIR", notADirectory.toString())),
            "--host",
            "127.0.0.1:0");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err().strip().lines())
        .singleElement()
        .asString()
        .startsWith("mkfk-server: cannot open the file store at " + notADirectory);
  }

  @Test
  void anInvalidFsyncPolicyIsNamed() {
    CliHarness.Result result =
        CliHarness.run(new ServerCommand(Map.of("MINIKAFKA_FSYNC", "sometimes")));

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("MINIKAFKA_FSYNC 'sometimes'").contains("interval:1s");
  }

  @Test
  void aVariableNamedLikeASettingThatIsNoneIsWarnedOfNotIgnoredInSilence() {
    CliHarness.Result result =
        CliHarness.run(
            new ServerCommand(
                Map.of(
                    "MINIKAFKA_RETENTION", "5s",
                    "MINIKAFKA_TOKEN", "a client's",
                    "MINIKAFKA_HEAP_OPTS", "-Xmx1g",
                    "MINIKAFKA_JVM_PERFORMANCE_OPTS", "")),
            "--print-config");

    assertThat(result.exitCode()).isZero();
    assertThat(result.err().strip())
        .isEqualTo(
            "mkfk-server: warning: ignoring MINIKAFKA_RETENTION: no such setting; did you mean"
                + " MINIKAFKA_RETENTIONTIME? (mkfk-server --help lists them)");
    assertThat(result.out())
        .containsPattern("MINIKAFKA_RETENTIONTIME\\s+--retention\\s+168h0m0s\\s+\\(default\\)");
  }

  @Test
  void printConfigShowsEveryEffectiveValueAndItsSource() {
    CliHarness.Result result =
        CliHarness.run(
            new ServerCommand(Map.of("MINIKAFKA_RETENTIONTIME", "10s", "MINIKAFKA_HOST", ":7000")),
            "--print-config",
            "--host",
            "127.0.0.1:8000");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out().lines()).hasSize(Setting.values().length);
    assertThat(result.out())
        .containsPattern("MINIKAFKA_HOST\\s+--host\\s+127.0.0.1:8000\\s+\\(flag --host\\)")
        .containsPattern(
            "MINIKAFKA_RETENTIONTIME\\s+--retention\\s+10s\\s+\\(MINIKAFKA_RETENTIONTIME\\)")
        .containsPattern("MINIKAFKA_ROOT_DIR\\s+--root-dir\\s+\\(memory store\\)\\s+\\(default\\)")
        .containsPattern("MINIKAFKA_FSYNC\\s+--fsync\\s+always\\s+\\(default\\)");
  }

  @Test
  void aPortInUseExitsOneWithOneLine() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CliHarness.Result result =
          CliHarness.run(
              new ServerCommand(Map.of()), "--host", "127.0.0.1:" + taken.getLocalPort());

      assertThat(result.exitCode()).isEqualTo(1);
      assertThat(result.err().strip().lines())
          .singleElement()
          .asString()
          .contains(
              "cannot listen on 127.0.0.1:" + taken.getLocalPort() + " (MINIKAFKA_HOST or --host)");
    }
  }

  @Test
  void aHostNameThatDoesNotResolveIsNamedAsSuch() {
    CliHarness.Result result =
        CliHarness.run(new ServerCommand(Map.of()), "--host", "nosuchhost.invalid:0");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err().strip().lines())
        .singleElement()
        .asString()
        .isEqualTo(
            "mkfk-server: cannot listen on nosuchhost.invalid:0 (MINIKAFKA_HOST or --host):"
                + " unknown host 'nosuchhost.invalid'");
  }

  @Test
  void aMetricsPortInUseIsNamedAsTheMetricsAddress() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CliHarness.Result result =
          CliHarness.run(
              new ServerCommand(Map.of()),
              "--host",
              "127.0.0.1:0",
              "--metrics",
              "127.0.0.1:" + taken.getLocalPort());

      assertThat(result.exitCode()).isEqualTo(1);
      assertThat(result.err().strip().lines())
          .singleElement()
          .asString()
          .startsWith(
              "mkfk-server: cannot serve metrics on 127.0.0.1:"
                  + taken.getLocalPort()
                  + " (MINIKAFKA_METRICS or --metrics): ")
          .doesNotContain("cannot listen on");
    }
  }

  @Test
  void helpAndVersionWorkOnEveryCommand() {
    for (Object command :
        new Object[] {
          new ServerCommand(Map.of()),
          new ProducerCommand(new ByteArrayInputStream(new byte[0]), false),
          new ConsumerCommand(new ByteArrayOutputStream()),
          new FsckCommand(),
          new PerfCommand(),
          new AdminCommand()
        }) {
      // Picocli warns about a help text it cannot format on the process's standard error.
      java.io.PrintStream processErr = System.err;
      ByteArrayOutputStream warnings = new ByteArrayOutputStream();
      CliHarness.Result help;
      System.setErr(
          new java.io.PrintStream(warnings, true, java.nio.charset.StandardCharsets.UTF_8));
      try {
        help = CliHarness.run(command, "--help");
      } finally {
        System.setErr(processErr);
      }
      assertThat(help.exitCode()).isZero();
      assertThat(help.out()).contains("Usage: mkfk-").contains("Exit codes: 0 ");
      assertThat(warnings.toString(java.nio.charset.StandardCharsets.UTF_8)).isEmpty();

      CliHarness.Result version = CliHarness.run(command, "--version");
      assertThat(version.exitCode()).isZero();
      assertThat(version.out()).containsPattern("mkfk-\\w+ \\(MiniKafka\\) \\d+\\.\\d+");
    }
  }

  @Test
  void aTlsCertificateWithoutItsKeyExitsTwoNamingBoth() {
    CliHarness.Result result =
        CliHarness.run(
            new ServerCommand(Map.of("MINIKAFKA_TLS_CERT", "/etc/server.pem")),
            "--host",
            "127.0.0.1:0");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err().strip())
        .isEqualTo(
            "mkfk-server: MINIKAFKA_TLS_KEY (--tls-key) is needed with MINIKAFKA_TLS_CERT (--tls-cert)");
  }

  @Test
  void aMissingAuthFileExitsTwoNamingTheSetting(@TempDir Path dir) {
    Path missing = dir.resolve("auth");
    CliHarness.Result result =
        CliHarness.run(
            new ServerCommand(Map.of()),
            "--auth-file",
            missing.toString(),
            "--host",
            "127.0.0.1:0");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err().strip())
        .isEqualTo("mkfk-server: MINIKAFKA_AUTH_FILE (--auth-file) " + missing + ": no such file");
  }

  @Test
  void aConfigFileSetsWhatVariablesAndFlagsLeaveAndPrintConfigNamesIt(@TempDir Path dir)
      throws Exception {
    Path file =
        java.nio.file.Files.writeString(
            dir.resolve("minikafka.properties"),
            "# settings\nretention=1h\nMINIKAFKA_MAX_TOPICS = 5\nsegment-bytes=2048\n");

    CliHarness.Result printed =
        CliHarness.run(
            new ServerCommand(Map.of("MINIKAFKA_MAX_TOPICS", "7")),
            "--config",
            file.toString(),
            "--segment-bytes",
            "4096",
            "--print-config");
    CliHarness.Result fromVariable =
        CliHarness.run(
            new ServerCommand(Map.of("MINIKAFKA_CONFIG", file.toString())), "--print-config");

    assertThat(printed.exitCode()).as(printed.err()).isZero();
    assertThat(printed.out())
        .containsPattern("MINIKAFKA_RETENTIONTIME\\s+--retention\\s+1h\\s+\\(file " + file + "\\)")
        .containsPattern("MINIKAFKA_MAX_TOPICS\\s+--max-topics\\s+7\\s+\\(MINIKAFKA_MAX_TOPICS\\)")
        .containsPattern(
            "MINIKAFKA_SEGMENT_BYTES\\s+--segment-bytes\\s+4096\\s+\\(flag --segment-bytes\\)");
    assertThat(fromVariable.out())
        .containsPattern("MINIKAFKA_MAX_TOPICS\\s+--max-topics\\s+5\\s+\\(file " + file + "\\)");
  }

  @Test
  void anUnknownKeyOrAMissingConfigFileExitsTwoNamingIt(@TempDir Path dir) throws Exception {
    Path file = java.nio.file.Files.writeString(dir.resolve("bad.properties"), "retentoin=1h\n");

    CliHarness.Result unknown =
        CliHarness.run(new ServerCommand(Map.of()), "--config", file.toString(), "--print-config");
    CliHarness.Result missing =
        CliHarness.run(
            new ServerCommand(Map.of("MINIKAFKA_CONFIG", dir.resolve("nope").toString())),
            "--print-config");

    Path twice =
        java.nio.file.Files.writeString(
            dir.resolve("twice.properties"), "retention=1h\nMINIKAFKA_RETENTIONTIME=2h\n");
    CliHarness.Result both =
        CliHarness.run(new ServerCommand(Map.of()), "--config", twice.toString(), "--print-config");
    Path invalid =
        java.nio.file.Files.writeString(dir.resolve("invalid.properties"), "retention=soon\n");
    CliHarness.Result bad =
        CliHarness.run(
            new ServerCommand(Map.of()), "--config", invalid.toString(), "--print-config");
    assertThat(both.exitCode()).isEqualTo(2);
    assertThat(both.err().strip())
        .isEqualTo(
            "mkfk-server: 'MINIKAFKA_RETENTIONTIME' and 'retention' in "
                + twice
                + " both set MINIKAFKA_RETENTIONTIME: keep one");
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err().strip())
        .startsWith("mkfk-server: invalid 'retention' in " + invalid + " 'soon'");
    assertThat(unknown.exitCode()).isEqualTo(2);
    assertThat(unknown.err().strip())
        .startsWith(
            "mkfk-server: unknown setting 'retentoin' in " + file + "; did you mean 'retention'?");
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err().strip())
        .isEqualTo(
            "mkfk-server: cannot read the configuration file "
                + dir.resolve("nope")
                + " (no such file)");
  }

  @Test
  void theConfigTemplateListsEverySettingAndUncommentedGivesTheDefaults(@TempDir Path dir) {
    String template = ConfigTemplate.text();
    for (Setting setting : Setting.values()) {
      assertThat(template).contains("#" + setting.envVar() + "=");
    }
    Path uncommented = dir.resolve("all.properties");
    try {
      java.nio.file.Files.writeString(uncommented, template.replaceAll("(?m)^#(MINIKAFKA_)", "$1"));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    io.minikafka.broker.config.ServerConfig fromTemplate =
        io.minikafka.broker.config.ServerConfig.resolve(
            Map.of(), Map.of(), io.minikafka.broker.config.ConfigFile.read(uncommented));
    assertThat(fromTemplate).isEqualTo(io.minikafka.broker.config.ServerConfig.defaults());
  }

  @Test
  void everySettingHasAFlagAndIsListedWithItsVariableInTheHelp() {
    CliHarness.Result help = CliHarness.run(new ServerCommand(Map.of()), "--help");

    for (Setting setting : Setting.values()) {
      assertThat(help.out())
          .contains(setting.flag() + "=")
          .containsPattern(setting.envVar() + "\\s+" + setting.flag());
    }
  }
}
