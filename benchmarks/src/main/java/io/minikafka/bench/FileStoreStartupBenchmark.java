package io.minikafka.bench;

import io.minikafka.broker.store.file.FileStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
 * Time to open a file store holding 1 GiB (8.6 million 100-byte messages in 17 segments of one
 * topic, plus 50 small topics). {@code clean}: after a clean close. {@code lastIndexLost}: the last
 * segment's index is gone, as after a crash before any index write, so recovery scans that whole
 * segment: the worst case.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 10)
@Fork(1)
public class FileStoreStartupBenchmark {

  private static final long BYTES = 1L << 30;

  @Param({"clean", "lastIndexLost"})
  public String state;

  private Path root;
  private Path lastIndex;
  private byte[] lastIndexBytes;

  @Setup(Level.Trial)
  public void fill() throws IOException {
    root = BenchStores.scratch("mkfk-startup");
    byte[] payload = new byte[100];
    try (FileStore store = BenchStores.open(root, "never")) {
      for (long written = 0; written < BYTES; written += 124) {
        store.store("big", payload);
      }
      for (int t = 0; t < 50; t++) {
        for (int i = 0; i < 100; i++) {
          store.store("small-" + t, payload);
        }
      }
    }
    try (Stream<Path> files = Files.list(root.resolve("big"))) {
      lastIndex =
          files
              .filter(p -> p.toString().endsWith(".index"))
              .sorted()
              .reduce((a, b) -> b)
              .orElseThrow();
    }
    lastIndexBytes = Files.readAllBytes(lastIndex);
  }

  @Setup(Level.Invocation)
  public void prepare() throws IOException {
    if (state.equals("lastIndexLost")) {
      Files.deleteIfExists(lastIndex);
    } else {
      Files.write(lastIndex, lastIndexBytes);
    }
  }

  @TearDown(Level.Trial)
  public void delete() {
    BenchStores.delete(root);
  }

  @Benchmark
  public FileStore open() throws IOException {
    FileStore store = BenchStores.open(root, "never");
    store.close();
    return store;
  }
}
