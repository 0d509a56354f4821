package io.minikafka.broker.store.file;

import static org.assertj.core.api.Assertions.assertThat;

import io.minikafka.broker.store.ManualClock;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A file created, renamed or deleted is durable only once its directory is fsynced: after a power
 * loss the file system may otherwise forget the entry, and with it a topic whose messages were
 * acknowledged. Each operation below must fsync the directory of every entry it changed before it
 * returns, under every policy but {@code never}.
 */
class DirectorySyncTest {

  @TempDir Path root;
  private final ManualClock clock = new ManualClock();
  private final FaultyFileOps recorder = new FaultyFileOps();

  private FileStore open(String policy) throws IOException {
    FileStoreConfig config =
        FileStoreConfig.defaults().withFsync(FsyncPolicy.parse(policy)).withSegmentBytes(1000);
    return FileStore.open(root, config, clock, recorder);
  }

  /** Every entry changed by the recorded events is followed by an fsync of its directory. */
  private static void assertEveryChangeIsFollowedByItsDirectorySync(List<String> events) {
    List<String> unsynced = new ArrayList<>();
    for (int i = 0; i < events.size(); i++) {
      String event = events.get(i);
      List<Path> changedIn = new ArrayList<>();
      if (event.startsWith("create ")
          || event.startsWith("delete ")
          || event.startsWith("mkdir ")) {
        changedIn.add(Path.of(event.substring(event.indexOf(' ') + 1)).getParent());
      } else if (event.startsWith("move ")) {
        String[] ends = event.substring("move ".length()).split(" -> ");
        changedIn.add(Path.of(ends[0]).getParent());
        changedIn.add(Path.of(ends[1]).getParent());
      }
      for (Path dir : changedIn) {
        if (!events.subList(i + 1, events.size()).contains("fsync-dir " + dir)) {
          unsynced.add(event);
        }
      }
    }
    assertThat(unsynced)
        .as("changes whose directory was not fsynced afterwards, in %s", events)
        .isEmpty();
  }

  private List<String> during(IoAction action) throws IOException {
    int from = recorder.events.size();
    action.run();
    return recorder.eventsSince(from);
  }

  @FunctionalInterface
  private interface IoAction {
    void run() throws IOException;
  }

  @ParameterizedTest(name = "fsync {0}")
  @ValueSource(strings = {"always", "interval:1h"})
  void aNewTopicsDirectoryIsDurableInTheRootBeforeItsFirstMessageIsAcknowledged(String policy)
      throws IOException {
    try (FileStore store = open(policy)) {
      List<String> events = during(() -> store.store("t", new byte[10]));
      assertEveryChangeIsFollowedByItsDirectorySync(events);
      assertThat(events).contains("fsync-dir " + root);
    }
  }

  @ParameterizedTest(name = "fsync {0}")
  @ValueSource(strings = {"always", "interval:1h"})
  void everyOperationSyncsTheDirectoriesItChanged(String policy) throws IOException {
    try (FileStore store = open(policy)) {
      store.store("t", new byte[10]);
      assertEveryChangeIsFollowedByItsDirectorySync(
          during(() -> store.commitPosition("t", "reader", 2)));
      assertEveryChangeIsFollowedByItsDirectorySync(
          during(
              () -> {
                for (int i = 0; i < 30; i++) {
                  store.store("t", new byte[100]); // rolls: 124-byte records, 1000-byte segments
                }
              }));
      clock.advance(Duration.ofMinutes(1));
      store.store("t", new byte[10]);
      assertEveryChangeIsFollowedByItsDirectorySync(
          during(() -> store.removeOlderThan(clock.instant().minusSeconds(1))));
      assertEveryChangeIsFollowedByItsDirectorySync(during(() -> store.deleteTopic("t")));
      assertEveryChangeIsFollowedByItsDirectorySync(during(() -> store.store("t", new byte[10])));
    }
  }

  @Test
  void withFsyncNeverNoDirectoryIsSynced() throws IOException {
    try (FileStore store = open("never")) {
      store.store("t", new byte[10]);
      store.commitPosition("t", "reader", 2);
      store.deleteTopic("t");
    }
    assertThat(recorder.events).noneMatch(e -> e.startsWith("fsync"));
  }
}
