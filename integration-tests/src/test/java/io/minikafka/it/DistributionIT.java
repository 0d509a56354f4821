package io.minikafka.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The distribution archive that mvn package builds, unpacked elsewhere and run from there. */
class DistributionIT {

  @TempDir Path elsewhere;

  @Test
  void theUnpackedArchiveRunsTheBrokerAndEveryTool() throws Exception {
    Path archive;
    try (Stream<Path> files = Files.list(MiniKafkaHome.HOME.resolve("cli-tools/target"))) {
      archive =
          files
              .filter(p -> p.getFileName().toString().matches("minikafka-.*\\.tar\\.gz"))
              .findFirst()
              .orElseThrow();
    }
    Process untar =
        new ProcessBuilder("tar", "xzf", archive.toString(), "-C", elsewhere.toString())
            .inheritIO()
            .start();
    assertThat(untar.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(untar.exitValue()).isZero();
    Path home;
    try (Stream<Path> dirs = Files.list(elsewhere)) {
      home = dirs.findFirst().orElseThrow();
    }
    assertThat(home.resolve("lib/minikafka-cli.jar")).isRegularFile();
    assertThat(home.resolve("config/logback.xml")).isRegularFile();
    assertThat(home.resolve("README.md")).isRegularFile();
    for (String tool :
        List.of(
            "mkfk-server",
            "mkfk-producer",
            "mkfk-consumer",
            "mkfk-admin",
            "mkfk-fsck",
            "mkfk-perf")) {
      assertThat(home.resolve("bin").resolve(tool)).isExecutable();
      assertThat(home.resolve("completion").resolve(tool + ".bash")).isRegularFile();
    }
    // The pages the README links travel with it, without the Node client's installed packages.
    for (String page : List.of("docs/security.md", "docs/storage.md", "docs/RELIABILITY.md")) {
      assertThat(home.resolve(page)).isRegularFile();
    }
    assertThat(home.resolve("docs/clients/node/minikafka.js")).isRegularFile();
    assertThat(home.resolve("docs/clients/node/node_modules")).doesNotExist();
    // A completion script completes the tool's options in bash.
    Process completion =
        new ProcessBuilder(
                "bash",
                "-c",
                "source completion/mkfk-consumer.bash"
                    + " && COMP_WORDS=(mkfk-consumer --fol) && COMP_CWORD=1"
                    + " && COMP_LINE='mkfk-consumer --fol' && COMP_POINT=${#COMP_LINE}"
                    + " && _picocli_mkfk-consumer && echo \"${COMPREPLY[@]}\"")
            .directory(home.toFile())
            // Outside a real completion bash warns about compopt; what it completes is on stdout.
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    String completed = new String(completion.getInputStream().readAllBytes(), UTF_8);
    assertThat(completion.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(completed.strip()).as(completed).isEqualTo("--follow");

    Map<String, String> env =
        Map.of(
            "JAVA_HOME",
            System.getProperty("java.home"),
            "MINIKAFKA_HEAP_OPTS",
            "-Xmx96m -Dminikafka.marker=1");
    try (ServerProcess server = ServerProcess.start(home, env)) {
      MiniKafkaHome.Outcome produced =
          MiniKafkaHome.run(
              home,
              "mkfk-producer",
              env,
              "from the tarball\n".getBytes(UTF_8),
              60,
              "-host",
              server.host(),
              "-topic",
              "dist");
      assertThat(produced.exitCode()).as(produced.stderr()).isZero();
      MiniKafkaHome.Outcome consumed =
          MiniKafkaHome.run(
              home,
              "mkfk-consumer",
              env,
              new byte[0],
              60,
              "-host",
              server.host(),
              "-topic",
              "dist",
              "--once");
      assertThat(consumed.stdoutText()).isEqualTo("from the tarball\n");
      MiniKafkaHome.Outcome version =
          MiniKafkaHome.run(home, "mkfk-admin", env, new byte[0], 60, "--version");
      assertThat(version.stdoutText()).contains("mkfk-admin (MiniKafka)");
      assertThat(server.stop()).isZero();
    }

    MiniKafkaHome.Outcome heap =
        MiniKafkaHome.run(
            home,
            "mkfk-admin",
            Map.of("MINIKAFKA_HEAP_OPTS", "-Xmx96m -XshowSettings:vm"),
            new byte[0],
            60,
            "--version");
    assertThat(heap.stderr() + heap.stdoutText())
        .as("MINIKAFKA_HEAP_OPTS reaches the JVM")
        .contains("96.00M");
    assertThat(regionBytes(home, Map.of(), ""))
        .as("the launcher's G1 regions of 8 MiB, so that a fetch of under 4 MiB is not humongous")
        .isEqualTo(8L * 1024 * 1024);
    assertThat(
            regionBytes(
                home, Map.of("MINIKAFKA_JVM_PERFORMANCE_OPTS", "-XX:G1HeapRegionSize=4m"), ""))
        .as("MINIKAFKA_JVM_PERFORMANCE_OPTS replaces the launcher's settings")
        .isEqualTo(4L * 1024 * 1024);
    assertThat(regionBytes(home, Map.of("MINIKAFKA_JVM_PERFORMANCE_OPTS", ""), ""))
        .as("an empty MINIKAFKA_JVM_PERFORMANCE_OPTS leaves the JVM its own choice")
        .isEqualTo(1024L * 1024);
    assertThat(regionBytes(home, Map.of(), " -XX:G1HeapRegionSize=2m"))
        .as("MINIKAFKA_HEAP_OPTS comes last and wins")
        .isEqualTo(2L * 1024 * 1024);
    MiniKafkaHome.Outcome noJava =
        MiniKafkaHome.run(
            home,
            "mkfk-admin",
            Map.of("JAVA_HOME", elsewhere.resolve("no-java").toString()),
            new byte[0],
            60,
            "--version");
    assertThat(noJava.exitCode()).as("JAVA_HOME picks the runtime").isNotZero();
  }

  /**
   * The G1 region size a launcher's JVM runs with at a 256 MiB heap (for which G1 itself picks 1
   * MiB), given {@code env} and more heap options. G1 is asked for, as a JVM with fewer than two
   * processors would pick another collector.
   */
  private static long regionBytes(Path home, Map<String, String> env, String moreHeapOptions)
      throws Exception {
    Map<String, String> all = new HashMap<>(env);
    all.put("MINIKAFKA_HEAP_OPTS", "-Xmx256m -XX:+UseG1GC -XX:+PrintFlagsFinal" + moreHeapOptions);
    MiniKafkaHome.Outcome flags =
        MiniKafkaHome.run(home, "mkfk-admin", all, new byte[0], 60, "--version");
    Matcher size = Pattern.compile("G1HeapRegionSize += (\\d+) ").matcher(flags.stdoutText());
    assertThat(size.find()).as(flags.stdoutText()).isTrue();
    return Long.parseLong(size.group(1));
  }
}
