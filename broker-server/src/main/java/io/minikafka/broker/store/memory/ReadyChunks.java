package io.minikafka.broker.store.memory;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;

/**
 * Full-size chunks made ready ahead of need, so that an append, which runs on a network thread
 * holding its topic's lock, takes one at once rather than waiting while new memory is zeroed. On
 * this project's virtual machine a new 4 MiB direct buffer takes about 11 ms, a hundred times the
 * writing of its 4 MiB (docs/PERFORMANCE.md, "Full-size chunks, made ready ahead").
 *
 * <p>Requests for {@code chunkBytes} take a ready chunk if there is one; every such request asks a
 * background thread to make the ready chunks up to {@code ready} again. A {@link TopicLog} asks
 * with {@link #allocateReady}, and when none is ready grows a small chunk instead, as it would
 * without them: appends faster than the thread can make memory never wait for a whole chunk's worth
 * at once. A full-size chunk given back while fewer than {@code ready} are ready is kept for reuse
 * instead of freed, so a topic under retention reuses what it frees; its old bytes stay in it, past
 * the fill of whoever takes it next, where no read reaches.
 *
 * <p>Memory: at most {@code ready} chunks are kept, and only once a full-size chunk was asked for.
 * They hold memory of the kind underneath and count toward its limit, so when an allocation of any
 * size finds that memory short, they are freed and it is tried once more; a background allocation
 * that finds it short stops until the next request.
 *
 * <p>Thread-safety: safe for any number of threads; {@link #close} frees the ready chunks, and
 * chunks given back after it are freed.
 */
final class ReadyChunks implements ChunkMemory {

  /** One thread for every store's ready chunks: it only allocates, a few at a time. */
  private static final Executor PREPARER =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread thread = new Thread(r, "minikafka-chunk-preparer");
            thread.setDaemon(true);
            return thread;
          });

  private final ChunkMemory memory;
  private final int chunkBytes;
  private final int ready;
  private final Executor preparer;

  /** The ready chunks. Guarded by itself, as are the two fields below. */
  private final ArrayDeque<ByteBuffer> chunks = new ArrayDeque<>();

  private boolean preparing;
  private boolean closed;

  /** Keeps up to {@code ready} chunks of {@code chunkBytes} from {@code memory} ready. */
  ReadyChunks(ChunkMemory memory, int chunkBytes, int ready) {
    this(memory, chunkBytes, ready, PREPARER);
  }

  /** As above, the chunks made on {@code preparer} (a test's own thread, say). */
  ReadyChunks(ChunkMemory memory, int chunkBytes, int ready, Executor preparer) {
    this.memory = memory;
    this.chunkBytes = chunkBytes;
    this.ready = ready;
    this.preparer = preparer;
  }

  @Override
  public ByteBuffer allocate(int bytes) {
    ByteBuffer chunk = allocateReady(bytes);
    if (chunk != null) {
      return chunk;
    }
    try {
      return memory.allocate(bytes);
    } catch (OutOfMemoryError e) {
      if (!freeReady()) {
        throw e;
      }
      return memory.allocate(bytes);
    }
  }

  @Override
  public ByteBuffer allocateReady(int bytes) {
    if (bytes != chunkBytes) {
      return null;
    }
    ByteBuffer chunk;
    boolean prepare;
    synchronized (chunks) {
      chunk = chunks.poll();
      prepare = !closed && !preparing;
      preparing |= prepare;
    }
    if (prepare) {
      preparer.execute(this::prepareChunks);
    }
    return chunk;
  }

  @Override
  public void free(ByteBuffer chunk) {
    if (chunk.capacity() == chunkBytes) {
      synchronized (chunks) {
        if (!closed && chunks.size() < ready) {
          chunks.add(chunk.clear());
          return;
        }
      }
    }
    memory.free(chunk);
  }

  /** Frees the ready chunks; from now on, chunks given back are freed. */
  @Override
  public void close() {
    synchronized (chunks) {
      closed = true;
    }
    freeReady();
  }

  /** How many chunks are ready now. */
  int readyCount() {
    synchronized (chunks) {
      return chunks.size();
    }
  }

  /** Makes chunks until enough are ready, the store closes, or memory runs short. */
  private void prepareChunks() {
    boolean again;
    try {
      while (true) {
        synchronized (chunks) {
          if (closed || chunks.size() >= ready) {
            break;
          }
        }
        ByteBuffer chunk = memory.allocate(chunkBytes);
        boolean kept;
        synchronized (chunks) {
          kept = !closed && chunks.size() < ready;
          if (kept) {
            chunks.add(chunk);
          }
        }
        if (!kept) {
          memory.free(chunk);
        }
      }
    } catch (OutOfMemoryError | RuntimeException e) {
      // Memory is short: the next request for a full-size chunk starts this again.
      synchronized (chunks) {
        preparing = false;
      }
      return;
    }
    synchronized (chunks) {
      // A chunk taken between the last check and here could start no preparing of its own.
      again = !closed && chunks.size() < ready;
      preparing = again;
    }
    if (again) {
      preparer.execute(this::prepareChunks);
    }
  }

  /** Frees every ready chunk; whether there was any. */
  private boolean freeReady() {
    boolean any = false;
    while (true) {
      ByteBuffer chunk;
      synchronized (chunks) {
        chunk = chunks.poll();
      }
      if (chunk == null) {
        return any;
      }
      any = true;
      memory.free(chunk);
    }
  }
}
