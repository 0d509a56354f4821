package io.minikafka.broker.store.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.minikafka.broker.store.BackingStore;
import io.minikafka.broker.store.BackingStoreContractTest;
import io.minikafka.broker.store.LimitExceededException;
import io.minikafka.broker.store.ManualClock;
import io.minikafka.broker.store.PollLimits;
import io.minikafka.broker.store.PollResult;
import io.minikafka.broker.store.StoreLimits;
import io.minikafka.broker.store.TopicInfo;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemoryStoreTest extends BackingStoreContractTest {

  @Override
  protected BackingStore createStore(ManualClock clock, StoreLimits limits) {
    return new MemoryStore(clock, limits);
  }

  @Test
  void deletingATopicGivesBackWhatEachOfItsMessagesWasCharged() throws IOException {
    // 100 empty messages are charged 40 bytes each: 4,000 of the cap's 5,000.
    MemoryStore capped = new MemoryStore(clock, StoreLimits.DEFAULTS.withMaxMemoryBytes(5_000));
    for (int round = 0; round < 3; round++) {
      List<byte[]> empties = java.util.Collections.nCopies(100, new byte[0]);
      capped.storeBatch("t", empties);
      assertThat(capped.deleteTopic("t")).isEqualTo(100);
    }
    assertThat(capped.storeBatch("t", java.util.Collections.nCopies(100, new byte[0])))
        .isEqualTo(301);
  }

  @Test
  void withoutMemoryForItsChunksABatchIsRefusedWholeNamingTheTopicAndItsChargeGivenBack()
      throws IOException {
    boolean[] fail = {false};
    ChunkMemory failing =
        new ChunkMemory() {
          @Override
          public java.nio.ByteBuffer allocate(int bytes) {
            if (fail[0]) {
              throw new OutOfMemoryError("Cannot reserve " + bytes + " bytes of direct memory");
            }
            return DIRECT.allocate(bytes);
          }

          @Override
          public void free(java.nio.ByteBuffer chunk) {
            DIRECT.free(chunk);
          }
        };
    MemoryStore store =
        new MemoryStore(clock, StoreLimits.DEFAULTS.withMaxMemoryBytes(100_000), failing);
    store.store("t", new byte[10]);
    fail[0] = true;

    assertThatThrownBy(() -> store.storeBatch("t", List.of(new byte[50_000], new byte[40_000])))
        .isInstanceOf(io.minikafka.broker.store.StoreFullException.class)
        .hasMessageStartingWith("topic 't': the memory store could not get ")
        .hasMessageEndingWith("messages were not stored");

    fail[0] = false;
    assertThat(store.storeBatch("t", List.of(new byte[50_000], new byte[40_000])))
        .as("the refused batch's charge given back, no number used")
        .isEqualTo(2);
    assertThat(store.poll("t", 1, PollLimits.UNLIMITED).messages())
        .extracting(m -> m.payload().length)
        .containsExactly(10, 50_000, 40_000);
  }

  @Test
  void aLimitAboveTheJvmsDirectMemoryIsWarnedOfNamingBothAndTheFix() {
    assertThat(MemoryStore.directMemoryWarning(1_000, 1_000)).isEmpty();
    assertThat(MemoryStore.directMemoryWarning(2_000, 1_000))
        .get()
        .asString()
        .startsWith(
            "MINIKAFKA_MAX_MEMORY_BYTES (2000) is above the JVM's direct memory limit (1000")
        .contains("-XX:MaxDirectMemorySize")
        .endsWith(
            "raise -XX:MaxDirectMemorySize in MINIKAFKA_HEAP_OPTS or lower MINIKAFKA_MAX_MEMORY_BYTES");
    assertThat(new MemoryStore().description())
        .startsWith("memory (volatile), up to ")
        .contains(" bytes of messages in direct memory, of which the JVM allows ");
  }

  @Test
  void keysAndHeadersCountTowardTheMemoryCap() throws IOException {
    MemoryStore capped = new MemoryStore(clock, StoreLimits.DEFAULTS.withMaxMemoryBytes(1_000));
    io.minikafka.broker.store.Record heavy =
        new io.minikafka.broker.store.Record(
            new byte[500],
            List.of(new io.minikafka.broker.store.Header("h", new byte[500])),
            new byte[0]);
    assertThatThrownBy(() -> capped.storeRecords("t", List.of(heavy)))
        .isInstanceOf(LimitExceededException.class);
  }

  @Test
  void pastItsMemoryCapTheStoreRefusesProducersAndNeverDropsAcknowledgedMessages()
      throws IOException {
    // Each message is charged its payload plus 40 bytes.
    MemoryStore capped = new MemoryStore(clock, StoreLimits.DEFAULTS.withMaxMemoryBytes(10_400));
    for (int i = 0; i < 9; i++) {
      capped.store("big", new byte[1_000]);
    }

    assertThatThrownBy(() -> capped.storeBatch("other", List.of(new byte[600], new byte[600])))
        .isInstanceOf(LimitExceededException.class)
        .hasMessageStartingWith(
            "topic 'other': the memory store holds 9360 of its 10400 bytes, too many to take 1280 more")
        .satisfies(
            e ->
                assertThat(((LimitExceededException) e).limit())
                    .isEqualTo(LimitExceededException.Limit.MEMORY_BYTES));
    assertThat(capped.describe("big").messageCount()).isEqualTo(9);
    assertThat(capped.topics()).containsExactly("big");
    assertThat(capped.store("big", new byte[1_000])).isEqualTo(10);

    clock.advance(Duration.ofMinutes(1));
    capped.removeOlderThan(clock.instant());
    assertThat(capped.store("other", new byte[5_000]))
        .as("expired bytes are given back")
        .isEqualTo(1);
    capped.deleteTopic("other");
    assertThat(capped.store("again", new byte[10_000]))
        .as("deleted bytes are given back")
        .isEqualTo(1);
  }

  @Test
  void emptyMessagesAreChargedToo() throws IOException {
    MemoryStore capped = new MemoryStore(clock, StoreLimits.DEFAULTS.withMaxMemoryBytes(4_000));
    for (int i = 0; i < 100; i++) {
      capped.store("t", new byte[0]);
    }

    assertThatThrownBy(() -> capped.store("t", new byte[0]))
        .isInstanceOf(LimitExceededException.class);
  }

  @Test
  void pastItsRetentionBytesATopicDropsItsOldestMessagesButNeverTheNewest() throws IOException {
    MemoryStore store = new MemoryStore(clock, StoreLimits.DEFAULTS.withRetentionBytes(2_500));
    for (int i = 0; i < 5; i++) {
      store.store("t", new byte[1_000]);
    }

    TopicInfo info = store.describe("t");
    assertThat(info.firstAvailable()).isEqualTo(4);
    assertThat(info.bytesStored()).isEqualTo(2_000);
    assertThat(store.store("t", new byte[9_000])).isEqualTo(6);
    assertThat(store.describe("t").firstAvailable())
        .as("one message over the limit stays alone")
        .isEqualTo(6);
    assertThat(store.store("small", new byte[10])).isEqualTo(1);
  }

  @Test
  void orderAndContentHoldThroughRoundsOfGrowthAndRemoval() throws IOException {
    // Rounds of varying size, each kept for two sweeps, grow the index and drop its blocks.
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
