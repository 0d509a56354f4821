package io.minikafka.broker.retention;

import static org.assertj.core.api.Assertions.assertThat;

import io.minikafka.broker.store.BackingStore;
import io.minikafka.broker.store.ForwardingStore;
import io.minikafka.broker.store.ManualClock;
import io.minikafka.broker.store.PollLimits;
import io.minikafka.broker.store.memory.MemoryStore;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RetentionSweeperTest {

  @Test
  void sweepRemovesOnlyMessagesOlderThanTheRetention() throws IOException {
    ManualClock clock = new ManualClock();
    try (MemoryStore store = new MemoryStore(clock);
        RetentionSweeper sweeper =
            new RetentionSweeper(store, Duration.ofSeconds(10), clock, removed -> {})) {
      store.store("t", new byte[] {1});
      clock.advance(Duration.ofSeconds(6));
      store.store("t", new byte[] {2});

      clock.advance(Duration.ofSeconds(4));
      assertThat(sweeper.sweepOnce()).isZero();

      clock.advance(Duration.ofMillis(1));
      assertThat(sweeper.sweepOnce()).isEqualTo(1);
      assertThat(store.poll("t", 1, PollLimits.UNLIMITED).messages())
          .singleElement()
          .satisfies(m -> assertThat(m.number()).isEqualTo(2));

      clock.advance(Duration.ofSeconds(6));
      assertThat(sweeper.sweepOnce()).isEqualTo(1);
      assertThat(store.poll("t", 1, PollLimits.UNLIMITED).messages()).isEmpty();
    }
  }

  @Test
  void scheduledSweepsRunEveryIntervalAndExpireMessages() throws Exception {
    BlockingQueue<Long> sweeps = new LinkedBlockingQueue<>();
    Clock clock = Clock.systemUTC();
    try (MemoryStore store = new MemoryStore(clock);
        RetentionSweeper sweeper =
            new RetentionSweeper(store, Duration.ofMillis(200), clock, sweeps::add)) {
      store.store("t", new byte[] {1});
      sweeper.start(Duration.ofMillis(20));

      long removed = 0;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (removed == 0 && System.nanoTime() < deadline) {
        Long r = sweeps.poll(1, TimeUnit.SECONDS);
        removed += r == null ? 0 : r;
      }

      assertThat(removed).isEqualTo(1);
      assertThat(store.poll("t", 1, PollLimits.UNLIMITED).messages()).isEmpty();
    }
  }

  @Test
  void aFailingSweepDoesNotStopLaterOnes() throws Exception {
    BlockingQueue<Long> sweeps = new LinkedBlockingQueue<>();
    ManualClock clock = new ManualClock();
    AtomicInteger attempts = new AtomicInteger();
    try (MemoryStore memory = new MemoryStore(clock);
        BackingStore failingFirst =
            new ForwardingStore(memory) {
              @Override
              public long removeExpired(Instant now, Duration defaultRetention) throws IOException {
                if (attempts.incrementAndGet() == 1) {
                  throw new IOException("injected failure");
                }
                return super.removeExpired(now, defaultRetention);
              }
            };
        RetentionSweeper sweeper =
            new RetentionSweeper(failingFirst, Duration.ofSeconds(1), clock, sweeps::add)) {
      memory.store("t", new byte[] {1});
      clock.advance(Duration.ofSeconds(2));
      sweeper.start(Duration.ofMillis(5));

      assertThat(sweeps.poll(10, TimeUnit.SECONDS)).isEqualTo(1);
      assertThat(attempts.get()).isGreaterThanOrEqualTo(2);
    }
  }

  @Test
  void aTopicWithAShortRetentionOfItsOwnIsSweptEveryTenthOfIt() throws Exception {
    BlockingQueue<Long> sweeps = new LinkedBlockingQueue<>();
    ManualClock clock = new ManualClock();
    try (MemoryStore store = new MemoryStore(clock);
        RetentionSweeper sweeper =
            new RetentionSweeper(store, Duration.ofDays(7), clock, sweeps::add)) {
      // The server's week would sweep every 16.8 hours.
      sweeper.start(Duration.ofHours(16).plusMinutes(48));
      store.createTopic("fast", java.util.Optional.of(Duration.ofSeconds(2)));
      store.store("fast", new byte[] {1});
      store.store("slow", new byte[] {1});
      sweeper.retentionChanged();

      clock.advance(Duration.ofMillis(2_001));
      long removed = 0;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (removed == 0 && System.nanoTime() < deadline) {
        Long r = sweeps.poll(1, TimeUnit.SECONDS);
        removed += r == null ? 0 : r;
      }

      assertThat(removed).as("swept at a tenth of 2 s, not of a week").isEqualTo(1);
      assertThat(store.poll("slow", 1, PollLimits.UNLIMITED).messages()).hasSize(1);
    }
  }
}
