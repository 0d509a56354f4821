package io.minikafka.broker.store.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;

/** A file channel that forwards to a real one, but fails writes part-way while the disk is full. */
final class FaultyChannel extends FileChannel {

  private final FileChannel delegate;
  private final FaultyFileOps faults;

  private final Path path;

  FaultyChannel(FileChannel delegate, FaultyFileOps faults, Path path) {
    this.delegate = delegate;
    this.faults = faults;
    this.path = path;
  }

  Path path() {
    return path;
  }

  private void recordWriter() {
    if (path.getFileName().toString().endsWith(Segment.LOG_SUFFIX)) {
      faults.logWriters.add(Thread.currentThread());
    }
  }

  private void failIfFull(ByteBuffer src, long position) throws IOException {
    recordWriter();
    if (faults.diskFull.get()) {
      // Like a real full disk: part of the record reaches the file, then the write fails.
      if (src.remaining() > 1) {
        ByteBuffer half = src.duplicate();
        half.limit(src.position() + src.remaining() / 2);
        delegate.write(half, position);
      }
      throw new IOException("No space left on device");
    }
  }

  @Override
  public int write(ByteBuffer src, long position) throws IOException {
    failIfFull(src, position);
    return delegate.write(src, position);
  }

  @Override
  public int write(ByteBuffer src) throws IOException {
    failIfFull(src, delegate.position());
    return delegate.write(src);
  }

  @Override
  public void force(boolean metaData) throws IOException {
    delegate.force(metaData);
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    return delegate.read(dst);
  }

  @Override
  public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
    return delegate.read(dsts, offset, length);
  }

  @Override
  public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
    recordWriter();
    if (faults.diskFull.get()) {
      throw new IOException("No space left on device");
    }
    return delegate.write(srcs, offset, length);
  }

  @Override
  public long position() throws IOException {
    return delegate.position();
  }

  @Override
  public FileChannel position(long newPosition) throws IOException {
    delegate.position(newPosition);
    return this;
  }

  @Override
  public long size() throws IOException {
    return delegate.size();
  }

  @Override
  public FileChannel truncate(long size) throws IOException {
    delegate.truncate(size);
    return this;
  }

  @Override
  public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
    return delegate.transferTo(position, count, target);
  }

  @Override
  public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
    return delegate.transferFrom(src, position, count);
  }

  @Override
  public int read(ByteBuffer dst, long position) throws IOException {
    return delegate.read(dst, position);
  }

  @Override
  public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
    return delegate.map(mode, position, size);
  }

  @Override
  public FileLock lock(long position, long size, boolean shared) throws IOException {
    return delegate.lock(position, size, shared);
  }

  @Override
  public FileLock tryLock(long position, long size, boolean shared) throws IOException {
    return delegate.tryLock(position, size, shared);
  }

  @Override
  protected void implCloseChannel() throws IOException {
    faults.openChannels.remove(this);
    delegate.close();
  }
}
