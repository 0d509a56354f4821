package io.minikafka.bench;

import io.minikafka.broker.store.file.FileStore;
import io.minikafka.broker.store.file.FileStoreConfig;
import io.minikafka.broker.store.file.FsyncPolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;

/** Stores in scratch directories for the benchmarks, removed afterwards. */
final class BenchStores {

  /** Where scratch stores go: {@code -Dminikafka.bench.dir}, else the system temp directory. */
  static Path scratch(String prefix) throws IOException {
    String dir = System.getProperty("minikafka.bench.dir");
    Path parent = dir == null ? Path.of(System.getProperty("java.io.tmpdir")) : Path.of(dir);
    Files.createDirectories(parent);
    return Files.createTempDirectory(parent, prefix);
  }

  static FileStore open(Path root, String fsync) throws IOException {
    return FileStore.open(
        root, FileStoreConfig.defaults().withFsync(FsyncPolicy.parse(fsync)), Clock.systemUTC());
  }

  static void delete(Path dir) {
    try {
      Files.walkFileTree(
          dir,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.delete(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
              Files.delete(d);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private BenchStores() {}
}
