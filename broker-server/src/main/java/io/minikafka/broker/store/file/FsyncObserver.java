package io.minikafka.broker.store.file;

import java.util.function.LongConsumer;

/**
 * Where a store's topics report each log fsync and how long it took; a metrics registry listens.
 * Thread-safe.
 */
final class FsyncObserver {

  private volatile LongConsumer listener = took -> {};

  void record(long tookNanos) {
    listener.accept(tookNanos);
  }

  void listen(LongConsumer newListener) {
    listener = newListener;
  }
}
