package io.minikafka.client;

import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.minikafka.protocol.DescribeServerRequest;
import io.minikafka.protocol.MiniKafkaGrpc;
import io.minikafka.protocol.PemFiles;
import io.minikafka.protocol.ServerDescription;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One gRPC channel (one HTTP/2 connection) per server, shared by every Producer, Consumer and Admin
 * of this JVM that talks to it, and shut down when the last of them closes.
 *
 * <p>Keepalive pings every 30 s keep long-lived subscriptions alive through idle-connection
 * timeouts (NAT, load balancers) and detect a dead server; the server permits them.
 */
final class SharedChannels {

  /**
   * Calls that say nothing else (the limits lookup itself) take responses of this size; every other
   * call takes what the server says it may send ({@link ServerLimits}).
   */
  private static final int DEFAULT_INBOUND_BYTES = 16 * 1024 * 1024 + 64 * 1024;

  private static final long LIMITS_DEADLINE_SECONDS = 30;

  private static final long KEEPALIVE_SECONDS = 30;
  private static final long KEEPALIVE_TIMEOUT_SECONDS = 10;

  private static final Map<Key, Entry> CHANNELS = new HashMap<>();

  /**
   * What makes two users' channels the same: the server, and how they talk to it. The token is part
   * of it, as every call of a channel carries its token.
   */
  record Key(String target, Optional<ClientTls> tls, Optional<String> token) {
    @Override
    public String toString() {
      return target;
    }
  }

  private static final class Entry {
    final ManagedChannel channel;
    int users;

    /** The server's limits: asked for when the channel opens, again after a failed ask. */
    CompletableFuture<ServerLimits> limits;

    Entry(ManagedChannel channel) {
      this.channel = channel;
    }
  }

  private SharedChannels() {}

  /**
   * The channel for {@code key}, opened (and connecting) if this is its first user.
   *
   * @throws IllegalArgumentException if a TLS file is missing or wrong, naming it
   */
  static synchronized ManagedChannel acquire(Key key) {
    Entry entry = CHANNELS.get(key);
    if (entry == null || entry.channel.isShutdown()) {
      NettyChannelBuilder builder =
          NettyChannelBuilder.forTarget(
              key.target(),
              key.tls().map(SharedChannels::tls).orElseGet(InsecureChannelCredentials::create));
      key.token().ifPresent(token -> builder.intercept(new BearerToken(token)));
      ManagedChannel channel =
          builder
              .maxInboundMessageSize(DEFAULT_INBOUND_BYTES)
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
      entry.limits = describe(channel);
      CHANNELS.put(key, entry);
    }
    entry.users++;
    return entry.channel;
  }

  /**
   * The limits of the server behind a channel: known, being asked for, or asked for again now if
   * the last ask failed.
   */
  static synchronized CompletableFuture<ServerLimits> limits(Key key, ManagedChannel channel) {
    Entry entry = CHANNELS.get(key);
    if (entry == null || entry.channel != channel) {
      return describe(channel);
    }
    if (entry.limits.isCompletedExceptionally()) {
      entry.limits = describe(channel);
    }
    return entry.limits;
  }

  /** Makes the next {@link #limits} call ask the server again. */
  static synchronized void forgetLimits(Key key, ManagedChannel channel) {
    Entry entry = CHANNELS.get(key);
    if (entry != null && entry.channel == channel && entry.limits.isDone()) {
      entry.limits = describe(channel);
    }
  }

  private static ChannelCredentials tls(ClientTls tls) {
    TlsChannelCredentials.Builder credentials = TlsChannelCredentials.newBuilder();
    tls.caCert()
        .ifPresent(
            ca -> credentials.trustManager(PemFiles.trustManagers(ca, "CA certificate file")));
    if (tls.cert().isPresent()) {
      credentials.keyManager(
          PemFiles.keyManagers(
              tls.cert().get(), "client certificate file", tls.key().get(), "client key file"));
    }
    return credentials.build();
  }

  /** Sends the token with every call of a channel. */
  private record BearerToken(String token) implements ClientInterceptor {
    private static final Metadata.Key<String> AUTHORIZATION =
        Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    @Override
    public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
        MethodDescriptor<ReqT, RespT> method, CallOptions options, Channel next) {
      return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
        @Override
        public void start(Listener<RespT> listener, Metadata headers) {
          headers.put(AUTHORIZATION, "Bearer " + token);
          super.start(listener, headers);
        }
      };
    }

    @Override
    public String toString() {
      return "BearerToken";
    }
  }

  /**
   * Asks the server for its limits; a server without the call (the Go original) has none to tell.
   */
  private static CompletableFuture<ServerLimits> describe(ManagedChannel channel) {
    CompletableFuture<ServerLimits> limits = new CompletableFuture<>();
    ClientCalls.asyncUnaryCall(
        channel.newCall(
            MiniKafkaGrpc.getDescribeServerMethod(),
            CallOptions.DEFAULT
                .withDeadlineAfter(LIMITS_DEADLINE_SECONDS, TimeUnit.SECONDS)
                .withExecutor(MoreExecutors.directExecutor())),
        DescribeServerRequest.getDefaultInstance(),
        new StreamObserver<ServerDescription>() {
          @Override
          public void onNext(ServerDescription description) {
            limits.complete(ServerLimits.of(description));
          }

          @Override
          public void onError(Throwable t) {
            if (Status.fromThrowable(t).getCode() == Status.Code.UNIMPLEMENTED) {
              limits.complete(ServerLimits.UNKNOWN);
            } else {
              limits.completeExceptionally(t);
            }
          }

          @Override
          public void onCompleted() {
            limits.complete(ServerLimits.UNKNOWN);
          }
        });
    return limits;
  }

  /**
   * Gives the channel back; the last user's release shuts it down, waiting up to {@code waitMillis}
   * for calls in progress.
   */
  static void release(Key key, ManagedChannel channel, long waitMillis) {
    synchronized (SharedChannels.class) {
      Entry entry = CHANNELS.get(key);
      if (entry == null || entry.channel != channel || --entry.users > 0) {
        return;
      }
      CHANNELS.remove(key);
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
