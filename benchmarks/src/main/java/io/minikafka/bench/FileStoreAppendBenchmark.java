package io.minikafka.bench;

import io.minikafka.broker.store.file.FileStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Appends to one topic of a file store: messages per second for each fsync policy and payload size,
 * one message per call ({@code append}) or 100 per call ({@code appendBatch}). Run with {@code -t
 * 1} and {@code -t 16} for one and sixteen concurrent appenders. Each iteration starts from an
 * empty topic, so disk use stays bounded.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class FileStoreAppendBenchmark {

  @Param({"never", "interval:1s", "always"})
  public String fsync;

  @Param({"100", "1024"})
  public int payloadBytes;

  private Path root;
  private FileStore store;
  private static final int BATCH = 100;

  private byte[] payload;
  private List<byte[]> batch;

  @Setup(Level.Trial)
  public void open() throws IOException {
    root = BenchStores.scratch("mkfk-append");
    store = BenchStores.open(root, fsync);
    payload = new byte[payloadBytes];
    batch = Collections.nCopies(BATCH, payload);
  }

  @TearDown(Level.Iteration)
  public void empty() throws IOException {
    store.deleteContents();
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

  /**
   * Batches of 100, as the server's ProduceBatch and ProduceStream calls store them; per message.
   */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public long appendBatch() throws IOException {
    return store.storeBatch("bench", batch);
  }
}
