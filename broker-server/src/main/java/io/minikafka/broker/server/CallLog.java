package io.minikafka.broker.server;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the log says of calls. It keeps each call's client address in the call's {@link Context}
 * ({@link #client()}), for the lines handlers log of what a call did (a topic deleted). And it logs
 * the calls the server refused for who the client is or what it sent (UNAUTHENTICATED,
 * PERMISSION_DENIED, INVALID_ARGUMENT, RESOURCE_EXHAUSTED): one WARN line each, naming the client's
 * address, the method and why. At most {@link #LINES_PER_WINDOW} lines of each status per {@link
 * #WINDOW}, so that a client that keeps sending what is refused cannot flood the log; the first
 * line after such a spell says how many went unlogged. Server-wide, and outermost, so that it sees
 * the refusals of every other interceptor too. Thread-safe.
 */
final class CallLog implements ServerInterceptor {

  private static final Logger LOG = LoggerFactory.getLogger(CallLog.class);

  private static final Context.Key<Object> CLIENT = Context.key("minikafka-client-address");

  static final int LINES_PER_WINDOW = 10;
  static final Duration WINDOW = Duration.ofMinutes(1);

  private static final Set<Status.Code> LOGGED =
      Set.of(
          Status.Code.UNAUTHENTICATED,
          Status.Code.PERMISSION_DENIED,
          Status.Code.INVALID_ARGUMENT,
          Status.Code.RESOURCE_EXHAUSTED);

  private final LongSupplier nanoTime;
  private final Map<Status.Code, Window> windows = new EnumMap<>(Status.Code.class);

  /** Lines logged and refusals left unlogged of one status since {@code start}. */
  private static final class Window {
    long start;
    int lines;
    long unlogged;
  }

  CallLog(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
    for (Status.Code code : LOGGED) {
      Window window = new Window();
      window.start = nanoTime.getAsLong();
      windows.put(code, window);
    }
  }

  CallLog() {
    this(System::nanoTime);
  }

  /** The address of the client whose call runs now, as logs show it. */
  static String client() {
    Object address = CLIENT.get();
    return address == null ? "an unknown address" : address.toString();
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    Context context =
        Context.current()
            .withValue(CLIENT, call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
    return Contexts.interceptCall(
        context,
        new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
          @Override
          public void close(Status status, Metadata trailers) {
            if (LOGGED.contains(status.getCode())) {
              refused(
                  call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR),
                  call.getMethodDescriptor().getBareMethodName(),
                  status);
            }
            super.close(status, trailers);
          }
        },
        headers,
        next);
  }

  void refused(Object client, String method, Status status) {
    Window window = windows.get(status.getCode());
    long unlogged;
    synchronized (window) {
      long now = nanoTime.getAsLong();
      if (now - window.start >= WINDOW.toNanos()) {
        window.start = now;
        window.lines = 0;
      }
      if (window.lines >= LINES_PER_WINDOW) {
        window.unlogged++;
        return;
      }
      window.lines++;
      unlogged = window.unlogged;
      window.unlogged = 0;
    }
    LOG.warn(
        "Refused {} from {}: {} {}{}",
        method,
        client == null ? "an unknown address" : client,
        status.getCode(),
        status.getDescription(),
        unlogged == 0
            ? ""
            : " (and "
                + unlogged
                + " earlier "
                + status.getCode()
                + " refusals not logged, past "
                + LINES_PER_WINDOW
                + " a minute)");
  }
}
