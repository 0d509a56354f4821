package io.minikafka.broker.server;

import io.grpc.stub.ServerCallStreamObserver;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A Poll with a maximum wait: answered as soon as there is something to answer with (the topic
 * grew, or came into being, or the wait is pointless), or with whatever the store holds at the
 * deadline, whichever is first; exactly once.
 */
final class LongPoll {

  /** Polls the store. */
  interface Attempt {
    /** The answer, or null while there is nothing to answer with. */
    PollAnswer tryAnswer() throws Exception;

    /** The answer at the deadline, when there may be nothing to answer with. */
    PollAnswer answerNow() throws Exception;
  }

  private final String topic;
  private final TopicEvents events;
  private final Executor executor;
  private final ServerCallStreamObserver<PollAnswer> out;
  private final Attempt attempt;
  private final AtomicBoolean done = new AtomicBoolean();
  private final Runnable wakeUp = this::retrySoon;
  private volatile ScheduledFuture<?> deadline;

  LongPoll(
      String topic,
      TopicEvents events,
      Executor executor,
      ServerCallStreamObserver<PollAnswer> out,
      Attempt attempt) {
    this.topic = topic;
    this.events = events;
    this.executor = executor;
    this.out = out;
    this.attempt = attempt;
  }

  void start(ScheduledExecutorService timer, long maxWaitMillis) {
    out.setOnCancelHandler(() -> finish(null));
    deadline =
        timer.schedule(
            () -> executor.execute(this::answerAtDeadline), maxWaitMillis, TimeUnit.MILLISECONDS);
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
    PollAnswer answer;
    try {
      answer = attempt.tryAnswer();
    } catch (Exception e) {
      fail(e);
      return;
    }
    if (answer != null) {
      finish(answer);
    } else if (!done.get()) {
      events.await(topic, wakeUp);
    }
  }

  private void answerAtDeadline() {
    if (done.get()) {
      return;
    }
    try {
      finish(attempt.answerNow());
    } catch (Exception e) {
      fail(e);
    }
  }

  private void fail(Exception e) {
    if (done.compareAndSet(false, true)) {
      cleanUp();
      out.onError(StatusMapper.toException(e));
    }
  }

  /** Answers with {@code answer} (null: the client cancelled) unless already answered. */
  void finish(PollAnswer answer) {
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
