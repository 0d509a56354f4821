package io.minikafka.bench;

import io.minikafka.broker.store.file.FileStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
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
 * Average time of one 100-byte append (fsync never) to a topic already holding {@code stored}
 * messages: the curve should be flat, since an append touches only the end of the last segment.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class FileStoreAppendScalingBenchmark {

  @Param({"10000", "1000000", "10000000"})
  public int stored;

  private Path root;
  private FileStore store;
  private final byte[] payload = new byte[100];

  @Setup(Level.Trial)
  public void fill() throws IOException {
    root = BenchStores.scratch("mkfk-scaling");
    store = BenchStores.open(root, "never");
    for (int i = 0; i < stored; i++) {
      store.store("bench", payload);
    }
  }

  @TearDown(Level.Trial)
  public void close() throws IOException {
    store.close();
    BenchStores.delete(root);
  }

  @Benchmark
  public long append() throws IOException {
    return store.store("bench", payload);
  }
}
