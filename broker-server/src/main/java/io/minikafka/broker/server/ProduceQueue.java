package io.minikafka.broker.server;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes every produce stream of the server together has received and not yet stored, against
 * one cap, as Kafka's {@code queued.max.request.bytes}: past it, streams stop asking for requests
 * until stored ones give their bytes back, and are woken then. Each stream has at most one request
 * asked for and not yet received, so the server holds at most the cap plus one request per stream
 * (and gRPC's flow-control window). Thread-safe.
 */
final class ProduceQueue {

  /** A stream waiting for room. */
  interface Waiter {
    /** Asks for its next request if there is room now; called from any thread. */
    void resumeIfRoom();
  }

  private final long capacity;
  private final AtomicLong queued = new AtomicLong();
  private final Set<Waiter> waiting = ConcurrentHashMap.newKeySet();

  ProduceQueue(long capacity) {
    this.capacity = capacity;
  }

  boolean hasRoom() {
    return queued.get() < capacity;
  }

  /** A request of {@code bytes} arrived. */
  void add(long bytes) {
    queued.addAndGet(bytes);
  }

  /** Requests of {@code bytes} were stored or dropped: wakes the streams waiting for room. */
  void release(long bytes) {
    queued.addAndGet(-bytes);
    for (Waiter waiter : waiting) {
      if (!hasRoom()) {
        return;
      }
      waiter.resumeIfRoom();
    }
  }

  void await(Waiter waiter) {
    waiting.add(waiter);
  }

  void stopWaiting(Waiter waiter) {
    waiting.remove(waiter);
  }

  /** Bytes received and not yet stored, for tests and metrics. */
  long queued() {
    return queued.get();
  }
}
