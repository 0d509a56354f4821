package io.minikafka.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.minikafka.client.Replies.PollReply;
import io.minikafka.client.Replies.SubscribeReply;
import io.minikafka.protocol.MessageRecord;
import io.minikafka.protocol.MsgNumber;
import io.minikafka.protocol.Payload;
import io.minikafka.protocol.PollResponse;
import io.minikafka.protocol.SubscribeResponse;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Replies read straight into messages give what the generated classes parse from the same bytes:
 * every field, defaults, unknown fields, both encodings of repeated numbers; and bytes that do not
 * parse are an INTERNAL error naming why.
 */
class RepliesTest {

  private static final io.minikafka.protocol.Header TRACE =
      io.minikafka.protocol.Header.newBuilder()
          .setName("traceparent")
          .setValue(ByteString.copyFromUtf8("00-abc"))
          .build();

  private static SubscribeReply subscribe(byte[] bytes) {
    return Replies.SUBSCRIBE.parseResponse(new ByteArrayInputStream(bytes));
  }

  private static PollReply poll(byte[] bytes) {
    return Replies.POLL.parseResponse(new ByteArrayInputStream(bytes));
  }

  /** As gRPC hands replies over: a stream that knows its length. */
  private static final class Known extends ByteArrayInputStream implements io.grpc.KnownLength {
    Known(byte[] bytes) {
      super(bytes);
    }
  }

  @Test
  void subscribeRecordsKeepEveryField() {
    SubscribeResponse response =
        SubscribeResponse.newBuilder()
            .addRecords(MessageRecord.newBuilder().setMsgNumber(7))
            .addRecords(
                MessageRecord.newBuilder()
                    .setMsgNumber(8)
                    .setAppendTimeMs(-5)
                    .setPayload(ByteString.copyFromUtf8("payload"))
                    .setKey(ByteString.copyFromUtf8("key"))
                    .addHeaders(TRACE)
                    .addHeaders(io.minikafka.protocol.Header.getDefaultInstance()))
            .setFirstAvailable(7)
            .setSkipped(3)
            .build();
    for (InputStream in :
        List.of(
            new ByteArrayInputStream(response.toByteArray()), new Known(response.toByteArray()))) {
      SubscribeReply reply = Replies.SUBSCRIBE.parseResponse(in);
      assertThat(reply.firstAvailable()).isEqualTo(7);
      assertThat(reply.skipped()).isEqualTo(3);
      assertThat(reply.caughtUp()).isFalse();
      Message empty = reply.messages().get(0);
      assertThat(empty.number()).isEqualTo(7);
      assertThat(empty.appendTimeMillis()).isZero();
      assertThat(empty.payload()).isEmpty();
      assertThat(empty.key()).isEmpty();
      assertThat(empty.headers()).isEmpty();
      Message full = reply.messages().get(1);
      assertThat(full.number()).isEqualTo(8);
      assertThat(full.appendTimeMillis()).isEqualTo(-5);
      assertThat(full.payload()).asString().isEqualTo("payload");
      assertThat(full.key()).asString().isEqualTo("key");
      assertThat(full.headers()).hasSize(2);
      assertThat(full.headers().get(0).name()).isEqualTo("traceparent");
      assertThat(full.headers().get(0).valueAsString()).isEqualTo("00-abc");
      assertThat(full.headers().get(1).name()).isEmpty();
      assertThat(full.headers().get(1).value()).isEmpty();
    }
  }

  @Test
  void announcementsAreRead() {
    SubscribeReply reply =
        subscribe(
            SubscribeResponse.newBuilder()
                .setCaughtUp(true)
                .setTopicMissing(true)
                .build()
                .toByteArray());
    assertThat(reply.caughtUp()).isTrue();
    assertThat(reply.topicMissing()).isTrue();
    assertThat(reply.messages()).isEmpty();
  }

  @Test
  void unknownFieldsAreSkippedAsTheGeneratedParserSkipsThem() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.writeFixed32(15, 0xCAFE);
    MessageRecord record =
        MessageRecord.newBuilder().setMsgNumber(1).setPayload(ByteString.copyFromUtf8("x")).build();
    ByteArrayOutputStream recordBytes = new ByteArrayOutputStream();
    CodedOutputStream inner = CodedOutputStream.newInstance(recordBytes);
    inner.writeFixed32(14, 0xBEEF);
    inner.writeString(99, "later field");
    inner.flush();
    record.writeTo(recordBytes);
    out.writeByteArray(1, recordBytes.toByteArray());
    out.writeUInt64(2, 1);
    out.flush();

    SubscribeResponse generated = SubscribeResponse.parseFrom(bytes.toByteArray());
    SubscribeReply reply = subscribe(bytes.toByteArray());
    assertThat(reply.messages()).hasSize(1);
    assertThat(reply.messages().get(0).number()).isEqualTo(generated.getRecords(0).getMsgNumber());
    assertThat(reply.messages().get(0).payload())
        .isEqualTo(generated.getRecords(0).getPayload().toByteArray());
    assertThat(reply.firstAvailable()).isEqualTo(generated.getFirstAvailable());
  }

  @Test
  void pollPayloadsAreNumberedBackFromNewReadFromWithTheirTimes() {
    PollResponse response =
        PollResponse.newBuilder()
            .addPayloads(Payload.newBuilder().setPayload(ByteString.copyFromUtf8("a")))
            .addPayloads(
                Payload.newBuilder()
                    .setPayload(ByteString.copyFromUtf8("b"))
                    .setKey(ByteString.copyFromUtf8("k"))
                    .addHeaders(TRACE))
            .addAppendTimesMs(100)
            .addAppendTimesMs(-1)
            .setNewReadFrom(MsgNumber.newBuilder().setMsgNumber(12))
            .setFirstAvailable(4)
            .setSkipped(2)
            .setNextNumber(20)
            .build();
    PollReply reply = poll(response.toByteArray());
    assertThat(reply.newReadFrom()).isEqualTo(12);
    assertThat(reply.firstAvailable()).isEqualTo(4);
    assertThat(reply.skipped()).isEqualTo(2);
    assertThat(reply.nextNumber()).isEqualTo(20);
    assertThat(reply.messages()).extracting(Message::number).containsExactly(10L, 11L);
    assertThat(reply.messages()).extracting(Message::appendTimeMillis).containsExactly(100L, -1L);
    assertThat(reply.messages().get(1).key()).asString().isEqualTo("k");
    assertThat(reply.messages().get(1).headers().get(0).name()).isEqualTo("traceparent");
  }

  @Test
  void pollTimesMayComeUnpacked() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.writeMessage(1, Payload.newBuilder().setPayload(ByteString.copyFromUtf8("a")).build());
    out.writeInt64(6, 1_700_000_000_000L);
    out.writeMessage(2, MsgNumber.newBuilder().setMsgNumber(2).build());
    out.flush();
    PollReply reply = poll(bytes.toByteArray());
    assertThat(reply.messages()).hasSize(1);
    assertThat(reply.messages().get(0).number()).isEqualTo(1);
    assertThat(reply.messages().get(0).appendTimeMillis()).isEqualTo(1_700_000_000_000L);
  }

  @Test
  void theOriginalsPollRepliesHaveNoTimes() {
    PollResponse original =
        PollResponse.newBuilder()
            .addPayloads(Payload.newBuilder().setPayload(ByteString.copyFromUtf8("a")))
            .setNewReadFrom(MsgNumber.newBuilder().setMsgNumber(6))
            .build();
    PollReply reply = poll(original.toByteArray());
    assertThat(reply.messages().get(0).number()).isEqualTo(5);
    assertThat(reply.messages().get(0).appendTimeMillis()).isEqualTo(-1);
    assertThat(reply.nextNumber()).isZero();
  }

  /** A record as a file store keeps and sends it: its CRC first, over the fields after it. */
  private static byte[] recordWithCrc(long number, String payload) throws IOException {
    ByteArrayOutputStream fieldBytes = new ByteArrayOutputStream();
    CodedOutputStream fields = CodedOutputStream.newInstance(fieldBytes);
    fields.writeUInt64(1, number);
    fields.writeInt64(2, 1000 + number);
    fields.writeBytes(3, ByteString.copyFromUtf8(payload));
    fields.flush();
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(fieldBytes.toByteArray());
    ByteArrayOutputStream record = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(record);
    out.writeTag(1, 2);
    out.writeUInt32NoTag(5 + fieldBytes.size());
    out.writeFixed32(15, (int) crc.getValue());
    out.writeRawBytes(fieldBytes.toByteArray());
    out.flush();
    return record.toByteArray();
  }

  @Test
  void aRecordsCrcIsCheckedAndADamagedRecordEndsTheReplyWithDataLossNamingIt() throws IOException {
    ByteArrayOutputStream reply = new ByteArrayOutputStream();
    reply.write(recordWithCrc(1, "first"));
    reply.write(recordWithCrc(2, "second"));
    byte[] good = reply.toByteArray();

    for (boolean knownLength : new boolean[] {true, false}) {
      InputStream in = knownLength ? new Known(good) : new ByteArrayInputStream(good);
      SubscribeReply parsed = Replies.SUBSCRIBE.parseResponse(in);
      assertThat(parsed.messages()).extracting(Message::number).containsExactly(1L, 2L);
      assertThat(SubscribeResponse.parseFrom(good).getRecords(1).getCrc32C()).isNotZero();

      byte[] damaged = good.clone();
      damaged[damaged.length - 2] ^= 0x01;
      SubscribeReply refused =
          Replies.SUBSCRIBE.parseResponse(
              knownLength ? new Known(damaged) : new ByteArrayInputStream(damaged));
      assertThat(refused.messages()).extracting(Message::number).containsExactly(1L);
      assertThat(refused.damaged()).isTrue();
    }
  }

  @Test
  void damageThatWouldNotParseIsFoundByTheCrcFirst() throws IOException {
    byte[] good = recordWithCrc(1, "first");
    ByteArrayOutputStream fieldBytes = new ByteArrayOutputStream();
    CodedOutputStream fields = CodedOutputStream.newInstance(fieldBytes);
    fields.writeUInt64(1, 2);
    fields.writeMessage(
        5,
        io.minikafka.protocol.Header.newBuilder()
            .setName("ok")
            .setValue(ByteString.copyFromUtf8("v"))
            .build());
    fields.flush();
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(fieldBytes.toByteArray());
    byte[] inner = fieldBytes.toByteArray();
    // The name's bytes flipped into invalid UTF-8 after the CRC was taken: a damaged copy.
    inner[inner.length - 5] = (byte) 0xC3;
    inner[inner.length - 4] = (byte) 0x28;
    ByteArrayOutputStream reply = new ByteArrayOutputStream();
    reply.write(good);
    CodedOutputStream out = CodedOutputStream.newInstance(reply);
    out.writeTag(1, 2);
    out.writeUInt32NoTag(5 + inner.length);
    out.writeFixed32(15, (int) crc.getValue());
    out.writeRawBytes(inner);
    out.writeUInt64(2, 1);
    out.flush();

    SubscribeReply parsed = subscribe(reply.toByteArray());

    assertThat(parsed.messages()).extracting(Message::number).containsExactly(1L);
    assertThat(parsed.damaged()).as("DATA_LOSS, not a reply that does not parse").isTrue();
    assertThat(parsed.firstAvailable()).as("the fields after the records are still read").isOne();
  }

  @Test
  void bytesThatDoNotParseAreAnInternalErrorSayingWhy() {
    byte[] whole =
        SubscribeResponse.newBuilder()
            .addRecords(
                MessageRecord.newBuilder()
                    .setMsgNumber(1)
                    .setPayload(ByteString.copyFromUtf8("payload")))
            .build()
            .toByteArray();
    byte[] cut = Arrays.copyOf(whole, whole.length - 3);
    assertThatThrownBy(() -> subscribe(cut))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL))
        .hasMessageContaining("a reply that does not parse");

    byte[] badName = {
      10, 6, 42, 4, 10, 2, (byte) 0xC3, (byte) 0x28
    }; // a record whose one header's name is not UTF-8
    assertThatThrownBy(() -> subscribe(badName))
        .isInstanceOf(StatusRuntimeException.class)
        .hasMessageContaining("UTF-8");
  }
}
