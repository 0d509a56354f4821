package io.minikafka.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.minikafka.protocol.original.OriginalMiniKafkaProto;
import org.junit.jupiter.api.Test;

/**
 * Proves at the byte level that our messages and the original Go MiniKafka's decode each other. The
 * original layout is compiled from a test-only copy of its .proto.
 */
class WireCompatibilityTest {

  @Test
  void serviceAndMethodNamesAreTheOriginals() {
    assertThat(MiniKafkaGrpc.SERVICE_NAME).isEqualTo("protocol.MiniKafka");
    // The HTTP/2 path of a call is "/" + the full method name.
    assertThat("/" + MiniKafkaGrpc.getProduceMethod().getFullMethodName())
        .isEqualTo("/protocol.MiniKafka/Produce");
    assertThat("/" + MiniKafkaGrpc.getPollMethod().getFullMethodName())
        .isEqualTo("/protocol.MiniKafka/Poll");
  }

  @Test
  void originalProduceRequestDecodesOnOurSide() throws InvalidProtocolBufferException {
    byte[] wire =
        OriginalMiniKafkaProto.ProduceRequest.newBuilder()
            .setTopic(OriginalMiniKafkaProto.Topic.newBuilder().setTopic("topic_foo"))
            .setPayload(
                OriginalMiniKafkaProto.Payload.newBuilder()
                    .setPayload(ByteString.copyFrom(new byte[] {0, 1, (byte) 0xff})))
            .build()
            .toByteArray();

    ProduceRequest ours = ProduceRequest.parseFrom(wire);

    assertThat(ours.getTopic().getTopic()).isEqualTo("topic_foo");
    assertThat(ours.getPayload().getPayload().toByteArray()).containsExactly(0, 1, 0xff);
    assertThat(ours.toByteArray()).isEqualTo(wire);
  }

  @Test
  void handBuiltBytesOfTheOriginalLayoutDecode() throws InvalidProtocolBufferException {
    // ProduceRequest{topic: Topic{topic:"t"}, payload: Payload{payload:"hi"}}, written out by hand:
    // field 1 (len-delimited) -> Topic{field 1 "t"}, field 2 (len-delimited) -> Payload{field 1
    // "hi"}.
    byte[] wire = {0x0a, 0x03, 0x0a, 0x01, 't', 0x12, 0x04, 0x0a, 0x02, 'h', 'i'};

    ProduceRequest ours = ProduceRequest.parseFrom(wire);

    assertThat(ours.getTopic().getTopic()).isEqualTo("t");
    assertThat(ours.getPayload().getPayload().toStringUtf8()).isEqualTo("hi");
    assertThat(ours.toByteArray()).isEqualTo(wire);
  }

  @Test
  void ourPollResponseDecodesOnTheOriginalSide() throws InvalidProtocolBufferException {
    byte[] wire =
        PollResponse.newBuilder()
            .addPayloads(Payload.newBuilder().setPayload(ByteString.copyFromUtf8("a")))
            .addPayloads(Payload.getDefaultInstance())
            .setNewReadFrom(MsgNumber.newBuilder().setMsgNumber(42))
            .build()
            .toByteArray();

    OriginalMiniKafkaProto.PollResponse theirs =
        OriginalMiniKafkaProto.PollResponse.parseFrom(wire);

    assertThat(theirs.getPayloadsCount()).isEqualTo(2);
    assertThat(theirs.getPayloads(0).getPayload().toStringUtf8()).isEqualTo("a");
    assertThat(theirs.getPayloads(1).getPayload().isEmpty()).isTrue();
    assertThat(theirs.getNewReadFrom().getMsgNumber()).isEqualTo(42);
  }

  @Test
  void originalPollRequestDecodesAndOurExtensionsAreIgnoredByTheOriginal()
      throws InvalidProtocolBufferException {
    byte[] original =
        OriginalMiniKafkaProto.PollRequest.newBuilder()
            .setTopic("t")
            .setReadFrom(OriginalMiniKafkaProto.MsgNumber.newBuilder().setMsgNumber(7))
            .build()
            .toByteArray();
    PollRequest ours = PollRequest.parseFrom(original);
    assertThat(ours.getTopic()).isEqualTo("t");
    assertThat(ours.getReadFrom().getMsgNumber()).isEqualTo(7);
    assertThat(ours.getMaxMessages()).isZero();
    assertThat(ours.getMaxBytes()).isZero();

    byte[] extended = ours.toBuilder().setMaxMessages(5).setMaxBytes(100).build().toByteArray();
    OriginalMiniKafkaProto.PollRequest theirs =
        OriginalMiniKafkaProto.PollRequest.parseFrom(extended);
    assertThat(theirs.getTopic()).isEqualTo("t");
    assertThat(theirs.getReadFrom().getMsgNumber()).isEqualTo(7);
  }

  @Test
  void numbersBelowTwoToTheThirtyTwoAreIdenticalOnTheWireAndLargerOnesTruncateForOldClients()
      throws InvalidProtocolBufferException {
    long small = 4_000_000_000L;
    byte[] ours = MsgNumber.newBuilder().setMsgNumber(small).build().toByteArray();
    byte[] theirs =
        OriginalMiniKafkaProto.MsgNumber.newBuilder()
            .setMsgNumber((int) small)
            .build()
            .toByteArray();
    assertThat(ours).isEqualTo(theirs);
    assertThat(
            Integer.toUnsignedLong(OriginalMiniKafkaProto.MsgNumber.parseFrom(ours).getMsgNumber()))
        .isEqualTo(small);
    assertThat(MsgNumber.parseFrom(theirs).getMsgNumber()).isEqualTo(small);

    long large = (1L << 32) + 5;
    byte[] wide = MsgNumber.newBuilder().setMsgNumber(large).build().toByteArray();
    assertThat(OriginalMiniKafkaProto.MsgNumber.parseFrom(wide).getMsgNumber()).isEqualTo(5);
  }
}
