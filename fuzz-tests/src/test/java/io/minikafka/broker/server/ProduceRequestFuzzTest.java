package io.minikafka.broker.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.internal.CompositeReadableBuffer;
import io.grpc.internal.ReadableBuffers;
import io.minikafka.broker.store.Header;
import io.minikafka.broker.store.Record;
import io.minikafka.protocol.Payload;
import io.minikafka.protocol.ProduceBatchRequest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The server's own reader of produce requests ({@link IncomingBatch} over {@link WireInput}) and
 * protobuf's generated parser agree on any bytes, split anywhere across gRPC's receive buffers:
 * both refuse them, or both read the same topic and messages.
 */
class ProduceRequestFuzzTest {

  @FuzzTest(maxDuration = "60s")
  void theServersReaderAgreesWithProtobuf(FuzzedDataProvider data) {
    int[] cuts = new int[data.consumeInt(0, 6)];
    for (int i = 0; i < cuts.length; i++) {
      cuts[i] = data.consumeInt(0, 1 << 16);
    }
    byte[] bytes = data.consumeRemainingAsBytes();

    ProduceBatchRequest expected;
    try {
      expected = ProduceBatchRequest.parseFrom(bytes);
    } catch (InvalidProtocolBufferException refused) {
      expected = null;
    }
    IncomingBatch actual;
    try {
      actual = IncomingBatch.read(received(bytes, cuts));
    } catch (IOException refused) {
      actual = null;
    }

    if (expected == null) {
      assertThat(actual).as("what protobuf refuses").isNull();
      return;
    }
    if (actual == null && hasOverlongVarint(bytes)) {
      // Protobuf-java takes some varints longer than the encoding allows; this reader refuses them.
      return;
    }
    assertThat(actual).as("what protobuf reads").isNotNull();
    assertThat(actual.topic()).isEqualTo(expected.getTopic());
    assertThat(actual.payloadCount()).isEqualTo(expected.getPayloadsCount());
    assertThat(actual.recordCount()).isEqualTo(expected.getRecordsCount());
    assertThat(actual.bytes()).isEqualTo(bytes.length);
    for (int i = 0; i < expected.getPayloadsCount(); i++) {
      assertThat(actual.messages().get(i).payload())
          .isEqualTo(expected.getPayloads(i).toByteArray());
    }
    boolean headerTooLong = false;
    for (int i = 0; i < expected.getRecordsCount(); i++) {
      Payload sent = expected.getRecords(i);
      Record read = actual.messages().get(expected.getPayloadsCount() + i);
      assertThat(read.payload()).isEqualTo(sent.getPayload().toByteArray());
      assertThat(read.key()).isEqualTo(sent.getKey().toByteArray());
      var kept =
          sent.getHeadersList().stream()
              .filter(
                  h -> h.getName().getBytes(StandardCharsets.UTF_8).length <= Header.MAX_NAME_BYTES)
              .toList();
      headerTooLong |= kept.size() < sent.getHeadersCount();
      assertThat(read.headers()).hasSameSizeAs(kept);
      for (int h = 0; h < kept.size(); h++) {
        assertThat(read.headers().get(h).name()).isEqualTo(kept.get(h).getName());
        assertThat(read.headers().get(h).value()).isEqualTo(kept.get(h).getValue().toByteArray());
      }
    }
    assertThat(actual.problem() != null).isEqualTo(headerTooLong);
  }

  /** Whether ten bytes in a row have their top bit set: a varint that would not end in ten. */
  private static boolean hasOverlongVarint(byte[] bytes) {
    int run = 0;
    for (byte b : bytes) {
      run = b < 0 ? run + 1 : 0;
      if (run >= 10) {
        return true;
      }
    }
    return false;
  }

  /** The bytes as gRPC's Netty transport hands them over: direct buffers, cut at these places. */
  private static InputStream received(byte[] bytes, int[] cuts) {
    int[] ends = Arrays.copyOf(cuts, cuts.length + 1);
    ends[cuts.length] = bytes.length;
    Arrays.sort(ends);
    CompositeReadableBuffer composite = new CompositeReadableBuffer();
    int start = 0;
    for (int cut : ends) {
      int end = Math.min(cut, bytes.length);
      if (end > start) {
        ByteBuffer part = ByteBuffer.allocateDirect(end - start);
        part.put(bytes, start, end - start).flip();
        composite.addBuffer(ReadableBuffers.wrap(part));
        start = end;
      }
    }
    return ReadableBuffers.openStream(composite, true);
  }
}
