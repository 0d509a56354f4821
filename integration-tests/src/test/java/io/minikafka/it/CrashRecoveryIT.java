package io.minikafka.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.minikafka.client.Consumer;
import io.minikafka.client.Message;
import io.minikafka.client.MiniKafkaException;
import io.minikafka.client.PollResult;
import io.minikafka.client.Producer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a real file-store server with SIGKILL while concurrent producers write to it, restarts it,
 * and checks that nothing acknowledged was lost, renumbered or duplicated; several cycles on one
 * store.
 */
class CrashRecoveryIT {

  private static final int PRODUCERS = 4;
  private static final int CYCLES = 3;
  private static final int ACKS_BEFORE_KILL = 1_500;
  private static final int MAX_SENDS_PER_PRODUCER = 50_000;

  @TempDir Path root;

  @Test
  void everyAcknowledgedMessageSurvivesKillNineWithItsNumber() throws Exception {
    Map<String, String> env =
        Map.of("MINIKAFKA_ROOT_DIR", root.toString(), "MINIKAFKA_FSYNC", "always", "MINIKAFKA_SEGMENT_BYTES", "65536");
    Map<Long, String> acknowledged = new ConcurrentHashMap<>();
    for (int cycle = 0; cycle < CYCLES; cycle++) {
      int ackedBefore = acknowledged.size();
      try (ServerProcess server = ServerProcess.start(env)) {
        ExecutorService pool = Executors.newFixedThreadPool(PRODUCERS);
        List<Future<Integer>> producers = new ArrayList<>();
        for (int p = 0; p < PRODUCERS; p++) {
          String prefix = "cycle" + cycle + "-producer" + p + "-";
          producers.add(pool.submit(() -> produceUntilFailure(server.host(), prefix, acknowledged)));
        }
        await()
            .atMost(Duration.ofSeconds(120))
            .pollInterval(Duration.ofMillis(20))
            .until(() -> acknowledged.size() >= ackedBefore + ACKS_BEFORE_KILL);
        server.kill();
        for (Future<Integer> producer : producers) {
          producer.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
      }
      try (ServerProcess restarted = ServerProcess.start(env)) {
        assertEverythingAcknowledgedIsStored(restarted.host(), acknowledged);
        assertThat(restarted.stop()).isZero();
      }
    }
  }

  /** Sends until the server dies; returns how many sends were acknowledged. */
  private static int produceUntilFailure(String host, String prefix, Map<Long, String> acknowledged) {
    int acked = 0;
    try (Producer producer = new Producer("crash", Duration.ofSeconds(10), host)) {
      for (int i = 0; i < MAX_SENDS_PER_PRODUCER; i++) {
        String payload = prefix + i;
        long number = producer.sendMessage(payload.getBytes(UTF_8));
        String previous = acknowledged.putIfAbsent(number, payload);
        assertThat(previous).as("number %d acknowledged twice", number).isNull();
        acked++;
      }
    } catch (MiniKafkaException serverGone) {
      // Expected once the server is killed.
    }
    return acked;
  }

  private static void assertEverythingAcknowledgedIsStored(String host, Map<Long, String> acknowledged) {
    Map<Long, String> stored = new HashMap<>();
    try (Consumer consumer = new Consumer("crash", 1, Duration.ofSeconds(30), host)) {
      PollResult result;
      do {
        result = consumer.poll();
        for (Message m : result.messages()) {
          stored.put(m.number(), new String(m.payload(), UTF_8));
        }
      } while (!result.messages().isEmpty());
    }
    long highest = stored.keySet().stream().mapToLong(Long::longValue).max().orElse(0);
    assertThat(stored).as("numbers run from 1 without gaps").hasSize((int) highest);
    Set<String> payloads = new HashSet<>(stored.values());
    assertThat(payloads).as("no message stored twice").hasSize(stored.size());
    for (Map.Entry<Long, String> ack : acknowledged.entrySet()) {
      assertThat(stored.get(ack.getKey()))
          .as("acknowledged message %d", ack.getKey())
          .isEqualTo(ack.getValue());
    }
  }
}
