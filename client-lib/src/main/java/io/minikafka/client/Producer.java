package io.minikafka.client;

import com.google.protobuf.ByteString;
import io.grpc.StatusRuntimeException;
import io.minikafka.protocol.Payload;
import io.minikafka.protocol.ProduceRequest;
import io.minikafka.protocol.Topic;
import java.time.Duration;
import java.util.Objects;

/**
 * Sends messages to one topic of a MiniKafka server; the original's {@code client.NewProducer}.
 *
 * <pre>{@code
 * try (Producer producer = new Producer("some_topic", Duration.ofMillis(500), "localhost:9999")) {
 *   long msgNumber = producer.sendMessage(message);
 * }
 * }</pre>
 *
 * <p>Thread-safe: any number of threads may send through one producer. Connecting is lazy, so an
 * unreachable server is reported by the first send.
 */
public final class Producer implements AutoCloseable {

  private final Topic topic;
  private final Connection connection;

  /**
   * @param topic the topic to send to; created by the server on the first message
   * @param timeout how long each send may take before it fails
   * @param host the server, such as {@code localhost:9999} or {@code :9999} (this machine)
   * @throws IllegalArgumentException if {@code host} or {@code timeout} is malformed
   */
  public Producer(String topic, Duration timeout, String host) {
    this.topic = Topic.newBuilder().setTopic(Objects.requireNonNull(topic, "topic")).build();
    this.connection = new Connection(host, timeout);
  }

  /**
   * Sends one message (any length, including empty) and waits for the server to store it.
   *
   * @return the number the server gave the message
   * @throws MiniKafkaException if the server could not be reached in time or refused the message
   */
  public long sendMessage(byte[] message) {
    ProduceRequest request =
        ProduceRequest.newBuilder()
            .setTopic(topic)
            .setPayload(Payload.newBuilder().setPayload(ByteString.copyFrom(message)))
            .build();
    try {
      return connection.stub().produce(request).getMsgNumber();
    } catch (StatusRuntimeException e) {
      throw connection.failure("send to topic '" + topic.getTopic() + "'", e);
    }
  }

  /** The topic this producer sends to. */
  public String topic() {
    return topic.getTopic();
  }

  /** Closes the connection, waiting at most the timeout for calls in progress. */
  @Override
  public void close() {
    connection.close();
  }
}
