package io.minikafka.bench;

import io.minikafka.broker.store.StoreLimits;
import io.minikafka.broker.store.memory.MemoryStore;
import java.io.IOException;
import java.time.Clock;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
 * Time of each 1,000 × 100-byte batch appended to one memory-store topic that keeps every message,
 * sampled (JMH's sample mode: percentiles and the longest), the topic growing from empty for each
 * one-second iteration to millions of messages: the slowest should not grow with the topic, since
 * an append runs on a network thread.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 1, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgs = {"-Xmx6g", "-XX:MaxDirectMemorySize=6g"})
public class MemoryStoreAppendBenchmark {

  private final List<byte[]> batch = Collections.nCopies(1_000, new byte[100]);
  private MemoryStore store;

  @Setup(Level.Trial)
  public void open() {
    store =
        new MemoryStore(
            Clock.systemUTC(), StoreLimits.DEFAULTS.withMaxMemoryBytes(5L * 1024 * 1024 * 1024));
  }

  /** Each iteration grows the topic from empty: a deleted topic comes back without messages. */
  @Setup(Level.Iteration)
  public void empty() throws IOException {
    if (store.topics().contains("bench")) {
      store.deleteTopic("bench");
    }
  }

  @TearDown(Level.Trial)
  public void close() throws IOException {
    store.close();
  }

  @Benchmark
  public long appendBatch() throws IOException {
    return store.storeBatch("bench", batch);
  }
}
