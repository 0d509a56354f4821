package io.minikafka.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.minikafka.broker.store.PollLimits;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** Small, bounded runs of mkfk-perf's three modes against a real server. */
class PerfCommandTest extends LiveServerTest {

  private static final String FINAL_LINE =
      "\\d+ records, [\\d.]+ records/sec \\([\\d.]+ MB/sec\\)";
  private static final String LATENCIES =
      "[\\d.]+ ms avg latency, [\\d.]+ ms p50, [\\d.]+ ms p99, [\\d.]+ ms p99.9, [\\d.]+ ms max latency";

  @Test
  void produceSendsExactlyTheRequestedMessagesAndReportsRatesAndLatencies() throws IOException {
    CliHarness.Result result =
        CliHarness.run(
            new PerfCommand(),
            "produce", "--host", host, "--topic", "perf", "--messages", "5000", "--size", "100",
            "--producers", "2", "--server-pid", Long.toString(ProcessHandle.current().pid()));

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out()).containsPattern("^5000 " + FINAL_LINE.substring(4) + ", " + LATENCIES);
    assertThat(result.out()).containsPattern("server CPU [\\d.]+ s = [\\d.]+ us/record");
    assertThat(store.poll("perf", 1, PollLimits.UNLIMITED).messages()).hasSize(5000)
        .allSatisfy(m -> assertThat(m.payload()).hasSize(100));
  }

  @Test
  void syncProduceUsesOneBlockingCallPerMessage() throws IOException {
    CliHarness.Result result =
        CliHarness.run(new PerfCommand(), "produce", "--host", host, "--topic", "perf", "--messages", "200", "--sync");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out()).containsPattern(FINAL_LINE + ", " + LATENCIES);
    assertThat(store.poll("perf", 1, PollLimits.UNLIMITED).messages()).hasSize(200);
  }

  @Test
  void consumeReadsTheRequestedCount() throws IOException {
    for (int i = 0; i < 3000; i++) {
      store.store("perf", new byte[100]);
    }

    CliHarness.Result result =
        CliHarness.run(new PerfCommand(), "consume", "--host", host, "--topic", "perf", "--messages", "3000");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out()).containsPattern("^3000 records, [\\d.]+ records/sec \\(0?[\\d.]+ MB/sec\\)");
  }

  @Test
  void endToEndMeasuresEveryMessageAtTheGivenRate() {
    CliHarness.Result result =
        CliHarness.run(
            new PerfCommand(),
            "e2e", "--host", host, "--topic", "e2e", "--messages", "500", "--rate", "1000", "--warmup-messages", "100");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out()).containsPattern("^500 records, [\\d.]+ records/sec .*, " + LATENCIES);
  }

  @Test
  void aTooSmallEndToEndMessageIsAUsageError() {
    CliHarness.Result result =
        CliHarness.run(new PerfCommand(), "e2e", "--host", host, "--topic", "e2e", "--messages", "1", "--size", "4");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("at least 8");
  }
}
