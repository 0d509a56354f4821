package io.minikafka.broker.store;

/**
 * The rules a topic name must follow, checked by every store and hence by the server.
 *
 * <p>A name is 1 to {@value #MAX_UTF8_BYTES} bytes of UTF-8 (Kafka's limit), of any Unicode text
 * without control characters (U+0000-U+001F, U+007F-U+009F) and without unpaired surrogates.
 */
public final class TopicName {

  /** Longest allowed name, in UTF-8 bytes. */
  public static final int MAX_UTF8_BYTES = 249;

  private TopicName() {}

  /**
   * Checks a topic name.
   *
   * @throws IllegalArgumentException naming the rule the name breaks
   */
  public static void validate(String topic) {
    validate(topic, "topic name");
  }

  /**
   * Checks another kind of name (such as a consumer's) against the same rules.
   *
   * @param what how the error message calls the name, such as {@code consumer name}
   */
  public static void validate(String name, String what) {
    String topic = name;
    if (topic == null || topic.isEmpty()) {
      throw new IllegalArgumentException(what + " must not be empty");
    }
    int utf8Bytes = 0;
    for (int i = 0; i < topic.length(); i++) {
      char c = topic.charAt(i);
      if (Character.isISOControl(c)) {
        throw new IllegalArgumentException(
            String.format(
                "%s must not contain control characters (found U+%04X at index %d)",
                what, (int) c, i));
      }
      if (c < 0x80) {
        utf8Bytes += 1;
      } else if (c < 0x800) {
        utf8Bytes += 2;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < topic.length()
          && Character.isLowSurrogate(topic.charAt(i + 1))) {
        utf8Bytes += 4;
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new IllegalArgumentException(
            what + " must be valid Unicode (unpaired surrogate at index " + i + ")");
      } else {
        utf8Bytes += 3;
      }
    }
    if (utf8Bytes > MAX_UTF8_BYTES) {
      throw new IllegalArgumentException(
          what
              + " must be at most "
              + MAX_UTF8_BYTES
              + " bytes of UTF-8 (this one is "
              + utf8Bytes
              + ")");
    }
  }
}
