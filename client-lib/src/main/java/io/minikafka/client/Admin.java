package io.minikafka.client;

import io.grpc.StatusRuntimeException;
import io.minikafka.protocol.AlterTopicRequest;
import io.minikafka.protocol.CreateTopicRequest;
import io.minikafka.protocol.DeleteTopicRequest;
import io.minikafka.protocol.DescribeTopicRequest;
import io.minikafka.protocol.ListTopicsRequest;
import io.minikafka.protocol.MiniKafkaGrpc;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Looks after a MiniKafka server's topics: list, describe, create, set a retention, delete.
 * Failures are {@link MiniKafkaException}s, {@link MiniKafkaException.ErrorCode#UNKNOWN_TOPIC} for
 * a topic that does not exist. Thread-safe.
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
    this.connection = new Connection(server, "admin client");
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
      return TopicDescription.of(d);
    } catch (StatusRuntimeException e) {
      throw connection.failure("describing topic '" + topic + "'", e);
    }
  }

  /**
   * Creates a topic that holds no message yet, with its own retention, or the server's if empty. A
   * deleted topic comes back this way, its numbering continuing.
   *
   * @throws MiniKafkaException with {@link MiniKafkaException.ErrorCode#TOPIC_EXISTS} if the topic
   *     exists
   */
  public TopicDescription createTopic(String topic, Optional<Duration> retention) {
    checkRetention(retention);
    try {
      return TopicDescription.of(
          connection.call(
              MiniKafkaGrpc.getCreateTopicMethod(),
              CreateTopicRequest.newBuilder()
                  .setTopic(topic)
                  .setRetentionMs(retention.map(Duration::toMillis).orElse(0L))
                  .build()));
    } catch (StatusRuntimeException e) {
      throw connection.failure("creating topic '" + topic + "'", e);
    }
  }

  /** The wire carries milliseconds: a shorter retention would silently become none. */
  private static void checkRetention(Optional<Duration> retention) {
    if (retention.isPresent() && retention.get().toMillis() < 1) {
      throw new IllegalArgumentException(
          "a retention must be at least 1ms, was " + retention.get());
    }
  }

  /** Gives a topic a retention of its own, or with empty the server's back. */
  public TopicDescription setRetention(String topic, Optional<Duration> retention) {
    checkRetention(retention);
    try {
      return TopicDescription.of(
          connection.call(
              MiniKafkaGrpc.getAlterTopicMethod(),
              AlterTopicRequest.newBuilder()
                  .setTopic(topic)
                  .setRetentionMs(retention.map(Duration::toMillis).orElse(0L))
                  .setServerRetention(retention.isEmpty())
                  .build()));
    } catch (StatusRuntimeException e) {
      throw connection.failure("altering topic '" + topic + "'", e);
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
