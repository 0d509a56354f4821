package io.minikafka.bench;

import io.minikafka.broker.store.PollLimits;
import io.minikafka.broker.store.PollResult;
import io.minikafka.broker.store.file.FileStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Reads a filled topic back in polls of at most 1 MiB (the server's default), from the start to the
 * end and round again. The {@code messages} counter is messages per second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class FileStorePollBenchmark {

  private static final int MESSAGES = 2_000_000;
  private static final PollLimits LIMITS = new PollLimits(Integer.MAX_VALUE, 1024 * 1024);

  @Param({"100", "1024"})
  public int payloadBytes;

  private Path root;
  private FileStore store;
  private long readFrom = 1;

  /** Messages returned, reported per second. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Counters {
    public long messages;
  }

  @Setup(Level.Trial)
  public void fill() throws IOException {
    root = BenchStores.scratch("mkfk-poll");
    store = BenchStores.open(root, "never");
    byte[] payload = new byte[payloadBytes];
    int count = payloadBytes > 500 ? MESSAGES / 5 : MESSAGES;
    for (int i = 0; i < count; i++) {
      store.store("bench", payload);
    }
  }

  @TearDown(Level.Trial)
  public void close() throws IOException {
    store.close();
    BenchStores.delete(root);
  }

  @Benchmark
  public PollResult poll(Counters counters) throws IOException {
    PollResult result = store.poll("bench", readFrom, LIMITS);
    counters.messages += result.messages().size();
    readFrom = result.messages().isEmpty() ? 1 : result.newReadFrom();
    return result;
  }
}
