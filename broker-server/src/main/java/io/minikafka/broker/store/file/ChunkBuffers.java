package io.minikafka.broker.store.file;

import java.nio.ByteBuffer;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The buffers chunks are encoded into, kept for reuse: direct, in sizes from 64 KiB to {@link
 * GroupCommit#MAX_CHUNK_BYTES} by powers of two, so that a chunk is written without the JDK copying
 * it into a temporary direct buffer, and its memory is neither allocated nor zeroed again for the
 * next one. At most {@code budget} bytes of them exist at once, whatever the number of topics;
 * beyond that, and for a chunk larger than the largest size, a chunk gets a heap buffer, which the
 * garbage collector frees.
 *
 * <p>Thread-safety: safe for concurrent use. A buffer taken belongs to its taker until given back.
 */
final class ChunkBuffers {

  static final int SMALLEST = 64 * 1024;
  static final int LARGEST = GroupCommit.MAX_CHUNK_BYTES;

  private static final int CLASSES = Integer.numberOfTrailingZeros(LARGEST / SMALLEST) + 1;

  /** Shared by every topic of the JVM: 32 MiB, an eighth of a 256 MiB server's direct memory. */
  static final ChunkBuffers SHARED = new ChunkBuffers(32L * 1024 * 1024);

  private final long budget;
  private final AtomicLong allocated = new AtomicLong();

  @SuppressWarnings("unchecked")
  private final Queue<ByteBuffer>[] spares = new Queue[CLASSES];

  ChunkBuffers(long budget) {
    this.budget = budget;
    for (int i = 0; i < CLASSES; i++) {
      spares[i] = new ConcurrentLinkedQueue<>();
    }
  }

  /** An empty buffer of at least {@code minCapacity} bytes. */
  ByteBuffer take(long minCapacity) {
    if (minCapacity > LARGEST) {
      return ByteBuffer.allocate((int) Math.min(minCapacity, Integer.MAX_VALUE - 8));
    }
    int wanted = classOf(minCapacity);
    for (int i = wanted; i < CLASSES; i++) {
      ByteBuffer spare = spares[i].poll();
      if (spare != null) {
        return spare.clear();
      }
    }
    int size = SMALLEST << wanted;
    if (allocated.addAndGet(size) <= budget || dropSmallerSpares(wanted, size)) {
      return ByteBuffer.allocateDirect(size);
    }
    allocated.addAndGet(-size);
    return ByteBuffer.allocate(size);
  }

  /**
   * Frees spares smaller than class {@code wanted} until {@code size} more bytes fit the budget, so
   * that small spares left by a quiet time do not keep larger chunks on the heap; false if they do
   * not make room.
   */
  private boolean dropSmallerSpares(int wanted, int size) {
    for (int i = 0; i < wanted; i++) {
      ByteBuffer spare;
      while ((spare = spares[i].poll()) != null) {
        if (allocated.addAndGet(-spare.capacity()) <= budget) {
          return true;
        }
      }
    }
    return false;
  }

  /** Gives back a buffer from {@link #take} that is no longer used; heap buffers are dropped. */
  void give(ByteBuffer buffer) {
    if (buffer.isDirect()) {
      spares[classOf(buffer.capacity())].add(buffer);
    }
  }

  /** Bytes of direct buffers in existence, taken or spare. */
  long allocatedBytes() {
    return allocated.get();
  }

  private static int classOf(long capacity) {
    int i = 0;
    while ((long) SMALLEST << i < capacity) {
      i++;
    }
    return i;
  }
}
