package io.minikafka.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.minikafka.broker.server.MiniKafkaServer;
import io.minikafka.broker.store.ForwardingStore;
import io.minikafka.broker.store.PollLimits;
import io.minikafka.broker.store.StoreFullException;
import io.minikafka.broker.store.memory.MemoryStore;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Small, bounded runs of mkfk-perf's three modes against a real server. */
class PerfCommandTest extends LiveServerTest {

  private static final String FINAL_LINE = "\\d+ records, [\\d.]+ records/sec \\([\\d.]+ MB/sec\\)";
  private static final String LATENCIES =
      "[\\d.]+ ms avg latency, [\\d.]+ ms p50, [\\d.]+ ms p99, [\\d.]+ ms p99.9, [\\d.]+ ms max latency";

  @Test
  void produceSendsExactlyTheRequestedMessagesAndReportsRatesAndLatencies() throws IOException {
    CliHarness.Result result =
        CliHarness.run(
            new PerfCommand(),
            "produce",
            "--host",
            host,
            "--topic",
            "perf",
            "--messages",
            "5000",
            "--size",
            "100",
            "--producers",
            "2",
            "--server-pid",
            Long.toString(ProcessHandle.current().pid()));

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out()).containsPattern("^5000 " + FINAL_LINE.substring(4) + ", " + LATENCIES);
    assertThat(result.out()).containsPattern("server CPU [\\d.]+ s = [\\d.]+ us/record");
    assertThat(store.poll("perf", 1, PollLimits.UNLIMITED).messages())
        .hasSize(5000)
        .allSatisfy(m -> assertThat(m.payload()).hasSize(100));
  }

  @Test
  void syncProduceUsesOneBlockingCallPerMessage() throws IOException {
    CliHarness.Result result =
        CliHarness.run(
            new PerfCommand(),
            "produce",
            "--host",
            host,
            "--topic",
            "perf",
            "--messages",
            "200",
            "--sync");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out()).containsPattern(FINAL_LINE + ", " + LATENCIES);
    assertThat(store.poll("perf", 1, PollLimits.UNLIMITED).messages()).hasSize(200);
  }

  @Test
  void serverOptionsMayComeBeforeTheSubcommand() throws IOException {
    CliHarness.Result result =
        CliHarness.run(
            new PerfCommand(),
            "--host",
            host,
            "--timeout",
            "10s",
            "produce",
            "--topic",
            "early",
            "--messages",
            "50",
            "--sync");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(store.poll("early", 1, PollLimits.UNLIMITED).messages()).hasSize(50);
  }

  @Test
  void consumeReadsTheRequestedCount() throws IOException {
    for (int i = 0; i < 3000; i++) {
      store.store("perf", new byte[100]);
    }

    CliHarness.Result result =
        CliHarness.run(
            new PerfCommand(), "consume", "--host", host, "--topic", "perf", "--messages", "3000");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out())
        .containsPattern("^3000 records, [\\d.]+ records/sec \\(0?[\\d.]+ MB/sec\\)")
        .containsPattern("connected in [\\d.]+ ms");
  }

  @Test
  void consumeCountsNoMoreThanTheRequestedCountWhenTheTopicHoldsMore() throws IOException {
    for (int i = 0; i < 3000; i++) {
      store.store("more", new byte[100]);
    }

    CliHarness.Result result =
        CliHarness.run(
            new PerfCommand(), "consume", "--host", host, "--topic", "more", "--messages", "100");

    assertThat(result.exitCode()).as(result.err()).isZero();
    // One response carries many more than 100 of these: the rest is not counted.
    assertThat(result.out())
        .containsPattern("^100 records, [\\d.]+ records/sec \\(0?[\\d.]+ MB/sec\\)");
  }

  @Test
  void countsSizesAndRatesOutOfRangeAreUsageErrorsNamingTheOption() {
    List<List<String>> bad =
        List.of(
            List.of("produce", "--messages", "0", "--", "--messages must be at least 1, was 0"),
            List.of(
                "produce", "--messages", "10", "--size", "-1", "--", "--size must be at least 0"),
            List.of("produce", "--messages", "10", "--producers", "0", "--", "--producers"),
            List.of("produce", "--messages", "10", "--rate", "-5", "--", "--rate"),
            List.of("consume", "--messages", "-5", "--", "--messages must be at least 1, was -5"),
            List.of("e2e", "--messages", "10", "--rate", "0", "--", "--rate must be at least 1"),
            List.of(
                "produce",
                "--messages",
                "10",
                "--server-pid",
                "999999999",
                "--",
                "--server-pid 999999999: no such process"),
            List.of(
                "consume",
                "--messages",
                "10",
                "--server-pid",
                "-4",
                "--",
                "--server-pid must be at least 1, was -4"),
            List.of(
                "consume", "--messages", "10", "--from", "-1", "--", "--from must be at least 0"),
            List.of(
                "produce",
                "--messages",
                "10",
                "--batch-bytes",
                "0",
                "--",
                "--batch-bytes must be at least 1, was 0"),
            List.of(
                "produce",
                "--messages",
                "10",
                "--buffer-bytes",
                "0",
                "--",
                "--buffer-bytes must be at least 1, was 0"));
    for (List<String> args : bad) {
      int split = args.indexOf("--");
      List<String> command = new java.util.ArrayList<>(args.subList(0, split));
      command.addAll(List.of("--host", host, "--topic", "bad"));

      CliHarness.Result result = CliHarness.run(new PerfCommand(), command.toArray(String[]::new));

      assertThat(result.exitCode()).as("%s: %s", command, result.err()).isEqualTo(2);
      assertThat(result.err()).as("%s", command).contains(args.get(split + 1));
    }
  }

  @Test
  void endToEndMeasuresEveryMessageAtTheGivenRate() {
    CliHarness.Result result =
        CliHarness.run(
            new PerfCommand(),
            "e2e",
            "--host",
            host,
            "--topic",
            "e2e",
            "--messages",
            "500",
            "--rate",
            "1000",
            "--warmup-messages",
            "100");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out()).containsPattern("^500 records, [\\d.]+ records/sec .*, " + LATENCIES);
  }

  @Test
  void endToEndUnderCpuContentionDeliversEveryMessageExactlyOnce() throws Exception {
    // Two spinning threads keep both cores of the test machine busy, as a second load would.
    AtomicBoolean spin = new AtomicBoolean(true);
    AtomicLong spun = new AtomicLong();
    long spinUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    List<Thread> burners = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      Thread burner =
          new Thread(
              () -> {
                long x = 0;
                while (spin.get() && System.nanoTime() < spinUntil) {
                  x += System.nanoTime() % 7;
                }
                spun.addAndGet(x); // used, so the loop is not optimised away
              },
              "cpu-burner-" + i);
      burner.setDaemon(true);
      burners.add(burner);
      burner.start();
    }
    try {
      CliHarness.Result result =
          CliHarness.run(
              new PerfCommand(),
              "e2e",
              "--host",
              host,
              "--topic",
              "busy",
              "--messages",
              "40000",
              "--rate",
              "10000",
              "--warmup-messages",
              "10000",
              "--timeout",
              "2s",
              "--verbose");

      assertThat(result.exitCode()).as(result.err()).isZero();
      assertThat(result.out())
          .containsPattern("^40000 records, [\\d.]+ records/sec .*, " + LATENCIES);
    } finally {
      spin.set(false);
      for (Thread burner : burners) {
        burner.join();
      }
    }
    // One probe, the warm-up and the measured messages, each stored once.
    assertThat(store.poll("busy", 1, PollLimits.UNLIMITED).messages()).hasSize(1 + 10_000 + 40_000);
  }

  @Test
  void endToEndStopsAtTheFirstFailedSendAndSaysWhy() throws Exception {
    MiniKafkaServer failing =
        MiniKafkaServer.start(
            new ForwardingStore(new MemoryStore()) {
              @Override
              public long storeRecords(String topic, List<io.minikafka.broker.store.Record> records)
                  throws IOException {
                throw new StoreFullException(
                    "no space left on the device (injected)", new IOException());
              }
            },
            "127.0.0.1:0",
            Duration.ofHours(1));
    try {
      long start = System.nanoTime();
      CliHarness.Result result =
          CliHarness.run(
              new PerfCommand(),
              "e2e",
              "--host",
              "127.0.0.1:" + failing.port(),
              "--topic",
              "e2e",
              "--messages",
              "100000",
              "--rate",
              "1000",
              "--timeout",
              "20s",
              "--verbose");

      assertThat(result.exitCode()).isEqualTo(1);
      assertThat(result.err())
          .startsWith(
              "mkfk-perf: send to topic 'e2e' failed: no space left on the device (injected)");
      assertThat(result.err()).as("--verbose prints the trace").contains("\tat io.minikafka.");
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .as("not after the 100 s the run would take, nor the 200 s delivery wait")
          .isLessThan(Duration.ofSeconds(60));
    } finally {
      failing.close();
    }
  }

  @Test
  void aTooSmallEndToEndMessageIsAUsageError() {
    CliHarness.Result result =
        CliHarness.run(
            new PerfCommand(),
            "e2e",
            "--host",
            host,
            "--topic",
            "e2e",
            "--messages",
            "1",
            "--size",
            "4");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("at least 8");
  }
}
