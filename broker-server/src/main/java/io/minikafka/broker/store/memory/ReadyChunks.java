package io.minikafka.broker.store.memory;

import java.nio.ByteBuffer;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Full-size chunks made ready ahead of need, so that an append, which runs on a network thread
 * holding its topic's lock, takes one at once rather than waiting while new memory is zeroed. On
 * this project's virtual machine a new 4 MiB direct buffer takes about 11 ms, a hundred times the
 * writing of its 4 MiB (docs/PERFORMANCE.md, "Full-size chunks, made ready ahead").
 *
 * <p>Requests for {@code chunkBytes} take a ready chunk if there is one; every such request asks
 * one shared background thread to make the ready chunks up to {@code ready} again. A {@link
 * TopicLog} asks with {@link #allocateReady}, and when none is ready grows a small chunk instead,
 * as it would without them: appends faster than the thread can make memory never wait for a whole
 * chunk's worth at once. A full-size chunk given back while fewer are ready is kept, cleared,
 * instead of freed, so a topic under retention reuses what it frees. Other sizes, and any request
 * while none is ready, go to the memory underneath as before. A ready chunk holds memory of the
 * kind underneath and counts toward its limit: at most {@code ready} chunks, and those only once a
 * full-size chunk was asked for.
 *
 * <p>Thread-safety: safe for any number of threads; {@link #close} frees the ready chunks, and
 * chunks given back after it are freed.
 */
final class ReadyChunks implements ChunkMemory {

  /** One thread for every store's ready chunks: it only allocates, a few at a time. */
  private static final ExecutorService PREPARER =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread thread = new Thread(r, "minikafka-chunk-preparer");
            thread.setDaemon(true);
            return thread;
          });

  private final ChunkMemory memory;
  private final int chunkBytes;
  private final int ready;
  private final Queue<ByteBuffer> chunks = new ConcurrentLinkedQueue<>();

  /** How many are in {@link #chunks}: a queue's own size is a walk over it. */
  private final AtomicInteger count = new AtomicInteger();

  private final AtomicBoolean preparing = new AtomicBoolean();
  private volatile boolean closed;

  /** Keeps up to {@code ready} chunks of {@code chunkBytes} from {@code memory} ready. */
  ReadyChunks(ChunkMemory memory, int chunkBytes, int ready) {
    this.memory = memory;
    this.chunkBytes = chunkBytes;
    this.ready = ready;
  }

  @Override
  public ByteBuffer allocate(int bytes) {
    ByteBuffer chunk = allocateReady(bytes);
    return chunk != null ? chunk : memory.allocate(bytes);
  }

  @Override
  public ByteBuffer allocateReady(int bytes) {
    if (bytes != chunkBytes) {
      return null;
    }
    ByteBuffer chunk = take();
    prepare();
    return chunk;
  }

  @Override
  public void free(ByteBuffer chunk) {
    if (!closed && chunk.capacity() == chunkBytes && count.get() < ready) {
      put(chunk.clear());
      if (closed) {
        freeReady();
      }
      return;
    }
    memory.free(chunk);
  }

  /** Frees the ready chunks; from now on, chunks given back are freed. */
  @Override
  public void close() {
    closed = true;
    freeReady();
  }

  /** How many chunks are ready now. */
  int readyCount() {
    return count.get();
  }

  private ByteBuffer take() {
    ByteBuffer chunk = chunks.poll();
    if (chunk != null) {
      count.decrementAndGet();
    }
    return chunk;
  }

  private void put(ByteBuffer chunk) {
    count.incrementAndGet();
    chunks.add(chunk);
  }

  /** Starts making chunks ready, unless that is under way. */
  private void prepare() {
    if (!closed && count.get() < ready && preparing.compareAndSet(false, true)) {
      PREPARER.execute(this::prepareChunks);
    }
  }

  private void prepareChunks() {
    try {
      while (!closed && count.get() < ready) {
        put(memory.allocate(chunkBytes));
      }
    } catch (OutOfMemoryError e) {
      // No room now: the next take tries again, and an append that finds none allocates itself
      // and is refused as it would have been.
    } finally {
      preparing.set(false);
    }
    if (closed) {
      freeReady();
    } else if (count.get() < ready) {
      // Taken while the loop was ending, when a take could not start another.
      prepare();
    }
  }

  private void freeReady() {
    ByteBuffer chunk;
    while ((chunk = take()) != null) {
      memory.free(chunk);
    }
  }
}
