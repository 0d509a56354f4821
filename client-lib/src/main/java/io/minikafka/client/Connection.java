package io.minikafka.client;

import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.minikafka.protocol.Endpoint;
import io.minikafka.protocol.MiniKafkaGrpc;
import java.security.cert.CertPathValidatorException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A use of the shared channel to one server plus the rules for calling it: the code Producer,
 * Consumer and Admin share.
 */
final class Connection implements AutoCloseable {

  /**
   * Replies handled on the network thread that reads them. Unary replies only complete a future,
   * and the caller is woken once per call instead of once per callback.
   */
  private static final CallOptions NETWORK_THREAD =
      CallOptions.DEFAULT.withExecutor(MoreExecutors.directExecutor());

  private static final String CONNECTION_RESET = "connection reset by the server";

  private final Endpoint endpoint;
  private final SharedChannels.Key key;
  private final Duration timeout;
  private final ManagedChannel channel;

  /** Whether the channel has got through to the server since this connection was made. */
  private volatile boolean everReady;

  private final MiniKafkaGrpc.MiniKafkaStub asyncStub;

  /** The server's limits once it has told them; looked up on every send. */
  private volatile ServerLimits known;

  /** What this connection serves, as its errors name it: "producer", "consumer", "admin client". */
  private final String owner;

  private final java.util.concurrent.atomic.AtomicBoolean closed =
      new java.util.concurrent.atomic.AtomicBoolean();

  /** The server was unreachable since: it may come back with other limits, asked for meanwhile. */
  private volatile boolean stale;

  /**
   * @throws IllegalArgumentException if a TLS file is missing or wrong, naming it
   */
  Connection(ConnectionConfig config, String owner) {
    this.owner = owner;
    this.endpoint = Endpoint.parse(config.host());
    this.timeout = config.timeout();
    this.key = new SharedChannels.Key(endpoint.target(), config.tls(), config.token());
    this.channel = SharedChannels.acquire(key);
    this.asyncStub = MiniKafkaGrpc.newStub(channel);
    watchForReady();
  }

  /**
   * Notes when the channel first gets through to the server (its TLS and HTTP/2 handshakes done):
   * from then on a dropped connection is not the sign of a TLS server that it is before.
   */
  private void watchForReady() {
    if (closed.get()) {
      // A shared channel outlives this connection: no callback of a closed one stays on it.
      return;
    }
    ConnectivityState state = channel.getState(false);
    if (state == ConnectivityState.READY) {
      everReady = true;
    } else if (state != ConnectivityState.SHUTDOWN) {
      channel.notifyWhenStateChanged(state, this::watchForReady);
    }
  }

  /**
   * @throws IllegalStateException once this connection is closed
   */
  void checkOpen() {
    if (closed.get()) {
      // Another client may still hold the shared channel: a call would go through.
      throw new IllegalStateException("the " + owner + " is closed");
    }
  }

  /**
   * Makes a unary call and waits at most the timeout for its reply; past it, cancels the call and
   * fails with DEADLINE_EXCEEDED.
   *
   * <p>Not a blocking stub with a deadline: that wakes the caller once per callback of the reply
   * and sets and cancels a deadline timer on each side for every call. This way wakes it once; 16
   * threads sending one message per call get through about 48% more calls (docs/PERFORMANCE.md). A
   * server does not go on for a client that has given up: the cancellation reaches it as a deadline
   * would.
   *
   * @throws StatusRuntimeException as a blocking stub would: the call's status, DEADLINE_EXCEEDED
   *     past the timeout, CANCELLED if the thread was interrupted (its interrupt flag set again)
   * @throws IllegalStateException once this connection is closed
   */
  <ReqT, RespT> RespT call(MethodDescriptor<ReqT, RespT> method, ReqT request) {
    checkOpen();
    long start = System.nanoTime();
    ServerLimits limits = limits(timeout.toNanos());
    ClientCall<ReqT, RespT> call =
        channel.newCall(method, NETWORK_THREAD.withMaxInboundMessageSize(limits.inboundLimit()));
    CompletableFuture<RespT> reply = new CompletableFuture<>();
    ClientCalls.asyncUnaryCall(call, request, new Completing<>(reply));
    try {
      return reply.get(timeout.toNanos() - (System.nanoTime() - start), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      call.cancel("no reply within the timeout", null);
      throw Status.DEADLINE_EXCEEDED
          .withDescription("no reply within " + timeout.toMillis() + " ms")
          .asRuntimeException();
    } catch (InterruptedException e) {
      call.cancel("the calling thread was interrupted", e);
      Thread.currentThread().interrupt();
      throw Status.CANCELLED.withDescription("interrupted").withCause(e).asRuntimeException();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof StatusRuntimeException failed
          ? failed
          : Status.fromThrowable(e.getCause()).asRuntimeException();
    }
  }

  /**
   * A stub for streaming calls, which carry no deadline: they live as long as they are used. It
   * takes every response a server of these limits may send.
   */
  MiniKafkaGrpc.MiniKafkaStub asyncStub(ServerLimits limits) {
    return asyncStub.withMaxInboundMessageSize(limits.inboundLimit());
  }

  /**
   * A streaming call (no deadline, as {@link #asyncStub}) whose observer is called on the network
   * thread, without a hand-off: only for observers that never block and never call user code. It
   * takes every response a server of these limits may send.
   */
  <ReqT, RespT> ClientCall<ReqT, RespT> networkThreadCall(
      MethodDescriptor<ReqT, RespT> method, ServerLimits limits) {
    return channel.newCall(method, NETWORK_THREAD.withMaxInboundMessageSize(limits.inboundLimit()));
  }

  /**
   * The server's limits. The shared channel asks for them when it opens, so this waits (at most the
   * timeout) only for a first answer not yet in; if the server cannot say, the defaults.
   */
  ServerLimits limits() {
    return limits(timeout.toNanos());
  }

  private ServerLimits limits(long waitNanos) {
    ServerLimits learned = known;
    if (learned != null && !stale) {
      return learned;
    }
    CompletableFuture<ServerLimits> limits = SharedChannels.limits(key, channel);
    if (learned != null) {
      // The last known limits serve, without waiting, until the server answers again.
      if (limits.isDone() && !limits.isCompletedExceptionally()) {
        known = limits.join();
        stale = false;
        return known;
      }
      return learned;
    }
    try {
      learned = limits.get(waitNanos, TimeUnit.NANOSECONDS);
      known = learned;
      stale = false;
      return learned;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return ServerLimits.UNKNOWN;
    } catch (ExecutionException | TimeoutException e) {
      return ServerLimits.UNKNOWN;
    }
  }

  /**
   * The server may have restarted with other settings: its limits are asked for again, while the
   * last known ones go on serving.
   */
  void limitsMayHaveChanged() {
    stale = true;
    SharedChannels.forgetLimits(key, channel);
  }

  /** Asks the server for its limits now, waiting (at most the timeout) for the answer. */
  ServerLimits freshLimits() {
    SharedChannels.forgetLimits(key, channel);
    known = null;
    return limits();
  }

  /**
   * Refuses a message over the server's size limit before it is sent, with the error the server
   * would give.
   */
  void checkSize(String topic, long bytes) {
    long max = limits().maxMessageBytes();
    if (bytes > max) {
      throw new MiniKafkaException(
          "send to topic '"
              + topic
              + "' failed: message of "
              + bytes
              + " bytes is over the server's maximum message size of "
              + max
              + " bytes (MINIKAFKA_MAX_MESSAGE_BYTES)",
          Status.INVALID_ARGUMENT);
    }
  }

  Duration timeout() {
    return timeout;
  }

  /**
   * Why a call failed: gRPC cancels a call whose reply this client refused (a damaged message),
   * with the refusal as the cause, which is then the failure.
   */
  static Throwable refusal(Throwable failure) {
    if (failure instanceof StatusRuntimeException e
        && e.getStatus().getCode() == io.grpc.Status.Code.CANCELLED
        && e.getCause() instanceof StatusRuntimeException refused) {
      return refused;
    }
    return failure;
  }

  /** Trailer of the server's UNAVAILABLE statuses that its store, not the network, caused. */
  private static final io.grpc.Metadata.Key<String> STORE_FAILURE =
      io.grpc.Metadata.Key.of("minikafka-store-failure", io.grpc.Metadata.ASCII_STRING_MARSHALLER);

  /** Turns a failed call into one readable line that says what was being done and to whom. */
  MiniKafkaException failure(String action, StatusRuntimeException e) {
    e = (StatusRuntimeException) refusal(e);
    if (e.getStatus().getCode() == io.grpc.Status.Code.UNAVAILABLE) {
      // The server may be back before the channel's reconnect backoff runs out: retry at once;
      // and it may come back with other limits.
      resetBackoff();
      limitsMayHaveChanged();
    }
    String description = e.getStatus().getDescription();
    String detail =
        switch (e.getStatus().getCode()) {
          case UNAVAILABLE ->
              e.getTrailers() != null && e.getTrailers().containsKey(STORE_FAILURE)
                  ? "the MiniKafka server at "
                      + endpoint
                      + " failed to store or read: "
                      + description
                  : unavailable(e);
          case DEADLINE_EXCEEDED ->
              "no reply from MiniKafka server at "
                  + endpoint
                  + " within "
                  + timeout.toMillis()
                  + " ms";
          case NOT_FOUND,
              ALREADY_EXISTS,
              INVALID_ARGUMENT,
              RESOURCE_EXHAUSTED,
              DATA_LOSS,
              OUT_OF_RANGE,
              FAILED_PRECONDITION,
              PERMISSION_DENIED ->
              description;
          case UNAUTHENTICATED ->
              "the server at "
                  + endpoint
                  + " does not accept this client's identity: "
                  + description;
          default -> e.getStatus().getCode() + ": " + description;
        };
    return new MiniKafkaException(action + " failed: " + detail, e.getStatus());
  }

  /** Why the server could not be reached, with a failed TLS handshake said as such. */
  private String unavailable(StatusRuntimeException e) {
    for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
      if (cause instanceof javax.net.ssl.SSLException) {
        // The engine's own message is generic ("General OpenSslEngine problem"); the innermost
        // cause says what was wrong, such as a certificate no trusted CA signed.
        Throwable reason = cause;
        String dated = null;
        while (reason.getCause() != null) {
          reason = reason.getCause();
          dated = dated != null ? dated : outsideValidity(reason);
        }
        return "TLS handshake with MiniKafka server at "
            + endpoint
            + " failed: "
            + (dated != null ? dated : handshakeFailure(String.valueOf(reason.getMessage())));
      }
    }
    String why = reachFailure(e);
    // What gRPC says when a TLS server drops a plaintext client's connection, without a word the
    // client could read (or, when the client was still writing, the reset that follows); a server
    // that is down or shutting down is said otherwise, and one that has served this client before
    // is not taken for a TLS one.
    String hint =
        key.tls().isEmpty()
                && !everReady
                && ("Network closed for unknown reason".equals(why) || CONNECTION_RESET.equals(why))
            ? "; if the server uses TLS, so must this client"
            : "";
    return "cannot reach MiniKafka server at " + endpoint + ": " + why + hint;
  }

  /**
   * A certificate of the server's chain refused for its dates, said with the date, or null. The
   * JDK's own message is "NotAfter: " and a date in its local format, without saying whose.
   */
  private static String outsideValidity(Throwable cause) {
    if (!(cause instanceof CertPathValidatorException refused)
        || refused.getCertPath() == null
        || refused.getIndex() < 0
        || refused.getIndex() >= refused.getCertPath().getCertificates().size()
        || !(refused.getCertPath().getCertificates().get(refused.getIndex())
            instanceof X509Certificate cert)) {
      return null;
    }
    String whose =
        refused.getIndex() == 0
            ? "the server's certificate"
            : "the certificate '"
                + cert.getSubjectX500Principal().getName()
                + "' of the server's chain";
    if (refused.getReason() == CertPathValidatorException.BasicReason.EXPIRED) {
      return whose + " expired at " + cert.getNotAfter().toInstant() + "; renew it on the server";
    }
    if (refused.getReason() == CertPathValidatorException.BasicReason.NOT_YET_VALID) {
      return whose
          + " is not valid before "
          + cert.getNotBefore().toInstant()
          + " (is a clock wrong, the server's or this machine's?)";
    }
    return null;
  }

  /**
   * The handshake's failure in words where the engine's are a code or a dump of the bytes that came
   * back: a plaintext server's HTTP/2 frames, the server's alert that it wants a client
   * certificate, sent whether none came or one it does not trust, or its alert that this client's
   * is outside its dates.
   */
  private String handshakeFailure(String engineMessage) {
    if (engineMessage.startsWith("not an SSL/TLS record")) {
      return "the server does not speak TLS (plaintext?); connect without TLS";
    }
    // OpenSSL's code, or the JDK engine's "certificate_required" alert.
    if (engineMessage.toUpperCase(java.util.Locale.ROOT).contains("CERTIFICATE_REQUIRED")) {
      return key.tls().flatMap(ClientTls::cert).isPresent()
          ? "the server did not accept this client's certificate: it takes only certificates its"
              + " client CA signed"
          : "the server requires a client certificate";
    }
    // The server's alert, sent for a client certificate outside its dates.
    if (engineMessage.toUpperCase(java.util.Locale.ROOT).contains("CERTIFICATE_EXPIRED")) {
      return "the server did not accept this client's certificate: it has expired, or is not"
          + " valid yet; renew it";
    }
    return engineMessage;
  }

  /**
   * Why a connection could not be made, in words: gRPC says "io exception" for a refused
   * connection, and names the resolver's exception for an unknown host.
   */
  static String reachFailure(StatusRuntimeException e) {
    for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
      if (cause instanceof java.net.ConnectException) {
        String message = String.valueOf(cause.getMessage());
        if (message.contains("Connection refused")) {
          return "connection refused (is the server running, and on this port?)";
        }
        if (message.contains("timed out")) {
          return "connection timed out";
        }
        return "connection failed";
      }
      if (cause instanceof java.net.UnknownHostException) {
        return "unknown host";
      }
      if (cause instanceof java.net.NoRouteToHostException) {
        return "no route to host";
      }
      if (cause instanceof java.io.IOException
          && String.valueOf(cause.getMessage()).contains("Connection reset by peer")) {
        return CONNECTION_RESET;
      }
    }
    String description = e.getStatus().getDescription();
    if (description != null && description.startsWith("Unable to resolve host")) {
      return "unknown host";
    }
    return description == null ? "unavailable" : description;
  }

  /** Lets the channel reconnect at once instead of waiting out its backoff. */
  void resetBackoff() {
    channel.resetConnectBackoff();
  }

  /** Completes a future with a unary call's only reply or its failure. */
  private record Completing<T>(CompletableFuture<T> reply) implements StreamObserver<T> {
    @Override
    public void onNext(T value) {
      reply.complete(value);
    }

    @Override
    public void onError(Throwable t) {
      reply.completeExceptionally(t);
    }

    @Override
    public void onCompleted() {
      // A unary call's reply arrived in onNext; one that ends without any is reported by onError.
    }
  }

  Endpoint endpoint() {
    return endpoint;
  }

  /** Gives the shared channel back, waiting at most the timeout for calls in progress. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      SharedChannels.release(key, channel, timeout.toMillis());
    }
  }
}
