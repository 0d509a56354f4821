package io.minikafka.broker.store;

import io.grpc.Context;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A store whose appends wait at a gate until {@link #release} (or 30 s), for tests of what happens
 * while a call waits on the store. It notes when an append starts waiting and when the gRPC call it
 * serves is cancelled.
 */
public class GatedStore extends ForwardingStore {

  /** Counted down when an append starts waiting. */
  public final CountDownLatch entered = new CountDownLatch(1);

  /** Opens the gate for every append, waiting or to come. */
  public final CountDownLatch release = new CountDownLatch(1);

  /** Counted down when the gRPC call of a waiting append is cancelled. */
  public final CountDownLatch callCancelled = new CountDownLatch(1);

  public GatedStore(BackingStore delegate) {
    super(delegate);
  }

  @Override
  public long store(String topic, byte[] payload) throws IOException {
    awaitGate();
    return super.store(topic, payload);
  }

  @Override
  public long storeBatch(String topic, List<byte[]> payloads) throws IOException {
    awaitGate();
    return super.storeBatch(topic, payloads);
  }

  @Override
  public long storeRecords(String topic, List<Record> records) throws IOException {
    awaitGate();
    return super.storeRecords(topic, records);
  }

  private void awaitGate() {
    Context.current().addListener(context -> callCancelled.countDown(), Runnable::run);
    entered.countDown();
    try {
      release.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
