package io.minikafka.client;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One gRPC channel (one HTTP/2 connection) per server, shared by every Producer, Consumer and
 * Admin of this JVM that talks to it, and shut down when the last of them closes.
 *
 * <p>Keepalive pings every 30 s keep long-lived subscriptions alive through idle-connection
 * timeouts (NAT, load balancers) and detect a dead server; the server permits them.
 */
final class SharedChannels {

  /**
   * Large enough for a Poll response holding one message of the server's default maximum size
   * (16 MiB) plus framing.
   */
  static final int MAX_INBOUND_BYTES = 16 * 1024 * 1024 + 64 * 1024;

  private static final long KEEPALIVE_SECONDS = 30;
  private static final long KEEPALIVE_TIMEOUT_SECONDS = 10;

  private static final Map<String, Entry> CHANNELS = new HashMap<>();

  private static final class Entry {
    final ManagedChannel channel;
    int users;

    Entry(ManagedChannel channel) {
      this.channel = channel;
    }
  }

  private SharedChannels() {}

  /** The channel to {@code target}, opened (and connecting) if this is its first user. */
  static synchronized ManagedChannel acquire(String target) {
    Entry entry = CHANNELS.get(target);
    if (entry == null || entry.channel.isShutdown()) {
      ManagedChannel channel =
          NettyChannelBuilder.forTarget(target)
              .usePlaintext()
              .maxInboundMessageSize(MAX_INBOUND_BYTES)
              .keepAliveTime(KEEPALIVE_SECONDS, TimeUnit.SECONDS)
              .keepAliveTimeout(KEEPALIVE_TIMEOUT_SECONDS, TimeUnit.SECONDS)
              // No retry policy is configured, so gRPC's retry layer would only replay calls the
              // server never saw, at the price of buffering every request until its reply starts
              // and some work per call; subscriptions and produce streams reconnect by
              // themselves, and a failed send is reported.
              .disableRetry()
              .build();
      // Start connecting now, so the first call's timeout is not spent setting up the connection.
      channel.getState(true);
      entry = new Entry(channel);
      CHANNELS.put(target, entry);
    }
    entry.users++;
    return entry.channel;
  }

  /**
   * Gives the channel back; the last user's release shuts it down, waiting up to {@code
   * waitMillis} for calls in progress.
   */
  static void release(String target, ManagedChannel channel, long waitMillis) {
    synchronized (SharedChannels.class) {
      Entry entry = CHANNELS.get(target);
      if (entry == null || entry.channel != channel || --entry.users > 0) {
        return;
      }
      CHANNELS.remove(target);
    }
    channel.shutdown();
    try {
      if (!channel.awaitTermination(waitMillis, TimeUnit.MILLISECONDS)) {
        channel.shutdownNow();
      }
    } catch (InterruptedException e) {
      channel.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
