package io.minikafka.broker.store.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.minikafka.broker.store.StoreFailedException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A segment file that the store may close and open again: writes that might not be on disk are
 * never called forced through a new descriptor, which Linux would not tell of an earlier failure.
 */
class FileHandleTest {

  @TempDir Path dir;
  private final FaultyFileOps files = new FaultyFileOps();
  private final Disk disk =
      new Disk(files, new FsyncPolicy.Interval(java.time.Duration.ofHours(1)), new FsyncObserver());

  private FileHandle open(Path path) throws IOException {
    return files.handle(disk, path);
  }

  @Test
  void aFileClosedWithUnforcedWritesIsForcedFirstAndReopenedOnUse() throws IOException {
    Path path = dir.resolve("a.log");
    FileHandle file = open(path);
    file.writeFully(ByteBuffer.wrap(new byte[] {1, 2, 3}), 0);
    int before = files.events.size();

    assertThat(file.closeIfIdle()).isTrue();
    assertThat(files.eventsSince(before)).containsExactly("fsync " + path);
    assertThat(files.isOpen(path)).isFalse();

    file.force(true);
    assertThat(files.isOpen(path)).as("a clean closed file is not opened to be forced").isFalse();
    assertThat(file.readFully(ByteBuffer.allocate(3), 0).array()).containsExactly(1, 2, 3);
    assertThat(files.isOpen(path)).isTrue();
  }

  @Test
  void aForceThatFailedAsTheFileClosedFailsEveryLaterForce() throws IOException {
    Path path = dir.resolve("b.log");
    FileHandle file = open(path);
    file.writeFully(ByteBuffer.wrap(new byte[] {1}), 0);
    files.failForce = path::equals;
    assertThat(file.closeIfIdle()).isTrue();
    files.failForce = p -> false;

    // A new descriptor's fsync would succeed: the kernel reported the failure to the old one.
    assertThatThrownBy(() -> file.force(true))
        .isInstanceOf(StoreFailedException.class)
        .hasMessageContaining("fsync");
  }

  @Test
  void aFileJavaClosedUnderAnInterruptedThreadWithUnforcedWritesFailsItsNextForce()
      throws IOException {
    // Real channels: Java closes those when a thread doing I/O on them is interrupted.
    Path path = dir.resolve("c.log");
    Disk real =
        new Disk(
            FileOps.DEFAULT,
            new FsyncPolicy.Interval(java.time.Duration.ofHours(1)),
            new FsyncObserver());
    FileHandle file =
        real.handle(
            path,
            FileChannel.open(
                path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE),
            StandardOpenOption.READ,
            StandardOpenOption.WRITE);
    file.writeFully(ByteBuffer.wrap(new byte[] {1, 2}), 0);

    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> file.readFully(ByteBuffer.allocate(2), 0))
          .isInstanceOf(java.nio.channels.ClosedByInterruptException.class);
    } finally {
      Thread.interrupted();
    }

    assertThat(file.readFully(ByteBuffer.allocate(2), 0).array())
        .as("reads go on")
        .containsExactly(1, 2);
    assertThatThrownBy(() -> file.force(true))
        .isInstanceOf(StoreFailedException.class)
        .hasMessageContaining("interrupted thread");
  }

  @Test
  void aFileClosedForGoodFailsEveryUseAsAClosedChannel() throws IOException {
    FileHandle file = open(dir.resolve("d.log"));
    file.close();
    assertThatThrownBy(() -> file.readFully(ByteBuffer.allocate(1), 0))
        .isInstanceOf(java.nio.channels.ClosedChannelException.class);
    assertThatThrownBy(() -> file.force(true))
        .isInstanceOf(java.nio.channels.ClosedChannelException.class);
  }
}
