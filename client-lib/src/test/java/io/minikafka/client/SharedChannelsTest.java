package io.minikafka.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Attributes;
import io.grpc.ServerTransportFilter;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.minikafka.broker.config.ServerConfig;
import io.minikafka.broker.server.MiniKafkaServer;
import io.minikafka.broker.store.memory.MemoryStore;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Producers, consumers and admins of one JVM share one connection per server. */
class SharedChannelsTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final AtomicInteger connections = new AtomicInteger();
  private MiniKafkaServer server;
  private String host;

  @BeforeEach
  void startServer() throws IOException {
    NettyServerBuilder builder =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addTransportFilter(
                new ServerTransportFilter() {
                  @Override
                  public Attributes transportReady(Attributes attributes) {
                    connections.incrementAndGet();
                    return attributes;
                  }
                });
    server =
        new MiniKafkaServer(builder, new MemoryStore(), ServerConfig.defaults(), Clock.systemUTC())
            .start();
    host = "127.0.0.1:" + server.port();
  }

  @AfterEach
  void stopServer() throws IOException {
    server.close();
  }

  @Test
  void clientsOfOneServerShareOneConnectionThatOutlivesAllButTheLastOfThem() {
    Producer first = new Producer("t", TIMEOUT, host);
    try (Producer second = new Producer("t", TIMEOUT, host);
        Consumer consumer = new Consumer("t", 1, TIMEOUT, host);
        Admin admin = new Admin(TIMEOUT, host)) {
      first.sendMessage(new byte[] {1});
      second.sendMessage(new byte[] {2});
      assertThat(consumer.poll().messages()).hasSize(2);
      assertThat(admin.topics()).containsExactly("t");

      first.close();
      assertThat(second.sendMessage(new byte[] {3})).isEqualTo(3);
      assertThat(connections.get()).isEqualTo(1);
    }
    try (Producer later = new Producer("t", TIMEOUT, host)) {
      assertThat(later.sendMessage(new byte[] {4})).isEqualTo(4);
    }
    assertThat(connections.get()).as("a new connection once every user had closed").isEqualTo(2);
  }
}
