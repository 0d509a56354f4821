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
  void aStoreFailureOnTheServerIsSaidAsTheServersNotAsUnreachable() throws Exception {
    io.minikafka.broker.store.BackingStore failing =
        new io.minikafka.broker.store.ForwardingStore(
            new io.minikafka.broker.store.memory.MemoryStore()) {
          @Override
          public long storeRecords(String topic, java.util.List<io.minikafka.broker.store.Record> r)
              throws java.io.IOException {
            throw new java.io.IOException(
                "topic '" + topic + "': creating it failed (Operation not permitted, injected)");
          }
        };
    try (io.minikafka.broker.server.MiniKafkaServer server =
            io.minikafka.broker.server.MiniKafkaServer.start(
                failing, "127.0.0.1:0", java.time.Duration.ofHours(1));
        Producer producer =
            new Producer("t", java.time.Duration.ofSeconds(10), "127.0.0.1:" + server.port())) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> producer.sendMessage(new byte[1]))
          .isInstanceOf(MiniKafkaException.class)
          .hasMessageNotContaining("cannot reach")
          .hasMessageContaining(
              "the MiniKafka server at 127.0.0.1:"
                  + server.port()
                  + " failed to store or read: topic 't': creating it failed (Operation not"
                  + " permitted, injected)");
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
