package io.minikafka.client;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.minikafka.protocol.Endpoint;
import io.minikafka.protocol.MiniKafkaGrpc;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A use of the shared channel to one server plus the rules for calling it: the code Producer,
 * Consumer and Admin share.
 */
final class Connection implements AutoCloseable {

  private final Endpoint endpoint;
  private final Duration timeout;
  private final ManagedChannel channel;
  private final MiniKafkaGrpc.MiniKafkaBlockingStub stub;
  private final MiniKafkaGrpc.MiniKafkaStub asyncStub;

  Connection(String host, Duration timeout) {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, was " + timeout);
    }
    this.endpoint = Endpoint.parse(host);
    this.timeout = timeout;
    this.channel = SharedChannels.acquire(endpoint.target());
    this.stub = MiniKafkaGrpc.newBlockingStub(channel);
    this.asyncStub = MiniKafkaGrpc.newStub(channel);
  }

  /** A stub whose next call must finish within the timeout. */
  MiniKafkaGrpc.MiniKafkaBlockingStub stub() {
    return stub.withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** A stub for streaming calls, which carry no deadline: they live as long as they are used. */
  MiniKafkaGrpc.MiniKafkaStub asyncStub() {
    return asyncStub;
  }

  Duration timeout() {
    return timeout;
  }

  /** Turns a failed call into one readable line that says what was being done and to whom. */
  MiniKafkaException failure(String action, StatusRuntimeException e) {
    if (e.getStatus().getCode() == io.grpc.Status.Code.UNAVAILABLE) {
      // The server may be back before the channel's reconnect backoff runs out: retry at once.
      resetBackoff();
    }
    String description = e.getStatus().getDescription();
    String detail =
        switch (e.getStatus().getCode()) {
          case UNAVAILABLE -> "cannot reach MiniKafka server at " + endpoint + ": " + description;
          case DEADLINE_EXCEEDED ->
              "no reply from MiniKafka server at " + endpoint + " within " + timeout.toMillis() + " ms";
          case NOT_FOUND, INVALID_ARGUMENT, RESOURCE_EXHAUSTED, DATA_LOSS -> description;
          default -> e.getStatus().getCode() + ": " + description;
        };
    return new MiniKafkaException(action + " failed: " + detail, e.getStatus());
  }

  /** Lets the channel reconnect at once instead of waiting out its backoff. */
  void resetBackoff() {
    channel.resetConnectBackoff();
  }

  Endpoint endpoint() {
    return endpoint;
  }

  /** Gives the shared channel back, waiting at most the timeout for calls in progress. */
  @Override
  public void close() {
    SharedChannels.release(endpoint.target(), channel, timeout.toMillis());
  }
}
