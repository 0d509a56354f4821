package io.minikafka.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A real {@code bin/mkfk-server} process on a free loopback port. */
final class ServerProcess implements AutoCloseable {

  private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");

  private final Process process;
  private final List<String> log = new CopyOnWriteArrayList<>();
  private final CompletableFuture<Integer> port = new CompletableFuture<>();
  private final Thread reader;

  private ServerProcess(Process process) {
    this.process = process;
    reader =
        new Thread(
            () -> {
              try (BufferedReader err =
                  new BufferedReader(
                      new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = err.readLine()) != null) {
                  log.add(line);
                  Matcher m = LISTENING.matcher(line);
                  if (m.find()) {
                    port.complete(Integer.parseInt(m.group(1)));
                  }
                }
              } catch (IOException e) {
                port.completeExceptionally(e);
              }
              port.completeExceptionally(new IllegalStateException("server exited: " + log));
            },
            "server-log");
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts the server with these environment variables (its host is forced to 127.0.0.1:0). */
  static ServerProcess start(Map<String, String> env) throws Exception {
    return start(MiniKafkaHome.HOME, env);
  }

  /**
   * Starts the server as {@link #start(Map)} does, without waiting for it to listen: {@link
   * #port()} waits.
   */
  static ServerProcess launch(Map<String, String> env) throws Exception {
    return launch(MiniKafkaHome.HOME, env);
  }

  private static ServerProcess launch(java.nio.file.Path home, Map<String, String> env)
      throws Exception {
    Map<String, String> withHost = new java.util.HashMap<>(env);
    withHost.put("MINIKAFKA_HOST", "127.0.0.1:0");
    return new ServerProcess(MiniKafkaHome.command(home, "mkfk-server", withHost).start());
  }

  /** Starts the server of the installation at {@code home}. */
  static ServerProcess start(java.nio.file.Path home, Map<String, String> env) throws Exception {
    ServerProcess server = launch(home, env);
    try {
      server.port.get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      server.process.destroyForcibly();
      throw e;
    }
    return server;
  }

  int port() {
    try {
      return port.get(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("the server did not listen within 60 s: " + log, e);
    }
  }

  String host() {
    return "127.0.0.1:" + port();
  }

  List<String> log() {
    return log;
  }

  /** Sends SIGTERM and waits for the exit code. */
  int stop() throws InterruptedException {
    // Process.destroy() would also close our end of its pipes and lose its last log lines.
    process.toHandle().destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("server did not stop within 30 s of SIGTERM");
    }
    reader.join(TimeUnit.SECONDS.toMillis(30));
    return process.exitValue();
  }

  /** Sends SIGHUP: read the auth file again. */
  void hangUp() throws Exception {
    Process kill =
        new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).inheritIO().start();
    if (!kill.waitFor(30, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new AssertionError("kill -HUP " + process.pid() + " failed");
    }
  }

  boolean alive() {
    return process.isAlive();
  }

  /** File descriptors the server holds open now (Linux). */
  long openFiles() throws java.io.IOException {
    try (java.util.stream.Stream<java.nio.file.Path> fds =
        java.nio.file.Files.list(
            java.nio.file.Path.of("/proc", Long.toString(process.pid()), "fd"))) {
      return fds.count();
    }
  }

  /**
   * Heap the server's JVM uses now, from its Prometheus metrics (start it with {@code
   * MINIKAFKA_METRICS=127.0.0.1:0}): the sum of {@code jvm_memory_used_bytes} over its heap areas.
   */
  long heapUsedBytes() throws Exception {
    java.util.regex.Matcher at =
        log.stream()
            .map(java.util.regex.Pattern.compile("Metrics: (http://\\S+/metrics)")::matcher)
            .filter(java.util.regex.Matcher::find)
            .findFirst()
            .orElseThrow(() -> new IllegalStateException("the server serves no metrics"));
    java.net.http.HttpResponse<String> metrics =
        java.net.http.HttpClient.newHttpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(at.group(1)))
                    .timeout(java.time.Duration.ofSeconds(10))
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    double heap = 0;
    for (String line : metrics.body().split("\n")) {
      if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
        heap += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return (long) heap;
  }

  /** Resident memory of the server process in bytes (Linux). */
  long residentBytes() throws java.io.IOException {
    for (String line :
        java.nio.file.Files.readAllLines(
            java.nio.file.Path.of("/proc", Long.toString(process.pid()), "status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    throw new IllegalStateException("no VmRSS in /proc/" + process.pid() + "/status");
  }

  /** Every message the topic holds now, by number, as text: read through the Java client. */
  Map<Long, String> readAll(String topic) {
    Map<Long, String> read = new java.util.HashMap<>();
    try (io.minikafka.client.Consumer consumer =
        new io.minikafka.client.Consumer(topic, 1, java.time.Duration.ofSeconds(30), host())) {
      while (true) {
        List<io.minikafka.client.Message> messages = consumer.poll().messages();
        if (messages.isEmpty()) {
          return read;
        }
        for (io.minikafka.client.Message m : messages) {
          read.put(m.number(), new String(m.payload(), StandardCharsets.UTF_8));
        }
      }
    }
  }

  /** Kills the server with SIGKILL, as a crash would, and waits for it to be gone. */
  void kill() throws InterruptedException {
    process.toHandle().destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new AssertionError("server survived SIGKILL for 30 s");
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }
}
