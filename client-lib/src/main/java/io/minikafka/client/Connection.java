package io.minikafka.client;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.minikafka.protocol.Endpoint;
import io.minikafka.protocol.MiniKafkaGrpc;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** A channel to one server plus the rules for calling it; shared code of Producer and Consumer. */
final class Connection implements AutoCloseable {

  /**
   * Large enough for a Poll response holding one message of the server's default maximum size
   * (16 MiB) plus framing.
   */
  static final int MAX_INBOUND_BYTES = 16 * 1024 * 1024 + 64 * 1024;

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
    this.channel =
        NettyChannelBuilder.forTarget(endpoint.target())
            .usePlaintext()
            .maxInboundMessageSize(MAX_INBOUND_BYTES)
            .build();
    this.stub = MiniKafkaGrpc.newBlockingStub(channel);
    this.asyncStub = MiniKafkaGrpc.newStub(channel);
    // Start connecting now, so the first call's timeout is not spent setting up the connection.
    channel.getState(true);
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

  Endpoint endpoint() {
    return endpoint;
  }

  @Override
  public void close() {
    channel.shutdown();
    try {
      if (!channel.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        channel.shutdownNow();
      }
    } catch (InterruptedException e) {
      channel.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
