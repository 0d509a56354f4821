package io.minikafka.broker.store.file;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.minikafka.broker.store.ManualClock;
import io.minikafka.broker.store.PollLimits;
import io.minikafka.broker.store.StoreException;
import io.minikafka.broker.store.StoredMessage;
import io.minikafka.broker.store.UnknownTopicException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A topic directory the store cannot read (its name file empty, wrong or not UTF-8) is kept as it
 * is, reported, and its topic refuses calls until repaired: never overwritten, as Kafka takes an
 * unreadable log directory offline rather than start it afresh.
 */
class UnreadableTopicDirectoryTest {

  @TempDir Path root;
  private final ManualClock clock = new ManualClock();

  private FileStore open() throws IOException {
    return FileStore.open(
        root,
        FileStoreConfig.defaults().withFsync(new FsyncPolicy.Never()).withSegmentBytes(1000),
        clock);
  }

  private void fill(String topic, int messages) throws IOException {
    try (FileStore store = open()) {
      for (int i = 1; i <= messages; i++) {
        store.store(topic, ("message " + i).getBytes(UTF_8));
      }
      store.store("healthy", "fine".getBytes(UTF_8));
    }
  }

  private Path nameFile(String topic) {
    return StoreFiles.topicDir(root, topic).resolve(TopicDirectory.NAME_FILE);
  }

  @ParameterizedTest(name = "topic.name {0}")
  @ValueSource(strings = {"empty", "another topic's name", "not UTF-8"})
  void anUnreadableTopicDirectoryIsNeverOverwrittenAndItsTopicRefusesCalls(String damage)
      throws IOException {
    fill("orders", 60);
    switch (damage) {
      case "empty" -> Files.write(nameFile("orders"), new byte[0]);
      case "another topic's name" -> Files.writeString(nameFile("orders"), "invoices");
      default -> Files.write(nameFile("orders"), new byte[] {'o', (byte) 0xff, (byte) 0xfe});
    }
    Map<Path, byte[]> before = StoreFiles.contents(StoreFiles.topicDir(root, "orders"));

    try (FileStore store = open()) {
      assertThatThrownBy(() -> store.store("orders", "new".getBytes(UTF_8)))
          .isInstanceOf(StoreException.class)
          .isNotInstanceOf(UnknownTopicException.class)
          .hasMessageContaining("topic 'orders'")
          .hasMessageContaining("could not be read");
      assertThatThrownBy(() -> store.poll("orders", 1, PollLimits.UNLIMITED))
          .isInstanceOf(StoreException.class)
          .isNotInstanceOf(UnknownTopicException.class)
          .hasMessageContaining("could not be read");
      assertThatThrownBy(() -> store.position("orders", "reader"))
          .hasMessageContaining("could not be read");
      assertThatThrownBy(() -> store.commitPosition("orders", "reader", 2))
          .hasMessageContaining("could not be read");
      assertThat(store.poll("healthy", 1, PollLimits.UNLIMITED).messages()).hasSize(1);
      assertThat(store.store("healthy", new byte[1])).isEqualTo(2);
      assertThat(store.topics()).containsExactly("healthy");
      assertThat(store.health().writable()).isTrue();
      assertThat(store.health().problems())
          .singleElement()
          .asString()
          .contains(
              "topic 'orders'",
              StoreFiles.topicDir(root, "orders").toString(),
              "mkfk-fsck --repair");
    }

    Map<Path, byte[]> after = StoreFiles.contents(StoreFiles.topicDir(root, "orders"));
    assertThat(after.keySet()).isEqualTo(before.keySet());
    after.forEach(
        (file, bytes) -> assertThat(bytes).as("%s unchanged", file).isEqualTo(before.get(file)));
  }

  @Test
  void onceFsckHasRepairedItsNameFileTheTopicIsBackWithEveryMessage() throws IOException {
    fill("orders", 60);
    Files.write(nameFile("orders"), new byte[0]);
    try (FileStore store = open()) {
      assertThatThrownBy(() -> store.store("orders", new byte[1]))
          .isInstanceOf(StoreException.class);
    }
    FileStoreCheck.Report found = FileStoreCheck.check(root);
    assertThat(found.damaged()).isTrue();
    assertThat(found.topics())
        .filteredOn(t -> t.topic().equals("orders"))
        .singleElement()
        .satisfies(
            t ->
                assertThat(t.problems())
                    .singleElement()
                    .satisfies(p -> assertThat(p.repairable()).isTrue()));

    assertThat(FileStoreCheck.repair(root).damaged()).isFalse();
    try (FileStore store = open()) {
      assertThat(store.poll("orders", 1, PollLimits.UNLIMITED).messages())
          .extracting(StoredMessage::number)
          .hasSize(60)
          .startsWith(1L)
          .endsWith(60L);
      assertThat(store.store("orders", new byte[1])).isEqualTo(61);
    }
  }

  @Test
  void runningOutOfFileHandlesAtStartFailsTheStartNamingTheLimitsNotTheTopics() throws IOException {
    fill("orders", 60);
    FaultyFileOps faults = new FaultyFileOps();
    faults.failOpen = p -> p.startsWith(StoreFiles.topicDir(root, "orders"));
    FileStoreConfig config =
        FileStoreConfig.defaults().withFsync(new FsyncPolicy.Never()).withMaxOpenFiles(64);

    assertThatThrownBy(() -> FileStore.open(root, config, clock, faults))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("ran out of file handles")
        .hasMessageContaining("topic 'orders'")
        .hasMessageContaining("ulimit -n")
        .hasMessageContaining("MINIKAFKA_MAX_OPEN_FILES (64)")
        .hasMessageNotContaining("mkfk-fsck");
    assertThat(faults.openChannels).as("every file the failed start opened is closed").isEmpty();

    faults.openFailure = "Too many open files in system";
    assertThatThrownBy(() -> FileStore.open(root, config, clock, faults))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("the system ran out of file handles opening topic 'orders'")
        .hasMessageContaining("fs.file-max")
        .hasMessageNotContaining("ulimit");

    try (FileStore store = open()) {
      assertThat(store.poll("orders", 1, PollLimits.UNLIMITED).messages()).hasSize(60);
      assertThat(store.health().problems()).isEmpty();
    }
  }

  @Test
  void aTopicWhoseCreationWasInterruptedIsRemovedAtStartAndCreatedAfresh() throws IOException {
    try (FileStore store = open()) {
      store.store("healthy", new byte[1]);
    }
    Path interrupted = root.resolve(TopicDirectory.CREATING_PREFIX + TopicDirectory.encode("new"));
    Files.createDirectories(interrupted);
    Files.writeString(interrupted.resolve(TopicDirectory.NAME_FILE), "ne");
    try (FileStore store = open()) {
      assertThat(interrupted).doesNotExist();
      assertThat(store.topics()).containsExactly("healthy");
      assertThat(store.store("new", new byte[1])).isEqualTo(1);
      assertThat(store.health().problems()).isEmpty();
    }
  }
}
