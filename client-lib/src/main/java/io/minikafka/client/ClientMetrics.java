package io.minikafka.client;

/**
 * What producers and consumers report about their work, for an application's monitoring: {@link
 * MicrometerClientMetrics} reports it to Micrometer when the application has it. Called on the
 * clients' own threads; implementations must be quick and thread-safe.
 */
public interface ClientMetrics {

  /** Reports nothing. */
  ClientMetrics NONE = new ClientMetrics() {};

  /** A batch of {@code messages} went to the server. */
  default void sent(String topic, int messages) {}

  /** The server stored {@code messages} sent earlier. */
  default void acknowledged(String topic, int messages) {}

  /** {@code messages} sent earlier were not stored (the send failed). */
  default void failed(String topic, int messages) {}

  /** After a poll, how many messages the named consumer has still to read of its topic. */
  default void lag(String topic, String consumer, long messages) {}
}
