package io.minikafka.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.minikafka.client.Admin;
import io.minikafka.client.Consumer;
import io.minikafka.client.Message;
import io.minikafka.client.MiniKafkaException;
import io.minikafka.client.PollResult;
import io.minikafka.client.Producer;
import io.minikafka.client.ProducerOptions;
import io.minikafka.client.Subscription;
import io.minikafka.protocol.FetchPositionRequest;
import io.minikafka.protocol.MiniKafkaGrpc;
import io.minikafka.protocol.MsgNumber;
import io.minikafka.protocol.PollRequest;
import io.minikafka.protocol.PollResponse;
import io.minikafka.protocol.PositionResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a real file-store server with SIGKILL, cycle after cycle on one store, while producers
 * (blocking and batched) write, named consumers read and commit, and a topic is filled and deleted
 * over and over; after each restart it checks the store's three promises:
 *
 * <ul>
 *   <li>acknowledged means stored: every acknowledged message is there, at its number, once;
 *   <li>deleted stays deleted: no message of an acknowledged deletion is ever readable again;
 *   <li>committed means handed out: no consumer's committed position is past the last message that
 *       consumer handed to its application.
 * </ul>
 */
class CrashRecoveryIT {

  private static final int CYCLES = 10;
  private static final int BLOCKING_PRODUCERS = 3;
  private static final int READERS = 2;
  private static final int ACKS_BEFORE_KILL = 1_000;
  private static final int MAX_SENDS_PER_PRODUCER = 50_000;
  private static final int DOOMED_BATCH = 20;
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  @TempDir Path root;

  /** Acknowledged messages of the topic "crash": number to payload. */
  private final Map<Long, String> acknowledged = new ConcurrentHashMap<>();

  /** Per reader name: one past the highest number its polls handed to it. */
  private final Map<String, Long> handedOutUpTo = new ConcurrentHashMap<>();

  /** Messages of "doomed" numbered below this were deleted, by an acknowledged deletion. */
  private final AtomicLong doomedDeletedBelow = new AtomicLong(1);

  private final AtomicLong deletions = new AtomicLong();

  /** Why each worker stopped, in the cycle under way: before the kill, only as a failure. */
  private final List<String> endings = new java.util.concurrent.CopyOnWriteArrayList<>();

  private volatile boolean killed;

  @Test
  void acknowledgedStaysStoredDeletedStaysDeletedAndCommittedWasHandedOutAcrossKillNineCycles()
      throws Exception {
    Map<String, String> env =
        Map.of(
            "MINIKAFKA_ROOT_DIR", root.toString(),
            "MINIKAFKA_FSYNC", "always",
            "MINIKAFKA_SEGMENT_BYTES", "65536",
            // Small polls: many batches, so many commits, in every cycle.
            "MINIKAFKA_MAX_POLL_BYTES", "2048");
    for (int cycle = 0; cycle < CYCLES; cycle++) {
      try (ServerProcess server = ServerProcess.start(env)) {
        assertPromisesKept(server.host());
        runUntilKilled(server, cycle);
      }
    }
    try (ServerProcess server = ServerProcess.start(env)) {
      assertPromisesKept(server.host());
      assertThat(server.stop()).isZero();
    }
    assertThat(deletions.get()).as("deletions acknowledged").isGreaterThanOrEqualTo(CYCLES);
    assertThat(handedOutUpTo.values()).as("the readers read").allMatch(upTo -> upTo > 1);
  }

  /**
   * A killed server's last segment keeps the room its appends had not filled (the file is made
   * longer ahead of them, so an fsync has no size to write): mkfk-fsck reads it as room, not
   * damage, and start-up cuts it without a repair, with every acknowledged message at its number.
   */
  @Test
  void roomLeftAfterTheRecordsByAKillIsNeitherDamageNorARepair() throws Exception {
    Map<String, String> env =
        Map.of("MINIKAFKA_ROOT_DIR", root.toString(), "MINIKAFKA_FSYNC", "always");
    Map<Long, String> sent = new HashMap<>();
    try (ServerProcess server = ServerProcess.start(env);
        Producer producer = new Producer("roomy", TIMEOUT, server.host())) {
      for (int i = 0; i < 200; i++) {
        String payload = "acknowledged-" + i;
        sent.put(producer.sendMessage(payload.getBytes(UTF_8)), payload);
      }
      server.kill();
    }
    Path segment;
    try (Stream<Path> files = Files.walk(root)) {
      segment = files.filter(f -> f.toString().endsWith(".log")).findFirst().orElseThrow();
    }
    assertThat(Files.size(segment))
        .as("the room is there, 200 short messages being far less")
        .isGreaterThanOrEqualTo(1024 * 1024);
    Process stat = new ProcessBuilder("stat", "-c", "%b %B", segment.toString()).start();
    String[] blocks = new String(stat.getInputStream().readAllBytes(), UTF_8).trim().split(" ");
    assertThat(stat.waitFor()).isZero();
    assertThat(Long.parseLong(blocks[0]) * Long.parseLong(blocks[1]))
        .as("the room is a hole: it takes no disk space")
        .isLessThan(256 * 1024);

    MiniKafkaHome.Outcome fsck =
        MiniKafkaHome.run("mkfk-fsck", Map.of(), new byte[0], 60, root.toString());
    assertThat(fsck.stdoutText() + fsck.stderr()).doesNotContain("unreadable");
    assertThat(fsck.stdoutText()).contains("messages 1-200 (200 stored)");

    try (ServerProcess server = ServerProcess.start(env)) {
      assertThat(server.readAll("roomy")).isEqualTo(sent);
      assertThat(server.log())
          .noneMatch(line -> line.contains("Recovered topic") && line.matches(".*(cut|damaged).*"));
      assertThat(Files.size(segment)).isLessThan(1024 * 1024);
    }
  }

  private void runUntilKilled(ServerProcess server, int cycle) throws Exception {
    String host = server.host();
    int ackedBefore = acknowledged.size();
    endings.clear();
    killed = false;
    int threads = BLOCKING_PRODUCERS + 1 + READERS + 1;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<?>> work = new ArrayList<>();
    for (int p = 0; p < BLOCKING_PRODUCERS; p++) {
      String prefix = "cycle" + cycle + "-producer" + p + "-";
      work.add(pool.submit(() -> produceUntilFailure(host, prefix)));
    }
    work.add(pool.submit(() -> produceBatchedUntilFailure(host, "cycle" + cycle + "-batched-")));
    for (int r = 0; r < READERS; r++) {
      String name = "reader-" + r;
      work.add(pool.submit(() -> readUntilFailure(host, name)));
    }
    work.add(pool.submit(() -> fillAndDeleteUntilFailure(host)));
    long deletionsBefore = deletions.get();
    Map<String, Long> readBefore = Map.copyOf(handedOutUpTo);
    // Every kind of work has done some of its work this cycle; the kill lands wherever they are.
    try {
      await()
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofMillis(20))
          .failFast("a worker stopped before the kill", () -> !endings.isEmpty())
          .until(
              () ->
                  acknowledged.size() >= ackedBefore + ACKS_BEFORE_KILL
                      && deletions.get() > deletionsBefore
                      && handedOutUpTo.size() == READERS
                      && !handedOutUpTo.equals(readBefore));
    } catch (org.awaitility.core.ConditionTimeoutException
        | org.awaitility.core.TerminalFailureException e) {
      throw new AssertionError("cycle " + cycle + " did not get going: " + endings, e);
    }
    endings.add("killed");
    killed = true;
    server.kill();
    for (Future<?> f : work) {
      f.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();
  }

  /** Numbers acknowledged twice: checked on the test thread, since callbacks run elsewhere. */
  private final List<Long> acknowledgedTwice = new java.util.concurrent.CopyOnWriteArrayList<>();

  private void acknowledge(long number, String payload) {
    if (acknowledged.putIfAbsent(number, payload) != null) {
      acknowledgedTwice.add(number);
    }
  }

  private void produceUntilFailure(String host, String prefix) {
    try (Producer producer = new Producer("crash", TIMEOUT, host)) {
      for (int i = 0; i < MAX_SENDS_PER_PRODUCER; i++) {
        String payload = prefix + i;
        acknowledge(producer.sendMessage(payload.getBytes(UTF_8)), payload);
      }
    } catch (MiniKafkaException serverGone) {
      endings.add("producer " + prefix + ": " + serverGone.getMessage());
    }
  }

  /** Sends rounds of asynchronous messages, batched by the producer, until one fails. */
  private void produceBatchedUntilFailure(String host, String prefix) {
    try (Producer producer =
        new Producer(
            "crash", TIMEOUT, host, ProducerOptions.DEFAULTS.withLinger(Duration.ofMillis(1)))) {
      for (int round = 0; round * 100 < MAX_SENDS_PER_PRODUCER; round++) {
        List<CompletableFuture<Void>> acks = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
          String payload = prefix + round + "-" + i;
          acks.add(
              producer.sendAsync(payload.getBytes(UTF_8)).thenAccept(n -> acknowledge(n, payload)));
        }
        producer.flush();
        for (CompletableFuture<Void> ack : acks) {
          ack.join();
        }
      }
    } catch (CompletionException | MiniKafkaException serverGone) {
      endings.add("batched producer " + prefix + ": " + serverGone.getMessage());
    }
  }

  /**
   * A named consumer's loop: reader-0 polls (each poll commits the previous batch), the others
   * subscribe (each poll of the subscription commits the previous batch); both note what they
   * handed out.
   */
  private void readUntilFailure(String host, String name) {
    try (Consumer consumer = new Consumer("crash", name, 1, TIMEOUT, host)) {
      if (name.equals("reader-0")) {
        while (true) {
          PollResult result;
          try {
            result = consumer.poll();
          } catch (MiniKafkaException e) {
            if (e.code() != Status.Code.NOT_FOUND) {
              throw e;
            }
            // Nothing produced yet in the first cycle: poll again shortly, as mkfk-consumer does.
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            continue;
          }
          if (!result.messages().isEmpty()) {
            handedOutUpTo.merge(name, result.newReadFrom(), Math::max);
          }
        }
      }
      try (Subscription subscription = consumer.subscribe()) {
        // A subscription outlives a server restart by design; this one stops with its cycle.
        while (!killed) {
          List<Message> batch = subscription.poll(Duration.ofMillis(200));
          if (!batch.isEmpty()) {
            handedOutUpTo.merge(name, batch.get(batch.size() - 1).number() + 1, Math::max);
          }
        }
      }
    } catch (MiniKafkaException serverGone) {
      endings.add(name + ": " + serverGone.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Fills the topic "doomed" and deletes it, over and over. */
  private void fillAndDeleteUntilFailure(String host) {
    try (Producer producer = new Producer("doomed", TIMEOUT, host);
        Admin admin = new Admin(TIMEOUT, host)) {
      while (true) {
        long last = 0;
        for (int i = 0; i < DOOMED_BATCH; i++) {
          last = producer.sendMessage(("doomed " + i).getBytes(UTF_8));
        }
        admin.deleteTopic("doomed");
        doomedDeletedBelow.accumulateAndGet(last + 1, Math::max);
        deletions.incrementAndGet();
      }
    } catch (MiniKafkaException serverGone) {
      // Expected once the server is killed.
    }
  }

  private void assertPromisesKept(String host) {
    assertThat(acknowledgedTwice).as("numbers acknowledged twice").isEmpty();
    assertEveryAcknowledgedMessageIsStoredOnceAtItsNumber(host);
    ManagedChannel channel = ManagedChannelBuilder.forTarget(host).usePlaintext().build();
    try {
      MiniKafkaGrpc.MiniKafkaBlockingStub stub =
          MiniKafkaGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
      assertNoDeletedMessageCameBack(stub);
      for (int r = 0; r < READERS; r++) {
        String name = "reader-" + r;
        PositionResponse position =
            stub.fetchPosition(
                FetchPositionRequest.newBuilder().setTopic("crash").setConsumer(name).build());
        if (position.getFound()) {
          assertThat(position.getNextNumber())
              .as("%s's committed position", name)
              .isLessThanOrEqualTo(handedOutUpTo.getOrDefault(name, 1L));
        }
      }
    } finally {
      channel.shutdownNow();
    }
  }

  private void assertNoDeletedMessageCameBack(MiniKafkaGrpc.MiniKafkaBlockingStub stub) {
    long deletedBelow = doomedDeletedBelow.get();
    try {
      PollResponse response =
          stub.poll(
              PollRequest.newBuilder()
                  .setTopic("doomed")
                  .setReadFrom(MsgNumber.newBuilder().setMsgNumber(1))
                  .build());
      long first = response.getNewReadFrom().getMsgNumber() - response.getPayloadsCount();
      if (response.getPayloadsCount() > 0) {
        assertThat(first)
            .as("first readable message of the deleted topic")
            .isGreaterThanOrEqualTo(deletedBelow);
      }
      assertThat(response.getNextNumber())
          .as("numbers are never reused")
          .isGreaterThanOrEqualTo(deletedBelow);
    } catch (StatusRuntimeException e) {
      assertThat(e.getStatus().getCode()).as(e.toString()).isEqualTo(Status.Code.NOT_FOUND);
    }
  }

  private void assertEveryAcknowledgedMessageIsStoredOnceAtItsNumber(String host) {
    if (acknowledged.isEmpty()) {
      return;
    }
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
