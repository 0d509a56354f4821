package io.minikafka.broker.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.minikafka.protocol.MessageRecord;
import io.minikafka.protocol.SubscribeResponse;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/** Reads {@link RecordBytes} as a client does: with the generated classes, checking each CRC. */
public final class WireRecords {

  private WireRecords() {}

  /**
   * The messages of {@code records}, parsed as a {@code SubscribeResponse}'s records by protobuf;
   * each record that carries a CRC is checked against its bytes.
   */
  public static List<StoredMessage> decode(RecordBytes records)
      throws InvalidProtocolBufferException {
    byte[] array = java.util.Arrays.copyOf(records.array(), records.length());
    checkCrcs(array);
    List<StoredMessage> out = new ArrayList<>();
    long payloadBytes = 0;
    for (MessageRecord r : SubscribeResponse.parseFrom(array).getRecordsList()) {
      List<Header> headers =
          r.getHeadersList().stream()
              .map(h -> new Header(h.getName(), h.getValue().toByteArray()))
              .toList();
      out.add(
          new StoredMessage(
              r.getMsgNumber(),
              r.getAppendTimeMs(),
              r.getPayload().toByteArray(),
              r.getKey().toByteArray(),
              headers));
      payloadBytes += r.getPayload().size();
    }
    assertThat(out).hasSize(records.count());
    assertThat(records.payloadBytes()).isEqualTo(payloadBytes);
    return out;
  }

  /** Checks the CRC of every record entry that starts with one. */
  private static void checkCrcs(byte[] array) throws InvalidProtocolBufferException {
    try {
      CodedInputStream in = CodedInputStream.newInstance(array);
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        assertThat(tag).as("only records").isEqualTo(10);
        int length = in.readRawVarint32();
        int start = in.getTotalBytesRead();
        if (length >= 5 && array[start] == 0x7D) {
          int stored =
              ByteBuffer.wrap(array, start + 1, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();
          CRC32C crc = new CRC32C();
          crc.update(array, start + 5, length - 5);
          assertThat((int) crc.getValue())
              .as("CRC of the record at byte %d", start)
              .isEqualTo(stored);
        }
        in.skipRawBytes(length);
      }
    } catch (InvalidProtocolBufferException e) {
      throw e;
    } catch (java.io.IOException e) {
      throw new InvalidProtocolBufferException(e);
    }
  }
}
