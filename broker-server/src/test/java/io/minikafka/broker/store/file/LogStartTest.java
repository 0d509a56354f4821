package io.minikafka.broker.store.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The record of a topic's deletion: atomic replacement, and the older store's marker. */
class LogStartTest {

  @TempDir Path dir;
  private final FaultyFileOps ops = new FaultyFileOps();
  private final Disk disk = new Disk(ops, new FsyncPolicy.Always(), new FsyncObserver());

  @Test
  void aTopicNeverDeletedHasNone() throws IOException {
    assertThat(LogStart.read(dir)).isEqualTo(LogStart.NONE);
  }

  @Test
  void roundTripsThroughAnAtomicDurableReplacement() throws IOException {
    new LogStart(41, true).write(dir, disk);
    assertThat(LogStart.read(dir)).isEqualTo(new LogStart(41, true));
    assertThat(ops.events)
        .containsSubsequence(
            "fsync " + dir.resolve("log-start.tmp"),
            "move " + dir.resolve("log-start.tmp") + " -> " + dir.resolve(LogStart.FILE),
            "fsync-dir " + dir);

    new LogStart(41, true).undeleted().write(dir, disk);
    assertThat(LogStart.read(dir)).isEqualTo(new LogStart(41, false));
  }

  @Test
  void theOlderStoresDeletedMarkerIsHonouredAndReplaced() throws IOException {
    Files.write(dir.resolve(LogStart.LEGACY_MARKER), new byte[0]);
    assertThat(LogStart.read(dir)).isEqualTo(new LogStart(0, true));

    new LogStart(7, false).write(dir, disk);
    assertThat(dir.resolve(LogStart.LEGACY_MARKER)).doesNotExist();
    assertThat(LogStart.read(dir)).isEqualTo(new LogStart(7, false));
  }

  @Test
  void aDamagedFileIsAnErrorNotAFreshStart() throws IOException {
    Files.writeString(dir.resolve(LogStart.FILE), "forty-one deleted");
    assertThatThrownBy(() -> LogStart.read(dir))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("is damaged");
  }
}
