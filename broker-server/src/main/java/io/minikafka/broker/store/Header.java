package io.minikafka.broker.store;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One header of a message: a name and a value, as Kafka's record headers (trace context such as W3C
 * {@code traceparent}, a content type, a source). Names may repeat.
 *
 * @param name UTF-8 text of at most {@value #MAX_NAME_BYTES} bytes
 * @param value any bytes; shared, not to be changed
 */
public record Header(String name, byte[] value) {

  /** A name's length is stored in two bytes. */
  public static final int MAX_NAME_BYTES = 65_535;

  public Header {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
    if (name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
      throw new IllegalArgumentException(
          "a header name must be at most " + MAX_NAME_BYTES + " bytes of UTF-8");
    }
  }
}
