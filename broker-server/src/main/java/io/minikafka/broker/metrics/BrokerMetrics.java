package io.minikafka.broker.metrics;

import com.sun.net.httpserver.HttpServer;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.minikafka.broker.store.BackingStore;
import io.minikafka.broker.store.TopicSize;
import io.minikafka.broker.store.file.FileStore;
import io.minikafka.protocol.Endpoint;
import io.minikafka.protocol.ProduceRequest;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's Prometheus metrics (Micrometer), served over HTTP at {@code /metrics}: calls by
 * method and status with latency histograms, messages and bytes produced and delivered, active
 * subscribers, per-topic messages, bytes and next number, retention sweeps, fsyncs, and the JVM's
 * own metrics. Call metrics come from a gRPC interceptor, so the service itself stays unaware.
 */
public final class BrokerMetrics implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(BrokerMetrics.class);

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final BackingStore store;
  private final AtomicInteger subscribers = new AtomicInteger();
  private final Counter sweeps;
  private final Counter expired;
  private final Counter producedMessages;
  private final Counter producedBytes;
  private final Counter deliveredMessages;
  private final Counter deliveredBytes;

  /**
   * Each method's meters, made on its first call: building and registering them on every call and
   * message looked each up in the registry again (about 500 bytes of garbage a unary Produce,
   * docs/PERFORMANCE.md).
   */
  private final ConcurrentHashMap<String, MethodMeters> methods = new ConcurrentHashMap<>();

  private final MultiGauge topicMessages;
  private final MultiGauge topicBytes;
  private final MultiGauge topicNextNumber;
  private HttpServer http;

  public BrokerMetrics(BackingStore store) {
    this.store = store;
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    Gauge.builder("minikafka.subscribers.active", subscribers, AtomicInteger::get)
        .description("Subscribe calls in progress")
        .register(registry);
    sweeps =
        Counter.builder("minikafka.retention.sweeps")
            .description("Retention sweeps run")
            .register(registry);
    expired =
        Counter.builder("minikafka.retention.expired.messages")
            .description("Messages removed by retention")
            .register(registry);
    producedMessages =
        Counter.builder("minikafka.produced.messages")
            .description("Messages stored, by every produce call")
            .register(registry);
    producedBytes =
        Counter.builder("minikafka.produced.bytes")
            .description("Payload bytes stored, by every produce call")
            .register(registry);
    deliveredMessages =
        Counter.builder("minikafka.delivered.messages")
            .description("Messages sent to consumers, by polls and subscriptions")
            .register(registry);
    deliveredBytes =
        Counter.builder("minikafka.delivered.bytes")
            .description("Payload bytes sent to consumers, by polls and subscriptions")
            .register(registry);
    topicMessages =
        MultiGauge.builder("minikafka.topic.messages")
            .description("Messages held")
            .register(registry);
    topicBytes =
        MultiGauge.builder("minikafka.topic.stored.bytes")
            .description("Bytes held")
            .register(registry);
    topicNextNumber =
        MultiGauge.builder("minikafka.topic.next.number")
            .description("Number of the next message")
            .register(registry);
    if (store instanceof FileStore files) {
      Timer fsyncs =
          Timer.builder("minikafka.fsync.duration")
              .description("Log fsyncs and how long they took")
              .publishPercentileHistogram()
              .register(registry);
      files.onFsync(nanos -> fsyncs.record(nanos, TimeUnit.NANOSECONDS));
    }
  }

  /** Counts a retention sweep and what it removed. */
  public void sweep(long removed) {
    sweeps.increment();
    expired.increment(removed);
  }

  /** The interceptor that measures every call. */
  public ServerInterceptor interceptor() {
    return new CallMetrics();
  }

  /** Serves {@code /metrics} at {@code at} (port 0: any free port); returns where it listens. */
  public Endpoint start(Endpoint at) throws IOException {
    InetSocketAddress address =
        at.anyHost()
            ? new InetSocketAddress(at.port())
            : new InetSocketAddress(at.host(), at.port());
    http = HttpServer.create(address, 0);
    http.createContext(
        "/metrics",
        exchange -> {
          String method = exchange.getRequestMethod();
          if (!method.equals("GET") && !method.equals("HEAD")) {
            exchange.getResponseHeaders().add("Allow", "GET, HEAD");
            exchange.sendResponseHeaders(405, -1);
            exchange.close();
            return;
          }
          exchange
              .getResponseHeaders()
              .add("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
          if (method.equals("HEAD")) {
            // A probe: no scrape, and no length, which the JDK's server warns of for HEAD.
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
            return;
          }
          refreshTopics();
          byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    http.start();
    return at.withPort(http.getAddress().getPort());
  }

  /**
   * Per-topic gauges are read from the store at scrape time, so topics come and go with it; all
   * topics at once ({@link BackingStore#sizes}), which over Kafka is a few requests in all rather
   * than several per topic.
   */
  private void refreshTopics() {
    List<MultiGauge.Row<?>> messages = new ArrayList<>();
    List<MultiGauge.Row<?>> bytes = new ArrayList<>();
    List<MultiGauge.Row<?>> next = new ArrayList<>();
    try {
      for (TopicSize size : store.sizes()) {
        Tags tags = Tags.of("topic", size.topic());
        messages.add(MultiGauge.Row.of(tags, size.messageCount()));
        bytes.add(MultiGauge.Row.of(tags, size.bytesStored()));
        next.add(MultiGauge.Row.of(tags, size.nextNumber()));
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("Reading topics for metrics failed: {}", e.toString());
    }
    topicMessages.register(messages, true);
    topicBytes.register(bytes, true);
    topicNextNumber.register(next, true);
  }

  @Override
  public void close() {
    if (http != null) {
      http.stop(0);
    }
    registry.close();
  }

  /** A method's call duration, and its calls by status, each counter made on first use. */
  private final class MethodMeters {
    private final String method;
    private final Timer duration;
    private final AtomicReferenceArray<Counter> calls =
        new AtomicReferenceArray<>(Status.Code.values().length);

    MethodMeters(String method) {
      this.method = method;
      this.duration =
          Timer.builder("minikafka.call.duration")
              .description("Call duration by method")
              .tags("method", method)
              .publishPercentileHistogram()
              .register(registry);
    }

    void finish(Status.Code status, long start) {
      Counter counter = calls.get(status.ordinal());
      if (counter == null) {
        // Registering again returns the meter already registered: a race makes no second one.
        counter =
            Counter.builder("minikafka.calls")
                .description("Calls by method and status")
                .tags("method", method, "status", status.name())
                .register(registry);
        calls.set(status.ordinal(), counter);
      }
      counter.increment();
      duration.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
  }

  /** Counts calls, their outcome and duration, and the messages and bytes they carry. */
  private final class CallMetrics implements ServerInterceptor {

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
        ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
      String method = call.getMethodDescriptor().getBareMethodName();
      MethodMeters meters = methods.computeIfAbsent(method, MethodMeters::new);
      long start = System.nanoTime();
      boolean subscribe = "Subscribe".equals(method);
      if (subscribe) {
        subscribers.incrementAndGet();
      }
      AtomicLong ended = new AtomicLong();
      ServerCall<Q, R> measured =
          new SimpleForwardingServerCall<>(call) {
            @Override
            public void sendMessage(R message) {
              delivered(message);
              super.sendMessage(message);
            }

            @Override
            public void close(Status status, Metadata trailers) {
              if (ended.compareAndSet(0, 1)) {
                finish(meters, status.getCode(), start, subscribe);
              }
              super.close(status, trailers);
            }
          };
      return new SimpleForwardingServerCallListener<>(next.startCall(measured, headers)) {
        @Override
        public void onMessage(Q message) {
          produced(message);
          super.onMessage(message);
        }

        @Override
        public void onCancel() {
          if (ended.compareAndSet(0, 1)) {
            finish(meters, Status.Code.CANCELLED, start, subscribe);
          }
          super.onCancel();
        }
      };
    }

    private void finish(MethodMeters meters, Status.Code status, long start, boolean subscribe) {
      if (subscribe) {
        subscribers.decrementAndGet();
      }
      meters.finish(status, start);
    }

    private void produced(Object request) {
      if (request instanceof ProduceRequest r) {
        producedMessages.increment();
        producedBytes.increment(r.getPayload().getPayload().size());
      } else if (request instanceof Production p) {
        producedMessages.increment(p.messageCount());
        producedBytes.increment(p.payloadBytes());
      }
    }

    private void delivered(Object response) {
      if (response instanceof Delivery d) {
        deliveredMessages.increment(d.messageCount());
        deliveredBytes.increment(d.payloadBytes());
      }
    }
  }
}
