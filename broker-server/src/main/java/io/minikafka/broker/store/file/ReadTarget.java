package io.minikafka.broker.store.file;

import io.minikafka.broker.store.PollResult;
import io.minikafka.broker.store.Record;
import io.minikafka.broker.store.RecordBytes;
import io.minikafka.broker.store.StoredMessage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * What one read of a topic collects across its segments: messages, or their wire bytes ({@link
 * WireRecordFormat}) copied from the segments as they are. A legacy segment's records are encoded
 * into the wire bytes as they are read. Used by one reading thread.
 */
final class ReadTarget {

  private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

  private final List<StoredMessage> messages;
  private ByteBuffer bytes;
  private int count;
  private long payloadBytes;

  private ReadTarget(List<StoredMessage> messages) {
    this.messages = messages;
  }

  /** A target for messages. */
  static ReadTarget forMessages() {
    return new ReadTarget(new ArrayList<>());
  }

  /** A target for wire bytes. */
  static ReadTarget forWire() {
    return new ReadTarget(null);
  }

  boolean encoded() {
    return messages == null;
  }

  int count() {
    return count;
  }

  /** Adds a decoded message, encoding it if this target holds bytes. */
  void add(StoredMessage message) {
    if (messages != null) {
      messages.add(message);
    } else {
      Record record = new Record(message.key(), message.headers(), message.payload());
      ensure(WireRecordFormat.maxRecordBytes(record));
      WireRecordFormat.encode(bytes, message.number(), message.appendTimeMillis(), record);
      payloadBytes += message.payload().length;
    }
    count++;
  }

  /**
   * Adds {@code records} whole wire records, the bytes of {@code buffer} from {@code from} up to
   * {@code to}, as they are.
   */
  void addEncoded(ByteBuffer buffer, int from, int to, int records, long payloadBytes) {
    int length = to - from;
    ensure(length);
    buffer.get(from, bytes.array(), bytes.position(), length);
    bytes.position(bytes.position() + length);
    this.payloadBytes += payloadBytes;
    count += records;
  }

  /** Adds the wire record at {@code position} of {@code log}, read straight into this target. */
  void addEncoded(FileHandle log, long position, RecordFrame frame) throws IOException {
    ensure(frame.recordBytes);
    int start = bytes.position();
    log.readFully(bytes.slice(start, (int) frame.recordBytes), position);
    bytes.position(start + (int) frame.recordBytes);
    added(frame);
  }

  private void added(RecordFrame frame) {
    payloadBytes += frame.payloadBytes;
    count++;
  }

  private void ensure(long more) {
    long needed = (bytes == null ? 0 : bytes.position()) + more;
    if (needed > MAX_ARRAY) {
      throw new IllegalArgumentException("a read must be under 2 GiB, this one is " + needed);
    }
    if (bytes != null && bytes.remaining() >= more) {
      return;
    }
    ByteBuffer bigger =
        ByteBuffer.wrap(
            bytes == null
                ? RecordBytes.spareArray((int) needed)
                : new byte[(int) Math.max(needed, Math.min(bytes.capacity() * 2L, MAX_ARRAY))]);
    if (bytes != null) {
      bigger.put(bytes.flip());
    }
    bytes = bigger;
  }

  /** The read's result. */
  PollResult result(long newReadFrom, long firstAvailable, long nextNumber) {
    if (messages != null) {
      return new PollResult(messages, newReadFrom, firstAvailable, nextNumber);
    }
    return new PollResult(
        List.of(),
        newReadFrom,
        firstAvailable,
        nextNumber,
        bytes == null
            ? new RecordBytes(new byte[0], 0, 0, 0)
            : new RecordBytes(bytes.array(), bytes.position(), count, payloadBytes));
  }
}
