package io.minikafka.broker.server;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.minikafka.broker.store.BackingStore;
import io.minikafka.broker.store.PollLimits;
import io.minikafka.broker.store.PollResult;
import io.minikafka.broker.store.ReadPastEndException;
import io.minikafka.broker.store.UnknownTopicException;
import java.time.Instant;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One Subscribe call: sends the topic from a number on, in bounded batches, then each new message
 * as it is stored.
 *
 * <p>Flow control (grpc-java's manual flow control pattern): it sends only while the call {@link
 * ServerCallStreamObserver#isReady() is ready} and resumes from the on-ready handler, so a slow
 * subscriber costs at most one batch of buffered memory. One drain at a time ({@code wip} counts
 * requests to drain): on {@code executor}, except that a caught-up subscriber is sent new messages
 * by the thread that appended them, one batch at most (see {@link TopicEvents}).
 */
final class Subscription implements Runnable {

  private final BackingStore store;
  private final TopicEvents events;
  private final Executor executor;
  private final ServerCallStreamObserver<SubscribeBatch> out;
  private final String topic;
  private final PollLimits limits;
  private final Runnable onEnd;
  private final Runnable wakeUp = this::woken;
  private final AtomicInteger wip = new AtomicInteger();
  private long next;

  /** Where to start instead of {@code next}, resolved once the topic exists; 0 when not asked. */
  private long fromTimeMillis;

  /** Whether the call has told the client it caught up. Drain thread only. */
  private boolean announcedCaughtUp;

  /** Whether the last look found no topic of that name. Drain thread only. */
  private boolean topicMissing;

  /**
   * Whether the last batch sent reached the end its read reported: the next look registers for the
   * next append first, sparing a read that would find nothing (over Kafka, a fetch and a request
   * for the topic's end per message). Drain thread only.
   */
  private boolean atEnd;

  /**
   * Whether the last look found nothing new and registered for the next append: until that wakes it
   * ({@link #woke}), a drain (the transport ready again) has no reason to read. Drain thread only.
   */
  private boolean waiting;

  /** Set by the wake-up before it drains or asks the running drain to go again. */
  private volatile boolean woke;

  /** Set by the gRPC thread on cancel, or by the drain when it ends the call. */
  private volatile boolean ended;

  /** How another thread (server shutdown) asks the drain to end the call. */
  private volatile Status endRequested;

  Subscription(
      BackingStore store,
      TopicEvents events,
      Executor executor,
      ServerCallStreamObserver<SubscribeBatch> out,
      String topic,
      long readFrom,
      long fromTimeMillis,
      PollLimits limits,
      Runnable onEnd) {
    this.store = store;
    this.events = events;
    this.executor = executor;
    this.out = out;
    this.topic = topic;
    this.next = Math.max(readFrom, 1);
    this.fromTimeMillis = fromTimeMillis;
    this.limits = limits;
    this.onEnd = onEnd;
  }

  void start() {
    out.setOnCancelHandler(this::cancelled);
    out.setOnReadyHandler(this::signal);
    signal();
  }

  /** Asks for a drain; runs one on the executor unless one is running, which then goes again. */
  void signal() {
    if (!ended && wip.getAndIncrement() == 0) {
      executor.execute(this);
    }
  }

  /** Ends the call with {@code status} from any thread; the drain thread does the ending. */
  void requestEnd(Status status) {
    endRequested = status;
    signal();
  }

  @Override
  public void run() {
    int missed = 1;
    do {
      try {
        drain();
      } catch (Exception e) {
        end(StatusMapper.toException(e));
      }
      missed = wip.addAndGet(-missed);
    } while (missed != 0);
  }

  private void drain() throws Exception {
    while (drainOnce()) {
      // Each round sends one batch, for as long as the client keeps up and messages remain.
    }
  }

  /**
   * Called by {@link TopicEvents} on the appending thread: sends the new messages from there,
   * sparing a hand-off to the executor, but no more than one batch; anything beyond goes to the
   * executor.
   */
  private void woken() {
    woke = true;
    if (ended || wip.getAndIncrement() != 0) {
      return;
    }
    boolean more;
    try {
      // The second look normally finds nothing and registers for the next append.
      more = drainOnce() && drainOnce();
    } catch (Exception e) {
      end(StatusMapper.toException(e));
      more = false;
    }
    if (more || !wip.compareAndSet(1, 0)) {
      // Hands this drain over (wip stays claimed): more to send, or signals came meanwhile.
      executor.execute(this);
    }
  }

  /** Sends one batch if the call is ready and there is one; true if it sent one. */
  private boolean drainOnce() throws Exception {
    if (ended) {
      return false;
    }
    Status requested = endRequested;
    if (requested != null) {
      end(requested.asRuntimeException());
      return false;
    }
    if (!out.isReady() || (waiting && !woke)) {
      return false;
    }
    waiting = false;
    woke = false;
    PollResult result = pollOrWait();
    if (result == null) {
      waiting = true;
      if (!announcedCaughtUp) {
        announcedCaughtUp = true;
        out.onNext(SubscribeBatch.caughtUp(topicMissing));
      }
      return false;
    }
    long skipped = result.skipped(next);
    SubscribeBatch batch =
        skipped > 0
            ? SubscribeBatch.of(result, result.firstAvailable(), skipped)
            : SubscribeBatch.of(result, 0, 0);
    next = result.count() == 0 ? Math.max(next, result.firstAvailable()) : result.newReadFrom();
    atEnd = result.count() > 0 && next >= result.nextNumber();
    out.onNext(batch);
    return true;
  }

  /**
   * Messages from {@code next} on, or a skip to report; null after arranging to be woken when the
   * topic grows (or comes into being).
   */
  private PollResult pollOrWait() throws Exception {
    PollResult result;
    if (!atEnd) {
      result = tryPoll();
      if (result != null && result.pastEnd(next)) {
        throw new ReadPastEndException(topic, next, result.nextNumber());
      }
      if (result != null && (result.count() > 0 || result.skipped(next) > 0)) {
        return result;
      }
    }
    atEnd = false;
    events.await(topic, wakeUp);
    result = tryPoll();
    if (result != null && result.pastEnd(next)) {
      events.cancel(topic, wakeUp);
      throw new ReadPastEndException(topic, next, result.nextNumber());
    }
    if (result != null && (result.count() > 0 || result.skipped(next) > 0)) {
      events.cancel(topic, wakeUp);
      return result;
    }
    return null;
  }

  private PollResult tryPoll() throws Exception {
    try {
      if (fromTimeMillis != 0) {
        next = store.firstAtOrAfter(topic, Instant.ofEpochMilli(fromTimeMillis));
        fromTimeMillis = 0;
      }
      PollResult result = store.pollEncoded(topic, next, limits);
      topicMissing = false;
      return result;
    } catch (UnknownTopicException notYet) {
      topicMissing = true;
      return null;
    }
  }

  /** Ends the call with a failure, unless it has ended. Drain thread only. */
  private void end(StatusRuntimeException failure) {
    if (ended) {
      return;
    }
    ended = true;
    events.cancel(topic, wakeUp);
    onEnd.run();
    try {
      out.onError(failure);
    } catch (IllegalStateException alreadyClosed) {
      // The client cancelled at the same moment.
    }
  }

  private void cancelled() {
    ended = true;
    events.cancel(topic, wakeUp);
    onEnd.run();
  }
}
