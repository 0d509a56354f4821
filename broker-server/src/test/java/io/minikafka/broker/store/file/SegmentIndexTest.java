package io.minikafka.broker.store.file;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dense index: positions in memory while active, big-endian entries in its file. */
class SegmentIndexTest {

  @TempDir Path dir;

  private final Disk disk =
      new Disk(FileOps.DEFAULT, new FsyncPolicy.Always(), new FsyncObserver());

  private FileHandle file(Path path) throws IOException {
    return disk.handle(
        path,
        FileChannel.open(
            path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE),
        StandardOpenOption.READ,
        StandardOpenOption.WRITE);
  }

  @Test
  void positionsAreKeptInMemoryAndWrittenAsFourByteBigEndianEntries() throws IOException {
    Path path = dir.resolve("1.index");
    try (SegmentIndex index = SegmentIndex.empty(file(path))) {
      index.add(0, 0, new int[] {0, 30, 75}, 3);
      index.add(3, 100, new int[] {0, 10}, 2);
      assertThat(index.positionOf(4)).isEqualTo(110);
      assertThat(Files.size(path)).as("nothing written before asked").isZero();

      index.writeUpTo(4);

      ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(path));
      assertThat(bytes.capacity()).isEqualTo(4 * SegmentIndex.ENTRY_BYTES);
      assertThat(bytes.getInt(0)).isEqualTo(0);
      assertThat(bytes.getInt(SegmentIndex.ENTRY_BYTES)).isEqualTo(30);
      assertThat(bytes.getInt(3 * SegmentIndex.ENTRY_BYTES)).isEqualTo(100);
      index.writeUpTo(2);
      assertThat(Files.size(path)).as("never rewrites what it wrote").isEqualTo(16);
    }
  }

  @Test
  void aSealedIndexReadsItsEntriesFromTheFile() throws IOException {
    Path path = dir.resolve("1.index");
    try (SegmentIndex index = SegmentIndex.empty(file(path))) {
      int[] starts = new int[3000];
      for (int i = 0; i < starts.length; i++) {
        starts[i] = i * 7;
      }
      index.add(0, 5, starts, starts.length);
      index.seal(starts.length);
      assertThat(index.positionOf(2999)).isEqualTo(5 + 2999 * 7);
      assertThat(index.slotsInMemory()).isZero();
    }
    assertThat(entriesOf(path)).hasSize(3000).startsWith(5, 12);
  }

  @Test
  void anActiveIndexKeepsInMemoryOnlyTheEntriesNotWrittenYet() throws IOException {
    Path path = dir.resolve("1.index");
    try (SegmentIndex index = SegmentIndex.empty(file(path))) {
      int[] starts = new int[1000];
      for (int i = 0; i < starts.length; i++) {
        starts[i] = i * 30;
      }
      for (int chunk = 0; chunk < 1000; chunk++) {
        index.add(chunk * 1000, (long) chunk * 30_000, starts, starts.length);
        if (chunk % 10 == 9) {
          index.writeUpTo((chunk + 1) * 1000);
          assertThat(index.slotsInMemory())
              .as("an idle index keeps nothing of its burst")
              .isLessThanOrEqualTo(256);
        }
      }

      assertThat(index.slotsInMemory()).isLessThanOrEqualTo(256);
      assertThat(index.positionOf(0)).isZero();
      assertThat(index.positionOf(999_999)).isEqualTo(999_999L * 30);
      index.add(1_000_000, 30_000_000, new int[] {0}, 1);
      assertThat(index.positionOf(1_000_000)).as("from memory").isEqualTo(30_000_000);
    }
    assertThat(Files.size(path)).isEqualTo(1_000_000L * SegmentIndex.ENTRY_BYTES);
  }

  @Test
  void entriesOfARolledBackAppendAreReplacedByTheNextOne() throws IOException {
    Path path = dir.resolve("1.index");
    try (SegmentIndex index = SegmentIndex.empty(file(path))) {
      index.add(0, 0, new int[] {0, 10, 20, 30}, 4);
      index.writeUpTo(2);

      index.add(2, 20, new int[] {0, 5}, 2);
      index.add(4, 35, new int[] {0}, 1);

      assertThat(index.positionOf(2)).isEqualTo(20);
      assertThat(index.positionOf(3)).isEqualTo(25);
      index.writeUpTo(5);
    }
    assertThat(entriesOf(path)).containsExactly(0, 10, 20, 25, 35);
  }

  @Test
  void anIndexWhoseFileIsBehindWritesItsTailWhenAsked() throws IOException {
    Path path = dir.resolve("1.index");
    Files.write(path, new byte[] {0, 0, 0, 9, 0, 0, 0, 20});
    try (SegmentIndex index = SegmentIndex.of(file(path), 2, new int[] {31, 47})) {
      assertThat(index.positionOf(1)).isEqualTo(20);
      assertThat(index.positionOf(3)).isEqualTo(47);

      index.writeUpTo(4);
    }
    assertThat(entriesOf(path)).containsExactly(9, 20, 31, 47);
  }

  private static int[] entriesOf(Path path) throws IOException {
    ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(path));
    int[] entries = new int[bytes.capacity() / SegmentIndex.ENTRY_BYTES];
    bytes.asIntBuffer().get(entries);
    return entries;
  }
}
