package io.minikafka.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.minikafka.broker.server.MiniKafkaServer;
import io.minikafka.broker.store.Header;
import io.minikafka.broker.store.PollLimits;
import io.minikafka.broker.store.Record;
import io.minikafka.broker.store.StoredMessage;
import io.minikafka.broker.store.UnknownTopicException;
import io.minikafka.broker.store.memory.MemoryStore;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code mkfk-admin copy}: numbers, keys and headers kept, from one server to another. */
class TopicCopyTest extends LiveServerTest {

  private MemoryStore targetStore;
  private MiniKafkaServer target;
  private String targetHost;

  @BeforeEach
  void startTarget() throws IOException {
    targetStore = new MemoryStore();
    target = MiniKafkaServer.start(targetStore, "127.0.0.1:0", Duration.ofHours(1));
    targetHost = "127.0.0.1:" + target.port();
  }

  @AfterEach
  void stopTarget() throws IOException {
    target.close();
  }

  @Test
  void aTopicWhoseFirstMessagesAreGoneArrivesAtTheSameNumbersWithKeysAndHeaders()
      throws IOException {
    for (int i = 1; i <= 5; i++) {
      store.store("orders", ("gone " + i).getBytes(UTF_8));
    }
    store.deleteTopic("orders");
    store.createTopic("orders", Optional.of(Duration.ofHours(2)));
    store.storeRecords(
        "orders",
        List.of(
            new Record(
                "k".getBytes(UTF_8),
                List.of(new Header("trace", "t1".getBytes(UTF_8))),
                "six".getBytes(UTF_8)),
            Record.of("seven".getBytes(UTF_8)),
            Record.of(new byte[0])));

    CliHarness.Result result =
        CliHarness.run(new AdminCommand(), "copy", "orders", "--host", host, "--to", targetHost);

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out())
        .contains("copied 3 messages to topic 'orders' at " + targetHost)
        .contains("numbers 6 to 8");
    List<StoredMessage> copied = targetStore.poll("orders", 1, PollLimits.UNLIMITED).messages();
    assertThat(copied).extracting(StoredMessage::number).containsExactly(6L, 7L, 8L);
    assertThat(new String(copied.get(0).key(), UTF_8)).isEqualTo("k");
    assertThat(copied.get(0).headers()).extracting(Header::name).containsExactly("trace");
    assertThat(new String(copied.get(1).payload(), UTF_8)).isEqualTo("seven");
    assertThat(copied.get(2).payload()).isEmpty();
    assertThat(targetStore.describe("orders").firstAvailable()).isEqualTo(6);
    assertThat(targetStore.describe("orders").retention()).contains(Duration.ofHours(2));
  }

  @Test
  void aCopyStoppedHalfWayResumesAndAnotherProducersMessageStopsIt() throws IOException {
    for (int i = 1; i <= 4; i++) {
      store.store("t", ("m" + i).getBytes(UTF_8));
    }
    targetStore.storeBatch("t", List.of("m1".getBytes(UTF_8), "m2".getBytes(UTF_8)));

    CliHarness.Result resumed =
        CliHarness.run(new AdminCommand(), "copy", "t", "--host", host, "--to", targetHost);
    assertThat(resumed.out()).contains("copied 2 messages");
    assertThat(targetStore.poll("t", 1, PollLimits.UNLIMITED).messages())
        .extracting(m -> new String(m.payload(), UTF_8))
        .containsExactly("m1", "m2", "m3", "m4");

    targetStore.store("t", "stranger".getBytes(UTF_8));
    CliHarness.Result past =
        CliHarness.run(new AdminCommand(), "copy", "t", "--host", host, "--to", targetHost);
    assertThat(past.exitCode()).isEqualTo(1);
    assertThat(past.err()).contains("is past the source").doesNotContain("\n\n");
  }

  @Test
  void aRefusedCopyLeavesADeletedDestinationDeleted() throws IOException {
    for (int i = 1; i <= 5; i++) {
      targetStore.store("t", ("old " + i).getBytes(UTF_8));
    }
    targetStore.deleteTopic("t");
    store.store("t", "one".getBytes(UTF_8));

    CliHarness.Result result =
        CliHarness.run(new AdminCommand(), "copy", "t", "--host", host, "--to", targetHost);

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).contains("destination topic 't' is past the source");
    assertThatThrownBy(() -> targetStore.describe("t"))
        .isInstanceOf(UnknownTopicException.class)
        .hasMessageContaining("it was deleted");
    assertThat(targetStore.topics()).doesNotContain("t");
  }

  @Test
  void aCopyOntoItselfIsAUsageError() {
    CliHarness.Result result =
        CliHarness.run(new AdminCommand(), "copy", "t", "--host", host, "--to", host);

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err().strip())
        .isEqualTo(
            "mkfk-admin: the destination is the source: topic 't' at "
                + host
                + "; give another --to or --to-topic");
  }

  @Test
  void aCopyOntoItselfUnderAnotherNameOfTheHostIsAUsageError() {
    String port = host.substring(host.lastIndexOf(':') + 1);
    for (String sameServer : new String[] {"localhost:" + port, ":" + port, " 127.0.0.1:" + port}) {
      CliHarness.Result result =
          CliHarness.run(new AdminCommand(), "copy", "t", "--host", host, "--to", sameServer);

      assertThat(result.exitCode()).as(sameServer).isEqualTo(2);
      assertThat(result.err()).contains("the destination is the source: topic 't'");
    }
  }

  @Test
  void aDestinationHoldingOtherMessagesIsRefusedAndLeftAsItWas() throws IOException {
    store.storeBatch("t", List.of("a".getBytes(UTF_8), "b".getBytes(UTF_8), "c".getBytes(UTF_8)));
    store.deleteTopic("t");
    store.storeBatch("t", List.of("d".getBytes(UTF_8), "e".getBytes(UTF_8)));
    store.store("u", "source".getBytes(UTF_8));
    store.store("u", "source too".getBytes(UTF_8));
    targetStore.storeBatch("t", List.of("mine".getBytes(UTF_8), "still mine".getBytes(UTF_8)));
    targetStore.store("u", "not a copy".getBytes(UTF_8));

    CliHarness.Result below =
        CliHarness.run(new AdminCommand(), "copy", "t", "--host", host, "--to", targetHost);
    CliHarness.Result different =
        CliHarness.run(new AdminCommand(), "copy", "u", "--host", host, "--to", targetHost);

    assertThat(below.exitCode()).isEqualTo(1);
    assertThat(below.err()).contains("holds 2 messages below the source's first number 4");
    assertThat(different.exitCode()).isEqualTo(1);
    assertThat(different.err()).contains("number 1 differs");
    assertThat(targetStore.poll("t", 1, PollLimits.UNLIMITED).messages())
        .extracting(m -> new String(m.payload(), UTF_8))
        .containsExactly("mine", "still mine");
    assertThat(targetStore.describe("u").messageCount()).isEqualTo(1);
  }

  @Test
  void aCopyStoppedWhileUsingUpNumbersResumesAndOneWhoseLastMessageIsGoneIsRefused()
      throws IOException {
    store.storeBatch("t", List.of("a".getBytes(UTF_8), "b".getBytes(UTF_8), "c".getBytes(UTF_8)));
    store.deleteTopic("t");
    store.store("t", "d".getBytes(UTF_8));
    Record filler =
        new Record(
            new byte[0],
            List.of(new Header(TopicCopy.FILLER_HEADER, "filler".getBytes(UTF_8))),
            new byte[0]);
    targetStore.storeRecords("t", List.of(filler, filler));

    CliHarness.Result resumed =
        CliHarness.run(new AdminCommand(), "copy", "t", "--host", host, "--to", targetHost);

    assertThat(resumed.exitCode()).as(resumed.err()).isZero();
    assertThat(targetStore.poll("t", 1, PollLimits.UNLIMITED).messages())
        .extracting(StoredMessage::number, m -> new String(m.payload(), UTF_8))
        .containsExactly(org.assertj.core.groups.Tuple.tuple(4L, "d"));

    store.store("u", "one".getBytes(UTF_8));
    store.store("u", "two".getBytes(UTF_8));
    targetStore.store("u", "one".getBytes(UTF_8));
    targetStore.deleteTopic("u");
    targetStore.createTopic("u", Optional.empty());
    CliHarness.Result unknowable =
        CliHarness.run(new AdminCommand(), "copy", "u", "--host", host, "--to", targetHost);
    assertThat(unknowable.exitCode()).isEqualTo(1);
    assertThat(unknowable.err()).contains("cannot be told to be a copy");
  }
}
