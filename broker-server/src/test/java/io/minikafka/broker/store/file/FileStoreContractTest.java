package io.minikafka.broker.store.file;

import io.minikafka.broker.store.BackingStore;
import io.minikafka.broker.store.BackingStoreContractTest;
import io.minikafka.broker.store.ManualClock;
import io.minikafka.broker.store.StoreLimits;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on the file store with its defaults: fsync always, 64 MiB segments. */
class FileStoreContractTest extends BackingStoreContractTest {

  @TempDir Path root;

  @Override
  protected BackingStore createStore(ManualClock clock, StoreLimits limits) throws IOException {
    return FileStore.open(root, FileStoreConfig.defaults().withLimits(limits), clock);
  }
}
