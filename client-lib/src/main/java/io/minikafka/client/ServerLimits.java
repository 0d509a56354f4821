package io.minikafka.client;

import io.minikafka.protocol.ServerDescription;

/**
 * What a server accepts and sends, as its {@code DescribeServer} call says; the defaults of this
 * project's server while that is not known (or for a server without the call, such as the Go
 * original, whose responses are unbounded).
 *
 * @param maxMessageBytes the largest message the server stores
 * @param maxRequestBytes the largest request it reads, which a batch must fit in
 * @param maxResponseBytes the largest response it sends
 */
record ServerLimits(long maxMessageBytes, long maxRequestBytes, long maxResponseBytes) {

  /** Limits to assume while the server's are unknown. */
  static final ServerLimits UNKNOWN =
      new ServerLimits(16L * 1024 * 1024, 16L * 1024 * 1024 + 64 * 1024, Integer.MAX_VALUE);

  static ServerLimits of(ServerDescription description) {
    return new ServerLimits(
        description.getMaxMessageBytes(),
        description.getMaxRequestBytes(),
        description.getMaxResponseBytes());
  }

  /** The inbound limit of a call to this server: the largest response it may send. */
  int inboundLimit() {
    return (int) Math.min(Integer.MAX_VALUE, maxResponseBytes);
  }
}
