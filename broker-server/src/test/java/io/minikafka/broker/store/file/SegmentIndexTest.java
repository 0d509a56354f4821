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

  private FileChannel file(Path path) throws IOException {
    return FileChannel.open(
        path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
  }

  @Test
  void positionsAreKeptInMemoryAndWrittenAsFourByteBigEndianEntries() throws IOException {
    Path path = dir.resolve("1.index");
    try (SegmentIndex index = SegmentIndex.empty(file(path), path)) {
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
    try (SegmentIndex index = SegmentIndex.empty(file(path), path)) {
      int[] starts = new int[3000];
      for (int i = 0; i < starts.length; i++) {
        starts[i] = i * 7;
      }
      index.add(0, 5, starts, starts.length);
      index.seal(starts.length);
      assertThat(index.positionOf(2999)).isEqualTo(5 + 2999 * 7);
    }
    try (FileChannel reopened = file(path)) {
      assertThat(SegmentIndex.readAll(reopened)).hasSize(3000).startsWith(5, 12);
    }
  }

  @Test
  void readAllLeavesOutATornLastEntryAndTruncateCutsTheFile() throws IOException {
    Path path = dir.resolve("1.index");
    Files.write(path, new byte[] {0, 0, 0, 9, 0, 0, 0, 20, 0, 0});
    try (FileChannel channel = file(path)) {
      assertThat(SegmentIndex.readAll(channel)).containsExactly(9, 20);
      SegmentIndex index = SegmentIndex.of(channel, path, new int[] {9, 20}, 2);
      index.truncate(1);
      assertThat(Files.size(path)).isEqualTo(SegmentIndex.ENTRY_BYTES);
      index.writeUpTo(2);
      assertThat(SegmentIndex.readAll(channel)).containsExactly(9, 20);
    }
  }
}
