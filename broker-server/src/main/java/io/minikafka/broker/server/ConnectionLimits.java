package io.minikafka.broker.server;

import io.grpc.ForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.minikafka.broker.config.Setting;
import io.minikafka.protocol.MiniKafkaGrpc;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Caps what one connection may hold open at once: calls of every kind (long polls and streams
 * included), and Subscribe streams among them. One more is refused RESOURCE_EXHAUSTED naming the
 * setting, and the connection's other calls go on. A connection is known by its peer address; its
 * entry goes when its last call ends. Thread-safe.
 */
final class ConnectionLimits implements ServerInterceptor {

  private final int maxCalls;
  private final int maxSubscriptions;
  private final Map<Object, Open> open = new ConcurrentHashMap<>();

  /** What one connection has open. Changed only inside the map's compute for its key. */
  private static final class Open {
    int calls;
    int subscriptions;
  }

  ConnectionLimits(int maxCalls, int maxSubscriptions) {
    this.maxCalls = maxCalls;
    this.maxSubscriptions = maxSubscriptions;
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    Object connection = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
    if (connection == null) {
      return next.startCall(call, headers);
    }
    boolean subscription =
        call.getMethodDescriptor()
            .getFullMethodName()
            .equals(MiniKafkaGrpc.getSubscribeMethod().getFullMethodName());
    String[] refusal = {null};
    open.compute(
        connection,
        (key, now) -> {
          Open counts = now == null ? new Open() : now;
          if (counts.calls >= maxCalls) {
            refusal[0] =
                "this connection already has its maximum of "
                    + maxCalls
                    + " calls open ("
                    + Setting.MAX_CALLS_PER_CONNECTION.envVar()
                    + ")";
          } else if (subscription && counts.subscriptions >= maxSubscriptions) {
            refusal[0] =
                "this connection already has its maximum of "
                    + maxSubscriptions
                    + " subscriptions open ("
                    + Setting.MAX_SUBSCRIPTIONS_PER_CONNECTION.envVar()
                    + ")";
          } else {
            counts.calls++;
            if (subscription) {
              counts.subscriptions++;
            }
          }
          return counts.calls == 0 ? null : counts;
        });
    if (refusal[0] != null) {
      call.close(Status.RESOURCE_EXHAUSTED.withDescription(refusal[0]), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    AtomicBoolean released = new AtomicBoolean();
    Runnable release =
        () -> {
          if (released.compareAndSet(false, true)) {
            open.computeIfPresent(
                connection,
                (key, counts) -> {
                  counts.calls--;
                  if (subscription) {
                    counts.subscriptions--;
                  }
                  return counts.calls == 0 ? null : counts;
                });
          }
        };
    ServerCall.Listener<ReqT> listener;
    try {
      listener = next.startCall(call, headers);
    } catch (RuntimeException e) {
      release.run();
      throw e;
    }
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
      @Override
      public void onComplete() {
        release.run();
        super.onComplete();
      }

      @Override
      public void onCancel() {
        release.run();
        super.onCancel();
      }
    };
  }
}
