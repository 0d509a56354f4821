package io.minikafka.broker.store.file;

import static org.assertj.core.api.Assertions.assertThat;

import io.minikafka.broker.store.CorruptRecordException;
import io.minikafka.broker.store.ManualClock;
import io.minikafka.broker.store.PollLimits;
import io.minikafka.broker.store.PollResult;
import io.minikafka.broker.store.StoreException;
import io.minikafka.broker.store.TopicUnavailableException;
import io.minikafka.broker.store.UnknownTopicException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded random damage to every file of a store, then everything that reads them: start-up
 * recovery, polls (of both reads), retention, appends and mkfk-fsck. The only failures allowed are
 * the documented ones (a damaged message, an unavailable topic, an I/O error at start); never an
 * unchecked exception, and never an allocation sized by a forged length. The same checks, driven by
 * Jazzer, are in the fuzz-tests module.
 */
class CorruptionFuzzTest {

  /** More with -Dminikafka.fuzz.seeds=N. */
  private static final int SEEDS = Integer.getInteger("minikafka.fuzz.seeds", 150);

  @TempDir Path work;

  @Test
  void damagedFilesOnlyEverFailAsDocumented() throws Exception {
    List<String> failures = new ArrayList<>();
    for (int seed = 0; seed < SEEDS; seed++) {
      Path root = work.resolve("seed-" + seed);
      try {
        StoreDamage.exercise(root, new Random(seed));
      } catch (Exception | Error e) {
        java.io.StringWriter trace = new java.io.StringWriter();
        e.printStackTrace(new java.io.PrintWriter(trace));
        failures.add("seed " + seed + ": " + trace.toString().lines().limit(6).toList());
      }
    }
    assertThat(failures).isEmpty();
  }

  /** The store written, damaged and read again; shared with the Jazzer fuzz tests. */
  static final class StoreDamage {

    private StoreDamage() {}

    /**
     * Writes a store under {@code root}, damages its files with {@code random}, reads it all back.
     */
    static void exercise(Path root, Random random) throws IOException {
      FileStoreConfig config =
          FileStoreConfig.defaults()
              .withFsync(new FsyncPolicy.Never())
              .withSegmentBytes(2048 + random.nextInt(4096));
      ManualClock clock = new ManualClock();
      try (FileStore store = FileStore.open(root, config, clock)) {
        int messages = 1 + random.nextInt(120);
        for (int i = 0; i < messages; i++) {
          byte[] payload = new byte[random.nextInt(300)];
          random.nextBytes(payload);
          store.store("t", payload);
        }
        store.commitPosition("t", "reader", 1 + random.nextInt(messages));
      }
      damage(root, random);
      readBack(root, config, clock);
    }

    /** Flips, forges, cuts and extends bytes of the store's files. */
    static void damage(Path root, Random random) throws IOException {
      List<Path> files;
      try (Stream<Path> walk = Files.walk(root)) {
        files =
            walk.filter(Files::isRegularFile)
                .filter(p -> !p.getFileName().toString().equals(".lock"))
                .sorted()
                .toList();
      }
      int damages = 1 + random.nextInt(5);
      for (int d = 0; d < damages && !files.isEmpty(); d++) {
        Path file = files.get(random.nextInt(files.size()));
        try (FileChannel channel =
            FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
          long size = channel.size();
          switch (random.nextInt(5)) {
            case 0 -> {
              if (size > 0) {
                channel.write(
                    ByteBuffer.wrap(new byte[] {(byte) random.nextInt()}),
                    (long) (random.nextDouble() * size));
              }
            }
            case 1 -> {
              // A forged length or number: any four bytes anywhere, huge and negative ones
              // included.
              int forged =
                  random.nextBoolean() ? random.nextInt() : Integer.MAX_VALUE - random.nextInt(64);
              channel.write(
                  ByteBuffer.allocate(4).putInt(0, forged),
                  size < 4 ? 0 : (long) (random.nextDouble() * (size - 3)));
            }
            case 2 -> channel.truncate((long) (random.nextDouble() * size));
            case 3 -> {
              byte[] garbage = new byte[1 + random.nextInt(100)];
              random.nextBytes(garbage);
              channel.write(ByteBuffer.wrap(garbage), size);
            }
            default -> {
              if (size > 0) {
                long at = (long) (random.nextDouble() * size);
                channel.write(ByteBuffer.allocate((int) Math.min(64, size - at)), at);
              }
            }
          }
        }
      }
    }

    /** Everything that reads the files; fails only as documented. */
    static void readBack(Path root, FileStoreConfig config, ManualClock clock) throws IOException {
      FileStoreCheck.check(root);
      // Damage never keeps the store from opening: unreadable topics are set aside, tails cut.
      try (FileStore store = FileStore.open(root, config, clock)) {
        for (String topic : store.topics()) {
          store.describe(topic);
        }
        try {
          // Subscribe's read: framing and numbers checked, CRCs left to the client.
          long next = 1;
          for (int polls = 0; polls < 1_000; polls++) {
            PollResult result = store.pollEncoded("t", next, new PollLimits(50, 4096));
            if (result.count() == 0) {
              break;
            }
            next = result.newReadFrom();
          }
        } catch (CorruptRecordException
            | TopicUnavailableException
            | UnknownTopicException expected) {
          // Documented: DATA_LOSS, FAILED_PRECONDITION, NOT_FOUND.
        }
        try {
          long next = 1;
          for (int polls = 0; polls < 1_000; polls++) {
            PollResult result = store.poll("t", next, new PollLimits(50, 4096));
            if (result.messages().isEmpty()) {
              break;
            }
            next = result.newReadFrom();
          }
          store.position("t", "reader");
          store.firstAtOrAfter("t", clock.instant().minusSeconds(1));
          store.store("t", new byte[] {1, 2, 3});
        } catch (CorruptRecordException
            | TopicUnavailableException
            | UnknownTopicException expected) {
          // Documented: DATA_LOSS, FAILED_PRECONDITION, NOT_FOUND.
        }
        clock.advance(java.time.Duration.ofHours(1));
        try {
          store.removeOlderThan(clock.instant().minusSeconds(60));
        } catch (StoreException documented) {
          // Retention reports what it could not remove, topic by topic.
        }
      }
      FileStoreCheck.repair(root);
    }
  }
}
