package io.minikafka.broker.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import io.minikafka.broker.store.Header;
import io.minikafka.broker.store.PollResult;
import io.minikafka.broker.store.RecordBytes;
import io.minikafka.broker.store.StoredMessage;
import io.minikafka.protocol.MessageRecord;
import io.minikafka.protocol.MsgNumber;
import io.minikafka.protocol.Payload;
import io.minikafka.protocol.PollResponse;
import io.minikafka.protocol.SubscribeResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Responses encoded from stored messages are byte for byte what the generated protobuf classes
 * write for the same content, drained by gRPC's framer or read by a transport that does not drain.
 */
class EncodedResponseTest {

  private static final Random RANDOM = new Random(42);

  /** Messages with every field at and beside its default: what the encoder must leave out. */
  private static List<StoredMessage> awkwardMessages() {
    List<StoredMessage> messages = new ArrayList<>();
    messages.add(new StoredMessage(1, 0, new byte[0]));
    messages.add(new StoredMessage(2, -1, bytes(1)));
    messages.add(new StoredMessage(3, Long.MIN_VALUE, bytes(127)));
    messages.add(new StoredMessage(Long.MAX_VALUE, Long.MAX_VALUE, bytes(128)));
    messages.add(
        new StoredMessage(
            5,
            1_700_000_000_000L,
            bytes(300),
            bytes(3),
            List.of(
                new Header("", new byte[0]),
                new Header("traceparent", bytes(55)),
                new Header("naïve ✓", new byte[0]),
                new Header("", bytes(2)))));
    messages.add(new StoredMessage(6, 7, new byte[0], bytes(1), List.of()));
    for (int i = 0; i < 50; i++) {
      messages.add(new StoredMessage(7 + i, RANDOM.nextLong(), bytes(RANDOM.nextInt(20_000))));
    }
    return messages;
  }

  private static byte[] bytes(int length) {
    byte[] bytes = new byte[length];
    RANDOM.nextBytes(bytes);
    return bytes;
  }

  private static io.minikafka.protocol.Header wire(Header header) {
    return io.minikafka.protocol.Header.newBuilder()
        .setName(header.name())
        .setValue(ByteString.copyFrom(header.value()))
        .build();
  }

  /** A message as the generated classes build its record. */
  private static MessageRecord record(StoredMessage m) {
    MessageRecord.Builder record =
        MessageRecord.newBuilder()
            .setMsgNumber(m.number())
            .setAppendTimeMs(m.appendTimeMillis())
            .setPayload(ByteString.copyFrom(m.payload()))
            .setKey(ByteString.copyFrom(m.key()));
    m.headers().forEach(h -> record.addHeaders(wire(h)));
    return record.build();
  }

  private static SubscribeResponse generated(
      List<StoredMessage> messages, long firstAvailable, long skipped, boolean caughtUp) {
    SubscribeResponse.Builder response = SubscribeResponse.newBuilder();
    for (StoredMessage m : messages) {
      response.addRecords(record(m));
    }
    return response
        .setFirstAvailable(firstAvailable)
        .setSkipped(skipped)
        .setCaughtUp(caughtUp)
        .setTopicMissing(caughtUp)
        .build();
  }

  private static PollResponse generated(PollResult result, long readFrom) {
    PollResponse.Builder response = PollResponse.newBuilder();
    for (StoredMessage m : result.messages()) {
      Payload.Builder payload =
          Payload.newBuilder()
              .setPayload(ByteString.copyFrom(m.payload()))
              .setKey(ByteString.copyFrom(m.key()));
      m.headers().forEach(h -> payload.addHeaders(wire(h)));
      response.addPayloads(payload).addAppendTimesMs(m.appendTimeMillis());
    }
    return response
        .setNewReadFrom(MsgNumber.newBuilder().setMsgNumber(result.newReadFrom()))
        .setFirstAvailable(result.firstAvailable())
        .setSkipped(result.skipped(readFrom))
        .setNextNumber(result.nextNumber())
        .build();
  }

  private static byte[] drained(EncodedResponse response) throws IOException {
    InputStream stream = EncodedResponse.marshaller().stream(response);
    assertThat(stream.available()).isEqualTo(response.size());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int written = ((io.grpc.Drainable) stream).drainTo(out);
    assertThat(written).isEqualTo(out.size());
    assertThat(stream.available()).isZero();
    return out.toByteArray();
  }

  private static byte[] read(EncodedResponse response) throws IOException {
    return EncodedResponse.marshaller().stream(response).readAllBytes();
  }

  @Test
  void subscribeBatchesAreTheGeneratedBytes() throws IOException {
    List<StoredMessage> messages = awkwardMessages();
    byte[] expected = generated(messages, 0, 0, false).toByteArray();
    assertThat(drained(SubscribeBatch.of(messages, 0, 0))).isEqualTo(expected);
    assertThat(read(SubscribeBatch.of(messages, 0, 0))).isEqualTo(expected);
    assertThat(SubscribeBatch.of(messages, 0, 0).toByteArray()).isEqualTo(expected);
  }

  @Test
  void aBatchOfAStoresRecordBytesSendsExactlyThoseBytesThenItsOwnFields() throws IOException {
    List<StoredMessage> messages = awkwardMessages();
    byte[] records = generated(messages, 0, 0, false).toByteArray();
    // The store's bytes sit in a larger array, the rest of which must never be sent.
    byte[] array = new byte[records.length + 4096];
    RANDOM.nextBytes(array);
    System.arraycopy(records, 0, array, 0, records.length);
    long payloads = messages.stream().mapToLong(m -> m.payload().length).sum();
    PollResult read =
        new PollResult(
            List.of(),
            58,
            1,
            58,
            new RecordBytes(array, records.length, messages.size(), payloads));
    byte[] expected = generated(messages, 3, 2, false).toByteArray();

    assertThat(drained(SubscribeBatch.of(read, 3, 2))).isEqualTo(expected);
    assertThat(read(SubscribeBatch.of(read, 3, 2))).isEqualTo(expected);
    assertThat(SubscribeBatch.of(read, 3, 2).messageCount()).isEqualTo(messages.size());
    assertThat(SubscribeBatch.of(read, 3, 2).payloadBytes()).isEqualTo(payloads);
  }

  @Test
  void skipsAndAnnouncementsAreTheGeneratedBytes() throws IOException {
    List<StoredMessage> one = List.of(new StoredMessage(300, 5, bytes(10)));
    assertThat(drained(SubscribeBatch.of(one, 300, 299)))
        .isEqualTo(generated(one, 300, 299, false).toByteArray());
    assertThat(drained(SubscribeBatch.caughtUp(true)))
        .isEqualTo(generated(List.of(), 0, 0, true).toByteArray());
    assertThat(drained(SubscribeBatch.caughtUp(false)))
        .isEqualTo(SubscribeResponse.newBuilder().setCaughtUp(true).build().toByteArray());
  }

  @Test
  void pollAnswersAreTheGeneratedBytes() throws IOException {
    List<StoredMessage> messages = awkwardMessages();
    PollResult result = new PollResult(messages, 57, 1, 58);
    byte[] expected = generated(result, 1).toByteArray();
    assertThat(drained(PollAnswer.of("t", result, 1))).isEqualTo(expected);
    assertThat(read(PollAnswer.of("t", result, 1))).isEqualTo(expected);

    PollResult skipped = new PollResult(List.of(), 9, 12, 12);
    assertThat(drained(PollAnswer.of("t", skipped, 9)))
        .isEqualTo(generated(skipped, 9).toByteArray());
  }

  /** Messages as a file store keeps them: each record's CRC first, over the fields after it. */
  private static RecordBytes withCrcs(List<StoredMessage> messages) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(all);
    long payloads = 0;
    for (StoredMessage m : messages) {
      byte[] fields = record(m).toByteArray();
      java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
      crc.update(fields);
      out.writeTag(1, 2);
      out.writeUInt32NoTag(5 + fields.length);
      out.writeFixed32(15, (int) crc.getValue());
      out.writeRawBytes(fields);
      payloads += m.payload().length;
    }
    out.flush();
    byte[] bytes = all.toByteArray();
    return new RecordBytes(bytes, bytes.length, messages.size(), payloads);
  }

  @Test
  void aPollAnswerOfAStoresRecordBytesIsTheGeneratedBytesOfTheirMessages() throws IOException {
    List<StoredMessage> messages = awkwardMessages();
    PollResult asBytes = new PollResult(List.of(), 57, 1, 58, withCrcs(messages));
    byte[] expected = generated(new PollResult(messages, 57, 1, 58), 1).toByteArray();

    assertThat(drained(PollAnswer.of("t", asBytes, 1))).isEqualTo(expected);
    assertThat(read(PollAnswer.of("t", asBytes, 1))).isEqualTo(expected);
    assertThat(PollAnswer.of("t", asBytes, 1).messageCount()).isEqualTo(messages.size());
  }

  @Test
  void aPollAnswerRefusesARecordWhoseCrcDoesNotMatchNamingIt() throws IOException {
    List<StoredMessage> messages = awkwardMessages().subList(0, 5);
    RecordBytes good = withCrcs(messages);
    byte[] damaged = good.array().clone();
    damaged[damaged.length - 1] ^= 0x10;
    PollResult result =
        new PollResult(
            List.of(),
            6,
            1,
            6,
            new RecordBytes(damaged, good.length(), good.count(), good.payloadBytes()));

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> PollAnswer.of("orders", result, 1))
        .isInstanceOf(io.minikafka.broker.store.CorruptRecordException.class)
        .hasMessageContaining("topic 'orders' message 5 is damaged on disk (CRC mismatch)");
  }

  @Test
  void anEmptyPollAnswerNamesOnlyWhereToReadFrom() throws IOException {
    assertThat(drained(PollAnswer.empty(0)))
        .isEqualTo(
            PollResponse.newBuilder()
                .setNewReadFrom(MsgNumber.getDefaultInstance())
                .build()
                .toByteArray());
    assertThat(
            PollResponse.parseFrom(drained(PollAnswer.empty(42))).getNewReadFrom().getMsgNumber())
        .isEqualTo(42);
  }

  @Test
  void headerNamesAreUtf8() throws IOException {
    StoredMessage message =
        new StoredMessage(1, 1, bytes(1), new byte[0], List.of(new Header("ключ", bytes(1))));
    SubscribeResponse parsed =
        SubscribeResponse.parseFrom(drained(SubscribeBatch.of(List.of(message), 0, 0)));
    assertThat(parsed.getRecords(0).getHeaders(0).getNameBytes().toByteArray())
        .isEqualTo("ключ".getBytes(StandardCharsets.UTF_8));
  }
}
