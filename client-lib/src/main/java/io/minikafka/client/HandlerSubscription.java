package io.minikafka.client;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link Subscription} whose messages a {@link MessageHandler} receives on a thread of its own;
 * what {@link Consumer#subscribe(MessageHandler)} returns. It runs until closed, or until the
 * handler throws or the server refuses the subscription, which {@link #termination()} reports.
 */
public final class HandlerSubscription implements AutoCloseable {

  private static final Duration POLL_WAIT = Duration.ofMillis(200);

  private final Subscription subscription;
  private final Thread thread;
  private final CompletableFuture<Void> termination = new CompletableFuture<>();
  private volatile boolean closed;

  HandlerSubscription(Subscription subscription, MessageHandler handler, String topic) {
    this.subscription = subscription;
    this.thread = new Thread(() -> run(handler), "minikafka-subscription-" + topic);
    thread.setDaemon(true);
    thread.start();
  }

  private void run(MessageHandler handler) {
    try {
      while (!closed) {
        for (Message message : subscription.poll(POLL_WAIT)) {
          handler.onMessage(message);
        }
        for (long[] skip : subscription.takeSkips()) {
          handler.onSkip(skip[0], skip[1]);
        }
      }
      termination.complete(null);
    } catch (InterruptedException e) {
      termination.complete(null);
    } catch (Throwable t) {
      termination.completeExceptionally(t);
    } finally {
      subscription.close();
    }
  }

  /** Completes when the subscription ends: normally after {@link #close}, exceptionally on failure. */
  public CompletableFuture<Void> termination() {
    return termination;
  }

  /** The next number the handler will receive. */
  public long nextNumber() {
    return subscription.nextNumber();
  }

  /** Stops delivering and waits (briefly) for the handler thread to finish its current message. */
  @Override
  public void close() {
    closed = true;
    subscription.close();
    try {
      thread.join(POLL_WAIT.multipliedBy(10).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
