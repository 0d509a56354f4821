package io.minikafka.broker.server;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Reads protobuf's encoding from the buffers gRPC received a message in, copying a {@code bytes}
 * field once, straight from them into its array. Protobuf's own reader copies through an array of
 * its own first when a message spans several buffers, as a large request always does
 * (docs/PERFORMANCE.md). It reads what protobuf's parsers read: varints of up to 10 bytes (where
 * protobuf-java takes some overlong ones, this refuses them, as the encoding's specification does),
 * unknown fields of every wire type skipped (groups too, however deep), lengths that overrun their
 * message refused, strings that are not UTF-8 refused.
 *
 * <p>Not thread-safe; the buffers must not change while it reads them.
 */
final class WireInput {

  private final ByteBuffer[] parts;
  private int part;
  private ByteBuffer current;

  /** Bytes of the parts before {@code current}. */
  private long before;

  /** Where the message being read ends. */
  private long limit;

  WireInput(List<ByteBuffer> buffers) {
    parts = new ByteBuffer[buffers.size()];
    long size = 0;
    for (int i = 0; i < parts.length; i++) {
      parts[i] = buffers.get(i).slice();
      size += parts[i].remaining();
    }
    current = parts.length == 0 ? ByteBuffer.allocate(0) : parts[0];
    limit = size;
  }

  static WireInput of(byte[] bytes) {
    return new WireInput(List.of(ByteBuffer.wrap(bytes)));
  }

  private long position() {
    return before + current.position();
  }

  /** The next field's tag, or 0 at the end of the message being read. */
  int readTag() throws IOException {
    if (position() == limit) {
      return 0;
    }
    int tag = readVarint32();
    if (tag >>> 3 == 0) {
      throw new IOException("Protocol message contained an invalid tag (zero).");
    }
    return tag;
  }

  /** A varint value: at most 10 bytes, the tenth the last. */
  long readVarint() throws IOException {
    long value = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      byte b = readByte();
      value |= (long) (b & 0x7F) << shift;
      if (b >= 0) {
        return value;
      }
    }
    throw new IOException("CodedInputStream encountered a malformed varint.");
  }

  /** A tag or a length, read as protobuf reads one: a varint whose bits past 32 are dropped. */
  private int readVarint32() throws IOException {
    return (int) readVarint();
  }

  /** A {@code bytes} field's value, after its tag. */
  byte[] readBytes() throws IOException {
    byte[] bytes = new byte[readLength()];
    int at = 0;
    while (at < bytes.length) {
      ensureRemaining();
      int n = Math.min(bytes.length - at, current.remaining());
      current.get(bytes, at, n);
      at += n;
    }
    return bytes;
  }

  /** A {@code string} field's value, after its tag. */
  String readString() throws IOException {
    byte[] bytes = readBytes();
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new IOException("Protocol message had invalid UTF-8.", e);
    }
  }

  /**
   * Starts reading an embedded message, after its tag: until {@link #endMessage}, the input ends
   * where it does.
   *
   * @return what to give {@link #endMessage}
   */
  long startMessage() throws IOException {
    long end = readLength() + position();
    long outer = limit;
    limit = end;
    return outer;
  }

  /** Goes back to the enclosing message, the embedded one read to its end. */
  void endMessage(long outer) {
    limit = outer;
  }

  /** Skips the value of a field with this tag. */
  void skipField(int tag) throws IOException {
    if ((tag & 7) != 3) {
      skipValue(tag);
      return;
    }
    // A group, skipped without recursion however deep groups nest in it.
    int[] open = {tag >>> 3};
    int depth = 1;
    while (depth > 0) {
      int inner = readTag();
      if (inner == 0) {
        throw truncated();
      }
      if ((inner & 7) == 3) {
        if (depth == open.length) {
          open = Arrays.copyOf(open, depth * 2);
        }
        open[depth++] = inner >>> 3;
      } else if ((inner & 7) == 4) {
        if (inner >>> 3 != open[--depth]) {
          throw new IOException("Protocol message end-group tag did not match expected tag.");
        }
      } else {
        skipValue(inner);
      }
    }
  }

  private void skipValue(int tag) throws IOException {
    switch (tag & 7) {
      case 0 -> readVarint();
      case 1 -> skip(8);
      case 2 -> skip(readLength());
      case 5 -> skip(4);
      default -> throw new IOException("Protocol message tag had invalid wire type.");
    }
  }

  private int readLength() throws IOException {
    int length = readVarint32();
    if (length < 0) {
      throw new IOException(
          "CodedInputStream encountered an embedded string or message which"
              + " claimed to have negative size.");
    }
    if (position() + length > limit) {
      throw truncated();
    }
    return length;
  }

  private void skip(long count) throws IOException {
    if (position() + count > limit) {
      throw truncated();
    }
    long left = count;
    while (left > 0) {
      ensureRemaining();
      int n = (int) Math.min(left, current.remaining());
      current.position(current.position() + n);
      left -= n;
    }
  }

  private byte readByte() throws IOException {
    if (position() >= limit) {
      throw truncated();
    }
    ensureRemaining();
    return current.get();
  }

  /** Moves to the next buffer with bytes left, if the current one has none. */
  private void ensureRemaining() throws EOFException {
    while (!current.hasRemaining()) {
      if (part + 1 >= parts.length) {
        throw truncated();
      }
      before += current.limit();
      current = parts[++part];
    }
  }

  private static EOFException truncated() {
    return new EOFException(
        "While parsing a protocol message, the input ended unexpectedly in the middle of a field.");
  }
}
