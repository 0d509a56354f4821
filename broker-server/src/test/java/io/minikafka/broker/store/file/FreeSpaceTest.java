package io.minikafka.broker.store.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.minikafka.broker.config.ByteSize;
import io.minikafka.broker.store.LimitExceededException;
import io.minikafka.broker.store.ManualClock;
import io.minikafka.broker.store.PollLimits;
import io.minikafka.broker.store.StoreHealth;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The disk floor: producers stop below it, readers go on, and producing resumes by itself. */
class FreeSpaceTest {

  @TempDir Path root;

  @Test
  void belowTheFloorProducesAreRefusedReadsGoOnAndProducingResumesWhenSpaceIsBack()
      throws Exception {
    FaultyFileOps disk = new FaultyFileOps();
    FileStoreConfig config = FileStoreConfig.defaults().withMinFreeDisk(DiskFloor.parse("1MiB"));
    try (FileStore store = FileStore.open(root, config, new ManualClock(), disk)) {
      store.store("t", new byte[10]);

      disk.usableSpace = 512 * 1024;
      await().atMost(Duration.ofSeconds(5)).until(() -> !store.health().writable());

      assertThatThrownBy(() -> store.store("t", new byte[10]))
          .isInstanceOf(LimitExceededException.class)
          .hasMessageContaining("has 512 KiB free, below the floor of 1 MiB")
          .satisfies(
              e ->
                  assertThat(((LimitExceededException) e).limit())
                      .isEqualTo(LimitExceededException.Limit.MIN_FREE_DISK));
      assertThatThrownBy(() -> store.store("new-topic", new byte[10]))
          .isInstanceOf(LimitExceededException.class);
      assertThat(store.poll("t", 1, PollLimits.UNLIMITED).messages()).hasSize(1);
      store.commitPosition("t", "reader", 2);
      StoreHealth health = store.health();
      assertThat(health.problems())
          .singleElement()
          .asString()
          .contains("producers are refused")
          .contains("MINIKAFKA_MIN_FREE_DISK");

      disk.usableSpace = 1L << 30;
      await().atMost(Duration.ofSeconds(5)).until(() -> store.health().writable());
      assertThat(store.store("t", new byte[10])).isEqualTo(2);
    }
  }

  @Test
  void aFloorAboveTheWholeDiskIsSaidToBeOne() throws Exception {
    FaultyFileOps disk = new FaultyFileOps();
    long whole = disk.fileSystem(root).getTotalSpace();
    FileStoreConfig config =
        FileStoreConfig.defaults().withMinFreeDisk(new DiskFloor(whole + (1L << 30), -1));
    try (FileStore store = FileStore.open(root, config, new ManualClock(), disk)) {
      assertThatThrownBy(() -> store.store("t", new byte[10]))
          .isInstanceOf(LimitExceededException.class)
          .hasMessageContaining(
              "more than the whole disk ("
                  + ByteSize.format(whole)
                  + "): lower"
                  + " MINIKAFKA_MIN_FREE_DISK");
    }
  }

  @Test
  void aFloorIsBytesWithAUnitOrAPercentageOfTheDisk() {
    assertThat(ByteSize.format(500)).isEqualTo("500 bytes");
    assertThat(ByteSize.format(64L << 20)).isEqualTo("64 MiB");
    assertThat(ByteSize.format(85_094_604_800L)).isEqualTo("79.3 GiB");
    assertThat(ByteSize.format(1L << 40)).isEqualTo("1 TiB");
    assertThat(ByteSize.format((1L << 20) - 1)).isEqualTo("1.0 MiB");
    assertThatThrownBy(() -> DiskFloor.parse("-1GiB")).hasMessage("must be at least 0");
    assertThatThrownBy(() -> DiskFloor.parse("99999999999999999999"))
        .hasMessage("must be at most " + Long.MAX_VALUE);
    assertThatThrownBy(() -> DiskFloor.parse("99999999TiB"))
        .hasMessage("must be at most " + Long.MAX_VALUE);
    assertThat(DiskFloor.parse("67108864").bytesOf(1L << 40)).isEqualTo(64L << 20);
    assertThat(DiskFloor.parse("2GiB").bytesOf(1L << 40)).isEqualTo(2L << 30);
    assertThat(DiskFloor.parse("5%").bytesOf(1000)).isEqualTo(50);
    assertThat(DiskFloor.parse("5%").toString()).isEqualTo("5%");
    assertThatThrownBy(() -> DiskFloor.parse("lots")).hasMessageContaining("not a number of bytes");
    assertThatThrownBy(() -> DiskFloor.parse("150%")).hasMessageContaining("between 0% and 100%");
  }
}
