package io.minikafka.kafka;

import io.minikafka.broker.store.BackingStore;
import io.minikafka.broker.store.BackingStoreContractTest;
import io.minikafka.broker.store.ManualClock;
import io.minikafka.broker.store.StoreLimits;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The store contract, unchanged, against a real Kafka. Each store gets topics of its own (a prefix
 * per store), so every test starts from an empty store on one cluster; messages are stamped by the
 * test's clock.
 */
class KafkaStoreContractTest extends BackingStoreContractTest {

  private static final AtomicInteger STORES = new AtomicInteger();
  private static EmbeddedKafka kafka;

  @BeforeAll
  static void startKafka() throws Exception {
    kafka = EmbeddedKafka.start();
  }

  @AfterAll
  static void stopKafka() throws Exception {
    kafka.close();
  }

  @Override
  protected BackingStore createStore(ManualClock clock, StoreLimits limits)
      throws java.io.IOException {
    return KafkaStore.open(
        KafkaStoreConfig.of(kafka.bootstrap())
            .withTopicPrefix("contract" + STORES.incrementAndGet() + ".")
            .withLimits(limits)
            .withAppendTimes(KafkaStoreConfig.AppendTimes.STORE_CLOCK),
        clock);
  }
}
