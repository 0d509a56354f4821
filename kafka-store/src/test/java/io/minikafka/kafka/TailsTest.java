package io.minikafka.kafka;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.minikafka.broker.store.Header;
import io.minikafka.broker.store.PollLimits;
import io.minikafka.broker.store.Record;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class TailsTest {

  private static final TopicPartition P = new TopicPartition("minikafka.t", 0);
  private static final TopicPartition Q = new TopicPartition("minikafka.u", 0);

  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  private final Tails tails = new Tails(1_000_000, Duration.ofSeconds(2), nanos::get);

  @Test
  void aTailHoldsNothingUntilItsPartitionIsFollowed() {
    ack(tails, P, 5, "early");

    assertThat(take(P, 5)).isNull();
    tails.follow(P, 6);
    tails.startsSeen(Map.of(P, 0L));
    ack(tails, P, 6, "six");
    assertThat(take(P, 5)).as("before where it started").isNull();
    assertThat(take(P, 6)).containsExactly("six");
  }

  @Test
  void takesFromAnOffsetWithinTheLimitsTheFirstWhateverItCosts() {
    follow(tails, P, 10);
    for (int i = 10; i < 20; i++) {
      ack(tails, P, i, "m" + i);
    }

    assertThat(take(P, 15)).containsExactly("m15", "m16", "m17", "m18", "m19");
    assertThat(take(P, 12, new PollLimits(3, Long.MAX_VALUE))).containsExactly("m12", "m13", "m14");
    long twoOf = 2 * PollLimits.cost(3);
    assertThat(take(P, 10, new PollLimits(100, twoOf))).containsExactly("m10", "m11");
    assertThat(take(P, 10, new PollLimits(100, 1))).containsExactly("m10");
    List<Tails.Entry> none = new ArrayList<>();
    assertThat(tails.take(P, 20, PollLimits.UNLIMITED, none))
        .as("at its end")
        .isEqualTo(new Tails.View(10, 20));
    assertThat(none).isEmpty();
    assertThat(take(P, 21)).as("beyond its end").isNull();
  }

  @Test
  void anAcknowledgementAheadOfAGapWaitsUntilTheGapIsFilled() {
    follow(tails, P, 0);
    ack(tails, P, 0, "a");
    ack(tails, P, 2, "c");
    ack(tails, P, 3, "d");

    assertThat(take(P, 0)).containsExactly("a");
    assertThat(take(P, 2)).isNull();
    assertThat(take(P, 1)).as("at its end, before the gap").isEmpty();
    ack(tails, P, 1, "b");
    assertThat(take(P, 0)).containsExactly("a", "b", "c", "d");
  }

  @Test
  void theWatchersRecordsFillGapsAndAreNotAddedTwice() {
    follow(tails, P, 0);
    ack(tails, P, 0, "own0");
    ack(tails, P, 2, "own2");
    tails.fetched(P, record(0, "own0 again"));
    tails.fetched(P, record(1, "theirs"));
    tails.fetched(P, record(2, "own2 again"));
    ack(tails, P, 1, "late");

    assertThat(take(P, 0)).containsExactly("own0", "theirs", "own2");
  }

  @Test
  void aRecordFetchedBeforeItsAcknowledgementIsThisGatewaysOnceTheAcknowledgementComes() {
    follow(tails, P, 0);
    tails.fetched(P, record(0, "own, fetched first"));
    assertThat(tails.appendedByAnother(P)).as("within the limit").isFalse();

    nanos.addAndGet(Tails.ACKNOWLEDGEMENT_LIMIT.toNanos() / 2);
    ack(tails, P, 0, "own");
    nanos.addAndGet(Tails.ACKNOWLEDGEMENT_LIMIT.toNanos());

    assertThat(tails.appendedByAnother(P)).isFalse();
    assertThat(take(P, 0)).containsExactly("own, fetched first");
  }

  @Test
  void aRecordNoAcknowledgementMatchesIsAnotherGatewaysOnceTheLimitPasses() {
    follow(tails, P, 0);
    ack(tails, P, 1, "own, acknowledged ahead of a gap");
    tails.fetched(P, record(0, "theirs"));
    tails.fetched(P, record(1, "own, fetched"));

    nanos.addAndGet(Tails.ACKNOWLEDGEMENT_LIMIT.toNanos() - 1);
    assertThat(tails.appendedByAnother(P)).as("before the limit").isFalse();
    nanos.addAndGet(1);
    assertThat(tails.appendedByAnother(P)).isTrue();
    assertThat(tails.appendedByAnother(P)).as("said once").isFalse();
  }

  @Test
  void unmatchedRecordsPastTheirBoundCountOnlyWhenTheBoundHoldsForTheLimit() {
    Tails many = tails(Long.MAX_VALUE / 4);
    follow(many, P, 0);
    int bound = Tails.MAX_UNMATCHED;
    for (int i = 0; i <= bound; i++) {
      many.fetched(P, record(i, "own"));
    }
    for (int i = 0; i <= bound; i++) {
      ack(many, P, i, "own");
    }
    nanos.addAndGet(Tails.ACKNOWLEDGEMENT_LIMIT.toNanos());
    assertThat(many.appendedByAnother(P)).as("a large batch of its own, matched").isFalse();

    long half = Tails.ACKNOWLEDGEMENT_LIMIT.toNanos() / 2;
    for (int i = bound + 1; i <= 2 * bound + 1; i++) {
      many.fetched(P, record(i, "theirs"));
    }
    nanos.addAndGet(half);
    for (int i = 2 * bound + 2; i <= 3 * bound + 2; i++) {
      many.fetched(P, record(i, "theirs"));
    }
    nanos.addAndGet(half);
    assertThat(many.appendedByAnother(P))
        .as("none of those kept is older than the limit, but the bound held that long")
        .isTrue();
  }

  @Test
  void anAcknowledgementLetGoForTheBudgetStillMatchesItsRecord() {
    long each = PollLimits.cost(2) + Tails.ENTRY_HEAP_BYTES;
    Tails small = tails(2 * each);
    follow(small, P, 0);
    ack(small, P, 0, "m0");
    ack(small, P, 2, "m2");
    ack(small, P, 3, "m3");
    ack(small, P, 1, "m1");
    assertThat(takeFrom(small, P, 3)).as("m3 was let go, left for the watcher").isEmpty();

    small.fetched(P, record(3, "m3"));
    nanos.addAndGet(Tails.ACKNOWLEDGEMENT_LIMIT.toNanos());

    assertThat(small.appendedByAnother(P)).isFalse();
    assertThat(takeFrom(small, P, 3)).containsExactly("m3");
  }

  @Test
  void fetchedRecordsKeepTheirKeysHeadersAndTimes() {
    follow(tails, P, 7);
    RecordHeaders headers = new RecordHeaders();
    headers.add(new RecordHeader("h", "v".getBytes(UTF_8)));
    headers.add(new RecordHeader("empty", null));
    tails.fetched(
        P,
        new ConsumerRecord<>(
            P.topic(),
            0,
            7,
            1234L,
            TimestampType.LOG_APPEND_TIME,
            1,
            5,
            "k".getBytes(UTF_8),
            "value".getBytes(UTF_8),
            headers,
            java.util.Optional.empty()));

    List<Tails.Entry> taken = new ArrayList<>();
    tails.take(P, 7, PollLimits.UNLIMITED, taken);

    Tails.Entry entry = taken.get(0);
    assertThat(entry.offset()).isEqualTo(7);
    assertThat(entry.timestamp()).isEqualTo(1234L);
    assertThat(new String(entry.key(), UTF_8)).isEqualTo("k");
    assertThat(entry.headers())
        .extracting(Header::name, h -> new String(h.value(), UTF_8))
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("h", "v"),
            org.assertj.core.groups.Tuple.tuple("empty", ""));
    assertThat(entry.cost()).isEqualTo(PollLimits.cost(1 + 5 + 6 + 1 + 1 + 6 + 5));
  }

  @Test
  void theWatcherSkippingAheadStartsTheTailAgainWhereItIs() {
    follow(tails, P, 0);
    ack(tails, P, 0, "a");
    ack(tails, P, 3, "waiting");

    tails.fetched(P, record(5, "after a gap"));

    assertThat(take(P, 5)).as("where the log starts is unknown again").isNull();
    tails.startsSeen(Map.of(P, 0L));
    assertThat(take(P, 0)).as("the records before the gap are unknown").isNull();
    assertThat(take(P, 5)).containsExactly("after a gap");
  }

  @Test
  void aTailIsKeptWhenTheWatcherFollowsAgainWhereItEndsAndOnlyThen() {
    follow(tails, P, 0);
    ack(tails, P, 0, "a");

    tails.follow(P, 1);
    assertThat(take(P, 0)).as("followed again where it ends").containsExactly("a");
    tails.follow(P, 4);
    tails.startsSeen(Map.of(P, 0L));
    assertThat(take(P, 0)).as("followed again further on").isNull();
    ack(tails, P, 4, "e");
    tails.follow(P, 2);
    tails.startsSeen(Map.of(P, 0L));
    assertThat(take(P, 4)).as("followed again before its end: the log was remade").isNull();
  }

  @Test
  void aTailServesNothingWhileWhereTheLogStartsIsUnknownOrOld() {
    tails.follow(P, 0);
    ack(tails, P, 0, "a");
    assertThat(take(P, 0)).as("not seen yet").isNull();

    tails.startsSeen(Map.of(P, 0L));
    assertThat(take(P, 0)).containsExactly("a");
    nanos.addAndGet(Duration.ofMillis(2_001).toNanos());
    assertThat(take(P, 0)).as("seen over 2 s ago").isNull();
    tails.startsSeen(Map.of(P, 0L));
    assertThat(take(P, 0)).containsExactly("a");
  }

  @Test
  void recordsBeforeANewLogStartAreGone() {
    follow(tails, P, 0);
    for (int i = 0; i < 5; i++) {
      ack(tails, P, i, "m" + i);
    }

    tails.removeBefore(P, 3);
    assertThat(take(P, 0)).as("read from the log start").containsExactly("m3", "m4");
    tails.startsSeen(Map.of(P, 1L));
    assertThat(take(P, 1))
        .as("a start read before the deletion does not take it back")
        .containsExactly("m3", "m4");
    tails.removeBefore(P, 10);
    assertThat(take(P, 4)).as("everything deleted: nothing new from 10").isEmpty();
    ack(tails, P, 10, "after");
    assertThat(take(P, 10)).containsExactly("after");
  }

  @Test
  void theTailsTogetherHoldNoMoreThanTheirBudgetDroppingTheOldest() {
    long each = PollLimits.cost(4) + Tails.ENTRY_HEAP_BYTES;
    Tails small = tails(10 * each);
    follow(small, P, 0);
    for (int i = 0; i < 15; i++) {
      ack(small, P, i, String.format("m%03d", i));
    }
    assertThat(small.bytes()).isEqualTo(10 * each);
    assertThat(takeFrom(small, P, 4)).isNull();
    assertThat(takeFrom(small, P, 5)).hasSize(10).startsWith("m005").endsWith("m014");

    follow(small, Q, 0);
    assertThat(small.bytes()).as("halved for two tails").isEqualTo(5 * each);
    ack(small, Q, 0, "q000");
    assertThat(takeFrom(small, P, 10)).hasSize(5);
    assertThat(takeFrom(small, Q, 0)).containsExactly("q000");
    small.forget(P);
    assertThat(takeFrom(small, P, 10)).isNull();
    assertThat(small.bytes()).isEqualTo(each);
  }

  @Test
  void acknowledgementsWaitingForAGapCountInTheBudgetAndGoFirst() {
    long each = PollLimits.cost(2) + Tails.ENTRY_HEAP_BYTES;
    Tails small = tails(3 * each);
    follow(small, P, 0);
    ack(small, P, 0, "m0");
    ack(small, P, 2, "m2");
    ack(small, P, 3, "m3");
    ack(small, P, 4, "m4");
    assertThat(small.bytes()).as("the fourth is left for the watcher").isEqualTo(3 * each);

    follow(small, Q, 0);
    assertThat(small.bytes()).isEqualTo(each);
    ack(small, P, 1, "m1");
    assertThat(takeFrom(small, P, 1)).containsExactly("m1");
    assertThat(takeFrom(small, P, 2)).as("those waiting were let go").isEmpty();
  }

  @Test
  void aRecordLargerThanTheBudgetIsNotKept() {
    Tails small = tails(100);
    follow(small, P, 0);
    ack(small, P, 0, "x".repeat(200));
    ack(small, P, 1, "y");

    assertThat(takeFrom(small, P, 0)).isNull();
    assertThat(takeFrom(small, P, 1)).containsExactly("y");
  }

  private Tails tails(long budget) {
    return new Tails(budget, Duration.ofSeconds(2), nanos::get);
  }

  /** The watcher follows the partition from {@code position}, and its log starts there. */
  private static void follow(Tails tails, TopicPartition partition, long position) {
    tails.follow(partition, position);
    tails.startsSeen(Map.of(partition, position));
  }

  private List<String> take(TopicPartition partition, long from) {
    return take(partition, from, PollLimits.UNLIMITED);
  }

  private List<String> take(TopicPartition partition, long from, PollLimits limits) {
    return takeFrom(tails, partition, from, limits);
  }

  private static List<String> takeFrom(Tails tails, TopicPartition partition, long from) {
    return takeFrom(tails, partition, from, PollLimits.UNLIMITED);
  }

  private static List<String> takeFrom(
      Tails tails, TopicPartition partition, long from, PollLimits limits) {
    List<Tails.Entry> taken = new ArrayList<>();
    Tails.View view = tails.take(partition, from, limits, taken);
    if (view == null) {
      assertThat(taken).isEmpty();
      return null;
    }
    for (int i = 0; i < taken.size(); i++) {
      assertThat(taken.get(i).offset()).isEqualTo(Math.max(from, view.start()) + i);
    }
    return taken.stream().map(e -> new String(e.value(), UTF_8)).toList();
  }

  /** This gateway's append of {@code value}, acknowledged at {@code offset}. */
  private static void ack(Tails tails, TopicPartition partition, long offset, String value) {
    tails.acknowledged(partition, offset, 1_000 + offset, Record.of(bytes(value)));
  }

  private static byte[] bytes(String value) {
    return value.getBytes(UTF_8);
  }

  private static ConsumerRecord<byte[], byte[]> record(long offset, String value) {
    return new ConsumerRecord<>(P.topic(), 0, offset, null, value.getBytes(UTF_8));
  }
}
