package io.minikafka.broker.concurrent;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Names the broker's background threads ({@code name-1}, {@code name-2}, …) and makes them daemons,
 * so an embedding application can exit without closing the server first.
 */
public final class DaemonThreadFactory implements ThreadFactory {

  private final String name;
  private final AtomicInteger count = new AtomicInteger();

  public DaemonThreadFactory(String name) {
    this.name = name;
  }

  @Override
  public Thread newThread(Runnable task) {
    Thread thread = new Thread(task, name + "-" + count.incrementAndGet());
    thread.setDaemon(true);
    return thread;
  }
}
