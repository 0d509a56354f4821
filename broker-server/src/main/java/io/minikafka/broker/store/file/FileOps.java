package io.minikafka.broker.store.file;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Every file-system operation a {@link FileStore} makes: the seam through which tests fail an open,
 * a write, an fsync, a rename or a delete on cue, and record the order of what reaches the disk.
 */
interface FileOps {

  /** The real file system. */
  FileOps DEFAULT = new FileOps() {};

  default FileChannel open(Path path, OpenOption... options) throws IOException {
    return FileChannel.open(path, options);
  }

  /** Forces a file's data (and, with {@code metadata}, its size and times) to the device. */
  default void force(FileChannel channel, boolean metadata) throws IOException {
    channel.force(metadata);
  }

  /**
   * A directory opened to be forced: what makes its entries (files created, renamed, deleted)
   * durable.
   */
  default FileChannel openDirectory(Path dir) throws IOException {
    return FileChannel.open(dir, StandardOpenOption.READ);
  }

  /** Renames {@code from} to {@code to} atomically, replacing {@code to} if it exists. */
  default void move(Path from, Path to) throws IOException {
    Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** Deletes a file or an empty directory, if it exists. */
  default void delete(Path path) throws IOException {
    Files.deleteIfExists(path);
  }

  /** Creates one directory, failing if it exists. */
  default void createDirectory(Path dir) throws IOException {
    Files.createDirectory(dir);
  }

  /** The file system holding {@code path}, asked for its free space. */
  default java.nio.file.FileStore fileSystem(Path path) throws IOException {
    return Files.getFileStore(path);
  }
}
