package io.minikafka.broker.store.file;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.minikafka.broker.store.StoreFailedException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Named consumers' positions: durable commits, and a commit that fails changes nothing. */
class ConsumerPositionsTest {

  @TempDir Path dir;
  private final FaultyFileOps ops = new FaultyFileOps();
  private final Disk disk = new Disk(ops, new FsyncPolicy.Always(), new FsyncObserver());
  private final List<String> repairs = new ArrayList<>();

  @Test
  void commitsSurviveAReloadWhateverTheName() throws IOException {
    ConsumerPositions positions = ConsumerPositions.load(dir, disk, repairs);
    positions.commit("t", "billing", 5, Integer.MAX_VALUE);
    positions.commit("t", "Audit ünïcødé", 9, Integer.MAX_VALUE);
    positions.commit("t", "billing", 7, Integer.MAX_VALUE);

    ConsumerPositions reloaded = ConsumerPositions.load(dir, disk, repairs);
    assertThat(reloaded.position("billing")).hasValue(7);
    assertThat(reloaded.position("Audit ünïcødé")).hasValue(9);
    assertThat(reloaded.position("nobody")).isEmpty();
    assertThat(repairs).isEmpty();
  }

  @Test
  void aCommitIsForcedRenamedAndItsDirectorySynced() throws IOException {
    ConsumerPositions positions = ConsumerPositions.load(dir, disk, repairs);
    positions.commit("t", "c", 2, Integer.MAX_VALUE);
    Path temp = dir.resolve("positions.tmp");
    assertThat(ops.events)
        .containsSubsequence(
            "fsync " + temp,
            "move " + temp + " -> " + dir.resolve(ConsumerPositions.FILE),
            "fsync-dir " + dir);
  }

  @Test
  void aFailedCommitChangesNeitherTheFileNorThePosition() throws IOException {
    ConsumerPositions positions = ConsumerPositions.load(dir, disk, repairs);
    positions.commit("t", "c", 2, Integer.MAX_VALUE);
    byte[] before = Files.readAllBytes(dir.resolve(ConsumerPositions.FILE));
    ops.failMove = p -> true;

    assertThatThrownBy(() -> positions.commit("t", "c", 3, Integer.MAX_VALUE))
        .isInstanceOf(IOException.class);

    assertThat(positions.position("c")).hasValue(2);
    assertThat(Files.readAllBytes(dir.resolve(ConsumerPositions.FILE))).isEqualTo(before);
  }

  @Test
  void commitsAreRefusedOnceAnFsyncHasFailed() throws IOException {
    ConsumerPositions positions = ConsumerPositions.load(dir, disk, repairs);
    ops.failForce = p -> true;
    try (FileChannel any =
        disk.open(dir.resolve("probe"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      assertThatThrownBy(() -> disk.force(any, dir.resolve("probe"), false))
          .isInstanceOf(StoreFailedException.class);
    }
    ops.failForce = p -> false;
    assertThatThrownBy(() -> positions.commit("t", "c", 2, Integer.MAX_VALUE))
        .isInstanceOf(StoreFailedException.class)
        .hasMessageContaining("fsync");
    assertThat(positions.position("c")).isEmpty();
  }

  @Test
  void aDamagedLineIsSkippedAndReported() throws IOException {
    Files.writeString(dir.resolve(ConsumerPositions.FILE), "4\tgood\nnot a number\tbad\n", UTF_8);
    ConsumerPositions positions = ConsumerPositions.load(dir, disk, repairs);
    assertThat(positions.position("good")).hasValue(4);
    assertThat(positions.position("bad")).isEmpty();
    assertThat(repairs).singleElement().asString().contains("damaged line");
  }

  @Test
  void aLineThatIsNotUtf8IsSkippedAndTheOthersKept() throws IOException {
    byte[] good = "4\tgood\n".getBytes(UTF_8);
    byte[] bad = {'7', '\t', (byte) 0xff, (byte) 0xfe, '\n'};
    byte[] all = new byte[good.length + bad.length];
    System.arraycopy(bad, 0, all, 0, bad.length);
    System.arraycopy(good, 0, all, bad.length, good.length);
    Files.write(dir.resolve(ConsumerPositions.FILE), all);

    ConsumerPositions positions = ConsumerPositions.load(dir, disk, repairs);

    assertThat(positions.position("good")).hasValue(4);
    assertThat(repairs).singleElement().asString().contains("not UTF-8");
  }
}
