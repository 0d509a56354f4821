package io.minikafka.broker.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import io.minikafka.broker.config.ServerConfig;
import io.minikafka.broker.server.MiniKafkaServer;
import io.minikafka.broker.store.file.FileStore;
import io.minikafka.protocol.Endpoint;
import io.minikafka.protocol.MiniKafkaGrpc;
import io.minikafka.protocol.MsgNumber;
import io.minikafka.protocol.Payload;
import io.minikafka.protocol.PollRequest;
import io.minikafka.protocol.ProduceBatchRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scrapes the real metrics endpoint over HTTP and checks that values move after traffic. */
class BrokerMetricsTest {

  @TempDir Path root;

  private static String scrape(Endpoint at) throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://" + at + "/metrics"))
                    .timeout(Duration.ofSeconds(30))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  private static ServerConfig loopbackWithMetrics() {
    return ServerConfig.builder()
        .host(Endpoint.parse("127.0.0.1:0"))
        .metrics(Endpoint.parse("127.0.0.1:0"))
        .build();
  }

  private static double value(String scrape, String series) {
    Matcher m =
        Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.eE+-]+)$").matcher(scrape);
    return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
  }

  @Test
  void aHeadProbeGetsHeadersWithoutAWarningAndOtherMethodsAreRefused() throws Exception {
    java.util.List<java.util.logging.LogRecord> warnings =
        new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.logging.Handler handler =
        new java.util.logging.Handler() {
          @Override
          public void publish(java.util.logging.LogRecord record) {
            if (record.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue()) {
              warnings.add(record);
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    java.util.logging.Logger http = java.util.logging.Logger.getLogger("com.sun.net.httpserver");
    http.addHandler(handler);
    try (MiniKafkaServer server =
        MiniKafkaServer.start(
            new io.minikafka.broker.store.memory.MemoryStore(),
            loopbackWithMetrics(),
            Clock.systemUTC())) {
      URI uri = URI.create("http://" + server.metricsAddress().orElseThrow() + "/metrics");
      HttpClient client = HttpClient.newHttpClient();
      HttpResponse<String> head =
          client.send(
              HttpRequest.newBuilder(uri)
                  .method("HEAD", HttpRequest.BodyPublishers.noBody())
                  .timeout(Duration.ofSeconds(30))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> post =
          client.send(
              HttpRequest.newBuilder(uri)
                  .POST(HttpRequest.BodyPublishers.ofString("x"))
                  .timeout(Duration.ofSeconds(30))
                  .build(),
              HttpResponse.BodyHandlers.ofString());

      assertThat(warnings).extracting(java.util.logging.LogRecord::getMessage).isEmpty();
      assertThat(head.statusCode()).isEqualTo(200);
      assertThat(head.headers().firstValue("Content-Type"))
          .hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
      assertThat(head.body()).isEmpty();
      assertThat(post.statusCode()).isEqualTo(405);
      assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
    } finally {
      http.removeHandler(handler);
    }
  }

  @Test
  void countersAndTopicGaugesMoveWithTraffic() throws Exception {
    ServerConfig config = loopbackWithMetrics();
    try (MiniKafkaServer server =
        MiniKafkaServer.start(FileStore.open(root), config, Clock.systemUTC())) {
      Endpoint metrics = server.metricsAddress().orElseThrow();
      String before = scrape(metrics);
      assertThat(before).contains("jvm_memory_used_bytes");
      assertThat(before.lines().filter(l -> l.startsWith("# HELP minikafka_")))
          .as("every MiniKafka series says what it counts")
          .isNotEmpty()
          .allSatisfy(l -> assertThat(l).matches("# HELP \\S+ \\S.*"));
      assertThat(value(before, "minikafka_subscribers_active")).isZero();

      ManagedChannel channel =
          ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
      try {
        MiniKafkaGrpc.MiniKafkaBlockingStub stub =
            MiniKafkaGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
        stub.produceBatch(
            ProduceBatchRequest.newBuilder()
                .setTopic("orders")
                .addPayloads(ByteString.copyFromUtf8("abc"))
                .addPayloads(ByteString.copyFromUtf8("de"))
                .build());
        stub.produceBatch(
            ProduceBatchRequest.newBuilder()
                .setTopic("orders")
                .addRecords(
                    Payload.newBuilder()
                        .setKey(ByteString.copyFromUtf8("k"))
                        .setPayload(ByteString.copyFromUtf8("fghi")))
                .build());
        stub.poll(
            PollRequest.newBuilder()
                .setTopic("orders")
                .setReadFrom(MsgNumber.newBuilder().setMsgNumber(1))
                .build());
        try {
          stub.poll(PollRequest.newBuilder().setTopic("missing").build());
        } catch (StatusRuntimeException expectedNotFound) {
          assertThat(expectedNotFound.getStatus().getCode())
              .isEqualTo(io.grpc.Status.Code.NOT_FOUND);
        }
      } finally {
        channel.shutdownNow();
      }

      String after = scrape(metrics);
      assertThat(value(after, "minikafka_produced_messages_total")).isEqualTo(3.0);
      assertThat(value(after, "minikafka_produced_bytes_total")).isEqualTo(9.0);
      assertThat(value(after, "minikafka_delivered_messages_total")).isEqualTo(3.0);
      assertThat(value(after, "minikafka_delivered_bytes_total")).isEqualTo(9.0);
      assertThat(value(after, "minikafka_calls_total{method=\"ProduceBatch\",status=\"OK\"}"))
          .isEqualTo(2.0);
      assertThat(value(after, "minikafka_calls_total{method=\"Poll\",status=\"NOT_FOUND\"}"))
          .isEqualTo(1.0);
      assertThat(after).contains("minikafka_call_duration_seconds_bucket{method=\"Poll\"");
      assertThat(value(after, "minikafka_topic_messages{topic=\"orders\"}")).isEqualTo(3.0);
      assertThat(value(after, "minikafka_topic_next_number{topic=\"orders\"}")).isEqualTo(4.0);
      assertThat(value(after, "minikafka_fsync_duration_seconds_count"))
          .isGreaterThanOrEqualTo(1.0);
      assertThat(after).contains("minikafka_fsync_duration_seconds_bucket{le=");
      assertThat(value(after, "minikafka_retention_sweeps_total")).isGreaterThanOrEqualTo(0.0);
    }
  }

  @Test
  void theMemoryStoresMessagesShowAsDirectMemoryAndGoWithTheirTopic() throws Exception {
    ServerConfig config = loopbackWithMetrics();
    String direct = "jvm_buffer_memory_used_bytes{id=\"direct\"}";
    try (MiniKafkaServer server =
        MiniKafkaServer.start(
            new io.minikafka.broker.store.memory.MemoryStore(), config, Clock.systemUTC())) {
      Endpoint metrics = server.metricsAddress().orElseThrow();
      double before = value(scrape(metrics), direct);
      ManagedChannel channel =
          ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
      try {
        MiniKafkaGrpc.MiniKafkaBlockingStub stub =
            MiniKafkaGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
        ByteString payload = ByteString.copyFrom(new byte[64 * 1024]);
        for (int batch = 0; batch < 64; batch++) {
          ProduceBatchRequest.Builder request = ProduceBatchRequest.newBuilder().setTopic("big");
          for (int i = 0; i < 8; i++) {
            request.addPayloads(payload);
          }
          stub.produceBatch(request.build());
        }
        double held = value(scrape(metrics), direct);
        assertThat(held - before).as("32 MiB of messages outside the heap").isGreaterThan(32 << 20);

        stub.deleteTopic(
            io.minikafka.protocol.DeleteTopicRequest.newBuilder().setTopic("big").build());
        // Less two 4 MiB chunks the store may keep ready for reuse, and a few MiB that the JDK's
        // own I/O may take meanwhile (its temporary direct buffers).
        assertThat(held - value(scrape(metrics), direct))
            .as("freed with their topic, not at some later collection")
            .isGreaterThan(16 << 20);
      } finally {
        channel.shutdownNow();
      }
    }
  }
}
