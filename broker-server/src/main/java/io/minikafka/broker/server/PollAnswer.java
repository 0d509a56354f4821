package io.minikafka.broker.server;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import io.grpc.MethodDescriptor;
import io.minikafka.broker.store.PollResult;
import io.minikafka.broker.store.StoredMessage;
import io.minikafka.protocol.MiniKafkaGrpc;
import io.minikafka.protocol.PollRequest;
import java.io.IOException;
import java.util.List;

/**
 * One {@code protocol.PollResponse}, encoded from the store's messages as {@link EncodedResponse}
 * describes: each a {@code Payload} (payload 1, key 2, headers 3), then the next number to read as
 * a {@code MsgNumber} 2, first available 3, skipped 4, next number 5 and the append times, packed,
 * 6.
 */
final class PollAnswer extends EncodedResponse {

  /** Poll as the server answers it: the generated request side, these responses. */
  static final MethodDescriptor<PollRequest, PollAnswer> METHOD =
      MiniKafkaGrpc.getPollMethod().toBuilder(
              MiniKafkaGrpc.getPollMethod().getRequestMarshaller(),
              EncodedResponse.<PollAnswer>marshaller())
          .build();

  private final long newReadFrom;
  private final long firstAvailable;
  private final long skipped;
  private final long nextNumber;

  /** Each payload's body size, and the packed append times' size, from {@link #computeSize}. */
  private int[] payloadSizes;

  private int timesSize;

  private PollAnswer(
      List<StoredMessage> messages,
      long newReadFrom,
      long firstAvailable,
      long skipped,
      long nextNumber) {
    super(messages);
    this.newReadFrom = newReadFrom;
    this.firstAvailable = firstAvailable;
    this.skipped = skipped;
    this.nextNumber = nextNumber;
  }

  /** What a poll from {@code readFrom} found. */
  static PollAnswer of(PollResult result, long readFrom) {
    return new PollAnswer(
        result.messages(),
        result.newReadFrom(),
        result.firstAvailable(),
        result.skipped(readFrom),
        result.nextNumber());
  }

  /** Nothing to read: the reader goes on from {@code readFrom}. */
  static PollAnswer empty(long readFrom) {
    return new PollAnswer(List.of(), readFrom, 0, 0, 0);
  }

  @Override
  int computeSize() {
    payloadSizes = new int[messages.size()];
    int size = 0;
    timesSize = 0;
    for (int i = 0; i < payloadSizes.length; i++) {
      StoredMessage message = messages.get(i);
      payloadSizes[i] =
          bytesSize(1, message.payload())
              + bytesSize(2, message.key())
              + headersSize(3, message.headers());
      size += delimitedSize(1, payloadSizes[i]);
      timesSize += CodedOutputStream.computeInt64SizeNoTag(message.appendTimeMillis());
    }
    size += delimitedSize(2, newReadFromSize());
    if (firstAvailable != 0) {
      size += CodedOutputStream.computeUInt64Size(3, firstAvailable);
    }
    if (skipped != 0) {
      size += CodedOutputStream.computeUInt64Size(4, skipped);
    }
    if (nextNumber != 0) {
      size += CodedOutputStream.computeUInt64Size(5, nextNumber);
    }
    if (timesSize > 0) {
      size += delimitedSize(6, timesSize);
    }
    return size;
  }

  private int newReadFromSize() {
    return newReadFrom == 0 ? 0 : CodedOutputStream.computeUInt64Size(1, newReadFrom);
  }

  @Override
  void writeTo(CodedOutputStream out) throws IOException {
    for (int i = 0; i < payloadSizes.length; i++) {
      StoredMessage message = messages.get(i);
      out.writeTag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      out.writeUInt32NoTag(payloadSizes[i]);
      writeBytes(out, 1, message.payload());
      writeBytes(out, 2, message.key());
      writeHeaders(out, 3, message.headers());
    }
    out.writeTag(2, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    out.writeUInt32NoTag(newReadFromSize());
    if (newReadFrom != 0) {
      out.writeUInt64(1, newReadFrom);
    }
    if (firstAvailable != 0) {
      out.writeUInt64(3, firstAvailable);
    }
    if (skipped != 0) {
      out.writeUInt64(4, skipped);
    }
    if (nextNumber != 0) {
      out.writeUInt64(5, nextNumber);
    }
    if (timesSize > 0) {
      out.writeTag(6, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      out.writeUInt32NoTag(timesSize);
      for (StoredMessage message : messages) {
        out.writeInt64NoTag(message.appendTimeMillis());
      }
    }
  }
}
