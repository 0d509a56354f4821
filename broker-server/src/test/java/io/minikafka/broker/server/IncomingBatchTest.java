package io.minikafka.broker.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import io.grpc.internal.CompositeReadableBuffer;
import io.grpc.internal.ReadableBuffers;
import io.minikafka.broker.store.Record;
import io.minikafka.protocol.Header;
import io.minikafka.protocol.Payload;
import io.minikafka.protocol.ProduceBatchRequest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Produce requests read straight into records hold what the generated parser reads from the same
 * bytes, whether gRPC hands them over as one array or as direct buffers split anywhere; bytes that
 * do not parse are refused.
 */
class IncomingBatchTest {

  private static final Random RANDOM = new Random(7);

  private static byte[] bytes(int length) {
    byte[] bytes = new byte[length];
    RANDOM.nextBytes(bytes);
    return bytes;
  }

  /** The bytes as gRPC's Netty transport hands them over: direct buffers, cut at random places. */
  private static InputStream asReceived(byte[] wire) {
    CompositeReadableBuffer composite = new CompositeReadableBuffer();
    int at = 0;
    while (at < wire.length) {
      int length = Math.min(wire.length - at, 1 + RANDOM.nextInt(3000));
      ByteBuffer part = ByteBuffer.allocateDirect(length);
      part.put(wire, at, length).flip();
      composite.addBuffer(ReadableBuffers.wrap(part));
      at += length;
    }
    return ReadableBuffers.openStream(composite, true);
  }

  @Test
  void payloadsAreReadByteForByteFromSplitBuffers() throws IOException {
    ProduceBatchRequest.Builder request = ProduceBatchRequest.newBuilder().setTopic("orders-ü");
    for (int i = 0; i < 40; i++) {
      request.addPayloads(ByteString.copyFrom(bytes(RANDOM.nextInt(5000))));
    }
    request.addPayloads(ByteString.EMPTY);
    byte[] wire = request.build().toByteArray();

    for (InputStream in : new InputStream[] {asReceived(wire), new ByteArrayInputStream(wire)}) {
      IncomingBatch batch = IncomingBatch.read(in);
      assertThat(batch.topic()).isEqualTo("orders-ü");
      assertThat(batch.payloadCount()).isEqualTo(41);
      assertThat(batch.recordCount()).isZero();
      assertThat(batch.bytes()).isEqualTo(wire.length);
      assertThat(batch.problem()).isNull();
      for (int i = 0; i < 41; i++) {
        Record record = batch.messages().get(i);
        assertThat(record.plain()).isTrue();
        assertThat(record.payload()).isEqualTo(request.getPayloads(i).toByteArray());
      }
      assertThat(batch.payloadBytes())
          .isEqualTo(request.getPayloadsList().stream().mapToLong(ByteString::size).sum());
    }
  }

  @Test
  void recordsKeepKeysAndHeaders() throws IOException {
    ProduceBatchRequest request =
        ProduceBatchRequest.newBuilder()
            .setTopic("t")
            .addRecords(Payload.newBuilder().setPayload(ByteString.copyFromUtf8("plain")))
            .addRecords(
                Payload.newBuilder()
                    .setPayload(ByteString.copyFrom(bytes(2000)))
                    .setKey(ByteString.copyFromUtf8("key"))
                    .addHeaders(
                        Header.newBuilder()
                            .setName("traceparent")
                            .setValue(ByteString.copyFromUtf8("00-1")))
                    .addHeaders(Header.newBuilder().setName("traceparent")))
            .build();
    IncomingBatch batch = IncomingBatch.read(asReceived(request.toByteArray()));
    assertThat(batch.payloadCount()).isZero();
    assertThat(batch.recordCount()).isEqualTo(2);
    assertThat(batch.messages().get(0).plain()).isTrue();
    Record keyed = batch.messages().get(1);
    assertThat(keyed.key()).asString().isEqualTo("key");
    assertThat(keyed.payload()).isEqualTo(request.getRecords(1).getPayload().toByteArray());
    assertThat(keyed.headers()).hasSize(2);
    assertThat(keyed.headers().get(0).name()).isEqualTo("traceparent");
    assertThat(keyed.headers().get(0).value()).asString().isEqualTo("00-1");
    assertThat(keyed.headers().get(1).value()).isEmpty();
  }

  @Test
  void unknownFieldsAreSkipped() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.writeFixed64(9, 42);
    out.writeString(1, "t");
    out.writeByteArray(2, new byte[] {1, 2});
    out.writeUInt64(15, 7);
    out.flush();
    IncomingBatch batch = IncomingBatch.read(new ByteArrayInputStream(bytes.toByteArray()));
    assertThat(batch.topic()).isEqualTo("t");
    assertThat(batch.messages()).hasSize(1);
    assertThat(batch.messages().get(0).payload()).containsExactly(1, 2);
  }

  @Test
  void aHeaderNameTooLongIsAProblemForTheServiceNotAParseFailure() throws IOException {
    String longName = "n".repeat(io.minikafka.broker.store.Header.MAX_NAME_BYTES + 1);
    ProduceBatchRequest request =
        ProduceBatchRequest.newBuilder()
            .setTopic("t")
            .addRecords(
                Payload.newBuilder()
                    .setPayload(ByteString.copyFromUtf8("p"))
                    .addHeaders(Header.newBuilder().setName(longName)))
            .build();
    IncomingBatch batch = IncomingBatch.read(asReceived(request.toByteArray()));
    assertThat(batch.problem()).contains("header name").contains("65535");
  }

  @Test
  void bytesThatAreNotARequestAreRefused() {
    byte[] wire =
        ProduceBatchRequest.newBuilder()
            .setTopic("t")
            .addPayloads(ByteString.copyFrom(bytes(300)))
            .build()
            .toByteArray();
    byte[] cut = Arrays.copyOf(wire, wire.length - 10);
    assertThatThrownBy(() -> IncomingBatch.read(asReceived(cut))).isInstanceOf(IOException.class);

    byte[] notUtf8 = {10, 2, (byte) 0xC3, (byte) 0x28};
    assertThatThrownBy(() -> IncomingBatch.read(new ByteArrayInputStream(notUtf8)))
        .hasMessageContaining("UTF-8");
  }
}
