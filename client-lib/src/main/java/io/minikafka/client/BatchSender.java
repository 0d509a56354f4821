package io.minikafka.client;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.UnsafeByteOperations;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.minikafka.protocol.Payload;
import io.minikafka.protocol.ProduceBatchRequest;
import io.minikafka.protocol.ProduceBatchResponse;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The asynchronous half of a {@link Producer}: gathers messages into batches and sends them on one
 * {@code ProduceStream} call, whose acknowledgements come back in order.
 *
 * <p>Batching adapts to the link, as TCP's Nagle algorithm does: a batch that could still take more
 * messages is sent only while no other is unacknowledged, so an idle link sends each message at
 * once (with no linger), and messages sent during a round trip share the next batch. Sealed batches
 * (full, or followed by another because a message did not fit or was of the other kind), and any
 * batch while a send waits for buffer space, pipeline: at most {@value #MAX_IN_FLIGHT}
 * unacknowledged at a time, as Kafka's producer limits its requests in flight; while that many are,
 * new messages join the newest waiting batch. A busy or slow server thus gets fewer, larger
 * batches, never an ever longer queue of small ones whose acknowledgements fall further behind.
 *
 * <p>Limits: a message over the server's maximum size fails alone, before it is sent; a message
 * joins a batch only if the request stays within what the server reads.
 *
 * <p>Ordering: one stream at a time, batches in send order, so numbers follow send order. A failed
 * stream (the server's error, or a batch not acknowledged within the timeout) fails every batch in
 * flight on it, never retried, so never duplicated or reordered; batches still waiting go on a new
 * stream. Thread-safety: everything but the wait for buffer space and the completion of futures
 * happens under this object's monitor, which also keeps each gRPC call (they are not thread-safe)
 * to one caller at a time.
 */
final class BatchSender {

  /** Batches unacknowledged at a time; more waiting messages make the next batch larger. */
  static final int MAX_IN_FLIGHT = 8;

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

  private final ClientMetrics metrics;
  private final String topic;
  private final Connection connection;
  private final ProducerOptions options;
  private final Semaphore buffer;

  /** Batches not sent yet, oldest first; the newest takes new messages while it has room. */
  private final ArrayDeque<Batch> waiting = new ArrayDeque<>();

  /** The stream batches go on; null until the next send opens one. */
  private Stream stream;

  private boolean closed;

  /** Sends waiting for buffer space; while there are any, no batch lingers. */
  private int blocked;

  /** The server's limits as the last send found them; what a new stream is opened with. */
  private ServerLimits limits = ServerLimits.UNKNOWN;

  /**
   * Futures to fail, queued under the monitor and failed by whichever thread leaves it next: their
   * callbacks are the application's, and must never run while the monitor is held.
   */
  private final Queue<Runnable> failures = new ConcurrentLinkedQueue<>();

  /** Messages sent together, and what their senders wait for. */
  private static final class Batch {
    final ProduceBatchRequest.Builder request;
    final List<CompletableFuture<Long>> futures = new ArrayList<>();
    final CompletableFuture<Void> done = new CompletableFuture<>();
    long payloadBytes;
    long requestBytes;
    int permits;

    /** Sent without waiting out the linger time: lingered already, or flushed. */
    boolean due;

    /**
     * Taken off its stream by an acknowledgement (sender's monitor); its deadline no longer counts.
     */
    boolean acknowledged;

    /** The linger timer while waiting; the acknowledgement deadline once sent. */
    ScheduledFuture<?> timer;

    Batch(String topic) {
      request = ProduceBatchRequest.newBuilder().setTopic(topic);
      requestBytes =
          CodedOutputStream.computeStringSize(ProduceBatchRequest.TOPIC_FIELD_NUMBER, topic);
    }
  }

  /** One ProduceStream call and its unacknowledged batches, oldest first. Sender's monitor. */
  private final class Stream
      implements ClientResponseObserver<ProduceBatchRequest, ProduceBatchResponse> {
    private ClientCallStreamObserver<ProduceBatchRequest> requests;
    private final ArrayDeque<Batch> inFlight = new ArrayDeque<>();
    private boolean ended;

    @Override
    public void beforeStart(ClientCallStreamObserver<ProduceBatchRequest> requestStream) {
      requests = requestStream;
    }

    @Override
    public void onNext(ProduceBatchResponse ack) {
      acknowledged(this, ack);
    }

    @Override
    public void onError(Throwable t) {
      ended(
          this,
          new StatusRuntimeException(Status.fromThrowable(t), Status.trailersFromThrowable(t)));
    }

    @Override
    public void onCompleted() {
      ended(
          this,
          Status.UNAVAILABLE.withDescription("the server ended the stream").asRuntimeException());
    }
  }

  BatchSender(String topic, Connection connection, ProducerOptions options, ClientMetrics metrics) {
    this.metrics = metrics;
    this.topic = topic;
    this.connection = connection;
    this.options = options;
    this.buffer = new Semaphore((int) Math.min(options.bufferBytes(), Integer.MAX_VALUE));
  }

  CompletableFuture<Long> send(byte[] payload) {
    return send(payload, null, payload.length);
  }

  CompletableFuture<Long> send(ProducerRecord record) {
    if (record.key().length == 0 && record.headers().isEmpty()) {
      return send(record.payload());
    }
    return send(null, wire(record), record.size());
  }

  /** A record as the wire carries it; its arrays are wrapped, not copied. */
  static Payload wire(ProducerRecord record) {
    Payload.Builder payload =
        Payload.newBuilder()
            .setPayload(UnsafeByteOperations.unsafeWrap(record.payload()))
            .setKey(UnsafeByteOperations.unsafeWrap(record.key()));
    for (Header header : record.headers()) {
      payload.addHeaders(header.toWire());
    }
    return payload.build();
  }

  /** Sends a plain {@code payload}, or a {@code record} with a key or headers. */
  private CompletableFuture<Long> send(byte[] payload, Payload record, long size) {
    try {
      connection.checkSize(topic, size);
    } catch (MiniKafkaException tooLarge) {
      return CompletableFuture.failedFuture(tooLarge);
    }
    // Looked up outside the monitor: the first lookup may wait for the server's answer.
    ServerLimits known = connection.limits();
    int permits =
        (int)
            Math.min(
                size + ProducerOptions.MESSAGE_OVERHEAD_BYTES,
                Math.min(options.bufferBytes(), Integer.MAX_VALUE));
    acquire(permits);
    try {
      return add(payload, record, size, permits, known);
    } finally {
      runFailures();
    }
  }

  /** Adds a message to the newest waiting batch, or to a new one if it has no room. */
  private synchronized CompletableFuture<Long> add(
      byte[] payload, Payload record, long size, int permits, ServerLimits known) {
    limits = known;
    long maxRequestBytes = known.maxRequestBytes();
    if (closed) {
      buffer.release(permits);
      throw new IllegalStateException("the producer is closed");
    }
    // A batch carries payloads or records, not both: a record never joins a batch of payloads, and
    // a plain message joining a batch of records goes as a record. A new batch takes what comes.
    Batch batch = waiting.peekLast();
    if (batch != null && record != null && batch.request.getPayloadsCount() > 0) {
      batch = null;
    }
    long wireBytes = wireBytes(batch, payload, record);
    if (batch == null
        || batch.payloadBytes >= options.batchBytes()
        || batch.requestBytes + wireBytes > maxRequestBytes) {
      batch = newBatch();
      wireBytes = wireBytes(batch, payload, record);
    }
    boolean asRecord = record != null || batch.request.getRecordsCount() > 0;
    if (asRecord && record == null) {
      record = Payload.newBuilder().setPayload(UnsafeByteOperations.unsafeWrap(payload)).build();
    }
    CompletableFuture<Long> future = new CompletableFuture<>();
    // The caller hands the arrays over, as to sendMessage; no copy is taken.
    if (asRecord) {
      batch.request.addRecords(record);
    } else {
      batch.request.addPayloads(UnsafeByteOperations.unsafeWrap(payload));
    }
    batch.futures.add(future);
    batch.payloadBytes += size;
    batch.requestBytes += wireBytes;
    batch.permits += permits;
    drain();
    return future;
  }

  /** What a message adds to {@code batch}'s request: as a payload, or as a record. */
  private static long wireBytes(Batch batch, byte[] payload, Payload record) {
    if (record != null) {
      return CodedOutputStream.computeMessageSize(ProduceBatchRequest.RECORDS_FIELD_NUMBER, record);
    }
    if (batch != null && batch.request.getRecordsCount() > 0) {
      return CodedOutputStream.computeMessageSize(
          ProduceBatchRequest.RECORDS_FIELD_NUMBER,
          Payload.newBuilder().setPayload(UnsafeByteOperations.unsafeWrap(payload)).build());
    }
    return CodedOutputStream.computeByteArraySize(
        ProduceBatchRequest.PAYLOADS_FIELD_NUMBER, payload);
  }

  /** A new waiting batch, due once it lingered. Holds the monitor. */
  private Batch newBatch() {
    Batch batch = new Batch(topic);
    if (options.linger().isZero()) {
      batch.due = true;
    } else {
      batch.timer =
          TIMER.schedule(() -> lingered(batch), options.linger().toNanos(), TimeUnit.NANOSECONDS);
    }
    waiting.addLast(batch);
    return batch;
  }

  private void lingered(Batch batch) {
    synchronized (this) {
      batch.due = true;
      drain();
    }
    runFailures();
  }

  private void acquire(int permits) {
    if (buffer.tryAcquire(permits)) {
      return;
    }
    // Space comes back only as batches are acknowledged: while a send waits for it, batches go
    // without lingering, as Kafka's producer sends while its memory is exhausted. Otherwise a batch
    // that the full buffer keeps from filling would wait out its linger, and this send with it.
    synchronized (this) {
      blocked++;
      drain();
    }
    runFailures();
    boolean acquired;
    try {
      acquired = buffer.tryAcquire(permits, options.maxBlock().toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MiniKafkaException(
          "send to topic '" + topic + "' interrupted while waiting for buffer space",
          Status.CANCELLED);
    } finally {
      synchronized (this) {
        blocked--;
      }
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

  /**
   * Sends waiting batches, the oldest first, each once it is due, full, followed by another, or
   * wanted by a send waiting for buffer space: while fewer than {@value #MAX_IN_FLIGHT} are
   * unacknowledged, or, for one that can still grow while no send waits for space, none. Holds the
   * monitor.
   */
  private void drain() {
    while (!waiting.isEmpty()) {
      Batch batch = waiting.peekFirst();
      // Sealed: full, or followed by another, so it cannot take more messages.
      boolean sealed = batch != waiting.peekLast() || batch.payloadBytes >= options.batchBytes();
      boolean ready = batch.due || blocked > 0 || sealed;
      // One that can still grow goes only over an idle stream, else it gathers what is sent until
      // the acknowledgement (Nagle's rule): a steady trickle then costs a request per round trip,
      // not one per message. Sealed ones, and any while a send waits for buffer space, pipeline.
      int limit = sealed || blocked > 0 ? MAX_IN_FLIGHT : 1;
      if (!ready || (stream != null && stream.inFlight.size() >= limit)) {
        return;
      }
      waiting.pollFirst();
      if (batch.timer != null) {
        batch.timer.cancel(false);
      }
      if (stream == null) {
        stream = new Stream();
        connection.asyncStub(limits).produceStream(stream);
      }
      Stream on = stream;
      on.inFlight.add(batch);
      batch.timer =
          TIMER.schedule(
              () -> expire(batch, on), connection.timeout().toNanos(), TimeUnit.NANOSECONDS);
      metrics.sent(topic, batch.futures.size());
      try {
        on.requests.onNext(batch.request.build());
      } catch (RuntimeException e) {
        on.requests.cancel("sending a batch failed", e);
        fail(
            end(on),
            Status.INTERNAL
                .withDescription("sending a batch failed: " + e)
                .withCause(e)
                .asRuntimeException());
      }
    }
  }

  private void acknowledged(Stream on, ProduceBatchResponse ack) {
    Batch batch;
    synchronized (this) {
      batch = on.inFlight.poll();
      if (batch == null) {
        return;
      }
      batch.acknowledged = true;
      batch.timer.cancel(false);
      // Before the futures' callbacks, which are the application's: a batch held back by this one
      // leaves without waiting for them.
      drain();
    }
    buffer.release(batch.permits);
    metrics.acknowledged(topic, batch.futures.size());
    long first = ack.getFirstMsgNumber();
    for (int i = 0; i < batch.futures.size(); i++) {
      batch.futures.get(i).complete(first + i);
    }
    batch.done.complete(null);
    runFailures();
  }

  /** A batch not acknowledged within the timeout ends its stream, failing what is in flight. */
  private void expire(Batch batch, Stream on) {
    synchronized (this) {
      if (batch.acknowledged || on.ended) {
        return;
      }
      String why = "no acknowledgement within " + connection.timeout().toMillis() + " ms";
      on.requests.cancel(why, null);
      fail(end(on), Status.DEADLINE_EXCEEDED.withDescription(why).asRuntimeException());
      drain();
    }
    runFailures();
  }

  private void ended(Stream on, StatusRuntimeException failure) {
    synchronized (this) {
      if (on.ended) {
        return;
      }
      fail(end(on), failure);
      drain();
    }
    runFailures();
  }

  /** Ends a stream and takes its unacknowledged batches. Holds the monitor. */
  private List<Batch> end(Stream on) {
    on.ended = true;
    if (stream == on) {
      stream = null;
    }
    List<Batch> unacknowledged = new ArrayList<>(on.inFlight);
    on.inFlight.clear();
    return unacknowledged;
  }

  /** Queues the failure of the batches' futures, for {@link #runFailures}. Holds the monitor. */
  private void fail(List<Batch> batches, StatusRuntimeException failure) {
    if (batches.isEmpty()) {
      return;
    }
    MiniKafkaException error = connection.failure("send to topic '" + topic + "'", failure);
    for (Batch batch : batches) {
      batch.timer.cancel(false);
    }
    failures.add(
        () -> {
          for (Batch batch : batches) {
            buffer.release(batch.permits);
            metrics.failed(topic, batch.futures.size());
            for (CompletableFuture<Long> future : batch.futures) {
              future.completeExceptionally(error);
            }
            batch.done.complete(null);
          }
        });
  }

  /** Fails the futures queued by {@link #fail}. Called without the monitor. */
  private void runFailures() {
    Runnable failure;
    while ((failure = failures.poll()) != null) {
      failure.run();
    }
  }

  /** Sends what waits and returns once every message sent before has its outcome. */
  void flush() {
    List<CompletableFuture<Void>> outstanding = new ArrayList<>();
    synchronized (this) {
      for (Batch batch : waiting) {
        batch.due = true;
        outstanding.add(batch.done);
      }
      if (stream != null) {
        for (Batch batch : stream.inFlight) {
          outstanding.add(batch.done);
        }
      }
      drain();
    }
    runFailures();
    CompletableFuture.allOf(outstanding.toArray(CompletableFuture[]::new)).join();
  }

  /** Refuses later sends, sends what waits and waits for its outcome, then ends the stream. */
  void close() {
    synchronized (this) {
      closed = true;
    }
    flush();
    synchronized (this) {
      if (stream != null) {
        Stream s = stream;
        s.ended = true;
        stream = null;
        s.requests.onCompleted();
      }
    }
  }
}
