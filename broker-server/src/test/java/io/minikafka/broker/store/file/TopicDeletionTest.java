package io.minikafka.broker.store.file;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.minikafka.broker.store.ManualClock;
import io.minikafka.broker.store.PollLimits;
import io.minikafka.broker.store.StoredMessage;
import io.minikafka.broker.store.UnknownTopicException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deleting a topic is atomic and durable: once {@code deleteTopic} has recorded the deletion, a
 * crash at any later step (here: segment files that could not be removed, then the process gone)
 * never brings a deleted message back; and a failed step still closes every file handle.
 */
class TopicDeletionTest {

  @TempDir Path workDir;
  private final ManualClock clock = new ManualClock();
  private final FaultyFileOps faults = new FaultyFileOps();

  private static FileStoreConfig config() {
    return FileStoreConfig.defaults().withSegmentBytes(1000);
  }

  private FileStore open(Path root, FileOps ops) throws IOException {
    return FileStore.open(root, config(), clock, ops);
  }

  @Test
  void deletedMessagesNeverComeBackWhenTheProcessDiesBeforeTheirFilesAreRemoved() throws Exception {
    Path root = workDir.resolve("store");
    Path crashed;
    try (FileStore store = open(root, faults)) {
      for (int i = 1; i <= 40; i++) {
        store.store("t", ("old " + i + " ".repeat(100)).getBytes(UTF_8));
      }
      faults.failDelete = p -> p.toString().endsWith(Segment.LOG_SUFFIX);
      try {
        store.deleteTopic("t");
      } catch (IOException reported) {
        // Whether the failed file removal is reported or only logged, the deletion stands.
      }
      crashed = StoreFiles.snapshot(root, workDir.resolve("after-crash"));
      faults.failDelete = p -> false;
    }

    try (FileStore store = open(crashed, FileOps.DEFAULT)) {
      assertThat(store.topics()).isEmpty();
      assertThatThrownBy(() -> store.poll("t", 1, PollLimits.UNLIMITED))
          .isInstanceOf(UnknownTopicException.class);
      assertThat(store.store("t", "new".getBytes(UTF_8))).isEqualTo(41);
      assertThat(store.poll("t", 1, PollLimits.UNLIMITED).messages())
          .extracting(StoredMessage::number)
          .containsExactly(41L);
    }
    try (FileStore store = open(crashed, FileOps.DEFAULT)) {
      assertThat(store.poll("t", 1, PollLimits.UNLIMITED).messages())
          .extracting(StoredMessage::number)
          .containsExactly(41L);
    }
  }

  @Test
  void aFailedFileRemovalStillClosesEveryDeletedSegment() throws Exception {
    Path root = workDir.resolve("store");
    try (FileStore store = open(root, faults)) {
      for (int i = 1; i <= 40; i++) {
        store.store("t", ("old " + i + " ".repeat(100)).getBytes(UTF_8));
      }
      List<Path> logs = StoreFiles.segmentLogs(root, "t");
      assertThat(logs).hasSizeGreaterThan(3);
      faults.failDelete = p -> p.equals(logs.get(0));
      try {
        store.deleteTopic("t");
      } catch (IOException reported) {
        // The failure may be reported; what matters is below.
      }
      for (Path log : logs) {
        assertThat(faults.isOpen(log)).as("%s still open", log.getFileName()).isFalse();
      }
    }
  }

  @Test
  void aDeletedTopicHoldsNoFileHandleUntilItComesBack() throws Exception {
    Path root = workDir.resolve("store");
    try (FileStore store = open(root, faults)) {
      for (int i = 1; i <= 40; i++) {
        store.store("gone", ("m" + i + " ".repeat(100)).getBytes(UTF_8));
      }
      store.store("kept", "k".getBytes(UTF_8));

      store.deleteTopic("gone");

      assertThat(openUnder("gone")).isEmpty();
      assertThat(openUnder("kept")).isNotEmpty();
      store.flushAll(true);
    }
    try (FileStore store = open(root, faults)) {
      assertThat(openUnder("gone")).as("still none after a restart").isEmpty();

      assertThat(store.store("gone", "back".getBytes(UTF_8))).isEqualTo(41);

      assertThat(openUnder("gone")).isNotEmpty();
      assertThat(store.poll("gone", 1, PollLimits.UNLIMITED).messages())
          .extracting(StoredMessage::number)
          .containsExactly(41L);
    }
    try (FileStore store = open(root, FileOps.DEFAULT)) {
      assertThat(store.poll("gone", 1, PollLimits.UNLIMITED).messages()).hasSize(1);
    }
  }

  private List<Path> openUnder(String topicDir) {
    return faults.openChannels.stream()
        .map(FaultyChannel::path)
        .filter(p -> p.getParent().getFileName().toString().equals(topicDir))
        .toList();
  }
}
