package io.minikafka.broker.server;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.minikafka.protocol.ProduceBatchRequest;
import io.minikafka.protocol.ProduceBatchResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One ProduceStream call. Requests are queued as they arrive and stored by one drain at a time on
 * {@code executor}; the drain stores every queued batch of the same topic with one store call, so
 * batches that arrive while the previous store waits for its fsync share the next one (group
 * commit within a stream), and acknowledges each batch, in order, with its own numbers.
 *
 * <p>Flow control: a window of {@value #WINDOW} requests is kept asked for; each stored batch asks
 * for one more. Thread-safety: gRPC calls the observer methods one at a time; the response stream
 * is touched only by the drain ({@code wip} keeps it to one at a time), which also ends the call
 * when the client completes it, a batch fails, or {@link #requestEnd} asks.
 */
final class ProduceStream implements StreamObserver<ProduceBatchRequest>, Runnable {

  /** What the service does with batches. */
  interface Handler {
    /** A request's payloads, checked; throws IllegalArgumentException naming what is wrong. */
    List<byte[]> payloads(ProduceBatchRequest request);

    /** Stores payloads of one topic together and returns the first number. */
    long store(String topic, List<byte[]> payloads) throws IOException;

    /** Called once the stored group is acknowledged, so that readers come after the producer. */
    void stored(String topic);
  }

  static final int WINDOW = 32;
  /** Payload bytes stored together at most; one batch larger than this is stored alone. */
  private static final long MAX_GROUP_BYTES = 8L * 1024 * 1024;

  private final ServerCallStreamObserver<ProduceBatchResponse> responses;
  private final Handler handler;
  private final Executor executor;
  private final Runnable onEnd;
  private final Queue<ProduceBatchRequest> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger wip = new AtomicInteger();
  private volatile boolean clientDone;
  private volatile boolean ended;
  private volatile Status endRequested;

  ProduceStream(
      ServerCallStreamObserver<ProduceBatchResponse> responses,
      Handler handler,
      Executor executor,
      Runnable onEnd) {
    this.responses = responses;
    this.handler = handler;
    this.executor = executor;
    this.onEnd = onEnd;
  }

  /** Takes over flow control of the call; call before returning the observer to gRPC. */
  void start() {
    // With a cancel handler set, a response sent after the client cancelled is dropped, not thrown.
    responses.setOnCancelHandler(() -> ended = true);
    responses.disableAutoRequest();
    responses.request(WINDOW);
  }

  @Override
  public void onNext(ProduceBatchRequest request) {
    queue.add(request);
    signal();
  }

  @Override
  public void onError(Throwable cancelled) {
    ended = true;
    onEnd.run();
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
    while (!ended) {
      Status requested = endRequested;
      if (requested != null) {
        end(requested);
        return;
      }
      ProduceBatchRequest first = queue.peek();
      if (first == null) {
        if (clientDone) {
          end(Status.OK);
        }
        return;
      }
      String topic = first.getTopic();
      List<ProduceBatchRequest> group = new ArrayList<>();
      List<byte[]> payloads = new ArrayList<>();
      List<Integer> counts = new ArrayList<>();
      Exception invalid = null;
      long bytes = 0;
      ProduceBatchRequest next;
      while ((next = queue.peek()) != null
          && next.getTopic().equals(topic)
          && (group.isEmpty() || bytes + next.getSerializedSize() <= MAX_GROUP_BYTES)) {
        queue.poll();
        try {
          List<byte[]> checked = handler.payloads(next);
          payloads.addAll(checked);
          counts.add(checked.size());
          group.add(next);
          bytes += next.getSerializedSize();
        } catch (IllegalArgumentException e) {
          invalid = e;
          break;
        }
      }
      if (!group.isEmpty()) {
        long number;
        try {
          number = handler.store(topic, payloads);
        } catch (Exception e) {
          end(StatusMapper.toStatus(e));
          return;
        }
        for (int count : counts) {
          responses.onNext(
              ProduceBatchResponse.newBuilder().setFirstMsgNumber(number).setCount(count).build());
          number += count;
        }
        responses.request(group.size());
        handler.stored(topic);
      }
      if (invalid != null) {
        end(StatusMapper.toStatus(invalid));
        return;
      }
    }
  }

  /** Ends the call, unless it has ended. Drain thread only. */
  private void end(Status status) {
    if (ended) {
      return;
    }
    ended = true;
    onEnd.run();
    if (status.isOk()) {
      responses.onCompleted();
    } else {
      responses.onError(status.asRuntimeException());
    }
  }
}
