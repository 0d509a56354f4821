package io.minikafka.client;

import com.google.protobuf.UnsafeByteOperations;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.minikafka.protocol.ProduceBatchRequest;
import io.minikafka.protocol.ProduceBatchResponse;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The asynchronous half of a {@link Producer}: gathers messages into batches and sends them on one
 * {@code ProduceStream} call, whose acknowledgements come back in order.
 *
 * <p>Ordering: one stream at a time, batches in send order, so numbers follow send order. A
 * failed stream fails every unacknowledged message (never retried, so never duplicated or
 * reordered); the next send opens a new stream. Thread-safety: everything but the wait for buffer
 * space happens under this object's monitor, which also keeps gRPC's non-thread-safe request
 * observer to one caller at a time.
 */
final class BatchSender {

  /** Linger and acknowledgement timers of every producer: one daemon thread is plenty. */
  private static final ScheduledExecutorService TIMER = newTimer();

  private static ScheduledExecutorService newTimer() {
    ScheduledThreadPoolExecutor timer =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "minikafka-producer-timer");
              t.setDaemon(true);
              return t;
            });
    // Most timers are cancelled (the batch was acknowledged); drop them at once, not when due.
    timer.setRemoveOnCancelPolicy(true);
    return timer;
  }

  private final String topic;
  private final Connection connection;
  private final ProducerOptions options;
  private final Semaphore buffer;
  private final ArrayDeque<Batch> inFlight = new ArrayDeque<>();
  private Batch open;
  private ClientCallStreamObserver<ProduceBatchRequest> stream;
  private boolean closed;

  /** Messages sent together, and what their senders wait for. */
  private static final class Batch {
    final ProduceBatchRequest.Builder request;
    final List<CompletableFuture<Long>> futures = new ArrayList<>();
    final CompletableFuture<Void> done = new CompletableFuture<>();
    long bytes;
    int permits;
    ScheduledFuture<?> timer;

    Batch(String topic) {
      request = ProduceBatchRequest.newBuilder().setTopic(topic);
    }
  }

  BatchSender(String topic, Connection connection, ProducerOptions options) {
    this.topic = topic;
    this.connection = connection;
    this.options = options;
    this.buffer = new Semaphore((int) Math.min(options.bufferBytes(), Integer.MAX_VALUE));
  }

  CompletableFuture<Long> send(byte[] payload) {
    int permits = (int) Math.min(Math.max(payload.length, 1), options.bufferBytes());
    acquire(permits);
    synchronized (this) {
      if (closed) {
        buffer.release(permits);
        throw new IllegalStateException("the producer is closed");
      }
      if (open == null) {
        Batch batch = new Batch(topic);
        open = batch;
        if (!options.linger().isZero()) {
          batch.timer =
              TIMER.schedule(() -> sendIfOpen(batch), options.linger().toNanos(), TimeUnit.NANOSECONDS);
        }
      }
      Batch batch = open;
      CompletableFuture<Long> future = new CompletableFuture<>();
      // The caller hands the array over, as to sendMessage; no copy is taken.
      batch.request.addPayloads(UnsafeByteOperations.unsafeWrap(payload));
      batch.futures.add(future);
      batch.bytes += payload.length;
      batch.permits += permits;
      if (batch.bytes >= options.batchBytes() || options.linger().isZero()) {
        sendOpen();
      }
      return future;
    }
  }

  private void acquire(int permits) {
    boolean acquired;
    try {
      acquired = buffer.tryAcquire(permits, options.maxBlock().toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MiniKafkaException(
          "send to topic '" + topic + "' interrupted while waiting for buffer space",
          Status.CANCELLED);
    }
    if (!acquired) {
      throw new MiniKafkaException(
          "send to topic '"
              + topic
              + "' failed: the producer's buffer of "
              + options.bufferBytes()
              + " bytes stayed full for "
              + options.maxBlock().toMillis()
              + " ms (is the server keeping up?)",
          Status.RESOURCE_EXHAUSTED);
    }
  }

  private synchronized void sendIfOpen(Batch batch) {
    if (open == batch) {
      sendOpen();
    }
  }

  /** Sends the open batch. Holds the monitor. */
  private void sendOpen() {
    Batch batch = open;
    open = null;
    if (batch.timer != null) {
      batch.timer.cancel(false);
    }
    if (stream == null) {
      stream = openStream();
    }
    inFlight.add(batch);
    ClientCallStreamObserver<ProduceBatchRequest> current = stream;
    batch.timer =
        TIMER.schedule(
            () -> expire(batch, current), connection.timeout().toNanos(), TimeUnit.NANOSECONDS);
    current.onNext(batch.request.build());
  }

  private ClientCallStreamObserver<ProduceBatchRequest> openStream() {
    StreamResponses responses = new StreamResponses();
    connection.asyncStub().produceStream(responses);
    return responses.requests;
  }

  /** The acknowledgements of one stream; knows its request side to tell a stale stream's end. */
  private final class StreamResponses
      implements ClientResponseObserver<ProduceBatchRequest, ProduceBatchResponse> {
    private ClientCallStreamObserver<ProduceBatchRequest> requests;

    @Override
    public void beforeStart(ClientCallStreamObserver<ProduceBatchRequest> requestStream) {
      requests = requestStream;
    }

    @Override
    public void onNext(ProduceBatchResponse ack) {
      acknowledged(ack);
    }

    @Override
    public void onError(Throwable t) {
      streamFailed(requests, Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
      streamFailed(requests, Status.UNAVAILABLE.withDescription("the server ended the stream"));
    }
  }

  private void acknowledged(ProduceBatchResponse ack) {
    Batch batch;
    synchronized (this) {
      batch = inFlight.poll();
    }
    if (batch == null) {
      return;
    }
    batch.timer.cancel(false);
    buffer.release(batch.permits);
    long first = ack.getFirstMsgNumber();
    for (int i = 0; i < batch.futures.size(); i++) {
      batch.futures.get(i).complete(first + i);
    }
    batch.done.complete(null);
  }

  /** A batch not acknowledged within the timeout ends its stream, failing what is in flight. */
  private void expire(Batch batch, ClientCallStreamObserver<ProduceBatchRequest> on) {
    if (!batch.done.isDone()) {
      on.cancel(
          "no acknowledgement within " + connection.timeout().toMillis() + " ms",
          Status.DEADLINE_EXCEEDED.asRuntimeException());
    }
  }

  private void streamFailed(ClientCallStreamObserver<ProduceBatchRequest> which, Status status) {
    List<Batch> failed;
    synchronized (this) {
      if (stream == which) {
        stream = null;
      }
      failed = new ArrayList<>(inFlight);
      inFlight.clear();
    }
    if (failed.isEmpty()) {
      return;
    }
    MiniKafkaException error =
        connection.failure("send to topic '" + topic + "'", new StatusRuntimeException(status));
    for (Batch batch : failed) {
      batch.timer.cancel(false);
      buffer.release(batch.permits);
      for (CompletableFuture<Long> future : batch.futures) {
        future.completeExceptionally(error);
      }
      batch.done.complete(null);
    }
  }

  /** Sends what waits and returns once every message sent before has its outcome. */
  void flush() {
    List<CompletableFuture<Void>> outstanding = new ArrayList<>();
    synchronized (this) {
      if (open != null) {
        sendOpen();
      }
      for (Batch batch : inFlight) {
        outstanding.add(batch.done);
      }
    }
    CompletableFuture.allOf(outstanding.toArray(CompletableFuture[]::new)).join();
  }

  /** Flushes, then ends the stream. Later sends fail. */
  void close() {
    flush();
    synchronized (this) {
      closed = true;
      if (stream != null) {
        ClientCallStreamObserver<ProduceBatchRequest> s = stream;
        stream = null;
        s.onCompleted();
      }
    }
  }
}
