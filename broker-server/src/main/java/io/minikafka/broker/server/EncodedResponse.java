package io.minikafka.broker.server;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.minikafka.broker.metrics.Delivery;
import io.minikafka.broker.store.Header;
import io.minikafka.broker.store.StoredMessage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * A response written straight from a store's messages into the call's outgoing bytes: byte for byte
 * what the generated protobuf class would write for the same content (fields in number order,
 * defaults left out), without a protobuf object per message, whose building and size computation
 * cost more than the bytes (docs/PERFORMANCE.md); or, for records a store read as their wire bytes,
 * those bytes as they are ({@link SubscribeBatch}). The size is computed once and the bytes written
 * once, by gRPC's framer draining the stream.
 *
 * <p>Not thread-safe: a response is built, then sent once.
 */
abstract class EncodedResponse implements Delivery {

  /** The most buffered between the encoder and gRPC's framer: one copy, in a few large writes. */
  private static final int WRITE_BUFFER_BYTES = 16 * 1024;

  /** The messages the response carries, in number order. */
  final List<StoredMessage> messages;

  private int size = -1;

  EncodedResponse(List<StoredMessage> messages) {
    this.messages = messages;
  }

  @Override
  public int messageCount() {
    return messages.size();
  }

  @Override
  public long payloadBytes() {
    long bytes = 0;
    for (StoredMessage message : messages) {
      bytes += message.payload().length;
    }
    return bytes;
  }

  /** The encoded size, computed once. */
  final int size() {
    if (size < 0) {
      size = computeSize();
    }
    return size;
  }

  /** Computes the encoded size; may remember what {@link #writeTo} needs again. */
  abstract int computeSize();

  /** Writes the encoding; {@link #size()} has been called. */
  abstract void writeTo(CodedOutputStream out) throws IOException;

  /** Called once the encoding has been copied out for sending: nothing reads the response again. */
  void sent() {}

  /** The encoding as an array. */
  final byte[] toByteArray() {
    byte[] bytes = new byte[size()];
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    try {
      writeTo(out);
    } catch (IOException e) {
      throw new UncheckedIOException("writing into an array", e);
    }
    out.checkNoSpaceLeft();
    return bytes;
  }

  /**
   * A marshaller that sends such responses. The server never parses its own responses, so {@code
   * parse} refuses.
   */
  static <T extends EncodedResponse> MethodDescriptor.Marshaller<T> marshaller() {
    return new MethodDescriptor.Marshaller<>() {
      @Override
      public InputStream stream(T response) {
        return new Stream(response);
      }

      @Override
      public T parse(InputStream stream) {
        throw new UnsupportedOperationException("the server only sends these responses");
      }
    };
  }

  /** Bytes of a length-delimited field with this tag holding {@code length} bytes. */
  static int delimitedSize(int fieldNumber, int length) {
    return CodedOutputStream.computeTagSize(fieldNumber)
        + CodedOutputStream.computeUInt32SizeNoTag(length)
        + length;
  }

  /** Bytes of a {@code bytes} field: none when empty, as proto3 leaves defaults out. */
  static int bytesSize(int fieldNumber, byte[] value) {
    return bytesSize(fieldNumber, value.length);
  }

  /** Bytes of a {@code bytes} field of {@code length} bytes: none when empty. */
  static int bytesSize(int fieldNumber, int length) {
    return length == 0 ? 0 : delimitedSize(fieldNumber, length);
  }

  static void writeBytes(CodedOutputStream out, int fieldNumber, byte[] value) throws IOException {
    if (value.length > 0) {
      out.writeByteArray(fieldNumber, value);
    }
  }

  /** Bytes of a {@code protocol.Header} message's body. */
  static int headerSize(Header header) {
    int size = bytesSize(2, header.value());
    if (!header.name().isEmpty()) {
      size += CodedOutputStream.computeStringSize(1, header.name());
    }
    return size;
  }

  /** Bytes of a repeated {@code protocol.Header} field's entries. */
  static int headersSize(int fieldNumber, List<Header> headers) {
    int size = 0;
    for (Header header : headers) {
      size += delimitedSize(fieldNumber, headerSize(header));
    }
    return size;
  }

  static void writeHeaders(CodedOutputStream out, int fieldNumber, List<Header> headers)
      throws IOException {
    for (Header header : headers) {
      out.writeTag(fieldNumber, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      out.writeUInt32NoTag(headerSize(header));
      if (!header.name().isEmpty()) {
        out.writeString(1, header.name());
      }
      writeBytes(out, 2, header.value());
    }
  }

  /**
   * The stream gRPC's framer drains: its known length sizes the frame, and {@code drainTo} writes
   * the encoding into the frame's buffers. Read byte by byte only by transports that do not drain
   * (in-process), from an array encoded then.
   */
  private static final class Stream extends InputStream implements Drainable, KnownLength {

    private EncodedResponse response;
    private ByteArrayInputStream bytes;

    Stream(EncodedResponse response) {
      this.response = response;
    }

    @Override
    public int drainTo(OutputStream target) throws IOException {
      if (response == null) {
        return bytes == null ? 0 : (int) bytes.transferTo(target);
      }
      int size = response.size();
      if (size > 0) {
        CodedOutputStream out =
            CodedOutputStream.newInstance(target, Math.min(size, WRITE_BUFFER_BYTES));
        response.writeTo(out);
        out.flush();
      }
      response.sent();
      response = null;
      return size;
    }

    @Override
    public int available() {
      if (response != null) {
        return response.size();
      }
      return bytes == null ? 0 : bytes.available();
    }

    @Override
    public int read() {
      return encoded().read();
    }

    @Override
    public int read(byte[] into, int offset, int length) {
      return encoded().read(into, offset, length);
    }

    private ByteArrayInputStream encoded() {
      if (response != null) {
        bytes = new ByteArrayInputStream(response.toByteArray());
        response.sent();
        response = null;
      } else if (bytes == null) {
        bytes = new ByteArrayInputStream(new byte[0]);
      }
      return bytes;
    }
  }
}
