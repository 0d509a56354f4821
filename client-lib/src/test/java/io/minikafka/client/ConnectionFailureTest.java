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
