package io.minikafka.broker.retention;

import io.minikafka.broker.concurrent.DaemonThreadFactory;
import io.minikafka.broker.config.GoDuration;
import io.minikafka.broker.store.BackingStore;
import io.minikafka.broker.store.StoreClosedException;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes messages older than their topic's retention time from a store, every tenth of the
 * shortest retention any topic has (the server's, or a topic's own), as the original swept every
 * tenth of its one retention time. Time comes from an injected {@link Clock}, so tests call {@link
 * #sweepOnce} under a fixed clock instead of waiting.
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

  /** The pause between sweeps when no topic has a shorter retention of its own. */
  private Duration defaultInterval;

  /** The next sweep, and when it is due. Guarded by this. */
  private ScheduledFuture<?> next;

  private long nextDueNanos;

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
    ScheduledThreadPoolExecutor executor =
        new ScheduledThreadPoolExecutor(1, new DaemonThreadFactory("minikafka-retention"));
    // The next sweep may be hours away: closing must not wait for it.
    executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    this.scheduler = executor;
  }

  /**
   * Starts sweeping every {@code interval}, or every tenth of a shorter retention some topic has,
   * the first sweep one such pause from now.
   */
  public synchronized void start(Duration interval) {
    defaultInterval = interval;
    scheduleIn(interval());
    LOG.debug("Sweeping every {}", GoDuration.format(interval()));
  }

  /**
   * A topic's retention changed: sweeps come sooner if it is now the shortest, so that a topic of 2
   * s loses its messages within about 2.2 s even when the server keeps them a week.
   */
  public synchronized void retentionChanged() {
    if (defaultInterval == null) {
      return;
    }
    Duration interval = interval();
    if (System.nanoTime() + interval.toNanos() < nextDueNanos) {
      scheduleIn(interval);
    }
  }

  /**
   * A tenth of the shortest retention a topic has of its own, if shorter than the default pause.
   */
  private Duration interval() {
    Optional<Duration> shortest;
    try {
      shortest = store.shortestRetention();
    } catch (IOException | RuntimeException e) {
      return defaultInterval;
    }
    return shortest
        .map(r -> r.dividedBy(10))
        .filter(tenth -> tenth.compareTo(defaultInterval) < 0)
        .orElse(defaultInterval);
  }

  private synchronized void scheduleIn(Duration delay) {
    if (next != null) {
      next.cancel(false);
    }
    long nanos = Math.max(1_000_000, delay.toNanos());
    nextDueNanos = System.nanoTime() + nanos;
    try {
      next = scheduler.schedule(this::scheduledSweep, nanos, TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.RejectedExecutionException closed) {
      next = null;
    }
  }

  /**
   * Removes every message stored longer than its topic's retention (its own, or the server's)
   * before the clock's now.
   *
   * @return how many messages were removed
   */
  public long sweepOnce() throws IOException {
    Instant now = clock.instant();
    long removed = store.removeExpired(now, retention);
    if (removed > 0) {
      LOG.debug("Removed {} expired messages", removed);
    }
    return removed;
  }

  private void scheduledSweep() {
    try {
      afterSweep.accept(sweepOnce());
    } catch (StoreClosedException e) {
      LOG.debug("Store closed; sweeper idle");
      return;
    } catch (IOException | RuntimeException e) {
      // A failed sweep must not stop later ones: the next may succeed once the cause clears.
      LOG.warn("Retention sweep failed: {}", e.toString());
    }
    scheduleNext();
  }

  /**
   * Schedules the next sweep at the interval the topics ask for now: looked up under the same lock
   * as {@link #retentionChanged}, so that a change made during a sweep is never scheduled over.
   */
  private synchronized void scheduleNext() {
    scheduleIn(interval());
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
