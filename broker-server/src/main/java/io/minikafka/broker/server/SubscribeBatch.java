package io.minikafka.broker.server;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import io.grpc.MethodDescriptor;
import io.minikafka.broker.store.PollResult;
import io.minikafka.broker.store.RecordBytes;
import io.minikafka.broker.store.StoredMessage;
import io.minikafka.protocol.MiniKafkaGrpc;
import io.minikafka.protocol.SubscribeRequest;
import java.io.IOException;
import java.util.List;

/**
 * One {@code protocol.SubscribeResponse}: its records, then first available 2, skipped 3, caught up
 * 4, topic missing 5. The records are the store's bytes as they are when it read them so ({@link
 * RecordBytes}: each {@code MessageRecord}, with its CRC from a file store), else encoded from its
 * messages as {@link EncodedResponse} describes (number 1, append time 2, payload 3, key 4, headers
 * 5).
 */
final class SubscribeBatch extends EncodedResponse {

  /** Subscribe as the server answers it: the generated request side, these responses. */
  static final MethodDescriptor<SubscribeRequest, SubscribeBatch> METHOD =
      MiniKafkaGrpc.getSubscribeMethod().toBuilder(
              MiniKafkaGrpc.getSubscribeMethod().getRequestMarshaller(),
              EncodedResponse.<SubscribeBatch>marshaller())
          .build();

  /** The records as the store's bytes, or null when they are {@link #messages}. */
  private final RecordBytes encoded;

  private final long firstAvailable;
  private final long skipped;
  private final boolean caughtUp;
  private final boolean topicMissing;

  /** Each record's body size, from {@link #computeSize}. */
  private int[] recordSizes;

  private SubscribeBatch(
      List<StoredMessage> messages,
      RecordBytes encoded,
      long firstAvailable,
      long skipped,
      boolean caughtUp,
      boolean topicMissing) {
    super(messages);
    this.encoded = encoded;
    this.firstAvailable = firstAvailable;
    this.skipped = skipped;
    this.caughtUp = caughtUp;
    this.topicMissing = topicMissing;
  }

  /**
   * Messages in number order, after {@code skipped} numbers that had expired ({@code
   * firstAvailable} the oldest still held; both 0 when none had).
   */
  static SubscribeBatch of(List<StoredMessage> messages, long firstAvailable, long skipped) {
    return new SubscribeBatch(messages, null, firstAvailable, skipped, false, false);
  }

  /** {@link #of(List, long, long)} of a poll's messages, in whichever form it holds them. */
  static SubscribeBatch of(PollResult result, long firstAvailable, long skipped) {
    return new SubscribeBatch(
        result.messages(), result.encoded(), firstAvailable, skipped, false, false);
  }

  /** The announcement that the call has caught up and waits for new messages. */
  static SubscribeBatch caughtUp(boolean topicMissing) {
    return new SubscribeBatch(List.of(), null, 0, 0, true, topicMissing);
  }

  @Override
  void sent() {
    if (encoded != null) {
      encoded.release();
    }
  }

  @Override
  public int messageCount() {
    return encoded != null ? encoded.count() : super.messageCount();
  }

  @Override
  public long payloadBytes() {
    return encoded != null ? encoded.payloadBytes() : super.payloadBytes();
  }

  @Override
  int computeSize() {
    recordSizes = new int[messages.size()];
    int size = encoded != null ? encoded.length() : 0;
    for (int i = 0; i < recordSizes.length; i++) {
      recordSizes[i] = recordSize(messages.get(i));
      size += delimitedSize(1, recordSizes[i]);
    }
    if (firstAvailable != 0) {
      size += CodedOutputStream.computeUInt64Size(2, firstAvailable);
    }
    if (skipped != 0) {
      size += CodedOutputStream.computeUInt64Size(3, skipped);
    }
    if (caughtUp) {
      size += CodedOutputStream.computeBoolSize(4, true);
    }
    if (topicMissing) {
      size += CodedOutputStream.computeBoolSize(5, true);
    }
    return size;
  }

  private static int recordSize(StoredMessage message) {
    int size = 0;
    if (message.number() != 0) {
      size += CodedOutputStream.computeUInt64Size(1, message.number());
    }
    if (message.appendTimeMillis() != 0) {
      size += CodedOutputStream.computeInt64Size(2, message.appendTimeMillis());
    }
    return size
        + bytesSize(3, message.payload())
        + bytesSize(4, message.key())
        + headersSize(5, message.headers());
  }

  @Override
  void writeTo(CodedOutputStream out) throws IOException {
    if (encoded != null) {
      out.writeRawBytes(encoded.array(), 0, encoded.length());
    }
    for (int i = 0; i < recordSizes.length; i++) {
      StoredMessage message = messages.get(i);
      out.writeTag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      out.writeUInt32NoTag(recordSizes[i]);
      if (message.number() != 0) {
        out.writeUInt64(1, message.number());
      }
      if (message.appendTimeMillis() != 0) {
        out.writeInt64(2, message.appendTimeMillis());
      }
      writeBytes(out, 3, message.payload());
      writeBytes(out, 4, message.key());
      writeHeaders(out, 5, message.headers());
    }
    if (firstAvailable != 0) {
      out.writeUInt64(2, firstAvailable);
    }
    if (skipped != 0) {
      out.writeUInt64(3, skipped);
    }
    if (caughtUp) {
      out.writeBool(4, true);
    }
    if (topicMissing) {
      out.writeBool(5, true);
    }
  }
}
