package io.minikafka.broker.store.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class ReadyChunksTest {

  private static final int CHUNK = 4096;
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final PoisoningMemory memory = new PoisoningMemory();
  private final ReadyChunks chunks = new ReadyChunks(memory, CHUNK, 2);

  @Test
  void aFullSizeChunkIsTakenReadyOnceTheBackgroundHasMadeSomeAndTheyAreMadeUpAgain() {
    ByteBuffer first = chunks.allocate(CHUNK);
    await().atMost(WAIT).until(() -> chunks.readyCount() == 2);

    memory.failAfter(0);
    ByteBuffer second = chunks.allocate(CHUNK);
    ByteBuffer third = chunks.allocate(CHUNK);

    assertThat(List.of(first, second, third)).allMatch(c -> c.capacity() == CHUNK);
    assertThat(second).isNotSameAs(third);
    assertThatThrownBy(() -> chunks.allocate(CHUNK))
        .as("none ready, and the memory underneath refuses")
        .isInstanceOf(OutOfMemoryError.class);

    memory.failAfter(Integer.MAX_VALUE);
    chunks.allocate(CHUNK);
    await().atMost(WAIT).until(() -> chunks.readyCount() == 2);
  }

  @Test
  void askingForAReadyChunkNeverMakesOneOnTheCallersThreadButStartsTheBackgroundOnIt() {
    assertThat(chunks.allocateReady(CHUNK)).as("none ready yet").isNull();
    await().atMost(WAIT).until(() -> chunks.readyCount() == 2);
    assertThat(memory.allocations()).as("made in the background").containsExactly(CHUNK, CHUNK);

    assertThat(chunks.allocateReady(CHUNK)).isNotNull();
    assertThat(chunks.allocateReady(CHUNK / 2)).as("only full-size chunks are made ready").isNull();
  }

  @Test
  void memoryRunningShortStopsTheBackgroundUntilTheNextRequestRatherThanRetryingAtOnce() {
    int[] attempts = {0};
    ChunkMemory counted =
        new ChunkMemory() {
          @Override
          public ByteBuffer allocate(int bytes) {
            attempts[0]++;
            return memory.allocate(bytes);
          }

          @Override
          public void free(ByteBuffer chunk) {
            memory.free(chunk);
          }
        };
    ReadyChunks direct = new ReadyChunks(counted, CHUNK, 2, Runnable::run);
    memory.failAfter(0);

    assertThat(direct.allocateReady(CHUNK)).isNull();
    assertThat(attempts[0]).as("one try, then it waits for the next request").isEqualTo(1);
    assertThat(direct.allocateReady(CHUNK)).isNull();
    assertThat(attempts[0]).isEqualTo(2);

    memory.failAfter(Integer.MAX_VALUE);
    assertThat(direct.allocateReady(CHUNK)).isNull();
    assertThat(direct.readyCount()).isEqualTo(2);
  }

  @Test
  void anAllocationThatFindsMemoryShortFreesTheReadyChunksAndTriesOnceMore() {
    boolean[] shortOnce = {false};
    ChunkMemory tight =
        new ChunkMemory() {
          @Override
          public ByteBuffer allocate(int bytes) {
            if (shortOnce[0]) {
              shortOnce[0] = false;
              throw new OutOfMemoryError("Cannot reserve " + bytes + " bytes");
            }
            return memory.allocate(bytes);
          }

          @Override
          public void free(ByteBuffer chunk) {
            memory.free(chunk);
          }
        };
    ReadyChunks direct = new ReadyChunks(tight, CHUNK, 2, Runnable::run);
    direct.allocateReady(CHUNK);
    assertThat(direct.readyCount()).isEqualTo(2);
    shortOnce[0] = true;

    ByteBuffer small = direct.allocate(100);

    assertThat(small.capacity()).isEqualTo(100);
    assertThat(direct.readyCount()).isZero();
    assertThat(memory.held()).as("the ready chunks given back").isEqualTo(100);
  }

  @Test
  void chunksGivenBackAtOnceByManyThreadsNeverKeepMoreThanAskedFor() throws Exception {
    ReadyChunks direct = new ReadyChunks(memory, CHUNK, 2, Runnable::run);
    List<ByteBuffer> taken = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      taken.add(memory.allocate(CHUNK));
    }
    ExecutorService threads = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (ByteBuffer chunk : taken) {
        done.add(threads.submit(() -> direct.free(chunk)));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      threads.shutdownNow();
    }

    assertThat(direct.readyCount()).isEqualTo(2);
    assertThat(memory.held()).isEqualTo(2L * CHUNK);
  }

  @Test
  void otherSizesGoStraightToTheMemoryUnderneathAndMakeNoneReady() {
    ByteBuffer small = chunks.allocate(CHUNK / 2);
    chunks.free(small);

    assertThat(memory.allocations()).containsExactly(CHUNK / 2);
    assertThat(chunks.readyCount()).isZero();
    assertThat(memory.held()).isZero();
  }

  @Test
  void aChunkGivenBackWhileFewerAreReadyIsKeptClearedAndTakenNext() {
    chunks.allocate(CHUNK);
    await().atMost(WAIT).until(() -> chunks.readyCount() == 2);
    memory.failAfter(0);
    ByteBuffer a = chunks.allocate(CHUNK);
    ByteBuffer b = chunks.allocate(CHUNK);
    a.position(100).limit(200);
    long held = memory.held();

    chunks.free(a);

    assertThat(memory.held()).as("kept, not freed").isEqualTo(held);
    ByteBuffer again = chunks.allocate(CHUNK);
    assertThat(again).isSameAs(a);
    assertThat(again.position()).isZero();
    assertThat(again.limit()).isEqualTo(CHUNK);
    chunks.free(b);
    chunks.free(again);
    memory.failAfter(Integer.MAX_VALUE);
  }

  @Test
  void aChunkGivenBackWhenEnoughAreReadyIsFreed() {
    ByteBuffer a = chunks.allocate(CHUNK);
    await().atMost(WAIT).until(() -> chunks.readyCount() == 2);

    chunks.free(a);

    assertThat(memory.held()).as("the two ready ones").isEqualTo(2L * CHUNK);
  }

  @Test
  void closeFreesTheReadyChunksAndEveryChunkGivenBackAfterIt() {
    ByteBuffer a = chunks.allocate(CHUNK);
    await().atMost(WAIT).until(() -> chunks.readyCount() == 2);

    chunks.close();
    assertThat(memory.held()).as("only the one taken").isEqualTo(CHUNK);
    chunks.free(a);

    assertThat(memory.held()).isZero();
    assertThat(chunks.allocate(CHUNK)).as("still works, unprepared").isNotNull();
    assertThat(chunks.readyCount()).isZero();
  }

  @Test
  void manyThreadsTakingAndGivingBackNeverShareAChunkAndNothingLeaks() throws Exception {
    Set<ByteBuffer> held =
        Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));
    ExecutorService threads = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        done.add(
            threads.submit(
                () -> {
                  List<ByteBuffer> mine = new ArrayList<>();
                  for (int i = 0; i < 3_000; i++) {
                    ByteBuffer chunk = chunks.allocate(CHUNK);
                    assertThat(held.add(chunk)).as("handed to one holder at a time").isTrue();
                    mine.add(chunk);
                    if (mine.size() > 3 || i % 7 == 0) {
                      ByteBuffer back = mine.remove(0);
                      held.remove(back);
                      chunks.free(back);
                    }
                  }
                  for (ByteBuffer back : mine) {
                    held.remove(back);
                    chunks.free(back);
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      threads.shutdownNow();
    }
    assertThat(chunks.readyCount()).as("never more than asked for").isLessThanOrEqualTo(2);
    chunks.close();
    await().atMost(WAIT).until(() -> memory.held() == 0);
  }
}
