package io.minikafka.broker.server;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.minikafka.broker.store.Record;
import io.minikafka.protocol.ProduceBatchResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One ProduceStream call. Requests are queued as they arrive and stored by one drain at a time on
 * {@code executor}; the drain stores every queued batch of the same topic with one store call, so
 * batches that arrive while the previous store waits for its fsync share the next one (group commit
 * within a stream), and acknowledges each batch, in order, with its own numbers.
 *
 * <p>Flow control bounds the memory streams pin: one request at a time is asked for, the next as
 * soon as one arrives, for as long as the server's {@link ProduceQueue} has room; without room the
 * stream waits until stored requests (its own or another stream's) give their bytes back. The
 * client keeps sending meanwhile (HTTP/2 flow control paces the bytes in flight), and batches that
 * arrive during a store share the next one. Thread-safety: gRPC calls the observer methods one at a
 * time; the response stream and the queue's bytes are given back only by the drain ({@code wip}
 * keeps it to one at a time), which also ends the call when the client completes it, a batch fails,
 * or {@link #requestEnd} asks, and gives back what an ended stream still held.
 */
final class ProduceStream implements StreamObserver<IncomingBatch>, Runnable, ProduceQueue.Waiter {

  /** What the service does with batches. */
  interface Handler {
    /**
     * A request's messages, checked; throws IllegalArgumentException naming what is wrong, or
     * PermissionDeniedException if the caller may not produce to its topic.
     */
    List<Record> records(IncomingBatch request);

    /** Stores records of one topic together and returns the first number. */
    long store(String topic, List<Record> records) throws IOException;

    /** Called once the stored group is acknowledged, so that readers come after the producer. */
    void stored(String topic);
  }

  /** Payload bytes stored together at most; one batch larger than this is stored alone. */
  private static final long MAX_GROUP_BYTES = 8L * 1024 * 1024;

  private final ServerCallStreamObserver<ProduceBatchResponse> responses;
  private final Handler handler;
  private final Executor executor;
  private final Runnable onEnd;
  private final Queue<IncomingBatch> queue = new ConcurrentLinkedQueue<>();
  private final ProduceQueue produceQueue;

  /** Bytes of this stream's requests received and not yet given back to the produce queue. */
  private final AtomicLong queuedBytes = new AtomicLong();

  /** Set while no request is asked for because the produce queue is full. */
  private final AtomicBoolean paused = new AtomicBoolean();

  private final AtomicInteger wip = new AtomicInteger();
  private volatile boolean clientDone;
  private volatile boolean ended;
  private volatile Status endRequested;

  ProduceStream(
      ServerCallStreamObserver<ProduceBatchResponse> responses,
      Handler handler,
      Executor executor,
      ProduceQueue produceQueue,
      Runnable onEnd) {
    this.produceQueue = produceQueue;
    this.responses = responses;
    this.handler = handler;
    this.executor = executor;
    this.onEnd = onEnd;
  }

  /** Takes over flow control of the call; call before returning the observer to gRPC. */
  void start() {
    // With a cancel handler set, a response sent after the client cancelled is dropped, not thrown.
    responses.setOnCancelHandler(
        () -> {
          ended = true;
          signal();
        });
    responses.disableAutoRequest();
    askForNext();
  }

  /** Asks for the next request if the produce queue has room, else waits for room. */
  private void askForNext() {
    if (produceQueue.hasRoom()) {
      responses.request(1);
    } else {
      paused.set(true);
      produceQueue.await(this);
      // Bytes may have been given back between the check and the pause: look again.
      resumeIfRoom();
    }
  }

  @Override
  public void onNext(IncomingBatch request) {
    if (ended) {
      return;
    }
    int bytes = request.bytes();
    queuedBytes.addAndGet(bytes);
    produceQueue.add(bytes);
    queue.add(request);
    askForNext();
    signal();
  }

  /** Gives back the bytes of requests stored or refused. Drain thread only. */
  private void release(long bytes) {
    queuedBytes.addAndGet(-bytes);
    produceQueue.release(bytes);
    resumeIfRoom();
  }

  @Override
  public void resumeIfRoom() {
    if (!ended && produceQueue.hasRoom() && paused.compareAndSet(true, false)) {
      produceQueue.stopWaiting(this);
      responses.request(1);
    }
  }

  @Override
  public void onError(Throwable cancelled) {
    ended = true;
    onEnd.run();
    signal();
  }

  @Override
  public void onCompleted() {
    clientDone = true;
    signal();
  }

  /** Ends the call with {@code status} after the batch being stored, from any thread. */
  void requestEnd(Status status) {
    endRequested = status;
    signal();
  }

  private void signal() {
    if (wip.getAndIncrement() == 0) {
      executor.execute(this);
    }
  }

  @Override
  public void run() {
    int missed = 1;
    do {
      drain();
      missed = wip.addAndGet(-missed);
    } while (missed != 0);
  }

  private void drain() {
    if (ended) {
      giveBackAll();
      return;
    }
    while (!ended) {
      Status requested = endRequested;
      if (requested != null) {
        end(requested);
        return;
      }
      IncomingBatch first = queue.peek();
      if (first == null) {
        if (clientDone) {
          end(Status.OK);
        }
        return;
      }
      String topic = first.topic();
      List<IncomingBatch> group = new ArrayList<>();
      List<Record> records = new ArrayList<>();
      List<Integer> counts = new ArrayList<>();
      RuntimeException invalid = null;
      long bytes = 0;
      long taken = 0;
      IncomingBatch next;
      while ((next = queue.peek()) != null
          && next.topic().equals(topic)
          && (group.isEmpty() || bytes + next.bytes() <= MAX_GROUP_BYTES)) {
        queue.poll();
        taken += next.bytes();
        try {
          List<Record> checked = handler.records(next);
          records.addAll(checked);
          counts.add(checked.size());
          group.add(next);
          bytes += next.bytes();
        } catch (RuntimeException e) {
          invalid = e;
          break;
        }
      }
      if (!group.isEmpty()) {
        long number;
        try {
          number = handler.store(topic, records);
        } catch (Exception e) {
          release(taken);
          end(StatusMapper.toException(e));
          return;
        }
        for (int count : counts) {
          responses.onNext(
              ProduceBatchResponse.newBuilder().setFirstMsgNumber(number).setCount(count).build());
          number += count;
        }
        handler.stored(topic);
      }
      release(taken);
      if (invalid != null) {
        end(StatusMapper.toException(invalid));
        return;
      }
    }
  }

  /** What an ended stream still holds goes back to the produce queue, so other streams get it. */
  private void giveBackAll() {
    queue.clear();
    produceQueue.stopWaiting(this);
    long left = queuedBytes.getAndSet(0);
    if (left != 0) {
      produceQueue.release(left);
    }
  }

  /** Ends the call, unless it has ended. Drain thread only. */
  private void end(Status status) {
    end(status.isOk() ? null : status.asRuntimeException());
  }

  /** Ends the stream: with {@code failure}, or completed if it is null. */
  private void end(io.grpc.StatusRuntimeException failure) {
    if (ended) {
      giveBackAll();
      return;
    }
    ended = true;
    giveBackAll();
    onEnd.run();
    if (failure == null) {
      responses.onCompleted();
    } else {
      responses.onError(failure);
    }
  }
}
