package io.minikafka.cli;

import io.minikafka.client.Admin;
import io.minikafka.client.ConnectionConfig;
import io.minikafka.client.Consumer;
import io.minikafka.client.Message;
import io.minikafka.client.Producer;
import io.minikafka.client.ProducerOptions;
import io.minikafka.client.Subscription;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code mkfk-perf}: load generator and meter modelled on Kafka's perf tools. Every run is bounded
 * by its message count, prints a progress line every few seconds and a final line with records/s,
 * MB/s and latency avg, p50, p99, p99.9 and max in milliseconds.
 */
@Command(
    name = "mkfk-perf",
    mixinStandardHelpOptions = true,
    versionProvider = CommandRunner.Version.class,
    description =
        "Measures a MiniKafka server: produce throughput, consume throughput, end-to-end latency.",
    subcommands = {
      PerfCommand.Produce.class,
      PerfCommand.Consume.class,
      PerfCommand.EndToEnd.class
    },
    footer = {
      "",
      "Exit codes: 0 the run finished, 1 it failed (server unreachable, messages lost or"
          + " refused), 2 bad usage."
    })
public final class PerfCommand implements Runnable {

  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);

  @Spec private CommandSpec spec;

  /** Inherited by the subcommands: before or after the subcommand's name alike. */
  @Mixin ServerOptions server;

  public static void main(String[] args) {
    CommandRunner.runAndExit(new PerfCommand(), args);
  }

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "a command is needed: produce, consume or e2e");
  }

  /** Options every subcommand shares. */
  static final class Common {
    @Option(
        names = {"--topic", "-topic"},
        paramLabel = "TOPIC",
        converter = TopicArgument.class,
        required = true,
        description = "Topic name.")
    String topic;

    @Option(
        names = "--messages",
        paramLabel = "N",
        required = true,
        description = "How many messages.")
    long messages;

    @Option(
        names = "--server-pid",
        paramLabel = "PID",
        description = "Also report the server process's CPU time per message (Linux /proc).")
    Long serverPid;

    /** Refuses a count below 1, or a server process that is not there, before any work. */
    void check() throws IOException {
      atLeast(messages, 1, "--messages");
      if (serverPid != null) {
        processCpuNanos(serverPid);
      }
    }
  }

  /** Refuses {@code value} below {@code least} for {@code option}, as bad usage (exit 2). */
  static void atLeast(long value, long least, String option) {
    if (value < least) {
      throw new IllegalArgumentException(option + " must be at least " + least + ", was " + value);
    }
  }

  /** Spaces sends evenly at a fixed rate (0: no limit), without drifting when one is late. */
  static final class Pacer {
    private final long intervalNanos;
    private long next = System.nanoTime();

    Pacer(long perSecond) {
      this.intervalNanos = perSecond > 0 ? 1_000_000_000L / perSecond : 0;
    }

    void awaitNext() {
      if (intervalNanos == 0) {
        return;
      }
      next += intervalNanos;
      long wait = next - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
    }
  }

  /** CPU time (user + system) of a process so far, from /proc, in nanoseconds. */
  static long processCpuNanos(long pid) throws IOException {
    atLeast(pid, 1, "--server-pid");
    String stat;
    try {
      stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(
          "--server-pid " + pid + ": no such process (has the server exited?)");
    }
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    return ticks * 10_000_000L; // USER_HZ is 100 on Linux
  }

  private static String rate(long count, long bytes, long nanos) {
    double seconds = nanos / 1e9;
    return String.format(
        "%d records, %.1f records/sec (%.2f MB/sec)",
        count, count / seconds, bytes / seconds / 1e6);
  }

  private static void progress(
      PrintWriter err, LatencyRecorder latencies, int[] window, long nanos) {
    long[] w = latencies.window(window);
    if (w[0] == 0) {
      err.println("0 records in the last interval");
      return;
    }
    err.printf(
        "%d records, %.1f records/sec, %.2f ms avg latency, %.2f ms max latency%n",
        w[0], w[0] / (nanos / 1e9), w[1] / (double) w[0] / 1e6, w[2] / 1e6);
  }

  private static String serverCpu(Common common, long cpuBefore, long messages) throws IOException {
    if (common.serverPid == null) {
      return "";
    }
    long used = processCpuNanos(common.serverPid) - cpuBefore;
    return String.format(
        ", server CPU %.3f s = %.3f us/record", used / 1e9, used / 1e3 / Math.max(1, messages));
  }

  /** Sends messages as fast as allowed, batched (or one blocking call at a time with --sync). */
  @Command(
      name = "produce",
      mixinStandardHelpOptions = true,
      description = "Produce throughput and ack latency.")
  static final class Produce implements java.util.concurrent.Callable<Integer> {
    @Spec CommandSpec spec;
    @ParentCommand PerfCommand parent;
    @Mixin Common common;

    @Option(
        names = "--size",
        paramLabel = "BYTES",
        defaultValue = "100",
        description = "Message size (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(
        names = "--producers",
        paramLabel = "N",
        defaultValue = "1",
        description =
            "Concurrent producers, each on a thread of its own, sharing the process's connection to the server (default: ${DEFAULT-VALUE}).")
    int producers;

    @Option(
        names = "--sync",
        description =
            "Each producer sends one message at a time with the blocking sendMessage (the original's Produce RPC).")
    boolean sync;

    @Option(
        names = "--batch-bytes",
        paramLabel = "BYTES",
        description = "Batch size of sendAsync (default: the library's).")
    Integer batchBytes;

    @Option(
        names = "--buffer-bytes",
        paramLabel = "BYTES",
        description =
            "Buffer of sendAsync: messages waiting or unacknowledged (default: the library's).")
    Long bufferBytes;

    @Option(
        names = "--linger",
        paramLabel = "DURATION",
        description = "Linger time of sendAsync (default: the library's).")
    Duration linger;

    @Option(
        names = "--rate",
        paramLabel = "MSGS_PER_SEC",
        defaultValue = "0",
        description = "Target total rate; 0 = as fast as possible.")
    long rate;

    @Override
    public Integer call() throws Exception {
      common.check();
      atLeast(size, 0, "--size");
      atLeast(producers, 1, "--producers");
      atLeast(rate, 0, "--rate");
      PrintWriter err = spec.commandLine().getErr();
      ProducerOptions options = ProducerOptions.DEFAULTS;
      if (batchBytes != null) {
        atLeast(batchBytes, 1, "--batch-bytes");
        options = options.withBatchBytes(batchBytes);
      }
      if (linger != null) {
        options = options.withLinger(linger);
      }
      if (bufferBytes != null) {
        atLeast(bufferBytes, 1, "--buffer-bytes");
        options = options.withBufferBytes(bufferBytes);
      }
      LatencyRecorder latencies = new LatencyRecorder();
      AtomicReference<Throwable> failure = new AtomicReference<>();
      AtomicLong acked = new AtomicLong();
      long cpuBefore = common.serverPid == null ? 0 : processCpuNanos(common.serverPid);
      long start = System.nanoTime();
      List<Thread> threads = new ArrayList<>();
      for (int p = 0; p < producers; p++) {
        long share = common.messages / producers + (p < common.messages % producers ? 1 : 0);
        ProducerOptions chosen = options;
        Thread t =
            new Thread(
                () -> runProducer(share, chosen, latencies, acked, failure), "perf-producer-" + p);
        threads.add(t);
        t.start();
      }
      int[] window = {0};
      long lastProgress = System.nanoTime();
      for (Thread t : threads) {
        while (t.isAlive()) {
          t.join(PROGRESS_EVERY.toMillis());
          long now = System.nanoTime();
          if (now - lastProgress >= PROGRESS_EVERY.toNanos()) {
            progress(err, latencies, window, now - lastProgress);
            lastProgress = now;
          }
        }
      }
      long elapsed = System.nanoTime() - start;
      if (failure.get() != null) {
        throw CommandRunner.rethrow(failure.get());
      }
      spec.commandLine()
          .getOut()
          .println(
              rate(acked.get(), acked.get() * (long) size, elapsed)
                  + ", "
                  + latencies.summary()
                  + serverCpu(common, cpuBefore, acked.get()));
      return CommandRunner.EXIT_OK;
    }

    private void runProducer(
        long count,
        ProducerOptions options,
        LatencyRecorder latencies,
        AtomicLong acked,
        AtomicReference<Throwable> failure) {
      Pacer pacer = new Pacer(rate / Math.max(1, producers));
      // One array for every message, as Kafka's ProducerPerformance keeps one: the client sends it
      // without copying, and nothing here ever changes it.
      byte[] payload = new byte[size];
      try (Producer producer = new Producer(common.topic, parent.server.connection(), options)) {
        for (long i = 0; i < count && failure.get() == null; i++) {
          pacer.awaitNext();
          long sent = System.nanoTime();
          if (sync) {
            producer.sendMessage(payload);
            latencies.record(System.nanoTime() - sent);
            acked.incrementAndGet();
          } else {
            producer
                .sendAsync(payload)
                .whenComplete(
                    (number, error) -> {
                      if (error != null) {
                        failure.compareAndSet(null, error);
                      } else {
                        latencies.record(System.nanoTime() - sent);
                        acked.incrementAndGet();
                      }
                    });
          }
        }
        producer.flush();
      } catch (RuntimeException e) {
        failure.compareAndSet(null, e);
      }
    }
  }

  /** Reads a topic through a subscription, as fast as the server sends. */
  @Command(
      name = "consume",
      mixinStandardHelpOptions = true,
      description = "Consume throughput (Subscribe).")
  static final class Consume implements java.util.concurrent.Callable<Integer> {
    @Spec CommandSpec spec;
    @ParentCommand PerfCommand parent;
    @Mixin Common common;

    @Option(
        names = "--from",
        paramLabel = "N",
        defaultValue = "1",
        description = "First number (default: ${DEFAULT-VALUE}).")
    long from;

    @Override
    public Integer call() throws Exception {
      common.check();
      atLeast(from, 0, "--from");
      PrintWriter err = spec.commandLine().getErr();
      long received = 0;
      long bytes = 0;
      long connecting = System.nanoTime();
      // The clock starts on an open connection that has looked the topic up, as Kafka's
      // ConsumerPerformance counts its fetch rate from its group join: the same work on both.
      try (Admin admin = new Admin(parent.server.connection())) {
        admin.describe(common.topic);
        long connected = System.nanoTime();
        long cpuBefore = common.serverPid == null ? 0 : processCpuNanos(common.serverPid);
        long start = System.nanoTime();
        long lastProgress = start;
        long lastCount = 0;
        try (Consumer consumer = new Consumer(common.topic, from, parent.server.connection());
            Subscription subscription = consumer.subscribe()) {
          while (received < common.messages) {
            List<Message> messages = subscription.poll(parent.server.timeout);
            if (messages.isEmpty()) {
              throw new IllegalStateException(
                  "no message for "
                      + parent.server.timeout.toMillis()
                      + " ms after "
                      + received
                      + " of "
                      + common.messages);
            }
            // A response may reach past the count asked for: the rest is not counted.
            int counted = (int) Math.min(messages.size(), common.messages - received);
            for (int i = 0; i < counted; i++) {
              bytes += messages.get(i).payload().length;
            }
            received += counted;
            long now = System.nanoTime();
            if (now - lastProgress >= PROGRESS_EVERY.toNanos()) {
              err.printf(
                  "%d records, %.1f records/sec%n",
                  received - lastCount, (received - lastCount) / ((now - lastProgress) / 1e9));
              lastProgress = now;
              lastCount = received;
            }
          }
        }
        long elapsed = System.nanoTime() - start;
        spec.commandLine()
            .getOut()
            .println(
                rate(received, bytes, elapsed)
                    + serverCpu(common, cpuBefore, received)
                    + String.format(", connected in %.1f ms", (connected - connecting) / 1e6));
      }
      return CommandRunner.EXIT_OK;
    }
  }

  /**
   * Sends at a fixed rate and receives through a subscription in the same process; latency is from
   * just before the send to delivery (both on this machine's monotonic clock).
   */
  @Command(
      name = "e2e",
      mixinStandardHelpOptions = true,
      description = "End-to-end latency at a fixed rate.")
  static final class EndToEnd implements java.util.concurrent.Callable<Integer> {
    @Spec CommandSpec spec;
    @ParentCommand PerfCommand parent;
    @Mixin Common common;

    @Option(
        names = "--size",
        paramLabel = "BYTES",
        defaultValue = "100",
        description = "Message size, at least 8 (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(
        names = "--rate",
        paramLabel = "MSGS_PER_SEC",
        defaultValue = "1000",
        description = "Send rate (default: ${DEFAULT-VALUE}).")
    long rate;

    @Option(
        names = "--linger",
        paramLabel = "DURATION",
        defaultValue = "0ms",
        description = "Producer linger (default: ${DEFAULT-VALUE}).")
    Duration linger;

    @Option(
        names = "--warmup-messages",
        paramLabel = "N",
        defaultValue = "0",
        description =
            "Messages sent first, at the same rate, whose latencies are not counted (lets both JVMs compile the hot paths).")
    long warmup;

    /**
     * Sends one message stamped with the send time; the first failure, of any send, ends the run.
     */
    private void send(Producer producer, AtomicReference<Throwable> failure) {
      Throwable failed = failure.get();
      if (failed != null) {
        throw CommandRunner.rethrow(failed);
      }
      byte[] payload = new byte[size];
      ByteBuffer.wrap(payload).putLong(System.nanoTime());
      producer
          .sendAsync(payload)
          .whenComplete(
              (number, error) -> {
                if (error != null) {
                  failure.compareAndSet(null, error);
                }
              });
    }

    /** Waits for every measured message, failing at once with the first send or read failure. */
    private void awaitDelivery(
        Semaphore received, AtomicReference<Throwable> failure, Duration atMost)
        throws InterruptedException {
      long deadline = System.nanoTime() + atMost.toNanos();
      long left = common.messages;
      while (left > 0) {
        Throwable failed = failure.get();
        if (failed != null) {
          throw CommandRunner.rethrow(failed);
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              left
                  + " of "
                  + common.messages
                  + " messages were acknowledged but not delivered within "
                  + atMost.toMillis()
                  + " ms");
        }
        if (received.tryAcquire(1, 100, TimeUnit.MILLISECONDS)) {
          left -= 1 + received.drainPermits();
        }
      }
    }

    @Override
    public Integer call() throws Exception {
      common.check();
      atLeast(rate, 1, "--rate");
      if (size < 8) {
        throw new IllegalArgumentException(
            "--size must be at least 8 (the send time travels in the payload)");
      }
      PrintWriter err = spec.commandLine().getErr();
      LatencyRecorder latencies = new LatencyRecorder();
      Duration timeout = parent.server.timeout;
      ConnectionConfig server = parent.server.connection();
      long startNumber;
      try (Producer probe = new Producer(common.topic, server)) {
        // Subscribe from the next number, so that the backlog is not measured.
        startNumber = probe.sendMessage(new byte[size]) + 1;
      }
      long total = warmup + common.messages;
      Semaphore received = new Semaphore(0);
      AtomicReference<Throwable> failure = new AtomicReference<>();
      try (Consumer consumer = new Consumer(common.topic, startNumber, server);
          Subscription subscription = consumer.subscribe();
          Producer producer =
              new Producer(common.topic, server, ProducerOptions.DEFAULTS.withLinger(linger))) {
        Thread reader =
            new Thread(
                () -> {
                  try {
                    // Every number from startNumber on must arrive exactly once.
                    BitSet seen = new BitSet();
                    long got = 0;
                    while (got < total && failure.get() == null) {
                      for (Message m : subscription.poll(Duration.ofMillis(100))) {
                        long offset = m.number() - startNumber;
                        if (offset < 0 || offset >= total || seen.get((int) offset)) {
                          throw new IllegalStateException(
                              "message "
                                  + m.number()
                                  + " was delivered "
                                  + (offset >= 0 && offset < total
                                      ? "twice"
                                      : "though never sent"));
                        }
                        seen.set((int) offset);
                        if (got >= warmup) {
                          latencies.record(
                              System.nanoTime() - ByteBuffer.wrap(m.payload()).getLong());
                          received.release();
                        }
                        got++;
                      }
                    }
                  } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                  }
                },
                "perf-e2e-reader");
        reader.setDaemon(true);
        reader.start();
        Pacer pacer = new Pacer(Math.max(1, rate));
        for (long i = 0; i < warmup; i++) {
          pacer.awaitNext();
          send(producer, failure);
        }
        // The warm-up's server CPU is not counted either.
        long cpuBefore = common.serverPid == null ? 0 : processCpuNanos(common.serverPid);
        long start = System.nanoTime();
        long lastProgress = start;
        int[] window = {0};
        for (long i = 0; i < common.messages; i++) {
          pacer.awaitNext();
          send(producer, failure);
          long now = System.nanoTime();
          if (now - lastProgress >= PROGRESS_EVERY.toNanos()) {
            progress(err, latencies, window, now - lastProgress);
            lastProgress = now;
          }
        }
        producer.flush();
        awaitDelivery(received, failure, timeout.multipliedBy(10));
        long elapsed = System.nanoTime() - start;
        spec.commandLine()
            .getOut()
            .println(
                rate(common.messages, common.messages * (long) size, elapsed)
                    + ", "
                    + latencies.summary()
                    + serverCpu(common, cpuBefore, common.messages));
      }
      return CommandRunner.EXIT_OK;
    }
  }
}
