package io.minikafka.broker.store.memory;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;

/**
 * Where a {@link TopicLog} gets its chunks and gives them back. {@link #DIRECT} keeps them outside
 * the Java heap, where the garbage collector neither traces nor copies them however many gigabytes
 * a store holds, and frees each at once when its topic lets it go; a store keeps up to two of them
 * for reuse instead ({@link ReadyChunks}).
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

  /**
   * A chunk of {@code bytes} if one is ready to be had at once, without new memory being made (and
   * zeroed) on this thread, else null. None is, unless this memory prepares them ({@link
   * ReadyChunks}). A chunk had this way may hold old bytes: only what its taker writes is its.
   */
  default ByteBuffer allocateReady(int bytes) {
    return null;
  }

  /**
   * Gives back a chunk from {@link #allocate} or {@link #allocateReady} that nothing reads any
   * longer.
   */
  void free(ByteBuffer chunk);

  /** Frees what this memory keeps for later, when its store closes. */
  default void close() {}

  /**
   * Direct buffers, freed through {@code sun.misc.Unsafe.invokeCleaner} (what Netty and Lucene use)
   * rather than when a collection finds them unreachable: a chunk long promoted to the old
   * generation would otherwise hold its memory until the next marking cycle, which a heap without
   * the messages may not need for hours. Where that method cannot be reached the collector frees
   * them.
   *
   * <p>A chunk that would take direct memory past its limit is refused at once: the JDK's own
   * allocation would first run a full collection and sleep, up to about half a second, on the
   * thread that asked (a network thread, holding its topic's lock).
   */
  final class Direct implements ChunkMemory {

    private static final Object UNSAFE;
    private static final Method INVOKE_CLEANER;
    private static final BufferPoolMXBean POOL =
        ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
            .filter(pool -> pool.getName().equals("direct"))
            .findFirst()
            .orElse(null);

    /** {@code -XX:MaxDirectMemorySize}, whose default (0) is the heap's maximum. */
    private static final long LIMIT = readLimit();

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

    /** The JVM's limit on direct memory, in bytes. */
    static long limit() {
      return LIMIT;
    }

    private static long readLimit() {
      try {
        long set =
            Long.parseLong(
                ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                    .getVMOption("MaxDirectMemorySize")
                    .getValue());
        return set > 0 ? set : Runtime.getRuntime().maxMemory();
      } catch (RuntimeException e) {
        return Long.MAX_VALUE;
      }
    }

    @Override
    public ByteBuffer allocate(int bytes) {
      if (POOL != null && POOL.getMemoryUsed() + bytes > LIMIT) {
        throw new OutOfMemoryError(
            "Cannot reserve " + bytes + " bytes of direct buffer memory (limit: " + LIMIT + ")");
      }
      return ByteBuffer.allocateDirect(bytes);
    }

    @Override
    public void free(ByteBuffer chunk) {
      if (INVOKE_CLEANER == null) {
        return;
      }
      try {
        INVOKE_CLEANER.invoke(UNSAFE, chunk);
      } catch (InvocationTargetException e) {
        // A slice or a duplicate: a defect of the caller's, not to pass unseen.
        throw new IllegalStateException("freeing a chunk failed", e.getCause());
      } catch (IllegalAccessException e) {
        // The collector frees it instead.
      }
    }
  }
}
