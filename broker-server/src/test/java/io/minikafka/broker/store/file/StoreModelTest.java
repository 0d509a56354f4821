package io.minikafka.broker.store.file;

import static org.assertj.core.api.Assertions.assertThat;

import io.minikafka.broker.store.ManualClock;
import io.minikafka.broker.store.PollLimits;
import io.minikafka.broker.store.PollResult;
import io.minikafka.broker.store.StoredMessage;
import io.minikafka.broker.store.UnknownTopicException;
import io.minikafka.broker.store.memory.MemoryStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Drives the file store, the memory store and a trivial reference model with one seeded random
 * sequence of produce, poll, sweep and (file store only) close/reopen, and checks all three agree
 * after every step. A failure names its seed; rerun it with {@code -Dminikafka.seed=N}.
 */
class StoreModelTest {

  private static final Duration RETENTION = Duration.ofSeconds(10);
  private static final String[] TOPICS = {"a", "b", "Mixed/Name ü", "..", "never-written"};
  private static final int STEPS = 3_000;

  @TempDir Path root;

  static Stream<Long> seeds() {
    String fixed = System.getProperty("minikafka.seed");
    if (fixed != null) {
      return Stream.of(Long.parseLong(fixed));
    }
    return Stream.concat(LongStream.of(1, 2, 3).boxed(), Stream.of(System.nanoTime()));
  }

  /** The reference: every visible message of a topic in a list, nothing clever. */
  private static final class Model {
    record Entry(long number, long time, byte[] payload) {}

    final Map<String, List<Entry>> topics = new HashMap<>();
    final Map<String, long[]> nextAndLastTime = new HashMap<>();

    long store(String topic, byte[] payload, long now) {
      long[] state = nextAndLastTime.computeIfAbsent(topic, t -> new long[] {1, Long.MIN_VALUE});
      state[1] = Math.max(state[1], now);
      long number = state[0]++;
      topics
          .computeIfAbsent(topic, t -> new ArrayList<>())
          .add(new Entry(number, state[1], payload));
      return number;
    }

    PollResult poll(String topic, long readFrom, PollLimits limits) throws UnknownTopicException {
      List<Entry> entries = topics.get(topic);
      if (entries == null) {
        throw new UnknownTopicException(topic);
      }
      List<StoredMessage> out = new ArrayList<>();
      long bytes = 0;
      for (Entry e : entries) {
        if (e.number < Math.max(readFrom, 1)) {
          continue;
        }
        long cost = PollLimits.cost(e.payload.length);
        if (out.size() == limits.maxMessages()
            || (!out.isEmpty() && bytes + cost > limits.maxBytes())) {
          break;
        }
        bytes += cost;
        out.add(new StoredMessage(e.number, e.time, e.payload));
      }
      long firstAvailable =
          entries.isEmpty() ? nextAndLastTime.get(topic)[0] : entries.get(0).number;
      return new PollResult(
          out,
          out.isEmpty() ? readFrom : out.get(out.size() - 1).number() + 1,
          firstAvailable,
          nextAndLastTime.get(topic)[0]);
    }

    long removeOlderThan(long cutoff) {
      long removed = 0;
      for (List<Entry> entries : topics.values()) {
        while (!entries.isEmpty() && entries.get(0).time < cutoff) {
          entries.remove(0);
          removed++;
        }
      }
      return removed;
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void fileStoreMemoryStoreAndModelAlwaysAgree(long seed) throws IOException {
    System.out.println(
        "StoreModelTest seed " + seed + " (rerun with -Dminikafka.seed=" + seed + ")");
    Random random = new Random(seed);
    ManualClock clock = new ManualClock();
    FileStoreConfig config =
        FileStoreConfig.defaults()
            .withFsync(new FsyncPolicy.Never())
            .withSegmentBytes(2048)
            .withSegmentMaxAge(Duration.ofSeconds(5));
    Model model = new Model();
    MemoryStore memory = new MemoryStore(clock);
    FileStore file = FileStore.open(root, config, clock);
    try {
      for (int step = 0; step < STEPS; step++) {
        String where = "seed " + seed + " step " + step;
        int op = random.nextInt(100);
        if (op < 35) {
          String topic = TOPICS[random.nextInt(TOPICS.length - 1)];
          byte[] payload = randomPayload(random);
          long expected = model.store(topic, payload.clone(), clock.millis());
          assertThat(memory.store(topic, payload.clone())).as(where).isEqualTo(expected);
          assertThat(file.store(topic, payload.clone())).as(where).isEqualTo(expected);
        } else if (op < 45) {
          String topic = TOPICS[random.nextInt(TOPICS.length - 1)];
          List<byte[]> batch = new ArrayList<>();
          for (int i = 1 + random.nextInt(30); i > 0; i--) {
            batch.add(randomPayload(random));
          }
          long expected = model.store(topic, batch.get(0).clone(), clock.millis());
          for (byte[] payload : batch.subList(1, batch.size())) {
            model.store(topic, payload.clone(), clock.millis());
          }
          assertThat(memory.storeBatch(topic, copies(batch))).as(where).isEqualTo(expected);
          assertThat(file.storeBatch(topic, copies(batch))).as(where).isEqualTo(expected);
        } else if (op < 80) {
          String topic = TOPICS[random.nextInt(TOPICS.length)];
          long readFrom = random.nextInt(4) == 0 ? 0 : random.nextInt(400);
          PollLimits limits =
              new PollLimits(
                  random.nextBoolean() ? Integer.MAX_VALUE : 1 + random.nextInt(20),
                  random.nextBoolean() ? Long.MAX_VALUE : 1 + random.nextInt(4000));
          PollResult expected = pollOrNull(model::poll, topic, readFrom, limits);
          assertSame(
              where + " memory", expected, pollOrNull(memory::poll, topic, readFrom, limits));
          assertSame(where + " file", expected, pollOrNull(file::poll, topic, readFrom, limits));
        } else if (op < 90) {
          clock.advance(Duration.ofMillis(random.nextInt(3000)));
        } else if (op < 97) {
          long cutoff = clock.instant().minus(RETENTION).toEpochMilli();
          long expected = model.removeOlderThan(cutoff);
          assertThat(memory.removeOlderThan(clock.instant().minus(RETENTION)))
              .as(where)
              .isEqualTo(expected);
          assertThat(file.removeOlderThan(clock.instant().minus(RETENTION)))
              .as(where)
              .isEqualTo(expected);
        } else {
          // A reopened store shows expired messages still in its segments until its first sweep,
          // which a server runs before serving; sweep all three so they stay comparable.
          long cutoff = clock.instant().minus(RETENTION).toEpochMilli();
          long expected = model.removeOlderThan(cutoff);
          assertThat(memory.removeOlderThan(clock.instant().minus(RETENTION)))
              .as(where)
              .isEqualTo(expected);
          file.close();
          file = FileStore.open(root, config, clock);
          file.removeOlderThan(clock.instant().minus(RETENTION));
        }
      }
    } finally {
      file.close();
      memory.close();
    }
  }

  private static byte[] randomPayload(Random random) {
    byte[] payload = new byte[random.nextInt(4) == 0 ? random.nextInt(1500) : random.nextInt(60)];
    random.nextBytes(payload);
    return payload;
  }

  private static List<byte[]> copies(List<byte[]> batch) {
    return batch.stream().map(byte[]::clone).toList();
  }

  private interface Poller {
    PollResult poll(String topic, long readFrom, PollLimits limits) throws IOException;
  }

  private static PollResult pollOrNull(
      Poller poller, String topic, long readFrom, PollLimits limits) throws IOException {
    try {
      return poller.poll(topic, readFrom, limits);
    } catch (UnknownTopicException e) {
      return null;
    }
  }

  private static void assertSame(String where, PollResult expected, PollResult actual) {
    if (expected == null) {
      assertThat(actual).as(where + ": unknown topic").isNull();
      return;
    }
    assertThat(actual).as(where).isNotNull();
    assertThat(actual.newReadFrom()).as(where + " newReadFrom").isEqualTo(expected.newReadFrom());
    assertThat(actual.messages()).as(where + " count").hasSameSizeAs(expected.messages());
    for (int i = 0; i < expected.messages().size(); i++) {
      StoredMessage e = expected.messages().get(i);
      StoredMessage a = actual.messages().get(i);
      assertThat(a.number()).as(where + " number").isEqualTo(e.number());
      assertThat(a.appendTimeMillis()).as(where + " time").isEqualTo(e.appendTimeMillis());
      assertThat(a.payload()).as(where + " payload of " + e.number()).isEqualTo(e.payload());
    }
  }
}
