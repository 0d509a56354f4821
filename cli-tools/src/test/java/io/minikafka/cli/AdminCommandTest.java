package io.minikafka.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.minikafka.broker.server.MiniKafkaServer;
import io.minikafka.broker.store.ForwardingStore;
import io.minikafka.broker.store.StoreHealth;
import io.minikafka.broker.store.memory.MemoryStore;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AdminCommandTest extends LiveServerTest {

  @BeforeEach
  void fillTopics() throws IOException {
    store.store("orders", "abc".getBytes(UTF_8));
    store.store("orders", "de".getBytes(UTF_8));
    store.store("say \"hi\"", new byte[0]);
  }

  @Test
  void topicsPrintsATableOfEveryTopic() {
    CliHarness.Result result = CliHarness.run(new AdminCommand(), "topics", "--host", host);

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out().lines())
        .first()
        .asString()
        .matches("TOPIC\\s+MESSAGES\\s+FIRST\\s+NEXT\\s+BYTES");
    assertThat(result.out()).containsPattern("orders\\s+2\\s+1\\s+3\\s+5");
  }

  @Test
  void topicsAsJsonEscapesNames() {
    CliHarness.Result result = CliHarness.run(new AdminCommand(), "--json", "topics", "--host", host);

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out().strip())
        .startsWith("[{\"topic\":\"orders\",\"messages\":2,\"firstAvailable\":1,\"nextNumber\":3,\"bytesStored\":5,")
        .contains("{\"topic\":\"say \\\"hi\\\"\",\"messages\":1")
        .endsWith("}]");
  }

  @Test
  void describeShowsNumbersAndTimes() {
    CliHarness.Result table = CliHarness.run(new AdminCommand(), "describe", "orders", "--host", host);
    CliHarness.Result json = CliHarness.run(new AdminCommand(), "describe", "orders", "--host", host, "--json");

    assertThat(table.exitCode()).isZero();
    assertThat(table.out()).containsPattern("next number\\s+3").containsPattern("oldest append\\s+20\\d\\d-");
    assertThat(json.out()).contains("\"nextNumber\":3").containsPattern("\"oldestAppendTime\":\"20\\d\\d-");
  }

  @Test
  void deleteHidesTheTopicAndUnknownTopicsFailWithOneLine() {
    CliHarness.Result deleted = CliHarness.run(new AdminCommand(), "delete", "orders", "--host", host);
    assertThat(deleted.exitCode()).isZero();
    assertThat(deleted.out()).contains("deleted topic 'orders' (2 messages)");

    CliHarness.Result again = CliHarness.run(new AdminCommand(), "describe", "orders", "--host", host);
    assertThat(again.exitCode()).isEqualTo(1);
    assertThat(again.err().strip().lines()).singleElement().asString().contains("unknown topic 'orders'");

    CliHarness.Result topics = CliHarness.run(new AdminCommand(), "topics", "--host", host);
    assertThat(topics.out()).doesNotContain("orders");
  }

  @Test
  void topicsReportsTheServersProblemsOnStandardError() throws IOException {
    MiniKafkaServer troubled =
        MiniKafkaServer.start(
            new ForwardingStore(new MemoryStore()) {
              @Override
              public StoreHealth health() {
                return new StoreHealth(true, List.of("topic 'orders' is unavailable: its directory could not be read"));
              }
            },
            "127.0.0.1:0",
            Duration.ofHours(1));
    try {
      CliHarness.Result result =
          CliHarness.run(new AdminCommand(), "topics", "--host", "127.0.0.1:" + troubled.port());
      assertThat(result.exitCode()).as(result.err()).isZero();
      assertThat(result.err())
          .contains("mkfk-admin: server problem: topic 'orders' is unavailable: its directory could not be read");
      assertThat(result.out()).startsWith("TOPIC");
    } finally {
      troubled.close();
    }
  }
}
