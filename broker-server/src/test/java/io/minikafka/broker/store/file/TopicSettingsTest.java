package io.minikafka.broker.store.file;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.minikafka.broker.store.ManualClock;
import io.minikafka.broker.store.TopicUnavailableException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A topic's own settings in its directory: kept across restarts, never guessed when damaged. */
class TopicSettingsTest {

  @TempDir Path root;
  private final ManualClock clock = new ManualClock();

  private FileStore open() throws IOException {
    return FileStore.open(root, FileStoreConfig.defaults(), clock);
  }

  @Test
  void aTopicsOwnRetentionIsKeptAcrossRestartsAndRemovedWhenItGoesBackToTheServers()
      throws IOException {
    try (FileStore store = open()) {
      store.createTopic("t", Optional.of(Duration.ofHours(1)));
      store.store("u", "x".getBytes(UTF_8));
      store.setRetention("u", Optional.of(Duration.ofSeconds(30)));
    }
    assertThat(Files.readString(root.resolve("t").resolve(TopicSettings.FILE)).strip())
        .isEqualTo("retention.ms=3600000");
    try (FileStore store = open()) {
      assertThat(store.describe("t").retention()).contains(Duration.ofHours(1));
      assertThat(store.describe("u").retention()).contains(Duration.ofSeconds(30));
      assertThat(store.shortestRetention()).contains(Duration.ofSeconds(30));
      store.setRetention("t", Optional.empty());
    }
    assertThat(root.resolve("t").resolve(TopicSettings.FILE)).doesNotExist();
    try (FileStore store = open()) {
      assertThat(store.describe("t").retention()).isEmpty();
    }
  }

  @Test
  void settingsADeletionLeftBehindDieWithTheirTopicAtTheNextStart() throws IOException {
    try (FileStore store = open()) {
      store.createTopic("t", Optional.of(Duration.ofHours(1)));
      store.store("t", "x".getBytes(UTF_8));
      store.deleteTopic("t");
    }
    // As if the deletion's removal of the settings failed, or a crash came before it.
    Files.writeString(root.resolve("t").resolve(TopicSettings.FILE), "retention.ms=3600000\n");

    try (FileStore store = open()) {
      store.store("t", "back".getBytes(UTF_8));
      assertThat(store.describe("t").retention()).isEmpty();
    }
    try (FileStore store = open()) {
      assertThat(store.describe("t").retention()).isEmpty();
      assertThat(store.describe("t").nextNumber()).isEqualTo(3);
    }
  }

  @Test
  void aTopicCreatedWithARetentionIsNeverInPlaceWithoutIt() throws IOException {
    FaultyFileOps files = new FaultyFileOps();
    try (FileStore store = FileStore.open(root, FileStoreConfig.defaults(), clock, files)) {
      store.createTopic("t", Optional.of(Duration.ofMinutes(3)));
    }
    Path assembling = root.resolve(TopicDirectory.CREATING_PREFIX + "t");
    int settingsInPlace =
        files.events.indexOf(
            "move "
                + assembling.resolve(TopicSettings.FILE + ".tmp")
                + " -> "
                + assembling.resolve(TopicSettings.FILE));
    int topicInPlace = files.events.indexOf("move " + assembling + " -> " + root.resolve("t"));
    assertThat(settingsInPlace).as(String.join("\n", files.events)).isNotNegative();
    assertThat(settingsInPlace).isLessThan(topicInPlace);
  }

  @Test
  void aDamagedSettingsFileKeepsItsTopicOfflineRatherThanGuess() throws IOException {
    try (FileStore store = open()) {
      store.createTopic("t", Optional.of(Duration.ofHours(1)));
    }
    Files.writeString(root.resolve("t").resolve(TopicSettings.FILE), "retention.ms=soon\n");

    try (FileStore store = open()) {
      assertThatThrownBy(() -> store.describe("t"))
          .isInstanceOf(TopicUnavailableException.class)
          .hasMessageContaining("is not retention.ms=<positive>");
    }
  }
}
