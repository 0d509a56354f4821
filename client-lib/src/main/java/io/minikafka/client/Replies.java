package io.minikafka.client;

import com.google.protobuf.CodedInputStream;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.minikafka.protocol.MiniKafkaGrpc;
import io.minikafka.protocol.PollRequest;
import io.minikafka.protocol.SubscribeRequest;
import java.io.IOException;
import java.io.InputStream;
import java.lang.ref.SoftReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Poll and Subscribe replies read straight into {@link Message}s: one pass over the bytes, one copy
 * of each payload, where the generated classes build a protobuf object and a {@code ByteString} per
 * message that are then copied again into messages (docs/PERFORMANCE.md). Reads what the generated
 * parser reads: fields in any order, unknown fields skipped, so any server's replies (the Go
 * original's too). The switches spell each field's tag as protobuf does: its number times 8 plus
 * its wire type (0 for a varint, 2 for bytes or a message).
 */
final class Replies {

  /**
   * A Subscribe response: see {@code protocol.SubscribeResponse}.
   *
   * @param damaged whether a record's CRC did not match its bytes: {@code messages} are then the
   *     records before it, and the damaged one is the next number
   */
  record SubscribeReply(
      List<Message> messages,
      long firstAvailable,
      long skipped,
      boolean caughtUp,
      boolean topicMissing,
      boolean damaged) {}

  /**
   * A Poll response: see {@code protocol.PollResponse}. Messages are numbered back from {@code
   * newReadFrom}; their append times are -1 when the server sends none.
   */
  record PollReply(
      List<Message> messages,
      long newReadFrom,
      long firstAvailable,
      long skipped,
      long nextNumber) {}

  static final MethodDescriptor<SubscribeRequest, SubscribeReply> SUBSCRIBE =
      MiniKafkaGrpc.getSubscribeMethod().toBuilder(
              MiniKafkaGrpc.getSubscribeMethod().getRequestMarshaller(),
              new Reading<>(Replies::readSubscribe))
          .build();

  static final MethodDescriptor<PollRequest, PollReply> POLL =
      MiniKafkaGrpc.getPollMethod().toBuilder(
              MiniKafkaGrpc.getPollMethod().getRequestMarshaller(),
              new Reading<>(Replies::readPoll))
          .build();

  private static final byte[] EMPTY = new byte[0];

  /** Above this, a reply is read into an array of its own rather than the thread's. */
  private static final int SHARED_BUFFER_MAX = 4 * 1024 * 1024;

  /**
   * Each network thread's buffer for replies, reused since every payload is copied out of it.
   * Softly held, so that an idle client gives it back.
   */
  private static final ThreadLocal<SoftReference<byte[]>> BUFFERS = new ThreadLocal<>();

  private Replies() {}

  /** Reads a reply from {@code in}, which reads {@code bytes} from index 0. */
  private interface Reader<T> {
    T read(CodedInputStream in, byte[] bytes) throws IOException;
  }

  /** A marshaller of replies only: a client never sends them. */
  private record Reading<T>(Reader<T> reader) implements MethodDescriptor.Marshaller<T> {
    @Override
    public InputStream stream(T value) {
      throw new UnsupportedOperationException("a client only reads these replies");
    }

    @Override
    public T parse(InputStream stream) {
      try {
        ReplyBytes bytes = input(stream);
        return reader.read(
            CodedInputStream.newInstance(bytes.array(), 0, bytes.length()), bytes.array());
      } catch (IOException | RuntimeException e) {
        throw Status.INTERNAL
            .withDescription("a reply that does not parse: " + e.getMessage())
            .withCause(e)
            .asRuntimeException();
      }
    }
  }

  /** A reply's bytes: the first {@code length} of {@code array}. */
  private record ReplyBytes(byte[] array, int length) {
    ReplyBytes(byte[] array) {
      this(array, array.length);
    }
  }

  private static ReplyBytes input(InputStream stream) throws IOException {
    if (!(stream instanceof KnownLength)) {
      return new ReplyBytes(stream.readAllBytes());
    }
    int size = stream.available();
    if (size > SHARED_BUFFER_MAX) {
      return new ReplyBytes(stream.readAllBytes());
    }
    SoftReference<byte[]> held = BUFFERS.get();
    byte[] buffer = held == null ? null : held.get();
    if (buffer == null || buffer.length < size) {
      buffer = new byte[Math.max(size, 64 * 1024)];
      BUFFERS.set(new SoftReference<>(buffer));
    }
    int read = 0;
    while (read < size) {
      int n = stream.read(buffer, read, size - read);
      if (n < 0) {
        break;
      }
      read += n;
    }
    if (read < size) {
      throw new IOException("the reply ended after " + read + " of its " + size + " bytes");
    }
    return new ReplyBytes(buffer, size);
  }

  private static SubscribeReply readSubscribe(CodedInputStream in, byte[] bytes)
      throws IOException {
    List<Message> messages = new ArrayList<>();
    long firstAvailable = 0;
    long skipped = 0;
    boolean caughtUp = false;
    boolean topicMissing = false;
    boolean damaged = false;
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      switch (tag) {
        case 10 -> {
          int length = in.readRawVarint32();
          if (damaged) {
            in.skipRawBytes(length);
            continue;
          }
          int end = in.getTotalBytesRead() + length;
          int limit = in.pushLimit(length);
          Message message = readRecord(in, bytes, end);
          if (message == null) {
            damaged = true;
            in.skipRawBytes(in.getBytesUntilLimit());
          } else {
            messages.add(message);
          }
          in.popLimit(limit);
        }
        case 16 -> firstAvailable = in.readUInt64();
        case 24 -> skipped = in.readUInt64();
        case 32 -> caughtUp = in.readBool();
        case 40 -> topicMissing = in.readBool();
        default -> in.skipField(tag);
      }
    }
    return new SubscribeReply(messages, firstAvailable, skipped, caughtUp, topicMissing, damaged);
  }

  /**
   * A {@code MessageRecord} that ends at index {@code end} of {@code bytes}: number 1, append time
   * 2, payload 3, key 4, headers 5, and its CRC 15 (fixed32, wire type 5), checked against the
   * bytes that follow it as soon as it is read (a server sends it first), so that damage is found
   * before it can make the fields fail to parse.
   *
   * @return the message, or null if its CRC does not match
   */
  private static Message readRecord(CodedInputStream in, byte[] bytes, int end) throws IOException {
    long number = 0;
    long time = 0;
    byte[] payload = EMPTY;
    byte[] key = EMPTY;
    List<Header> headers = List.of();
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      switch (tag) {
        case 8 -> number = in.readUInt64();
        case 16 -> time = in.readInt64();
        case 26 -> payload = in.readByteArray();
        case 34 -> key = in.readByteArray();
        case 42 -> headers = addHeader(headers, in);
        case 125 -> {
          int crc = in.readFixed32();
          int from = in.getTotalBytesRead();
          CRC32C check = new CRC32C();
          check.update(bytes, from, end - from);
          if ((int) check.getValue() != crc) {
            return null;
          }
        }
        default -> in.skipField(tag);
      }
    }
    return new Message(number, time, payload, key, headers);
  }

  /** A {@code Header} (name 1, value 2) added to {@code headers}, which it may replace. */
  private static List<Header> addHeader(List<Header> headers, CodedInputStream in)
      throws IOException {
    int limit = in.pushLimit(in.readRawVarint32());
    String name = "";
    byte[] value = EMPTY;
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      switch (tag) {
        case 10 -> name = in.readStringRequireUtf8();
        case 18 -> value = in.readByteArray();
        default -> in.skipField(tag);
      }
    }
    in.popLimit(limit);
    List<Header> more = headers.isEmpty() ? new ArrayList<>() : headers;
    more.add(new Header(name, value));
    return more;
  }

  private static PollReply readPoll(CodedInputStream in, byte[] bytes) throws IOException {
    List<byte[]> payloads = new ArrayList<>();
    List<byte[]> keys = new ArrayList<>();
    List<List<Header>> headers = new ArrayList<>();
    long[] times = new long[16];
    int timeCount = 0;
    long newReadFrom = 0;
    long firstAvailable = 0;
    long skipped = 0;
    long nextNumber = 0;
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      switch (tag) {
        case 10 -> {
          int limit = in.pushLimit(in.readRawVarint32());
          readPayload(in, payloads, keys, headers);
          in.popLimit(limit);
        }
        case 18 -> {
          int limit = in.pushLimit(in.readRawVarint32());
          newReadFrom = 0;
          for (int inner = in.readTag(); inner != 0; inner = in.readTag()) {
            if (inner == 8) {
              newReadFrom = in.readUInt64();
            } else {
              in.skipField(inner);
            }
          }
          in.popLimit(limit);
        }
        case 24 -> firstAvailable = in.readUInt64();
        case 32 -> skipped = in.readUInt64();
        case 40 -> nextNumber = in.readUInt64();
        case 48 -> {
          times = room(times, timeCount);
          times[timeCount++] = in.readInt64();
        }
        case 50 -> {
          int limit = in.pushLimit(in.readRawVarint32());
          while (in.getBytesUntilLimit() > 0) {
            times = room(times, timeCount);
            times[timeCount++] = in.readInt64();
          }
          in.popLimit(limit);
        }
        default -> in.skipField(tag);
      }
    }
    int count = payloads.size();
    // Times come from servers that send them, one per payload (not the Go original).
    boolean timed = timeCount == count;
    long first = newReadFrom - count;
    List<Message> messages = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      messages.add(
          new Message(
              first + i, timed ? times[i] : -1, payloads.get(i), keys.get(i), headers.get(i)));
    }
    return new PollReply(messages, newReadFrom, firstAvailable, skipped, nextNumber);
  }

  /** A {@code Payload}: payload 1, key 2, headers 3. */
  private static void readPayload(
      CodedInputStream in, List<byte[]> payloads, List<byte[]> keys, List<List<Header>> headers)
      throws IOException {
    byte[] payload = EMPTY;
    byte[] key = EMPTY;
    List<Header> own = List.of();
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      switch (tag) {
        case 10 -> payload = in.readByteArray();
        case 18 -> key = in.readByteArray();
        case 26 -> own = addHeader(own, in);
        default -> in.skipField(tag);
      }
    }
    payloads.add(payload);
    keys.add(key);
    headers.add(own);
  }

  private static long[] room(long[] times, int count) {
    return count < times.length ? times : Arrays.copyOf(times, count * 2);
  }
}
