package io.minikafka.broker.store.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.minikafka.broker.store.BackingStore;
import io.minikafka.broker.store.BackingStoreContractTest;
import io.minikafka.broker.store.ManualClock;
import io.minikafka.broker.store.PollLimits;
import io.minikafka.broker.store.PollResult;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class MemoryStoreTest extends BackingStoreContractTest {

  @Override
  protected BackingStore createStore(ManualClock clock) {
    return new MemoryStore(clock);
  }

  @Test
  void ringBufferKeepsOrderThroughWrapAroundGrowthAndShrinking() throws IOException {
    // Rounds of varying size, each kept for two sweeps, make the ring wrap, grow and shrink.
    long next = 1;
    long oldestKept = 1;
    for (int round = 0; round < 20; round++) {
      for (int i = 0; i < (round % 5) * 2_000 + 10; i++) {
        assertThat(store.store("t", Long.toString(next).getBytes())).isEqualTo(next);
        next++;
      }
      clock.advance(Duration.ofSeconds(1));
      long removed = store.removeOlderThan(clock.instant().minusMillis(2_500));
      oldestKept += removed;
      PollResult all = store.poll("t", 0, PollLimits.UNLIMITED);
      assertThat(all.messages()).hasSize((int) (next - oldestKept));
      for (int i = 0; i < all.messages().size(); i++) {
        long expected = oldestKept + i;
        assertThat(all.messages().get(i).number()).isEqualTo(expected);
        assertThat(new String(all.messages().get(i).payload())).isEqualTo(Long.toString(expected));
      }
    }
  }
}
