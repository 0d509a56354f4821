package io.minikafka.broker.server;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import io.grpc.MethodDescriptor;
import io.minikafka.broker.store.CorruptRecordException;
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
 * 6. Records a store read in their wire form are re-tagged into {@code Payload}s from their bytes
 * ({@link RecordSpans}), without a message object each: the same bytes.
 */
final class PollAnswer extends EncodedResponse {

  /** Poll as the server answers it: the generated request side, these responses. */
  static final MethodDescriptor<PollRequest, PollAnswer> METHOD =
      MiniKafkaGrpc.getPollMethod().toBuilder(
              MiniKafkaGrpc.getPollMethod().getRequestMarshaller(),
              EncodedResponse.<PollAnswer>marshaller())
          .build();

  /** The records as a store's bytes, or null when they are {@link #messages}. */
  private final RecordSpans spans;

  private final long newReadFrom;
  private final long firstAvailable;
  private final long skipped;
  private final long nextNumber;

  /** Each payload's body size, and the packed append times' size, from {@link #computeSize}. */
  private int[] payloadSizes;

  private int timesSize;

  private PollAnswer(
      List<StoredMessage> messages,
      RecordSpans spans,
      long newReadFrom,
      long firstAvailable,
      long skipped,
      long nextNumber) {
    super(messages);
    this.spans = spans;
    this.newReadFrom = newReadFrom;
    this.firstAvailable = firstAvailable;
    this.skipped = skipped;
    this.nextNumber = nextNumber;
  }

  /**
   * What a poll of {@code topic} from {@code readFrom} found.
   *
   * @throws CorruptRecordException if a record read as bytes fails its CRC
   */
  static PollAnswer of(String topic, PollResult result, long readFrom)
      throws CorruptRecordException {
    return new PollAnswer(
        result.messages(),
        result.encoded() == null
            ? null
            : RecordSpans.of(
                topic, result.newReadFrom() - result.encoded().count(), result.encoded()),
        result.newReadFrom(),
        result.firstAvailable(),
        result.skipped(readFrom),
        result.nextNumber());
  }

  /**
   * Nothing to read from {@code readFrom}, past the end of the topic {@code end} describes: the
   * reader goes on from the number it sent, however large.
   */
  static PollAnswer pastEnd(long readFrom, PollResult end) {
    return new PollAnswer(List.of(), null, readFrom, end.firstAvailable(), 0, end.nextNumber());
  }

  /** Nothing to read: the reader goes on from {@code readFrom}. */
  static PollAnswer empty(long readFrom) {
    return new PollAnswer(List.of(), null, readFrom, 0, 0, 0);
  }

  @Override
  public int messageCount() {
    return spans != null ? spans.count() : super.messageCount();
  }

  @Override
  public long payloadBytes() {
    return spans != null ? spans.bytes.payloadBytes() : super.payloadBytes();
  }

  @Override
  void sent() {
    if (spans != null) {
      spans.bytes.release();
    }
  }

  @Override
  int computeSize() {
    int size = 0;
    timesSize = 0;
    if (spans != null) {
      payloadSizes = new int[spans.count()];
      for (int i = 0; i < payloadSizes.length; i++) {
        int headers = 0;
        for (int h = spans.firstHeader(i); h < spans.firstHeader(i) + spans.headerCount(i); h++) {
          headers += delimitedSize(3, spans.headerLength(h));
        }
        payloadSizes[i] =
            bytesSize(1, spans.payloadLength(i)) + bytesSize(2, spans.keyLength(i)) + headers;
        size += delimitedSize(1, payloadSizes[i]);
        timesSize += CodedOutputStream.computeInt64SizeNoTag(spans.times[i]);
      }
      return size + trailerSize();
    }
    payloadSizes = new int[messages.size()];
    for (int i = 0; i < payloadSizes.length; i++) {
      StoredMessage message = messages.get(i);
      payloadSizes[i] =
          bytesSize(1, message.payload())
              + bytesSize(2, message.key())
              + headersSize(3, message.headers());
      size += delimitedSize(1, payloadSizes[i]);
      timesSize += CodedOutputStream.computeInt64SizeNoTag(message.appendTimeMillis());
    }
    return size + trailerSize();
  }

  /** Bytes of the fields after the payloads; {@link #timesSize} computed. */
  private int trailerSize() {
    int size = delimitedSize(2, newReadFromSize());
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
    if (spans != null) {
      writeSpans(out);
    }
    for (int i = 0; i < messages.size(); i++) {
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
      if (spans != null) {
        for (long time : spans.times) {
          out.writeInt64NoTag(time);
        }
      }
    }
  }

  /** The store's records as {@code Payload}s: their payload, key and header bytes as they are. */
  private void writeSpans(CodedOutputStream out) throws IOException {
    byte[] array = spans.bytes.array();
    for (int i = 0; i < payloadSizes.length; i++) {
      out.writeTag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      out.writeUInt32NoTag(payloadSizes[i]);
      writeSpan(out, 1, array, spans.payloadOffset(i), spans.payloadLength(i));
      writeSpan(out, 2, array, spans.keyOffset(i), spans.keyLength(i));
      for (int h = spans.firstHeader(i); h < spans.firstHeader(i) + spans.headerCount(i); h++) {
        out.writeTag(3, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        out.writeUInt32NoTag(spans.headerLength(h));
        out.writeRawBytes(array, spans.headerOffset(h), spans.headerLength(h));
      }
    }
  }

  /** A {@code bytes} field of {@code length} bytes of {@code array}: none when empty. */
  private static void writeSpan(
      CodedOutputStream out, int fieldNumber, byte[] array, int offset, int length)
      throws IOException {
    if (length > 0) {
      out.writeTag(fieldNumber, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      out.writeUInt32NoTag(length);
      out.writeRawBytes(array, offset, length);
    }
  }
}
