package io.minikafka.broker.store.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Heap buffers standing in for direct memory: counts what is held, fails allocations past a count
 * when told to, refuses a free of a buffer it did not hand out or already took back, and fills a
 * freed buffer with 0xEE instead of letting it go, so that a read after a free reads garbage.
 */
final class PoisoningMemory implements ChunkMemory {
  private final Set<ByteBuffer> live = Collections.newSetFromMap(new IdentityHashMap<>());
  private long held;
  private final List<Integer> allocations = new ArrayList<>();
  private int allocationsLeft = Integer.MAX_VALUE;

  synchronized void failAfter(int allocations) {
    allocationsLeft = allocations;
  }

  synchronized long held() {
    return held;
  }

  /** The size of every allocation so far, in order, freed or not. */
  synchronized List<Integer> allocations() {
    return List.copyOf(allocations);
  }

  @Override
  public synchronized ByteBuffer allocate(int bytes) {
    if (allocationsLeft-- <= 0) {
      throw new OutOfMemoryError("Cannot reserve " + bytes + " bytes of direct buffer memory");
    }
    ByteBuffer buffer = ByteBuffer.allocate(bytes);
    allocations.add(bytes);
    live.add(buffer);
    held += bytes;
    return buffer;
  }

  @Override
  public synchronized void free(ByteBuffer chunk) {
    assertThat(live.remove(chunk)).as("a chunk handed out and not yet freed").isTrue();
    held -= chunk.capacity();
    Arrays.fill(chunk.array(), (byte) 0xEE);
  }
}
