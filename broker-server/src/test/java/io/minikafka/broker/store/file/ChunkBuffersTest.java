package io.minikafka.broker.store.file;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Chunk buffers are reused, sized by powers of two, and never exceed their budget. */
class ChunkBuffersTest {

  private static final int MIB = 1024 * 1024;

  @Test
  void aBufferGivenBackIsTheNextOneTakenEmpty() {
    ChunkBuffers buffers = new ChunkBuffers(8 * MIB);
    ByteBuffer first = buffers.take(100_000);
    assertThat(first.isDirect()).isTrue();
    assertThat(first.capacity()).isEqualTo(128 * 1024);
    first.put(new byte[1000]);
    buffers.give(first);

    ByteBuffer again = buffers.take(70_000);
    assertThat(again).isSameAs(first);
    assertThat(again.position()).isZero();
    assertThat(again.remaining()).isEqualTo(128 * 1024);
    assertThat(buffers.allocatedBytes()).isEqualTo(128 * 1024);
  }

  @Test
  void aLargerSpareServesASmallerNeed() {
    ChunkBuffers buffers = new ChunkBuffers(8 * MIB);
    ByteBuffer large = buffers.take(MIB);
    buffers.give(large);
    assertThat(buffers.take(ChunkBuffers.SMALLEST)).isSameAs(large);
  }

  @Test
  void pastTheBudgetChunksGoToTheHeap() {
    ChunkBuffers buffers = new ChunkBuffers(2 * MIB);
    List<ByteBuffer> taken = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      taken.add(buffers.take(MIB));
    }
    assertThat(taken).filteredOn(ByteBuffer::isDirect).hasSize(2);
    assertThat(taken).allSatisfy(b -> assertThat(b.capacity()).isEqualTo(MIB));
    assertThat(buffers.allocatedBytes()).isEqualTo(2 * MIB);

    taken.forEach(buffers::give);
    assertThat(buffers.allocatedBytes()).isEqualTo(2 * MIB);
    assertThat(buffers.take(MIB).isDirect()).isTrue();
  }

  @Test
  void smallSparesMakeRoomForALargerChunk() {
    ChunkBuffers buffers = new ChunkBuffers(MIB);
    List<ByteBuffer> small = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      small.add(buffers.take(ChunkBuffers.SMALLEST));
    }
    small.forEach(buffers::give);
    assertThat(buffers.allocatedBytes()).isEqualTo(MIB);

    ByteBuffer large = buffers.take(MIB);
    assertThat(large.isDirect()).isTrue();
    assertThat(buffers.allocatedBytes()).isEqualTo(MIB);
  }

  @Test
  void aChunkLargerThanTheLargestSizeIsOnTheHeapAndNotKept() {
    ChunkBuffers buffers = new ChunkBuffers(64 * MIB);
    ByteBuffer huge = buffers.take(ChunkBuffers.LARGEST + 1L);
    assertThat(huge.isDirect()).isFalse();
    assertThat(huge.capacity()).isEqualTo(ChunkBuffers.LARGEST + 1);
    buffers.give(huge);
    assertThat(buffers.allocatedBytes()).isZero();
    assertThat(buffers.take(ChunkBuffers.LARGEST)).isNotSameAs(huge);
  }
}
