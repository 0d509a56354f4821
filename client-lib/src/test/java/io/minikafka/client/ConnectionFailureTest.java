package io.minikafka.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

/** Why a server could not be reached, said in words rather than as gRPC's "io exception". */
class ConnectionFailureTest {

  private static StatusRuntimeException unavailable(String description, Throwable cause) {
    return Status.UNAVAILABLE.withDescription(description).withCause(cause).asRuntimeException();
  }

  @Test
  void aStoreFailureOnTheServerIsSaidAsTheServersNotAsUnreachableByEveryKindOfCall()
      throws Exception {
    io.minikafka.broker.store.BackingStore failing =
        new io.minikafka.broker.store.ForwardingStore(
            new io.minikafka.broker.store.memory.MemoryStore()) {
          @Override
          public long storeRecords(String topic, java.util.List<io.minikafka.broker.store.Record> r)
              throws java.io.IOException {
            throw new java.io.IOException(
                "topic '" + topic + "': creating it failed (Operation not permitted, injected)");
          }

          @Override
          public io.minikafka.broker.store.PollResult poll(
              String topic, long readFrom, io.minikafka.broker.store.PollLimits limits)
              throws java.io.IOException {
            throw new java.io.IOException("topic '" + topic + "': reading failed (injected)");
          }
        };
    try (io.minikafka.broker.server.MiniKafkaServer server =
            io.minikafka.broker.server.MiniKafkaServer.start(
                failing, "127.0.0.1:0", java.time.Duration.ofHours(1));
        Producer producer =
            new Producer("t", java.time.Duration.ofSeconds(10), "127.0.0.1:" + server.port());
        Consumer consumer =
            new Consumer("t", 1, java.time.Duration.ofSeconds(10), "127.0.0.1:" + server.port());
        Subscription subscription = consumer.subscribe()) {
      String serverFailed = "the MiniKafka server at 127.0.0.1:" + server.port() + " failed to";
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> producer.sendMessage(new byte[1]))
          .isInstanceOf(MiniKafkaException.class)
          .hasMessageNotContaining("cannot reach")
          .hasMessageContaining(
              serverFailed
                  + " store or read: topic 't': creating it failed (Operation not permitted,"
                  + " injected)");
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> producer.sendAsync(new byte[1]).get(30, java.util.concurrent.TimeUnit.SECONDS))
          .hasCauseInstanceOf(MiniKafkaException.class)
          .cause()
          .hasMessageNotContaining("cannot reach")
          .hasMessageContaining(serverFailed);

      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
      while (subscription.state() != Subscription.State.RECONNECTING
          && System.nanoTime() < deadline) {
        subscription.poll(java.time.Duration.ofMillis(200));
      }
      assertThat(subscription.state()).isEqualTo(Subscription.State.RECONNECTING);
      assertThat(subscription.reconnectReason())
          .hasValueSatisfying(
              why ->
                  assertThat(why)
                      .doesNotContain("cannot reach")
                      .contains(serverFailed + " store or read: topic 't': reading failed"));
    }
  }

  @Test
  void aRefusedConnectionIsSaidAsSuch() {
    Throwable netty = new ConnectException("Connection refused: /127.0.0.1:1");
    assertThat(Connection.reachFailure(unavailable("io exception", new Exception("x", netty))))
        .startsWith("connection refused");
  }

  @Test
  void anUnknownHostIsSaidAsSuchWhetherOrNotTheResolverExceptionComesWithIt() {
    assertThat(
            Connection.reachFailure(
                unavailable(
                    "Unable to resolve host nosuch.invalid",
                    new UnknownHostException("nosuch.invalid"))))
        .isEqualTo("unknown host");
    assertThat(Connection.reachFailure(unavailable("Unable to resolve host nosuch.invalid", null)))
        .isEqualTo("unknown host");
  }

  @Test
  void anythingElseKeepsGrpcsDescription() {
    assertThat(Connection.reachFailure(unavailable("Network closed for unknown reason", null)))
        .isEqualTo("Network closed for unknown reason");
  }
}
