package io.minikafka.broker.server;

import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.minikafka.broker.concurrent.DaemonThreadFactory;
import io.minikafka.broker.config.GoDuration;
import io.minikafka.broker.config.ServerConfig;
import io.minikafka.broker.config.Setting;
import io.minikafka.broker.metrics.BrokerMetrics;
import io.minikafka.broker.retention.RetentionSweeper;
import io.minikafka.broker.security.AccessControl;
import io.minikafka.broker.security.AuthFile;
import io.minikafka.broker.security.ServerTls;
import io.minikafka.broker.store.BackingStore;
import io.minikafka.broker.store.StoreHealth;
import io.minikafka.protocol.Endpoint;
import io.minikafka.protocol.MiniKafkaGrpc;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.UnresolvedAddressException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running MiniKafka server: the gRPC service over a {@link BackingStore}, plus its retention
 * sweeper. The original's {@code NewServer(store)} followed by {@code Serve(host, retention)} is
 * {@link #start(BackingStore, String, Duration)}.
 *
 * <p>Besides {@code protocol.MiniKafka} it serves the standard {@code grpc.health.v1.Health}
 * (SERVING while up, NOT_SERVING from the moment shutdown starts) and server reflection, so tools
 * such as grpcurl work without the .proto.
 *
 * <p>{@link #close()} shuts down gracefully: it stops accepting calls, ends subscriptions and
 * produce streams, lets in-flight calls finish for at most the configured shutdown timeout, then
 * cancels the rest and closes the store.
 */
public final class MiniKafkaServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(MiniKafkaServer.class);

  /** Room beyond the largest payload for the topic name and framing of a Produce request. */
  private static final int REQUEST_HEADROOM_BYTES = 64 * 1024;

  /** Threads that read the store for subscriptions and long polls; reads may block on disk. */
  private static final int PUSH_THREADS = 4;

  /**
   * Threads that run call handlers over a store that may block (a produce under fsync always waits
   * for its group commit), so there are enough for many concurrent producers to share one fsync. A
   * fixed pool: gRPC's default cached pool hands each task over through a SynchronousQueue, whose
   * spinning costs a core's worth of CPU on a small machine.
   */
  private static final int HANDLER_THREADS = 64;

  /** How long calls may run on a connection past its maximum age before they are cancelled. */
  private static final Duration MAX_CONNECTION_AGE_GRACE = Duration.ofSeconds(30);

  /** How often the store's health is looked at, to report it through the health service. */
  private static final Duration HEALTH_CHECK_INTERVAL = Duration.ofSeconds(1);

  private final Server grpcServer;
  private final BackingStore store;
  private final ServerConfig config;
  private final RetentionSweeper sweeper;
  private final MiniKafkaService service;
  private final HealthStatusManager health = new HealthStatusManager();
  private final BrokerMetrics metrics;
  private final AuthFile authFile;
  private Endpoint metricsAddress;
  private final ExecutorService pushExecutor;
  private final ExecutorService handlerExecutor;
  private final ScheduledExecutorService timer;
  private boolean closed;

  /** What the health service says now; timer thread only once started. */
  private ServingStatus serving;

  /**
   * Builds a server on any gRPC transport (Netty, in-process) without starting it.
   *
   * @param builder a transport's server builder; this adds the service and message size limit
   * @param clock the time retention is measured by
   * @throws io.minikafka.broker.config.ConfigException if the auth file is missing or wrong
   */
  public MiniKafkaServer(
      ServerBuilder<?> builder, BackingStore store, ServerConfig config, Clock clock) {
    this.store = store;
    this.config = config;
    this.metrics = config.metrics().isPresent() ? new BrokerMetrics(store) : null;
    this.sweeper =
        new RetentionSweeper(
            store, config.retention(), clock, metrics == null ? removed -> {} : metrics::sweep);
    store.onRetentionChanged(sweeper::retentionChanged);
    this.pushExecutor =
        Executors.newFixedThreadPool(PUSH_THREADS, new DaemonThreadFactory("minikafka-push"));
    this.handlerExecutor =
        Executors.newFixedThreadPool(HANDLER_THREADS, new DaemonThreadFactory("minikafka-handler"));
    ScheduledThreadPoolExecutor timerPool =
        new ScheduledThreadPoolExecutor(1, new DaemonThreadFactory("minikafka-timer"));
    // A long poll answered early cancels its deadline: gone from the queue at once, not in 49 days.
    timerPool.setRemoveOnCancelPolicy(true);
    this.timer = timerPool;
    Executor storeExecutor = store.neverBlocks() ? Runnable::run : handlerExecutor;
    this.authFile = config.authFile().map(AuthFile::load).orElse(null);
    AccessControl access = authFile == null ? AccessControl.OPEN : new AccessControl(authFile);
    this.service =
        new MiniKafkaService(
            store,
            access,
            config.maxMessageBytes(),
            maxRequestBytes(config),
            config.maxPollBytes(),
            config.produceQueueBytes(),
            pushExecutor,
            storeExecutor,
            timer,
            config.retention(),
            sweeper::retentionChanged);
    // Calls run on the network threads, without a hand-off (about half the CPU of one), except
    // unary calls over a store that may block: those run on the handler threads, but for produce
    // calls to a store that appends without waiting, which are answered from the store's thread
    // (or at once, when the store wrote a small append itself).
    // A stream's callbacks only queue work (its stores run on storeExecutor, its reads on
    // pushExecutor).
    builder.directExecutor();
    if (!store.neverBlocks()) {
      Set<String> nonBlocking =
          store.appendsAsync()
              ? Set.of(
                  MiniKafkaGrpc.getProduceMethod().getFullMethodName(),
                  MiniKafkaGrpc.getProduceBatchMethod().getFullMethodName())
              : Set.of();
      builder.callExecutor(
          new ServerCallExecutorSupplier() {
            @Override
            public <ReqT, RespT> Executor getExecutor(
                ServerCall<ReqT, RespT> call, Metadata headers) {
              MethodDescriptor<ReqT, RespT> method = call.getMethodDescriptor();
              return method.getType() == MethodDescriptor.MethodType.UNARY
                      && !nonBlocking.contains(method.getFullMethodName())
                  ? handlerExecutor
                  : null;
            }
          });
    }
    this.grpcServer =
        builder
            // Every service, health and reflection too: they are open to clients without identity.
            .intercept(
                new ConnectionLimits(
                    config.maxCallsPerConnection(), config.maxSubscriptionsPerConnection()))
            // Added last, so it runs first and sees every other interceptor's refusals too.
            .intercept(new CallLog())
            .addService(intercepted(MalformedRequests.guard(service.definition()), access))
            .addService(health.getHealthService())
            .addService(ProtoReflectionServiceV1.newInstance())
            .maxInboundMessageSize(maxRequestBytes(config))
            .build();
  }

  /**
   * The service behind its interceptors. The last listed runs first: metrics count every call,
   * refused ones too; identity is checked before anything looks at a request. A connection past its
   * limits is refused before all of them (a server-wide interceptor).
   */
  private ServerServiceDefinition intercepted(
      ServerServiceDefinition guarded, AccessControl access) {
    List<ServerInterceptor> interceptors = new ArrayList<>();
    if (access.enabled()) {
      interceptors.add(access);
    }
    if (metrics != null) {
      interceptors.add(metrics.interceptor());
    }
    return ServerInterceptors.intercept(guarded, interceptors);
  }

  /**
   * Starts a server on {@code host} (such as {@code 127.0.0.1:9999} or {@code :9999}) over the
   * store.
   */
  public static MiniKafkaServer start(BackingStore store, String host, Duration retention)
      throws IOException {
    return start(
        store,
        ServerConfig.builder().host(Endpoint.parse(host)).retention(retention).build(),
        Clock.systemUTC());
  }

  /**
   * Starts a server over the store, listening with Netty where {@code config.host()} says, over TLS
   * if it names a certificate.
   *
   * @throws io.minikafka.broker.config.ConfigException if a TLS or auth file is missing or wrong
   */
  public static MiniKafkaServer start(BackingStore store, ServerConfig config, Clock clock)
      throws IOException {
    Endpoint host = config.host();
    ServerCredentials credentials =
        config.tls().map(ServerTls::credentials).orElseGet(InsecureServerCredentials::create);
    config
        .tls()
        .ifPresent(files -> ServerTls.validityProblems(files, clock.instant()).forEach(LOG::warn));
    NettyServerBuilder builder =
        host.anyHost()
            ? NettyServerBuilder.forPort(host.port(), credentials)
            : NettyServerBuilder.forAddress(
                new InetSocketAddress(host.host(), host.port()), credentials);
    // Clients ping every 30 s to keep long-lived subscriptions alive; allow it. Pings do not count
    // as use: a connection without calls is closed after the idle timeout all the same.
    builder
        .permitKeepAliveTime(20, TimeUnit.SECONDS)
        .permitKeepAliveWithoutCalls(true)
        .maxConnectionIdle(config.idleTimeout().toNanos(), TimeUnit.NANOSECONDS);
    config
        .maxConnectionAge()
        .ifPresent(
            age ->
                builder
                    .maxConnectionAge(age.toNanos(), TimeUnit.NANOSECONDS)
                    .maxConnectionAgeGrace(
                        MAX_CONNECTION_AGE_GRACE.toNanos(), TimeUnit.NANOSECONDS));
    return new MiniKafkaServer(builder, store, config, clock).start();
  }

  /** A setting as a user may have given it: its variable or its flag. */
  private static String named(Setting setting) {
    return setting.envVar() + " or " + setting.flag();
  }

  /**
   * The innermost cause's message: Netty wraps the bind error that says what went wrong. A name
   * that does not resolve has none, only its exception's class.
   */
  private static String why(Throwable t, Endpoint address) {
    Throwable cause = t;
    while (cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof UnresolvedAddressException) {
      return "unknown host '" + address.host() + "'";
    }
    String message = cause.getMessage();
    return message == null ? cause.toString() : message;
  }

  /** Starts serving and sweeping; logs the address, store and retention. */
  public MiniKafkaServer start() throws IOException {
    // A reopened store still holds messages that expired while it was closed: hide them first.
    // A topic that cannot be swept (a full disk) must not keep the server from starting.
    try {
      long expired = sweeper.sweepOnce();
      if (expired > 0) {
        LOG.info("Removed {} messages that expired while the server was down", expired);
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("Retention sweep at start failed, retried on schedule: {}", e.toString());
    }
    try {
      grpcServer.start();
    } catch (IOException e) {
      throw new ListenFailedException(
          "cannot listen on "
              + config.host()
              + " ("
              + named(Setting.HOST)
              + "): "
              + why(e, config.host()),
          e);
    }
    if (metrics != null) {
      try {
        metricsAddress = metrics.start(config.metrics().get());
      } catch (IOException e) {
        grpcServer.shutdownNow();
        throw new ListenFailedException(
            "cannot serve metrics on "
                + config.metrics().get()
                + " ("
                + named(Setting.METRICS)
                + "): "
                + why(e, config.metrics().get()),
            e);
      }
      LOG.info("Metrics: http://{}/metrics", metricsAddress);
    }
    refreshHealth();
    long every = HEALTH_CHECK_INTERVAL.toMillis();
    timer.scheduleWithFixedDelay(this::refreshHealth, every, every, TimeUnit.MILLISECONDS);
    sweeper.start(config.sweepInterval());
    if (authFile != null) {
      authFile.watch(timer);
    }
    LOG.info("Store: {}", store.description());
    LOG.info(
        "Security: {}, {}",
        config.tls().isEmpty()
            ? "plaintext"
            : config.tls().get().clientCa().isPresent() ? "TLS with client certificates" : "TLS",
        authFile == null
            ? "no authentication (every client may do everything)"
            : "identities from the auth file");
    LOG.info(
        "Retention: {} (swept every {})",
        GoDuration.format(config.retention()),
        GoDuration.format(config.sweepInterval()));
    // Last, so that a supervisor reading the log knows every setting once it sees the address.
    LOG.info("MiniKafka listening on {}", address());
    return this;
  }

  /**
   * SERVING while the store takes writes; NOT_SERVING once it refuses them (a failed disk), so that
   * load balancers send producers elsewhere. Shutdown's NOT_SERVING is final.
   */
  private void refreshHealth() {
    StoreHealth now = store.health();
    ServingStatus status = now.writable() ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
    if (status == serving) {
      return;
    }
    serving = status;
    health.setStatus("", status);
    health.setStatus(MiniKafkaGrpc.SERVICE_NAME, status);
    if (status == ServingStatus.NOT_SERVING) {
      LOG.error(
          "Health: NOT_SERVING, the store refuses writes: {}", String.join("; ", now.problems()));
    }
  }

  /**
   * Reads the auth file again now (what SIGHUP does); without one, logs that there is nothing to
   * reload.
   */
  public void reloadAuth() {
    if (authFile == null) {
      LOG.info("Reload asked: no auth file is configured, nothing to reload");
    } else {
      authFile.reload();
    }
  }

  /**
   * The port listened on, once started: the one chosen when the configured port was 0. -1
   * in-process.
   */
  public int port() {
    return grpcServer.getPort();
  }

  /** The address listened on, with the actual port. */
  public Endpoint address() {
    return config.host().withPort(Math.max(0, port()));
  }

  /** Where Prometheus metrics are served, with the actual port, once started; empty when off. */
  public Optional<Endpoint> metricsAddress() {
    return Optional.ofNullable(metricsAddress);
  }

  /** Topics that long polls or subscriptions wait on now; for tests of what calls leave behind. */
  int waitingTopics() {
    return service.waitingTopics();
  }

  /** Timer tasks queued now (deadlines of long polls, periodic checks); for the same tests. */
  int pendingTimers() {
    return ((ScheduledThreadPoolExecutor) timer).getQueue().size();
  }

  /** Blocks until the server has shut down. */
  public void awaitTermination() throws InterruptedException {
    grpcServer.awaitTermination();
  }

  /** Graceful, bounded shutdown, then closes the store. Idempotent. */
  @Override
  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    LOG.info("Shutting down");
    // NOT_SERVING first, so that load balancers and health checks stop sending new work.
    health.enterTerminalState();
    sweeper.close();
    grpcServer.shutdown();
    // Streams never end by themselves: end them so in-flight calls can drain.
    service.endStreams(Status.UNAVAILABLE.withDescription("server is shutting down"));
    try {
      long timeoutMillis = config.shutdownTimeout().toMillis();
      if (!grpcServer.awaitTermination(timeoutMillis, TimeUnit.MILLISECONDS)) {
        LOG.warn("Calls still running after {} ms; cancelling them", timeoutMillis);
        grpcServer.shutdownNow();
        grpcServer.awaitTermination(timeoutMillis, TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      grpcServer.shutdownNow();
      Thread.currentThread().interrupt();
    } finally {
      // Drains read the store; interrupting one would close the file channel it reads.
      if (metrics != null) {
        metrics.close();
      }
      pushExecutor.shutdown();
      handlerExecutor.shutdown();
      timer.shutdownNow();
      try {
        pushExecutor.awaitTermination(config.shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      store.close();
    }
    LOG.info("Stopped");
  }

  /** The largest request read: one message of the largest size, with its topic and framing. */
  private static int maxRequestBytes(ServerConfig config) {
    long sum = (long) config.maxMessageBytes() + REQUEST_HEADROOM_BYTES;
    return sum > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) sum;
  }
}
