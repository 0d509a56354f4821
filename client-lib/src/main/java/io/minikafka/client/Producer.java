package io.minikafka.client;

import com.google.protobuf.ByteString;
import io.grpc.StatusRuntimeException;
import io.minikafka.protocol.MiniKafkaGrpc;
import io.minikafka.protocol.Payload;
import io.minikafka.protocol.ProduceRequest;
import io.minikafka.protocol.Topic;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Sends messages to one topic of a MiniKafka server; the original's {@code client.NewProducer}.
 *
 * <pre>{@code
 * try (Producer producer = new Producer("some_topic", Duration.ofMillis(500), "localhost:9999")) {
 *   long msgNumber = producer.sendMessage(message);
 * }
 * }</pre>
 *
 * <p>{@link #sendMessage} is the original's simple blocking call: one request per message. For
 * throughput, {@link #sendAsync} batches messages (see {@link ProducerOptions}) and pipelines the
 * batches on one stream; numbers follow the order of the sendAsync calls. {@link #flush()} waits
 * for everything sent so far; {@link #close()} flushes first.
 *
 * <p>Thread-safe: any number of threads may send through one producer. Connecting starts at
 * construction; an unreachable server is reported by the first send.
 */
public final class Producer implements AutoCloseable {

  private final Topic topic;
  private final Connection connection;
  private final BatchSender batches;
  private final ClientMetrics metrics;

  /**
   * @param topic the topic to send to; created by the server on the first message
   * @param timeout how long each send may take before it fails
   * @param host the server, such as {@code localhost:9999} or {@code :9999} (this machine)
   * @throws IllegalArgumentException if {@code host} or {@code timeout} is malformed
   */
  public Producer(String topic, Duration timeout, String host) {
    this(topic, timeout, host, ProducerOptions.DEFAULTS);
  }

  /**
   * @param timeout how long each send (or each batch of asynchronous sends) may take
   * @param options how asynchronous sends are batched
   */
  public Producer(String topic, Duration timeout, String host, ProducerOptions options) {
    this(topic, ConnectionConfig.of(host, timeout), options);
  }

  /**
   * @param server where the server is and how to talk to it (TLS, token)
   * @throws IllegalArgumentException if a TLS file of {@code server} is missing or wrong
   */
  public Producer(String topic, ConnectionConfig server) {
    this(topic, server, ProducerOptions.DEFAULTS);
  }

  /**
   * @param options how asynchronous sends are batched
   */
  public Producer(String topic, ConnectionConfig server, ProducerOptions options) {
    this(topic, server, options, ClientMetrics.NONE);
  }

  /**
   * @param metrics told what the producer sends, and what is stored or fails
   */
  public Producer(
      String topic, ConnectionConfig server, ProducerOptions options, ClientMetrics metrics) {
    this.topic = Topic.newBuilder().setTopic(Objects.requireNonNull(topic, "topic")).build();
    this.connection = new Connection(server, "producer");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.batches = new BatchSender(topic, connection, options, metrics);
  }

  /**
   * A builder: {@code Producer.builder().host("localhost:9999").topic("t").linger(...).build()},
   * its calls in any order.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link Producer}; a topic is required, the rest has defaults. */
  public static final class Builder extends ClientBuilder<Builder> {
    private String topic;
    private ProducerOptions options = ProducerOptions.DEFAULTS;
    private ClientMetrics metrics = ClientMetrics.NONE;

    private Builder() {}

    /** Where the producer reports its work, such as a {@link MicrometerClientMetrics}. */
    public Builder metrics(ClientMetrics value) {
      metrics = Objects.requireNonNull(value, "metrics");
      return this;
    }

    public Builder topic(String value) {
      topic = value;
      return this;
    }

    /** How long a batch waits for more messages before it is sent (see {@link ProducerOptions}). */
    public Builder linger(Duration value) {
      options = options.withLinger(value);
      return this;
    }

    public Builder batchBytes(int value) {
      options = options.withBatchBytes(value);
      return this;
    }

    public Builder bufferBytes(long value) {
      options = options.withBufferBytes(value);
      return this;
    }

    public Builder maxBlock(Duration value) {
      options = options.withMaxBlock(value);
      return this;
    }

    /**
     * @throws IllegalStateException if no topic was given
     */
    public Producer build() {
      return new Producer(required(topic, "topic"), connection(), options, metrics);
    }
  }

  /**
   * Sends one message (any length, including empty) and waits for the server to store it.
   *
   * @return the number the server gave the message
   * @throws MiniKafkaException if the server could not be reached in time or refused the message
   *     ({@code INVALID_ARGUMENT} for a message over the server's size limit, checked before it is
   *     sent)
   */
  public long sendMessage(byte[] message) {
    connection.checkSize(topic.getTopic(), message.length);
    ProduceRequest request =
        ProduceRequest.newBuilder()
            .setTopic(topic)
            .setPayload(Payload.newBuilder().setPayload(ByteString.copyFrom(message)))
            .build();
    metrics.sent(topic.getTopic(), 1);
    try {
      long number = connection.call(MiniKafkaGrpc.getProduceMethod(), request).getMsgNumber();
      metrics.acknowledged(topic.getTopic(), 1);
      return number;
    } catch (StatusRuntimeException e) {
      metrics.failed(topic.getTopic(), 1);
      throw connection.failure("send to topic '" + topic.getTopic() + "'", e);
    }
  }

  /**
   * Queues a message to be sent in a batch, and returns at once (unless the buffer is full; see
   * {@link ProducerOptions}). The array is read when its batch goes out: do not change it after
   * this call.
   *
   * @return completes with the number the server gave the message, or fails with a {@link
   *     MiniKafkaException} ({@code INVALID_ARGUMENT} at once for a message over the server's size
   *     limit, which fails alone)
   * @throws MiniKafkaException if the buffer stayed full for the options' maximum block time
   */
  public CompletableFuture<Long> sendAsync(byte[] message) {
    return batches.send(message);
  }

  /**
   * Sends one message with its key and headers and waits for the server to store it, as {@link
   * #sendMessage(byte[])}. Needs a server that keeps keys and headers (this one); the original
   * drops them.
   */
  public long sendMessage(ProducerRecord record) {
    connection.checkSize(topic.getTopic(), record.size());
    ProduceRequest request =
        ProduceRequest.newBuilder().setTopic(topic).setPayload(BatchSender.wire(record)).build();
    metrics.sent(topic.getTopic(), 1);
    try {
      long number = connection.call(MiniKafkaGrpc.getProduceMethod(), request).getMsgNumber();
      metrics.acknowledged(topic.getTopic(), 1);
      return number;
    } catch (StatusRuntimeException e) {
      metrics.failed(topic.getTopic(), 1);
      throw connection.failure("send to topic '" + topic.getTopic() + "'", e);
    }
  }

  /**
   * Queues a message with its key and headers to be sent in a batch, as {@link #sendAsync(byte[])}.
   */
  public CompletableFuture<Long> sendAsync(ProducerRecord record) {
    return batches.send(record);
  }

  /** Sends every queued message and waits until each sent so far has succeeded or failed. */
  public void flush() {
    batches.flush();
  }

  /** The topic this producer sends to. */
  public String topic() {
    return topic.getTopic();
  }

  /** Flushes asynchronous sends, then closes the connection. */
  @Override
  public void close() {
    try {
      batches.close();
    } finally {
      connection.close();
    }
  }
}
