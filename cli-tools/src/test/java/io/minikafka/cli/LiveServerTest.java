package io.minikafka.cli;

import io.minikafka.broker.server.MiniKafkaServer;
import io.minikafka.broker.store.memory.MemoryStore;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** Base of the CLI tests that need a real server: one per test, on a free loopback port. */
abstract class LiveServerTest {

  protected MemoryStore store;
  protected MiniKafkaServer server;
  protected String host;

  @BeforeEach
  void startServer() throws IOException {
    store = new MemoryStore();
    server = MiniKafkaServer.start(store, "127.0.0.1:0", Duration.ofHours(1));
    host = "127.0.0.1:" + server.port();
  }

  @AfterEach
  void stopServer() throws IOException {
    server.close();
  }
}
