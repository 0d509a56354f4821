package io.minikafka.client;

import io.grpc.Status;

/**
 * A call to the MiniKafka server failed. The message is one readable line; {@link #status()} is the
 * gRPC status behind it, for code that needs to tell failures apart ({@link
 * Status.Code#UNAVAILABLE} for an unreachable server, {@link Status.Code#DEADLINE_EXCEEDED} for a
 * timeout, {@link Status.Code#NOT_FOUND} for an unknown topic, {@link Status.Code#INVALID_ARGUMENT}
 * for input the server refused).
 */
public class MiniKafkaException extends RuntimeException {

  private final transient Status status;

  public MiniKafkaException(String message, Status status) {
    super(message, status.asRuntimeException());
    this.status = status;
  }

  /** The gRPC status of the failed call. */
  public Status status() {
    return status;
  }

  /** Shorthand for {@code status().getCode()}. */
  public Status.Code code() {
    return status.getCode();
  }
}
