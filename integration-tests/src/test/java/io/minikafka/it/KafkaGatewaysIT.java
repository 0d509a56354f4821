package io.minikafka.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.minikafka.client.Consumer;
import io.minikafka.client.Message;
import io.minikafka.client.MiniKafkaException;
import io.minikafka.client.Producer;
import io.minikafka.kafka.EmbeddedKafka;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * MiniKafka servers as stateless gateways in front of one real Kafka cluster (KRaft, started by the
 * test): what one gateway accepts, another serves, at the same numbers.
 */
class KafkaGatewaysIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final AtomicInteger PREFIXES = new AtomicInteger();
  private static EmbeddedKafka kafka;

  @BeforeAll
  static void startKafka() throws Exception {
    kafka = EmbeddedKafka.start();
  }

  @AfterAll
  static void stopKafka() throws Exception {
    kafka.close();
  }

  /** Gateway settings with a topic prefix of the test's own. */
  private static Map<String, String> gateway(String prefix) {
    Map<String, String> env = new HashMap<>();
    env.put("MINIKAFKA_KAFKA_BOOTSTRAP", kafka.bootstrap());
    env.put("MINIKAFKA_KAFKA_TOPIC_PREFIX", prefix);
    return env;
  }

  private static String newPrefix() {
    return "gw" + PREFIXES.incrementAndGet() + ".";
  }

  @Test
  void whatOneGatewayAcceptsAnotherServesWithTheSameNumbers() throws Exception {
    ByteArrayOutputStream input = new ByteArrayOutputStream();
    input.write("\n".getBytes(UTF_8));
    for (int i = 0; i < 500; i++) {
      input.write(("line " + i + "\n").getBytes(UTF_8));
    }
    input.write(("x".repeat(100_000) + "\n").getBytes(UTF_8));
    byte[] lines = input.toByteArray();
    Map<String, String> env = gateway(newPrefix());

    try (ServerProcess a = ServerProcess.start(env);
        ServerProcess b = ServerProcess.start(env)) {
      assertThat(a.log()).anyMatch(l -> l.contains("Store: Kafka at " + kafka.bootstrap()));
      MiniKafkaHome.Outcome produced =
          MiniKafkaHome.run(
              "mkfk-producer", Map.of(), lines, 120, "-host", a.host(), "-topic", "orders.eu");
      assertThat(produced.exitCode()).as(produced.stderr()).isZero();
      assertThat(produced.stderr()).contains("numbers 1 to 502");

      MiniKafkaHome.Outcome consumed =
          MiniKafkaHome.run(
              "mkfk-consumer",
              Map.of(),
              new byte[0],
              120,
              "-host",
              b.host(),
              "-topic",
              "orders.eu",
              "--once");
      assertThat(consumed.exitCode()).as(consumed.stderr()).isZero();
      assertThat(consumed.stdout()).isEqualTo(lines);
      assertThat(consumed.stderr()).contains("next message to read advanced to 503");

      try (Consumer fromA = new Consumer("orders.eu", 500, TIMEOUT, a.host());
          Consumer fromB = new Consumer("orders.eu", 500, TIMEOUT, b.host())) {
        List<Message> viaA = fromA.poll().messages();
        List<Message> viaB = fromB.poll().messages();
        assertThat(viaB).extracting(Message::number).containsExactly(500L, 501L, 502L);
        assertThat(viaB)
            .extracting(Message::number)
            .isEqualTo(viaA.stream().map(Message::number).toList());
        assertThat(viaB.get(0).appendTimeMillis()).isEqualTo(viaA.get(0).appendTimeMillis());
      }
      assertThat(a.stop()).isZero();
      assertThat(b.stop()).isZero();
    }
  }

  @Test
  void aFollowerOnOneGatewaySeesWhatAnotherAcceptsWithinASecond() throws Exception {
    Map<String, String> env = gateway(newPrefix());
    try (ServerProcess a = ServerProcess.start(env);
        ServerProcess b = ServerProcess.start(env);
        Producer producer = new Producer("live", TIMEOUT, a.host())) {
      producer.sendMessage("zero".getBytes(UTF_8));
      Process follower =
          MiniKafkaHome.command(
                  "mkfk-consumer", Map.of(), "-host", b.host(), "-topic", "live", "--follow")
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      BlockingQueue<String> printed = new LinkedBlockingQueue<>();
      Thread reader =
          new Thread(
              () -> {
                try (BufferedReader out =
                    new BufferedReader(new InputStreamReader(follower.getInputStream(), UTF_8))) {
                  String line;
                  while ((line = out.readLine()) != null) {
                    printed.add(line);
                  }
                } catch (java.io.IOException e) {
                  printed.add("read failed: " + e);
                }
              });
      reader.setDaemon(true);
      reader.start();
      try {
        assertThat(printed.poll(60, TimeUnit.SECONDS)).as("the follower is up").isEqualTo("zero");
        List<Long> latenciesMillis = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
          String text = "message " + i;
          producer.sendMessage(text.getBytes(UTF_8));
          long acknowledged = System.nanoTime();
          assertThat(printed.poll(30, TimeUnit.SECONDS)).isEqualTo(text);
          latenciesMillis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - acknowledged));
        }
        latenciesMillis.sort(null);
        assertThat(latenciesMillis.get(2))
            .as(
                "median from gateway A's acknowledgement to the line on gateway B's follower, ms: %s",
                latenciesMillis)
            .isLessThan(1_000);
      } finally {
        follower.destroy();
        follower.waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void killingAGatewayLosesNothingItAcknowledged() throws Exception {
    Map<String, String> env = gateway(newPrefix());
    Map<Long, String> acknowledged = new ConcurrentHashMap<>();
    try (ServerProcess b = ServerProcess.start(env)) {
      try (ServerProcess a = ServerProcess.start(env)) {
        Thread producing =
            new Thread(
                () -> {
                  try (Producer producer = new Producer("kept", TIMEOUT, a.host())) {
                    for (int i = 0; i < 100_000; i++) {
                      String payload = "m" + i;
                      acknowledged.put(producer.sendMessage(payload.getBytes(UTF_8)), payload);
                    }
                  } catch (MiniKafkaException gatewayGone) {
                    // Expected: the gateway was killed under the producer.
                  }
                });
        producing.start();
        await("300 acknowledged before the kill")
            .atMost(Duration.ofSeconds(60))
            .until(() -> acknowledged.size() >= 300);
        a.kill();
        producing.join(TimeUnit.SECONDS.toMillis(60));
        assertThat(producing.isAlive()).isFalse();
      }
      Map<Long, String> read = b.readAll("kept");
      assertThat(read).containsAllEntriesOf(acknowledged);
    }
  }

  @Test
  void aGatewayWithoutItsKafkaIsNotServingAndAnswersUnavailableNamingTheCluster() throws Exception {
    int port;
    try (java.net.ServerSocket free =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    String bootstrap = "127.0.0.1:" + port;
    Map<String, String> env = new HashMap<>();
    env.put("MINIKAFKA_KAFKA_BOOTSTRAP", bootstrap);
    try (ServerProcess gateway = ServerProcess.start(env)) {
      io.grpc.ManagedChannel channel =
          io.grpc.ManagedChannelBuilder.forTarget(gateway.host()).usePlaintext().build();
      try {
        io.grpc.health.v1.HealthGrpc.HealthBlockingStub health =
            io.grpc.health.v1.HealthGrpc.newBlockingStub(channel);
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () ->
                    health
                            .check(io.grpc.health.v1.HealthCheckRequest.getDefaultInstance())
                            .getStatus()
                        == io.grpc.health.v1.HealthCheckResponse.ServingStatus.NOT_SERVING);
      } finally {
        channel.shutdownNow();
      }
      MiniKafkaHome.Outcome produced =
          MiniKafkaHome.run(
              "mkfk-producer",
              Map.of(),
              "lost?\n".getBytes(UTF_8),
              60,
              "-host",
              gateway.host(),
              "-topic",
              "t");
      assertThat(produced.exitCode()).isNotZero();
      assertThat(produced.stderr()).contains("Kafka at " + bootstrap);
      assertThat(gateway.stop()).isZero();
    }
  }

  @Test
  void aFileStoreTopicCopiedIntoKafkaKeepsItsNumbers(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path root) throws Exception {
    try (ServerProcess file = ServerProcess.start(Map.of("MINIKAFKA_ROOT_DIR", root.toString()));
        ServerProcess gateway = ServerProcess.start(gateway(newPrefix()))) {
      MiniKafkaHome.Outcome first =
          MiniKafkaHome.run(
              "mkfk-producer",
              Map.of(),
              "old 1\nold 2\n".getBytes(UTF_8),
              60,
              "-host",
              file.host(),
              "-topic",
              "moving");
      assertThat(first.exitCode()).as(first.stderr()).isZero();
      MiniKafkaHome.Outcome deleted =
          MiniKafkaHome.run(
              "mkfk-admin", Map.of(), new byte[0], 60, "delete", "moving", "--host", file.host());
      assertThat(deleted.exitCode()).as(deleted.stderr()).isZero();
      byte[] kept = "kept 3\nkept 4\nkept 5\n".getBytes(UTF_8);
      MiniKafkaHome.Outcome second =
          MiniKafkaHome.run(
              "mkfk-producer", Map.of(), kept, 60, "-host", file.host(), "-topic", "moving");
      assertThat(second.stderr()).contains("numbers 3 to 5");

      MiniKafkaHome.Outcome copied =
          MiniKafkaHome.run(
              "mkfk-admin",
              Map.of(),
              new byte[0],
              120,
              "copy",
              "moving",
              "--host",
              file.host(),
              "--to",
              gateway.host());
      assertThat(copied.exitCode()).as(copied.stderr()).isZero();
      assertThat(copied.stdoutText()).contains("copied 3 messages").contains("numbers 3 to 5");

      MiniKafkaHome.Outcome read =
          MiniKafkaHome.run(
              "mkfk-consumer",
              Map.of(),
              new byte[0],
              60,
              "-host",
              gateway.host(),
              "-topic",
              "moving",
              "--once");
      assertThat(read.stdout()).isEqualTo(kept);
      try (Consumer consumer = new Consumer("moving", 1, TIMEOUT, gateway.host())) {
        assertThat(consumer.poll().messages())
            .extracting(Message::number)
            .containsExactly(3L, 4L, 5L);
      }
    }
  }
}
