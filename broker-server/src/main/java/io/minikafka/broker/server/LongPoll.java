package io.minikafka.broker.server;

import io.grpc.stub.ServerCallStreamObserver;
import io.minikafka.protocol.PollResponse;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A Poll with a maximum wait that found nothing yet: answered when the topic grows (or comes into
 * being), or empty at the deadline, whichever is first; exactly once.
 */
final class LongPoll {

  /** Polls the store; returns null while there is nothing to answer with. */
  interface Attempt {
    PollResponse tryAnswer() throws Exception;
  }

  private final String topic;
  private final TopicEvents events;
  private final Executor executor;
  private final ServerCallStreamObserver<PollResponse> out;
  private final Attempt attempt;
  private final PollResponse emptyAnswer;
  private final AtomicBoolean done = new AtomicBoolean();
  private final Runnable wakeUp = this::retrySoon;
  private volatile ScheduledFuture<?> deadline;

  LongPoll(
      String topic,
      TopicEvents events,
      Executor executor,
      ServerCallStreamObserver<PollResponse> out,
      Attempt attempt,
      PollResponse emptyAnswer) {
    this.topic = topic;
    this.events = events;
    this.executor = executor;
    this.out = out;
    this.attempt = attempt;
    this.emptyAnswer = emptyAnswer;
  }

  void start(ScheduledExecutorService timer, long maxWaitMillis) {
    out.setOnCancelHandler(() -> finish(null));
    deadline = timer.schedule(() -> executor.execute(() -> finish(emptyAnswer)), maxWaitMillis, TimeUnit.MILLISECONDS);
    events.await(topic, wakeUp);
    retry();
  }

  private void retrySoon() {
    executor.execute(this::retry);
  }

  private void retry() {
    if (done.get()) {
      return;
    }
    PollResponse answer;
    try {
      answer = attempt.tryAnswer();
    } catch (Exception e) {
      if (done.compareAndSet(false, true)) {
        cleanUp();
        out.onError(StatusMapper.toStatus(e).asRuntimeException());
      }
      return;
    }
    if (answer != null) {
      finish(answer);
    } else if (!done.get()) {
      events.await(topic, wakeUp);
    }
  }

  /** Answers with {@code answer} (null: the client cancelled) unless already answered. */
  void finish(PollResponse answer) {
    if (!done.compareAndSet(false, true)) {
      return;
    }
    cleanUp();
    if (answer != null) {
      out.onNext(answer);
      out.onCompleted();
    }
  }

  private void cleanUp() {
    events.cancel(topic, wakeUp);
    ScheduledFuture<?> d = deadline;
    if (d != null) {
      d.cancel(false);
    }
  }
}
