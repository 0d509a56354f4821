package io.minikafka.it;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The source tree under test and its bin/ launchers, run as real processes. */
final class MiniKafkaHome {

  static final Path HOME =
      Path.of(System.getProperty("minikafka.home", "..")).toAbsolutePath().normalize();

  /** What a finished process printed. */
  record Outcome(int exitCode, byte[] stdout, String stderr) {
    String stdoutText() {
      return new String(stdout, java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  private MiniKafkaHome() {}

  static Path bin(Path home, String tool) {
    Path script = home.resolve("bin").resolve(tool);
    if (!Files.isExecutable(script)) {
      throw new IllegalStateException(script + " is not an executable launcher");
    }
    return script;
  }

  static ProcessBuilder command(String tool, Map<String, String> env, String... args) {
    return command(HOME, tool, env, args);
  }

  /** A tool of the installation at {@code home} (this source tree, or an unpacked distribution). */
  static ProcessBuilder command(Path home, String tool, Map<String, String> env, String... args) {
    List<String> command = new ArrayList<>();
    command.add(bin(home, tool).toString());
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().keySet().removeIf(k -> k.startsWith("MINIKAFKA_"));
    builder.environment().putAll(env);
    return builder;
  }

  /**
   * Runs a tool to completion with {@code stdin} as its input, bounded by {@code timeoutSeconds}.
   */
  static Outcome run(
      String tool, Map<String, String> env, byte[] stdin, long timeoutSeconds, String... args)
      throws IOException, InterruptedException {
    return run(HOME, tool, env, stdin, timeoutSeconds, args);
  }

  static Outcome run(
      Path home,
      String tool,
      Map<String, String> env,
      byte[] stdin,
      long timeoutSeconds,
      String... args)
      throws IOException, InterruptedException {
    return finish(command(home, tool, env, args).start(), tool, stdin, timeoutSeconds);
  }

  /**
   * Runs a tool to completion with its standard output going to {@code stdout} (such as /dev/full)
   * and no input, bounded by {@code timeoutSeconds}; the outcome's stdout is then empty.
   */
  static Outcome runWritingTo(
      File stdout, String tool, Map<String, String> env, long timeoutSeconds, String... args)
      throws IOException, InterruptedException {
    Process process = command(tool, env, args).redirectOutput(stdout).start();
    return finish(process, tool, new byte[0], timeoutSeconds);
  }

  /**
   * Writes {@code stdin} to a started process and waits for it, bounded by {@code timeoutSeconds}:
   * what it printed, and its exit code.
   */
  static Outcome finish(Process process, String tool, byte[] stdin, long timeoutSeconds)
      throws IOException, InterruptedException {
    // Drain both pipes concurrently so neither can fill up and stall the tool.
    var stdout = drain(process.getInputStream());
    var stderr = drain(process.getErrorStream());
    try (var in = process.getOutputStream()) {
      in.write(stdin);
    } catch (IOException closedEarly) {
      // The tool may exit before reading all its input; its exit code tells what happened.
    }
    if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(tool + " did not finish within " + timeoutSeconds + " s");
    }
    return new Outcome(
        process.exitValue(),
        stdout.join(),
        new String(stderr.join(), java.nio.charset.StandardCharsets.UTF_8));
  }

  /** Each payload followed by '\n': what a line-reading client reads or prints. */
  static byte[] asLines(List<byte[]> payloads) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (byte[] payload : payloads) {
      out.writeBytes(payload);
      out.write('\n');
    }
    return out.toByteArray();
  }

  private static java.util.concurrent.CompletableFuture<byte[]> drain(InputStream in) {
    return java.util.concurrent.CompletableFuture.supplyAsync(
        () -> {
          try (in) {
            return in.readAllBytes();
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
  }
}
