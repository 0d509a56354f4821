package io.minikafka.client;

import java.util.Objects;

/**
 * One header of a message, as Kafka's record headers: a name (names may repeat) and a value. Trace
 * context travels in headers: W3C {@code traceparent} and {@code tracestate}.
 *
 * @param name UTF-8 text of at most 65,535 bytes
 * @param value any bytes; not copied, so not to be changed after sending
 */
public record Header(String name, byte[] value) {

  public Header {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
  }

  /** A header whose value is text, in UTF-8. */
  public static Header of(String name, String value) {
    return new Header(name, value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /** The value as UTF-8 text. */
  public String valueAsString() {
    return new String(value, java.nio.charset.StandardCharsets.UTF_8);
  }

  /** {@code traceparent="00-0af7..."}: the value as text when it is short printable UTF-8. */
  @Override
  public String toString() {
    return name + "=" + describe(value);
  }

  /**
   * Bytes as a log line shows them: {@code "text"} when they are printable UTF-8 of at most 64
   * characters, else their count, such as {@code 1024 bytes}.
   */
  static String describe(byte[] bytes) {
    if (bytes == null) {
      return "null";
    }
    if (bytes.length <= 64 * 4) {
      try {
        String text =
            java.nio.charset.StandardCharsets.UTF_8
                .newDecoder()
                .decode(java.nio.ByteBuffer.wrap(bytes))
                .toString();
        if (text.length() <= 64 && text.chars().noneMatch(Character::isISOControl)) {
          return "\"" + text + "\"";
        }
      } catch (java.nio.charset.CharacterCodingException e) {
        // Not text: counted below.
      }
    }
    return bytes.length + (bytes.length == 1 ? " byte" : " bytes");
  }

  /** As the wire carries it; the value is wrapped, not copied. */
  io.minikafka.protocol.Header toWire() {
    return io.minikafka.protocol.Header.newBuilder()
        .setName(name)
        .setValue(com.google.protobuf.UnsafeByteOperations.unsafeWrap(value))
        .build();
  }
}
