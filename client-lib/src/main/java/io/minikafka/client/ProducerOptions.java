package io.minikafka.client;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link Producer} batches {@link Producer#sendAsync asynchronous sends}, as Kafka's producer
 * does: messages wait up to {@code linger} for more to join their batch, a batch is sent as soon as
 * it holds {@code batchBytes}, and at most {@code bufferBytes} of messages may be waiting or
 * unacknowledged; a send beyond that blocks up to {@code maxBlock}, then fails.
 *
 * <p>The buffer counts each message as its size plus {@value #MESSAGE_OVERHEAD_BYTES} bytes, what
 * the producer keeps in the heap for it while it waits, so that it bounds small messages by their
 * number too.
 *
 * @param linger how long a message may wait for others to share its batch
 * @param batchBytes a batch is sent once its payloads add up to this many bytes
 * @param bufferBytes the most bytes of messages waiting to be sent or acknowledged, each counted
 *     with its overhead
 * @param maxBlock how long a send waits for buffer space before failing
 */
public record ProducerOptions(
    Duration linger, int batchBytes, long bufferBytes, Duration maxBlock) {

  /**
   * What a message takes of the buffer besides its size: about what the producer keeps in the heap
   * for it while it waits (its future, its place in the batch).
   */
  public static final int MESSAGE_OVERHEAD_BYTES = 64;

  /**
   * Defaults chosen by measurement: see docs/PERFORMANCE.md. The buffer holds the batches in flight
   * ({@code BatchSender.MAX_IN_FLIGHT} of {@code batchBytes}) and as much again waiting: a larger
   * one only lengthens the queue of a producer faster than its server, and the heap it fills.
   */
  public static final ProducerOptions DEFAULTS =
      new ProducerOptions(
          Duration.ofMillis(5), 256 * 1024, 4L * 1024 * 1024, Duration.ofSeconds(60));

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
