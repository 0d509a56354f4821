package io.minikafka.client;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Subscription} whose messages a {@link MessageHandler} receives on a thread of its own;
 * what {@link Consumer#subscribe(MessageHandler)} returns. It runs until closed, or until the
 * handler throws or the server refuses the subscription, which {@link #termination()} reports. A
 * named consumer commits only messages the handler returned from: the message it threw on, and
 * those after it, are left to the next consumer of that name.
 */
public final class HandlerSubscription implements AutoCloseable {

  private static final Duration POLL_WAIT = Duration.ofMillis(200);

  private final Subscription subscription;
  private final Thread thread;
  private final CompletableFuture<Void> termination = new CompletableFuture<>();
  private volatile boolean closed;

  /** Why the commit at the end failed; null if it did not. Set before termination completes. */
  private volatile RuntimeException lastCommitFailure;

  /** The open handler subscriptions this one is among until its thread ends. */
  private final Set<HandlerSubscription> owner;

  HandlerSubscription(
      Subscription subscription,
      MessageHandler handler,
      String topic,
      Set<HandlerSubscription> owner) {
    this.subscription = subscription;
    this.owner = owner;
    this.thread = new Thread(() -> run(handler), "minikafka-subscription-" + topic);
    thread.setDaemon(true);
    owner.add(this);
    try {
      thread.start();
    } catch (RuntimeException | Error e) {
      owner.remove(this);
      subscription.close();
      throw e;
    }
  }

  private void run(MessageHandler handler) {
    Throwable failure = null;
    try {
      try {
        deliver(handler);
      } catch (InterruptedException e) {
        // Asked to stop.
      } catch (Throwable t) {
        failure = t;
      }
      try {
        subscription.close();
      } catch (RuntimeException commitFailed) {
        lastCommitFailure = commitFailed;
        if (failure == null) {
          failure = commitFailed;
        } else {
          failure.addSuppressed(commitFailed);
        }
      }
    } finally {
      owner.remove(this);
      if (failure == null) {
        termination.complete(null);
      } else {
        termination.completeExceptionally(failure);
      }
    }
  }

  private void deliver(MessageHandler handler) throws Exception {
    while (!closed) {
      for (Message message : subscription.poll(POLL_WAIT)) {
        if (closed) {
          subscription.seek(message.number());
          return;
        }
        try {
          handler.onMessage(message);
        } catch (Exception | Error e) {
          subscription.seek(message.number());
          throw e;
        }
      }
      for (Skip skip : subscription.takeSkips()) {
        handler.onSkip(skip.firstAvailable(), skip.skipped());
      }
    }
  }

  /**
   * Completes when the subscription ends: normally after {@link #close}, exceptionally on failure.
   */
  public CompletableFuture<Void> termination() {
    return termination;
  }

  /** The next number the handler will receive. */
  public long nextNumber() {
    return subscription.nextNumber();
  }

  /**
   * Stops delivering once the handler returns from its current message, and waits (briefly) for
   * that and for the commit of what it handled.
   */
  @Override
  public void close() {
    stop();
    // From the handler itself nothing is waited for: the subscription ends once it returns.
    awaitEnd(System.nanoTime() + POLL_WAIT.multipliedBy(10).toNanos());
  }

  /** Asks the handler's thread to stop once the handler returns, without waiting for it. */
  void stop() {
    closed = true;
  }

  /**
   * Waits until {@code deadlineNanos} (a {@link System#nanoTime()}) for the handler's thread to
   * end, after {@link #stop()}; not at all from that thread itself, or once interrupted.
   *
   * @return true if it ended
   */
  boolean awaitEnd(long deadlineNanos) {
    if (isCurrentThread()) {
      return false;
    }
    long left = deadlineNanos - System.nanoTime();
    try {
      if (left > 0) {
        TimeUnit.NANOSECONDS.timedJoin(thread, left);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return !thread.isAlive();
  }

  /** Whether the caller is this subscription's handler thread. */
  boolean isCurrentThread() {
    return Thread.currentThread() == thread;
  }

  /** Why the commit made as the subscription ended failed, once it has ended; else null. */
  RuntimeException lastCommitFailure() {
    return lastCommitFailure;
  }
}
