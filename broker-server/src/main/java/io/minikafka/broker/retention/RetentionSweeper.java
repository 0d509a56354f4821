package io.minikafka.broker.retention;

import io.minikafka.broker.concurrent.DaemonThreadFactory;
import io.minikafka.broker.config.GoDuration;
import io.minikafka.broker.store.BackingStore;
import io.minikafka.broker.store.StoreClosedException;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes messages older than the retention time from a store, every tenth of the retention time as
 * the original did. Time comes from an injected {@link Clock}, so tests call {@link #sweepOnce}
 * under a fixed clock instead of waiting.
 *
 * <p>Thread-safety: sweeps run on one daemon thread of its own; {@link #sweepOnce} may also be
 * called from any thread.
 */
public final class RetentionSweeper implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RetentionSweeper.class);

  private final BackingStore store;
  private final Duration retention;
  private final Clock clock;
  private final LongConsumer afterSweep;
  private final ScheduledExecutorService scheduler;

  /**
   * @param afterSweep told the number of messages removed after every scheduled sweep, so callers
   *     (metrics, tests) can follow sweeps without polling
   */
  public RetentionSweeper(
      BackingStore store, Duration retention, Clock clock, LongConsumer afterSweep) {
    this.store = store;
    this.retention = retention;
    this.clock = clock;
    this.afterSweep = afterSweep;
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(new DaemonThreadFactory("minikafka-retention"));
  }

  /** Starts sweeping every {@code interval}, the first sweep one interval from now. */
  public void start(Duration interval) {
    long nanos = Math.max(1, interval.toNanos());
    scheduler.scheduleWithFixedDelay(this::scheduledSweep, nanos, nanos, TimeUnit.NANOSECONDS);
    LOG.debug("Sweeping every {}", GoDuration.format(interval));
  }

  /**
   * Removes every message stored more than the retention time before the clock's now.
   *
   * @return how many messages were removed
   */
  public long sweepOnce() throws IOException {
    Instant cutoff = clock.instant().minus(retention);
    long removed = store.removeOlderThan(cutoff);
    if (removed > 0) {
      LOG.debug("Removed {} messages stored before {}", removed, cutoff);
    }
    return removed;
  }

  private void scheduledSweep() {
    try {
      afterSweep.accept(sweepOnce());
    } catch (StoreClosedException e) {
      LOG.debug("Store closed; sweeper idle");
    } catch (IOException | RuntimeException e) {
      // A failed sweep must not stop later ones: the next may succeed once the cause clears.
      LOG.warn("Retention sweep failed: {}", e.toString());
    }
  }

  /**
   * Stops sweeping, waiting for a sweep in progress to finish. Never interrupts it: an interrupt
   * during file I/O would close the store's file channels.
   */
  @Override
  public void close() {
    scheduler.shutdown();
    try {
      scheduler.awaitTermination(1, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
