package io.minikafka.bench;

import io.minikafka.broker.store.PollLimits;
import io.minikafka.broker.store.PollResult;
import io.minikafka.broker.store.StoreLimits;
import io.minikafka.broker.store.memory.MemoryStore;
import java.io.IOException;
import java.time.Clock;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Reads a memory-store topic of 2,000,000 × 100 B back as Subscribe's bytes ({@code pollEncoded}),
 * in polls of at most 1 MiB, from the start to the end and round again: the cost of finding each
 * message through the index and copying its entry out of its chunk. The {@code messages} counter is
 * messages per second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgs = {"-Xmx1g", "-XX:MaxDirectMemorySize=2g"})
public class MemoryStorePollBenchmark {

  private static final int MESSAGES = 2_000_000;
  private static final PollLimits LIMITS = new PollLimits(Integer.MAX_VALUE, 1024 * 1024);

  private MemoryStore store;
  private long readFrom = 1;

  /** Messages returned, reported per second. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Counters {
    public long messages;
  }

  @Setup(Level.Trial)
  public void fill() throws IOException {
    store =
        new MemoryStore(
            Clock.systemUTC(), StoreLimits.DEFAULTS.withMaxMemoryBytes(1024L * 1024 * 1024));
    List<byte[]> batch = Collections.nCopies(1_000, new byte[100]);
    for (int i = 0; i < MESSAGES / batch.size(); i++) {
      store.storeBatch("bench", batch);
    }
  }

  @TearDown(Level.Trial)
  public void close() throws IOException {
    store.close();
  }

  @Benchmark
  public PollResult poll(Counters counters) throws IOException {
    PollResult result = store.pollEncoded("bench", readFrom, LIMITS);
    counters.messages += result.count();
    readFrom = result.count() == 0 ? 1 : result.newReadFrom();
    return result;
  }
}
