package io.minikafka.broker.store.memory;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;

/**
 * Where a {@link TopicLog} gets its chunks and gives them back. {@link #DIRECT} keeps them outside
 * the Java heap, where the garbage collector neither traces nor copies them however many gigabytes
 * a store holds, and frees each at once when its topic lets it go.
 */
interface ChunkMemory {

  /** Chunks in direct memory (bounded by {@code -XX:MaxDirectMemorySize}), freed explicitly. */
  ChunkMemory DIRECT = new Direct();

  /**
   * A chunk of {@code bytes}.
   *
   * @throws OutOfMemoryError if there is no memory for it
   */
  ByteBuffer allocate(int bytes);

  /** Gives back a chunk from {@link #allocate} that nothing reads any longer. */
  void free(ByteBuffer chunk);

  /**
   * Direct buffers, freed through {@code sun.misc.Unsafe.invokeCleaner} (what Netty and Lucene use)
   * rather than when a collection finds them unreachable: a chunk long promoted to the old
   * generation would otherwise hold its memory until the next marking cycle, which a heap without
   * the messages may not need for hours. Where that method cannot be reached the collector frees
   * them.
   */
  final class Direct implements ChunkMemory {

    private static final Object UNSAFE;
    private static final Method INVOKE_CLEANER;

    static {
      Object unsafe = null;
      Method invokeCleaner = null;
      try {
        Class<?> type = Class.forName("sun.misc.Unsafe");
        Field field = type.getDeclaredField("theUnsafe");
        field.setAccessible(true);
        unsafe = field.get(null);
        invokeCleaner = type.getMethod("invokeCleaner", ByteBuffer.class);
      } catch (ReflectiveOperationException | RuntimeException e) {
        // Left to the collector.
      }
      UNSAFE = unsafe;
      INVOKE_CLEANER = invokeCleaner;
    }

    private Direct() {}

    @Override
    public ByteBuffer allocate(int bytes) {
      return ByteBuffer.allocateDirect(bytes);
    }

    @Override
    public void free(ByteBuffer chunk) {
      if (INVOKE_CLEANER == null) {
        return;
      }
      try {
        INVOKE_CLEANER.invoke(UNSAFE, chunk);
      } catch (ReflectiveOperationException e) {
        // The collector frees it instead.
      }
    }
  }
}
