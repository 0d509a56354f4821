package io.minikafka.broker.store.file;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * The real file system with faults on cue: a full disk, and a failing open, fsync, rename or delete
 * of the paths a predicate picks. Records, in order, every fsync, rename, delete and directory
 * creation, so tests can check what reached the disk and when.
 */
final class FaultyFileOps implements FileOps {

  final AtomicBoolean diskFull = new AtomicBoolean();

  /** The free space the file system reports; negative for the real figure. */
  volatile long usableSpace = -1;

  /** Forces of files (not directories). */
  final AtomicInteger forces = new AtomicInteger();

  /** While set, each file force waits for it to open, after counting down {@link #forceEntered}. */
  volatile CountDownLatch forceGate;

  final CountDownLatch forceEntered = new CountDownLatch(1);
  volatile Predicate<Path> failOpen = path -> false;

  /** What an open that {@link #failOpen} fails says: the process's descriptors ran out. */
  volatile String openFailure = "Too many open files";

  /** Picks the files and directories whose fsync fails. */
  volatile Predicate<Path> failForce = path -> false;

  volatile Predicate<Path> failMove = path -> false;
  volatile Predicate<Path> failDelete = path -> false;

  /** The channels opened and not yet closed, by path. */
  final java.util.Set<FaultyChannel> openChannels =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** The threads that wrote to a segment's log file, in order (one entry per write). */
  final List<Thread> logWriters = new CopyOnWriteArrayList<>();

  /**
   * "create PATH" (a file opened that did not exist), "fsync PATH", "fsync-dir PATH", "move FROM ->
   * TO", "delete PATH", "mkdir PATH", in order.
   */
  final List<String> events = new CopyOnWriteArrayList<>();

  /**
   * A segment file of {@code disk}, created if missing, opened through these ops to read and write.
   */
  FileHandle handle(Disk disk, Path path) throws IOException {
    return disk.handle(
        path,
        open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE),
        StandardOpenOption.READ,
        StandardOpenOption.WRITE);
  }

  @Override
  public FileChannel open(Path path, OpenOption... options) throws IOException {
    if (failOpen.test(path)) {
      throw new IOException(openFailure + " (injected, opening " + path.getFileName() + ")");
    }
    boolean existed = Files.exists(path);
    FaultyChannel channel = new FaultyChannel(FileChannel.open(path, options), this, path);
    openChannels.add(channel);
    if (!existed) {
      events.add("create " + path);
    }
    return channel;
  }

  @Override
  public void force(FileChannel channel, boolean metadata) throws IOException {
    Path path = ((FaultyChannel) channel).path();
    if (Files.isDirectory(path)) {
      if (failForce.test(path)) {
        throw new IOException(
            "Input/output error (injected fsync failure of " + path.getFileName() + ")");
      }
      channel.force(metadata);
      events.add("fsync-dir " + path);
      return;
    }
    forces.incrementAndGet();
    CountDownLatch gate = forceGate;
    if (gate != null) {
      forceEntered.countDown();
      try {
        if (!gate.await(30, TimeUnit.SECONDS)) {
          throw new IOException("test gate never opened");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
    }
    if (failForce.test(path)) {
      throw new IOException(
          "Input/output error (injected fsync failure of " + path.getFileName() + ")");
    }
    channel.force(metadata);
    events.add("fsync " + path);
  }

  @Override
  public FileChannel openDirectory(Path dir) throws IOException {
    if (failOpen.test(dir)) {
      throw new IOException(openFailure + " (injected, opening " + dir.getFileName() + ")");
    }
    FaultyChannel channel = new FaultyChannel(FileOps.DEFAULT.openDirectory(dir), this, dir);
    openChannels.add(channel);
    return channel;
  }

  @Override
  public void move(Path from, Path to) throws IOException {
    if (failMove.test(to)) {
      throw new IOException("Input/output error (injected, renaming to " + to.getFileName() + ")");
    }
    FileOps.DEFAULT.move(from, to);
    events.add("move " + from + " -> " + to);
  }

  @Override
  public void delete(Path path) throws IOException {
    if (failDelete.test(path)) {
      throw new IOException("Input/output error (injected, deleting " + path.getFileName() + ")");
    }
    FileOps.DEFAULT.delete(path);
    events.add("delete " + path);
  }

  @Override
  public void createDirectory(Path dir) throws IOException {
    FileOps.DEFAULT.createDirectory(dir);
    events.add("mkdir " + dir);
  }

  /** Whether a channel to {@code path} is open. */
  boolean isOpen(Path path) {
    return openChannels.stream().anyMatch(c -> c.path().equals(path));
  }

  /** The recorded events from {@code fromIndex} on. */
  List<String> eventsSince(int fromIndex) {
    return List.copyOf(events.subList(fromIndex, events.size()));
  }

  @Override
  public java.nio.file.FileStore fileSystem(Path path) throws IOException {
    java.nio.file.FileStore real = java.nio.file.Files.getFileStore(path);
    return new java.nio.file.FileStore() {
      @Override
      public String name() {
        return real.name();
      }

      @Override
      public String type() {
        return real.type();
      }

      @Override
      public boolean isReadOnly() {
        return real.isReadOnly();
      }

      @Override
      public long getTotalSpace() throws IOException {
        return real.getTotalSpace();
      }

      @Override
      public long getUsableSpace() throws IOException {
        long given = usableSpace;
        return given >= 0 ? given : real.getUsableSpace();
      }

      @Override
      public long getUnallocatedSpace() throws IOException {
        return getUsableSpace();
      }

      @Override
      public boolean supportsFileAttributeView(
          Class<? extends java.nio.file.attribute.FileAttributeView> type) {
        return real.supportsFileAttributeView(type);
      }

      @Override
      public boolean supportsFileAttributeView(String name) {
        return real.supportsFileAttributeView(name);
      }

      @Override
      public <V extends java.nio.file.attribute.FileStoreAttributeView> V getFileStoreAttributeView(
          Class<V> type) {
        return real.getFileStoreAttributeView(type);
      }

      @Override
      public Object getAttribute(String attribute) throws IOException {
        return real.getAttribute(attribute);
      }
    };
  }
}
