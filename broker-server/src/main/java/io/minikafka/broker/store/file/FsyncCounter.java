package io.minikafka.broker.store.file;

import java.util.concurrent.atomic.LongAdder;

/** How many log fsyncs a store made and how long they took, for its metrics. Thread-safe. */
final class FsyncCounter {

  private final LongAdder count = new LongAdder();
  private final LongAdder nanos = new LongAdder();

  void record(long tookNanos) {
    count.increment();
    nanos.add(tookNanos);
  }

  long count() {
    return count.sum();
  }

  long nanos() {
    return nanos.sum();
  }
}
