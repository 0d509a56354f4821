package io.minikafka.client;

import io.grpc.StatusRuntimeException;
import io.minikafka.protocol.DeleteTopicRequest;
import io.minikafka.protocol.DescribeTopicRequest;
import io.minikafka.protocol.ListTopicsRequest;
import io.minikafka.protocol.MiniKafkaGrpc;
import java.time.Duration;
import java.util.List;

/**
 * Looks after a MiniKafka server's topics: list, describe, delete. Failures are {@link
 * MiniKafkaException}s, {@code NOT_FOUND} for a topic that does not exist. Thread-safe.
 */
public final class Admin implements AutoCloseable {

  private final Connection connection;

  /**
   * @param timeout how long each call may take
   * @param host the server, such as {@code localhost:9999} or {@code :9999} (this machine)
   */
  public Admin(Duration timeout, String host) {
    this(ConnectionConfig.of(host, timeout));
  }

  /**
   * @param server where the server is and how to talk to it (TLS, token)
   * @throws IllegalArgumentException if a TLS file of {@code server} is missing or wrong
   */
  public Admin(ConnectionConfig server) {
    this.connection = new Connection(server);
  }

  /** A builder: {@code Admin.builder().host("localhost:9999").token(t).build()}. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds an {@link Admin}. */
  public static final class Builder extends ClientBuilder<Builder> {
    private Builder() {}

    public Admin build() {
      return new Admin(connection());
    }
  }

  /** Every topic's name, sorted. */
  public List<String> topics() {
    try {
      return connection
          .call(MiniKafkaGrpc.getListTopicsMethod(), ListTopicsRequest.getDefaultInstance())
          .getTopicsList();
    } catch (StatusRuntimeException e) {
      throw connection.failure("listing topics", e);
    }
  }

  /**
   * What keeps the server from working fully, one line each (a failed disk that stops writes, a
   * topic directory that could not be read); empty when all is well.
   */
  public List<String> problems() {
    try {
      return connection
          .call(MiniKafkaGrpc.getListTopicsMethod(), ListTopicsRequest.getDefaultInstance())
          .getProblemsList();
    } catch (StatusRuntimeException e) {
      throw connection.failure("listing the server's problems", e);
    }
  }

  /** What a topic holds. */
  public TopicDescription describe(String topic) {
    try {
      var d =
          connection.call(
              MiniKafkaGrpc.getDescribeTopicMethod(),
              DescribeTopicRequest.newBuilder().setTopic(topic).build());
      return new TopicDescription(
          d.getTopic(),
          d.getFirstAvailable(),
          d.getNextNumber(),
          d.getMessageCount(),
          d.getBytesStored(),
          d.getOldestAppendTimeMs(),
          d.getNewestAppendTimeMs());
    } catch (StatusRuntimeException e) {
      throw connection.failure("describing topic '" + topic + "'", e);
    }
  }

  /**
   * Deletes a topic's messages and hides it until it is produced to again; its numbers are never
   * reused.
   *
   * @return how many messages were deleted
   */
  public long deleteTopic(String topic) {
    try {
      return connection
          .call(
              MiniKafkaGrpc.getDeleteTopicMethod(),
              DeleteTopicRequest.newBuilder().setTopic(topic).build())
          .getMessagesDeleted();
    } catch (StatusRuntimeException e) {
      throw connection.failure("deleting topic '" + topic + "'", e);
    }
  }

  @Override
  public void close() {
    connection.close();
  }
}
