package io.minikafka.client;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link Producer} batches {@link Producer#sendAsync asynchronous sends}, as Kafka's producer
 * does: messages wait up to {@code linger} for more to join their batch, a batch is sent as soon as
 * it holds {@code batchBytes}, and at most {@code bufferBytes} of messages may be waiting or
 * unacknowledged; a send beyond that blocks up to {@code maxBlock}, then fails.
 *
 * @param linger how long a message may wait for others to share its batch
 * @param batchBytes a batch is sent once its payloads add up to this many bytes
 * @param bufferBytes the most payload bytes waiting to be sent or acknowledged
 * @param maxBlock how long a send waits for buffer space before failing
 */
public record ProducerOptions(
    Duration linger, int batchBytes, long bufferBytes, Duration maxBlock) {

  /** Defaults chosen by measurement: see docs/PERFORMANCE.md. */
  public static final ProducerOptions DEFAULTS =
      new ProducerOptions(
          Duration.ofMillis(5), 256 * 1024, 32L * 1024 * 1024, Duration.ofSeconds(60));

  public ProducerOptions {
    Objects.requireNonNull(linger, "linger");
    Objects.requireNonNull(maxBlock, "maxBlock");
    if (linger.isNegative()) {
      throw new IllegalArgumentException("linger must not be negative");
    }
    if (batchBytes < 1) {
      throw new IllegalArgumentException("batchBytes must be positive");
    }
    if (bufferBytes < batchBytes) {
      throw new IllegalArgumentException("bufferBytes must be at least batchBytes");
    }
    if (maxBlock.isNegative()) {
      throw new IllegalArgumentException("maxBlock must not be negative");
    }
  }

  public ProducerOptions withLinger(Duration value) {
    return new ProducerOptions(value, batchBytes, bufferBytes, maxBlock);
  }

  public ProducerOptions withBatchBytes(int value) {
    return new ProducerOptions(linger, value, Math.max(bufferBytes, value), maxBlock);
  }

  public ProducerOptions withBufferBytes(long value) {
    return new ProducerOptions(linger, batchBytes, value, maxBlock);
  }

  public ProducerOptions withMaxBlock(Duration value) {
    return new ProducerOptions(linger, batchBytes, bufferBytes, value);
  }
}
