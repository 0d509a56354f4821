package io.minikafka.broker.store.file;

import io.minikafka.broker.store.BackingStore;
import io.minikafka.broker.store.BackingStoreContractTest;
import io.minikafka.broker.store.ManualClock;
import io.minikafka.broker.store.StoreLimits;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store contract on the file store with tiny segments and no fsync, so that nearly every case
 * crosses segment boundaries, rolls and whole-segment deletion.
 */
class FileStoreSmallSegmentsContractTest extends BackingStoreContractTest {

  @TempDir Path root;

  @Override
  protected BackingStore createStore(ManualClock clock, StoreLimits limits) throws IOException {
    return FileStore.open(
        root,
        FileStoreConfig.defaults()
            .withFsync(new FsyncPolicy.Never())
            .withSegmentBytes(4096)
            .withLimits(limits),
        clock);
  }
}
