package io.minikafka.broker.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link BackingStore} contract, run by every store. Covers every case of the original's store
 * suite, plus the limits, validation, concurrency and lifecycle rules of the interface's Javadoc.
 */
public abstract class BackingStoreContractTest {

  protected final ManualClock clock = new ManualClock();
  protected BackingStore store;

  /** A new, empty store that timestamps with {@code clock}, within {@code limits}. */
  protected abstract BackingStore createStore(ManualClock clock, StoreLimits limits)
      throws IOException;

  @BeforeEach
  void openStore() throws IOException {
    store = createStore(clock, StoreLimits.DEFAULTS);
  }

  /** Replaces the store by one with these limits. */
  private void reopenWith(StoreLimits limits) throws IOException {
    store.close();
    store = createStore(clock, limits);
  }

  @Test
  void oneTopicPastTheLimitIsRefusedAndTheOthersGoOn() throws IOException {
    reopenWith(StoreLimits.DEFAULTS.withMaxTopics(2));
    store.store("a", bytes("1"));
    store.storeBatch("b", List.of(bytes("1")));

    assertThatThrownBy(() -> store.store("c", bytes("1")))
        .isInstanceOf(LimitExceededException.class)
        .hasMessage("cannot create topic 'c': the server already has its maximum of 2 topics")
        .satisfies(
            e ->
                assertThat(((LimitExceededException) e).limit())
                    .isEqualTo(LimitExceededException.Limit.TOPICS));
    assertThatThrownBy(() -> store.storeBatch("c", List.of(bytes("1"))))
        .isInstanceOf(LimitExceededException.class);
    assertThat(store.topics()).containsExactly("a", "b");
    assertThat(store.store("a", bytes("2"))).isEqualTo(2);

    store.deleteTopic("b");
    assertThat(store.store("c", bytes("1"))).isEqualTo(1);
    assertThatThrownBy(() -> store.store("b", bytes("2")))
        .as("a deleted topic coming back counts as one more")
        .isInstanceOf(LimitExceededException.class);
  }

  @Test
  void oneNamedConsumerPastTheLimitIsRefusedAndTheKnownOnesGoOn() throws IOException {
    reopenWith(StoreLimits.DEFAULTS.withMaxConsumersPerTopic(2));
    store.store("t", bytes("1"));
    store.store("u", bytes("1"));
    store.commitPosition("t", "x", 1);
    store.commitPosition("t", "y", 1);

    assertThatThrownBy(() -> store.commitPosition("t", "z", 1))
        .isInstanceOf(LimitExceededException.class)
        .hasMessage(
            "cannot keep a position for consumer 'z': topic 't' already keeps its maximum of 2 named consumers");
    store.commitPosition("t", "x", 2);
    store.commitPosition("u", "z", 1);
    assertThat(store.position("t", "x")).hasValue(2);
    assertThat(store.position("t", "z")).isEmpty();
  }

  @Test
  void keysAndHeadersComeBackAsTheyWereGivenBesidePlainMessages() throws IOException {
    Record keyed =
        new Record(
            bytes("order-17"),
            List.of(
                new Header(
                    "traceparent",
                    bytes("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")),
                new Header("tag", new byte[0]),
                new Header("tag", new byte[] {0, (byte) 0xff}),
                new Header("n\u00e4me", bytes("v"))),
            bytes("payload"));
    Record headersOnly = new Record(new byte[0], List.of(new Header("h", bytes("1"))), bytes(""));
    Record keyOnly = new Record(bytes("k"), List.of(), new byte[0]);

    assertThat(store.store("t", bytes("plain"))).isEqualTo(1);
    assertThat(store.storeRecords("t", List.of(keyed, headersOnly, keyOnly, Record.of(bytes("p")))))
        .isEqualTo(2);

    List<StoredMessage> read = store.poll("t", 1, PollLimits.UNLIMITED).messages();
    assertThat(read).extracting(StoredMessage::number).containsExactly(1L, 2L, 3L, 4L, 5L);
    assertThat(read.get(0).key()).isEmpty();
    assertThat(read.get(0).headers()).isEmpty();
    assertThat(read.get(1).key()).isEqualTo(bytes("order-17"));
    assertThat(read.get(1).payload()).isEqualTo(bytes("payload"));
    assertThat(read.get(1).headers())
        .extracting(Header::name)
        .containsExactly("traceparent", "tag", "tag", "n\u00e4me");
    assertThat(read.get(1).headers().get(2).value()).isEqualTo(new byte[] {0, (byte) 0xff});
    assertThat(read.get(1).headers().get(1).value()).isEmpty();
    assertThat(read.get(2).key()).isEmpty();
    assertThat(read.get(2).headers()).extracting(Header::name).containsExactly("h");
    assertThat(read.get(3).key()).isEqualTo(bytes("k"));
    assertThat(read.get(3).payload()).isEmpty();
    assertThat(read.get(4).payload()).isEqualTo(bytes("p"));
    assertThat(store.describe("t").bytesStored())
        .as("keys and headers count toward a topic's bytes")
        .isGreaterThan(bytes("plainpayloadp").length);
  }

  @Test
  void pollEncodedGivesWhatPollGivesUnderTheSameLimits() throws IOException {
    Record keyed =
        new Record(
            bytes("k"),
            List.of(new Header("h", bytes("v")), new Header("", new byte[0])),
            bytes("keyed"));
    byte[] large = new byte[700 * 1024];
    new java.util.Random(5).nextBytes(large);
    store.store("t", bytes("plain"));
    store.storeRecords("t", List.of(keyed, Record.of(new byte[0]), Record.of(large)));
    store.storeBatch("t", List.of(bytes("after"), bytes("last")));

    long twoMessages = PollLimits.cost(bytes("plain").length) + PollLimits.cost(100);
    for (PollLimits limits :
        List.of(
            PollLimits.UNLIMITED,
            new PollLimits(2, Long.MAX_VALUE),
            new PollLimits(100, twoMessages),
            new PollLimits(100, 1))) {
      for (long from : new long[] {0, 1, 3, 4, 6, 7, 8}) {
        PollResult plain = store.poll("t", from, limits);
        PollResult encoded = store.pollEncoded("t", from, limits);
        List<StoredMessage> messages =
            encoded.encoded() == null ? encoded.messages() : WireRecords.decode(encoded.encoded());
        String at = "from " + from + " within " + limits;
        assertThat(encoded.count()).as(at).isEqualTo(plain.count());
        assertThat(encoded.newReadFrom()).as(at).isEqualTo(plain.newReadFrom());
        assertThat(encoded.firstAvailable()).as(at).isEqualTo(plain.firstAvailable());
        assertThat(encoded.nextNumber()).as(at).isEqualTo(plain.nextNumber());
        assertThat(messages).as(at).hasSize(plain.messages().size());
        for (int i = 0; i < messages.size(); i++) {
          StoredMessage want = plain.messages().get(i);
          StoredMessage got = messages.get(i);
          assertThat(got.number()).as(at).isEqualTo(want.number());
          assertThat(got.appendTimeMillis()).as(at).isEqualTo(want.appendTimeMillis());
          assertThat(got.payload()).as(at).isEqualTo(want.payload());
          assertThat(got.key()).as(at).isEqualTo(want.key());
          assertThat(got.headers())
              .as(at)
              .usingRecursiveFieldByFieldElementComparator()
              .isEqualTo(want.headers());
        }
      }
    }
  }

  @Test
  void aCreatedTopicHoldsNothingIsListedAndCannotBeCreatedTwice() throws IOException {
    store.createTopic("empty", java.util.Optional.empty());

    assertThat(store.topics()).containsExactly("empty");
    assertThat(store.poll("empty", 1, PollLimits.UNLIMITED).messages()).isEmpty();
    assertThat(store.describe("empty").nextNumber()).isEqualTo(1);
    assertThat(store.describe("empty").retention()).isEmpty();
    assertThatThrownBy(() -> store.createTopic("empty", java.util.Optional.empty()))
        .isInstanceOf(TopicExistsException.class)
        .hasMessageStartingWith("topic 'empty' already exists");
    assertThat(store.store("empty", bytes("first"))).isEqualTo(1);
  }

  @Test
  void aDeletedTopicCreatedAgainContinuesItsNumbering() throws IOException {
    store.storeBatch("t", List.of(bytes("1"), bytes("2")));
    store.deleteTopic("t");

    store.createTopic("t", java.util.Optional.of(java.time.Duration.ofMinutes(5)));

    assertThat(store.topics()).containsExactly("t");
    assertThat(store.describe("t").retention()).contains(java.time.Duration.ofMinutes(5));
    assertThat(store.store("t", bytes("3"))).isEqualTo(3);
  }

  @Test
  void eachTopicExpiresMessagesByItsOwnRetentionOrTheDefault() throws IOException {
    java.time.Duration week = java.time.Duration.ofDays(7);
    store.createTopic("fast", java.util.Optional.of(java.time.Duration.ofSeconds(2)));
    store.store("fast", bytes("a"));
    store.store("slow", bytes("b"));
    assertThat(store.shortestRetention()).contains(java.time.Duration.ofSeconds(2));

    clock.advance(java.time.Duration.ofMillis(1_999));
    assertThat(store.removeExpired(clock.instant(), week)).isZero();
    clock.advance(java.time.Duration.ofMillis(2));
    assertThat(store.removeExpired(clock.instant(), week)).isEqualTo(1);
    assertThat(store.poll("fast", 1, PollLimits.UNLIMITED).messages()).isEmpty();
    assertThat(pollTexts("slow", 1)).containsExactly("b");

    store.setRetention("fast", java.util.Optional.empty());
    assertThat(store.describe("fast").retention()).isEmpty();
    assertThat(store.shortestRetention()).isEmpty();
    store.setRetention("slow", java.util.Optional.of(java.time.Duration.ofSeconds(1)));
    assertThat(store.removeExpired(clock.instant(), week)).isEqualTo(1);
  }

  @Test
  void retentionSettingsAreCheckedAndAreGoneWithTheirTopic() throws IOException {
    assertThatThrownBy(() -> store.setRetention("missing", java.util.Optional.empty()))
        .isInstanceOf(UnknownTopicException.class);
    assertThatThrownBy(() -> store.createTopic("t", java.util.Optional.of(java.time.Duration.ZERO)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 1ms");
    assertThatThrownBy(
            () ->
                store.createTopic("t", java.util.Optional.of(java.time.Duration.ofNanos(500_000))))
        .as("the wire carries milliseconds")
        .isInstanceOf(IllegalArgumentException.class);
    store.createTopic("t", java.util.Optional.of(java.time.Duration.ofSeconds(9)));
    store.store("t", bytes("x"));
    store.deleteTopic("t");

    store.store("t", bytes("y"));
    assertThat(store.describe("t").retention())
        .as("a topic produced to after its deletion has the server's settings")
        .isEmpty();
    store.deleteTopic("t");
    assertThatThrownBy(
            () -> store.setRetention("t", java.util.Optional.of(java.time.Duration.ofSeconds(1))))
        .as("a deleted topic has no settings to change")
        .isInstanceOf(UnknownTopicException.class);
  }

  @Test
  void appendsThatDoNotWaitAreNumberedAmongTheOthersAndReadBackInOrder() throws Exception {
    List<java.util.concurrent.CompletableFuture<Long>> pending = new ArrayList<>();
    List<String> sent = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      String text = "m" + i;
      sent.add(text);
      if (i % 3 == 0) {
        assertThat(store.store("t", bytes(text))).isPositive();
      } else {
        pending.add(store.storeRecordsAsync("t", List.of(Record.of(bytes(text)))));
      }
    }
    for (var first : pending) {
      assertThat(first.get(30, TimeUnit.SECONDS)).isPositive();
    }
    assertThat(
            store
                .storeRecordsAsync("new", List.of(Record.of(bytes("x"))))
                .get(30, TimeUnit.SECONDS))
        .as("a topic's first append may come through either")
        .isEqualTo(1);
    assertThat(pollTexts("t", 1)).containsExactlyElementsOf(sent);
  }

  @Test
  void anAppendThatDoesNotWaitFailsAsStoreRecordsWouldThrow() throws Exception {
    assertThatThrownBy(
            () ->
                store
                    .storeRecordsAsync(
                        "x".repeat(TopicName.MAX_UTF8_BYTES + 1), List.of(Record.of(bytes("a"))))
                    .get())
        .hasCauseInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.storeRecordsAsync("t", List.of()).get())
        .hasCauseInstanceOf(IllegalArgumentException.class);
    store.close();
    assertThatThrownBy(() -> store.storeRecordsAsync("t", List.of(Record.of(bytes("a")))).get())
        .hasCauseInstanceOf(StoreClosedException.class);
  }

  @AfterEach
  void closeStore() throws IOException {
    store.close();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }

  private List<String> pollTexts(String topic, long readFrom) throws IOException {
    List<String> texts = new ArrayList<>();
    for (StoredMessage m : store.poll(topic, readFrom, PollLimits.UNLIMITED).messages()) {
      texts.add(new String(m.payload(), UTF_8));
    }
    return texts;
  }

  @Test
  void storeToNewStoreGivesNumberOne() throws IOException {
    assertThat(store.store("topic", bytes("a"))).isEqualTo(1);
  }

  @Test
  void storeToExistingTopicGivesNumberTwo() throws IOException {
    store.store("topic", bytes("a"));
    assertThat(store.store("topic", bytes("b"))).isEqualTo(2);
  }

  @Test
  void numberingIsPerTopic() throws IOException {
    assertThat(store.store("one", bytes("a"))).isEqualTo(1);
    assertThat(store.store("two", bytes("a"))).isEqualTo(1);
    assertThat(store.store("one", bytes("b"))).isEqualTo(2);
    assertThat(store.store("two", bytes("b"))).isEqualTo(2);
    assertThat(store.store("two", bytes("c"))).isEqualTo(3);
  }

  @Test
  void removalWorksAcrossTopics() throws IOException {
    store.store("one", bytes("old1"));
    store.store("two", bytes("old2"));
    clock.advance(Duration.ofSeconds(10));
    store.store("one", bytes("new1"));

    long removed = store.removeOlderThan(clock.instant().minusSeconds(5));

    assertThat(removed).isEqualTo(2);
    assertThat(pollTexts("one", 1)).containsExactly("new1");
    assertThat(pollTexts("two", 1)).isEmpty();
  }

  @Test
  void removalOnEmptyStoreRemovesNothing() throws IOException {
    assertThat(store.removeOlderThan(clock.instant().plusSeconds(1))).isZero();
  }

  @Test
  void removalWhenNoneIsOldEnoughRemovesNothing() throws IOException {
    store.store("topic", bytes("a"));
    store.store("topic", bytes("b"));

    assertThat(store.removeOlderThan(clock.instant().minusMillis(1))).isZero();
    assertThat(pollTexts("topic", 1)).containsExactly("a", "b");
  }

  @Test
  void removalWhenAllAreOldEnoughRemovesAll() throws IOException {
    store.store("topic", bytes("a"));
    store.store("topic", bytes("b"));
    clock.advance(Duration.ofMillis(1));

    assertThat(store.removeOlderThan(clock.instant())).isEqualTo(2);
    assertThat(pollTexts("topic", 1)).isEmpty();
  }

  @Test
  void removalWhenSomeAreOldEnoughRemovesJustThose() throws IOException {
    store.store("topic", bytes("a"));
    clock.advance(Duration.ofSeconds(1));
    store.store("topic", bytes("b"));
    clock.advance(Duration.ofSeconds(1));
    store.store("topic", bytes("c"));

    assertThat(store.removeOlderThan(clock.instant().minusSeconds(1))).isEqualTo(1);
    PollResult result = store.poll("topic", 1, PollLimits.UNLIMITED);
    assertThat(result.messages()).extracting(StoredMessage::number).containsExactly(2L, 3L);
    assertThat(result.newReadFrom()).isEqualTo(4);
  }

  @Test
  void removalCutoffIsExclusive() throws IOException {
    store.store("topic", bytes("a"));
    Instant appended = clock.instant();

    assertThat(store.removeOlderThan(appended)).isZero();
    assertThat(store.removeOlderThan(appended.plusMillis(1))).isEqualTo(1);
  }

  @Test
  void pollOfUnknownTopicFailsNamingTheTopic() throws IOException {
    store.store("known", bytes("a"));

    assertThatThrownBy(() -> store.poll("unknown", 1, PollLimits.UNLIMITED))
        .isInstanceOf(UnknownTopicException.class)
        .hasMessageContaining("topic")
        .hasMessageContaining("unknown");
  }

  @Test
  void pollOfEmptiedTopicReturnsNothingAndReadFromUnchanged() throws IOException {
    store.store("topic", bytes("a"));
    clock.advance(Duration.ofSeconds(1));
    store.removeOlderThan(clock.instant());

    PollResult result = store.poll("topic", 1, PollLimits.UNLIMITED);

    assertThat(result.messages()).isEmpty();
    assertThat(result.newReadFrom()).isEqualTo(1);
  }

  @Test
  void newReadFromAdvancesPastWhatWasReturned() throws IOException {
    store.store("topic", bytes("a"));
    store.store("topic", bytes("b"));
    store.store("topic", bytes("c"));

    PollResult first = store.poll("topic", 2, PollLimits.UNLIMITED);
    assertThat(first.messages()).extracting(StoredMessage::number).containsExactly(2L, 3L);
    assertThat(first.newReadFrom()).isEqualTo(4);

    PollResult nothingNew = store.poll("topic", first.newReadFrom(), PollLimits.UNLIMITED);
    assertThat(nothingNew.messages()).isEmpty();
    assertThat(nothingNew.newReadFrom()).isEqualTo(4);

    store.store("topic", bytes("d"));
    assertThat(pollTexts("topic", nothingNew.newReadFrom())).containsExactly("d");
  }

  @Test
  void numbersContinueAcrossRemovals() throws IOException {
    store.store("topic", bytes("a"));
    store.store("topic", bytes("b"));
    clock.advance(Duration.ofSeconds(1));
    store.removeOlderThan(clock.instant());

    assertThat(store.store("topic", bytes("c"))).isEqualTo(3);
    PollResult result = store.poll("topic", 0, PollLimits.UNLIMITED);
    assertThat(result.messages()).extracting(StoredMessage::number).containsExactly(3L);
  }

  @Test
  void readFromZeroCountsAsOne() throws IOException {
    store.store("topic", bytes("a"));
    store.store("topic", bytes("b"));

    PollResult result = store.poll("topic", 0, PollLimits.UNLIMITED);

    assertThat(result.messages()).extracting(StoredMessage::number).containsExactly(1L, 2L);
    assertThat(result.newReadFrom()).isEqualTo(3);
  }

  @Test
  void readFromBelowTheOldestStartsAtTheOldest() throws IOException {
    store.store("topic", bytes("a"));
    clock.advance(Duration.ofSeconds(1));
    store.store("topic", bytes("b"));
    store.removeOlderThan(clock.instant());

    PollResult result = store.poll("topic", 1, PollLimits.UNLIMITED);

    assertThat(result.messages()).extracting(StoredMessage::number).containsExactly(2L);
    assertThat(result.newReadFrom()).isEqualTo(3);
  }

  @Test
  void readFromPastTheNewestReturnsNothing() throws IOException {
    store.store("topic", bytes("a"));

    PollResult result = store.poll("topic", 100, PollLimits.UNLIMITED);

    assertThat(result.messages()).isEmpty();
    assertThat(result.newReadFrom()).isEqualTo(100);
    assertThat(result.nextNumber()).isEqualTo(2);
    assertThat(result.pastEnd(100)).isTrue();
  }

  @Test
  void everyPollSaysTheTopicsNextNumberWhateverItReturns() throws IOException {
    store.store("topic", bytes("a"));
    store.store("topic", bytes("b"));
    clock.advance(Duration.ofSeconds(10));
    store.removeOlderThan(clock.instant());

    assertThat(store.poll("topic", 1, PollLimits.UNLIMITED).nextNumber()).isEqualTo(3);
    assertThat(store.poll("topic", 3, PollLimits.UNLIMITED).pastEnd(3)).as("at the end").isFalse();
    store.store("topic", bytes("c"));
    assertThat(store.poll("topic", 1, new PollLimits(1, Long.MAX_VALUE)).nextNumber()).isEqualTo(4);
    store.deleteTopic("topic");
    store.store("topic", bytes("d"));
    assertThat(store.poll("topic", 1, PollLimits.UNLIMITED).nextNumber()).isEqualTo(5);
  }

  @Test
  void payloadsComeBackByteExactIncludingEmptyAndBinary() throws IOException {
    byte[] binary = new byte[256];
    for (int i = 0; i < binary.length; i++) {
      binary[i] = (byte) i;
    }
    store.store("topic", binary.clone());
    store.store("topic", new byte[0]);
    byte[] large = new byte[300_000];
    new java.util.Random(7).nextBytes(large);
    store.store("topic", large.clone());

    List<StoredMessage> messages = store.poll("topic", 1, PollLimits.UNLIMITED).messages();

    assertThat(messages).hasSize(3);
    assertThat(messages.get(0).payload()).isEqualTo(binary);
    assertThat(messages.get(1).payload()).isEmpty();
    assertThat(messages.get(2).payload()).isEqualTo(large);
  }

  @Test
  void appendTimesComeFromTheClock() throws IOException {
    store.store("topic", bytes("a"));
    Instant first = clock.instant();
    clock.advance(Duration.ofMillis(1500));
    store.store("topic", bytes("b"));

    List<StoredMessage> messages = store.poll("topic", 1, PollLimits.UNLIMITED).messages();

    assertThat(messages.get(0).appendTimeMillis()).isEqualTo(first.toEpochMilli());
    assertThat(messages.get(1).appendTimeMillis()).isEqualTo(first.toEpochMilli() + 1500);
  }

  @Test
  void aClockSteppingBackDoesNotExpireNewerMessagesBeforeOlderOnes() throws IOException {
    clock.advance(Duration.ofSeconds(10));
    store.store("topic", bytes("a"));
    clock.advance(Duration.ofSeconds(-5));
    store.store("topic", bytes("b"));

    assertThat(store.removeOlderThan(clock.instant().plusSeconds(1))).isZero();
    assertThat(pollTexts("topic", 1)).containsExactly("a", "b");
    assertThat(store.removeOlderThan(clock.instant().plusSeconds(6))).isEqualTo(2);
  }

  @Test
  void maxMessagesReturnsAPrefix() throws IOException {
    for (int i = 0; i < 5; i++) {
      store.store("topic", bytes("m" + i));
    }

    PollResult result = store.poll("topic", 1, new PollLimits(2, Long.MAX_VALUE));

    assertThat(result.messages()).extracting(StoredMessage::number).containsExactly(1L, 2L);
    assertThat(result.newReadFrom()).isEqualTo(3);
  }

  @Test
  void maxBytesReturnsAPrefixCountingOverhead() throws IOException {
    for (int i = 0; i < 5; i++) {
      store.store("topic", new byte[100]);
    }
    long twoMessages = 2 * PollLimits.cost(100);

    PollResult exact = store.poll("topic", 1, new PollLimits(100, twoMessages));
    PollResult oneShort = store.poll("topic", 1, new PollLimits(100, twoMessages - 1));

    assertThat(exact.messages()).hasSize(2);
    assertThat(exact.newReadFrom()).isEqualTo(3);
    assertThat(oneShort.messages()).hasSize(1);
    assertThat(oneShort.newReadFrom()).isEqualTo(2);
  }

  @Test
  void oneMessageIsReturnedEvenWhenLargerThanMaxBytes() throws IOException {
    store.store("topic", new byte[1000]);
    store.store("topic", new byte[1]);

    PollResult result = store.poll("topic", 1, new PollLimits(100, 10));

    assertThat(result.messages()).hasSize(1);
    assertThat(result.messages().get(0).payload()).hasSize(1000);
    assertThat(result.newReadFrom()).isEqualTo(2);
  }

  @Test
  void invalidTopicNamesAreRejectedAndNothingIsStored() throws IOException {
    String tooLong = "x".repeat(TopicName.MAX_UTF8_BYTES + 1);
    for (String bad : List.of("", tooLong, "a\u0000b", "line\nbreak", "tab\there", "\u0085")) {
      assertThatThrownBy(() -> store.store(bad, bytes("a")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("topic name");
      assertThatThrownBy(() -> store.poll(bad, 1, PollLimits.UNLIMITED))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("topic name");
    }
    assertThat(store.store("fine", bytes("a"))).isEqualTo(1);
  }

  @Test
  void topicNamesUpToTheLimitInUtf8BytesAreAccepted() throws IOException {
    String ascii = "x".repeat(TopicName.MAX_UTF8_BYTES);
    String threeByteChars = "€".repeat(TopicName.MAX_UTF8_BYTES / 3);
    String oneByteOver = "€".repeat(TopicName.MAX_UTF8_BYTES / 3) + "x";

    assertThat(store.store(ascii, bytes("a"))).isEqualTo(1);
    assertThat(store.store(threeByteChars, bytes("a"))).isEqualTo(1);
    assertThat(store.store("Mixed Case/with..dots and ünïcødé 🎉", bytes("a"))).isEqualTo(1);
    assertThatThrownBy(() -> store.store(oneByteOver, bytes("a")))
        .hasMessageContaining("at most 249 bytes");
  }

  @Test
  void topicNamesAreCaseSensitive() throws IOException {
    store.store("Topic", bytes("upper"));
    store.store("topic", bytes("lower"));

    assertThat(pollTexts("Topic", 1)).containsExactly("upper");
    assertThat(pollTexts("topic", 1)).containsExactly("lower");
  }

  @Test
  void negativeReadFromIsRejected() throws IOException {
    store.store("topic", bytes("a"));
    assertThatThrownBy(() -> store.poll("topic", -1, PollLimits.UNLIMITED))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void deleteContentsForgetsTopicsAndRestartsNumbering() throws IOException {
    store.store("topic", bytes("a"));
    store.store("topic", bytes("b"));

    store.deleteContents();

    assertThatThrownBy(() -> store.poll("topic", 1, PollLimits.UNLIMITED))
        .isInstanceOf(UnknownTopicException.class);
    assertThat(store.store("topic", bytes("c"))).isEqualTo(1);
  }

  @Test
  void aClosedStoreRefusesWork() throws IOException {
    store.store("topic", bytes("a"));
    store.close();

    assertThatThrownBy(() -> store.store("topic", bytes("b")))
        .isInstanceOf(StoreClosedException.class);
    assertThatThrownBy(() -> store.poll("topic", 1, PollLimits.UNLIMITED))
        .isInstanceOf(StoreClosedException.class);
    assertThatThrownBy(() -> store.removeOlderThan(clock.instant()))
        .isInstanceOf(StoreClosedException.class);
    store.close();
  }

  @Test
  void concurrentProducersToOneTopicGetEveryNumberExactlyOnce() throws Exception {
    int threads = 8;
    int perThread = 2_000;
    ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<List<Long>>> producers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        Callable<List<Long>> producer =
            () -> {
              start.await();
              List<Long> numbers = new ArrayList<>(perThread);
              for (int i = 0; i < perThread; i++) {
                numbers.add(store.store("shared", bytes(id + ":" + i)));
              }
              return numbers;
            };
        producers.add(pool.submit(producer));
      }
      Future<Integer> reader =
          pool.submit(
              () -> {
                start.await();
                int polls = 0;
                long readFrom = 1;
                while (readFrom <= (long) threads * perThread && polls < 1_000_000) {
                  try {
                    PollResult r =
                        store.poll("shared", readFrom, new PollLimits(500, Long.MAX_VALUE));
                    // Whatever a concurrent poll sees is a gap-free run starting where it asked.
                    for (int i = 0; i < r.messages().size(); i++) {
                      assertThat(r.messages().get(i).number()).isEqualTo(readFrom + i);
                    }
                    readFrom = r.newReadFrom();
                  } catch (UnknownTopicException notYet) {
                    Thread.onSpinWait();
                  }
                  polls++;
                }
                return polls;
              });
      start.countDown();

      List<Long> all = new ArrayList<>();
      for (Future<List<Long>> f : producers) {
        List<Long> numbers = f.get(60, TimeUnit.SECONDS);
        assertThat(numbers).isSorted();
        all.addAll(numbers);
      }
      reader.get(60, TimeUnit.SECONDS);

      assertThat(all).hasSize(threads * perThread).doesNotHaveDuplicates();
      assertThat(all).allSatisfy(n -> assertThat(n).isBetween(1L, (long) threads * perThread));
      PollResult everything = store.poll("shared", 1, PollLimits.UNLIMITED);
      assertThat(everything.messages()).hasSize(threads * perThread);
      assertThat(everything.newReadFrom()).isEqualTo(threads * perThread + 1L);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aBatchGetsConsecutiveNumbersInOrder() throws IOException {
    store.store("topic", bytes("before"));

    long first = store.storeBatch("topic", List.of(bytes("a"), new byte[0], bytes("c")));

    assertThat(first).isEqualTo(2);
    assertThat(pollTexts("topic", 2)).containsExactly("a", "", "c");
    assertThat(store.store("topic", bytes("after"))).isEqualTo(5);
    assertThat(store.storeBatch("new-topic", List.of(bytes("x")))).isEqualTo(1);
  }

  @Test
  void emptyBatchesAndInvalidTopicsAreRejectedAndStoreNothing() throws IOException {
    assertThatThrownBy(() -> store.storeBatch("topic", List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least one message");
    assertThatThrownBy(() -> store.storeBatch("", List.of(bytes("a"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("topic name");
    assertThat(store.store("topic", bytes("a"))).isEqualTo(1);
  }

  @Test
  void firstAvailableTellsWhatExpiredBeforeAReaderGotThere() throws IOException {
    store.store("topic", bytes("a"));
    store.store("topic", bytes("b"));
    clock.advance(Duration.ofSeconds(1));
    store.store("topic", bytes("c"));
    store.removeOlderThan(clock.instant());

    PollResult fromOne = store.poll("topic", 1, PollLimits.UNLIMITED);
    assertThat(fromOne.firstAvailable()).isEqualTo(3);
    assertThat(fromOne.skipped(1)).isEqualTo(2);
    assertThat(fromOne.skipped(0)).isEqualTo(2);
    assertThat(store.poll("topic", 3, PollLimits.UNLIMITED).skipped(3)).isZero();

    clock.advance(Duration.ofSeconds(1));
    store.removeOlderThan(clock.instant());
    PollResult emptied = store.poll("topic", 1, PollLimits.UNLIMITED);
    assertThat(emptied.firstAvailable()).isEqualTo(4);
    assertThat(emptied.skipped(1)).isEqualTo(3);
  }

  @Test
  void concurrentBatchesNeverInterleave() throws Exception {
    int threads = 4;
    int batches = 200;
    int perBatch = 10;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        futures.add(
            pool.submit(
                () -> {
                  for (int b = 0; b < batches; b++) {
                    List<byte[]> batch = new ArrayList<>();
                    for (int i = 0; i < perBatch; i++) {
                      batch.add(bytes(id + ":" + b + ":" + i));
                    }
                    store.storeBatch("shared", batch);
                  }
                  return null;
                }));
      }
      for (Future<?> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
      List<String> all = pollTexts("shared", 1);
      assertThat(all).hasSize(threads * batches * perBatch);
      for (int start = 0; start < all.size(); start += perBatch) {
        String prefix = all.get(start).substring(0, all.get(start).lastIndexOf(':') + 1);
        for (int i = 0; i < perBatch; i++) {
          assertThat(all.get(start + i)).isEqualTo(prefix + i);
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void firstAtOrAfterFindsWhereAReaderFromATimeStarts() throws IOException {
    Instant start = clock.instant();
    store.store("t", bytes("a"));
    clock.advance(Duration.ofSeconds(10));
    store.store("t", bytes("b"));
    store.store("t", bytes("c"));
    clock.advance(Duration.ofSeconds(10));
    store.store("t", bytes("d"));

    assertThat(store.firstAtOrAfter("t", start.minusSeconds(1))).isEqualTo(1);
    assertThat(store.firstAtOrAfter("t", start)).isEqualTo(1);
    assertThat(store.firstAtOrAfter("t", start.plusMillis(1))).isEqualTo(2);
    assertThat(store.firstAtOrAfter("t", start.plusSeconds(10))).isEqualTo(2);
    assertThat(store.firstAtOrAfter("t", start.plusSeconds(15))).isEqualTo(4);
    assertThat(store.firstAtOrAfter("t", start.plusSeconds(21))).isEqualTo(5);

    store.removeOlderThan(start.plusSeconds(5));
    assertThat(store.firstAtOrAfter("t", start)).as("expired messages are skipped").isEqualTo(2);
    assertThatThrownBy(() -> store.firstAtOrAfter("nope", start))
        .isInstanceOf(UnknownTopicException.class);
  }

  @Test
  void namedConsumersCommitAndFetchTheirPositionsPerTopic() throws IOException {
    store.store("t", bytes("a"));
    store.store("u", bytes("a"));
    assertThat(store.position("t", "billing")).isEmpty();

    store.commitPosition("t", "billing", 2);
    store.commitPosition("t", "audit", 1);
    store.commitPosition("t", "billing", 5);

    assertThat(store.position("t", "billing")).hasValue(5);
    assertThat(store.position("t", "audit")).hasValue(1);
    assertThat(store.position("u", "billing")).isEmpty();
    assertThat(store.position("never", "billing")).isEmpty();
    assertThat(store.positions("t")).containsExactly(entry("audit", 1L), entry("billing", 5L));
    assertThat(store.positions("u")).isEmpty();
    assertThat(store.positions("never")).isEmpty();
    assertThatThrownBy(() -> store.commitPosition("never", "billing", 1))
        .isInstanceOf(UnknownTopicException.class);
    assertThatThrownBy(() -> store.commitPosition("t", "", 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("consumer name must not be empty");
    assertThatThrownBy(() -> store.commitPosition("t", "tab\there", 1))
        .hasMessageContaining("consumer name must not contain control characters");

    store.deleteTopic("t");
    assertThat(store.position("t", "billing"))
        .as("positions outlive their topic's deletion")
        .hasValue(5);
    assertThat(store.positions("t")).containsOnlyKeys("audit", "billing");
  }

  @Test
  void topicsAreListedSortedAndOnlyOnceCreated() throws IOException {
    assertThat(store.topics()).isEmpty();
    store.store("b", bytes("x"));
    store.store("a", bytes("x"));
    store.store("b", bytes("y"));

    assertThat(store.topics()).containsExactly("a", "b");
  }

  @Test
  void describeReportsNumbersCountsBytesAndTimes() throws IOException {
    Instant first = clock.instant();
    store.store("t", new byte[10]);
    clock.advance(Duration.ofSeconds(5));
    store.storeBatch("t", List.of(new byte[20], new byte[30]));

    TopicInfo info = store.describe("t");

    assertThat(info.topic()).isEqualTo("t");
    assertThat(info.firstAvailable()).isEqualTo(1);
    assertThat(info.nextNumber()).isEqualTo(4);
    assertThat(info.messageCount()).isEqualTo(3);
    assertThat(info.bytesStored()).isGreaterThanOrEqualTo(60);
    assertThat(info.oldestAppendTimeMillis()).isEqualTo(first.toEpochMilli());
    assertThat(info.newestAppendTimeMillis()).isEqualTo(first.toEpochMilli() + 5000);

    clock.advance(Duration.ofSeconds(1));
    store.removeOlderThan(clock.instant().minusSeconds(3));
    TopicInfo after = store.describe("t");
    assertThat(after.firstAvailable()).isEqualTo(2);
    assertThat(after.messageCount()).isEqualTo(2);
    assertThat(after.oldestAppendTimeMillis()).isEqualTo(first.toEpochMilli() + 5000);

    assertThatThrownBy(() -> store.describe("nope")).isInstanceOf(UnknownTopicException.class);
  }

  @Test
  void anEmptiedTopicDescribesItsNextNumberAndNoTimes() throws IOException {
    store.store("t", bytes("a"));
    clock.advance(Duration.ofSeconds(1));
    store.removeOlderThan(clock.instant());

    TopicInfo info = store.describe("t");

    assertThat(info.firstAvailable()).isEqualTo(2);
    assertThat(info.nextNumber()).isEqualTo(2);
    assertThat(info.messageCount()).isZero();
    assertThat(info.oldestAppendTimeMillis()).isEqualTo(-1);
    assertThat(info.newestAppendTimeMillis()).isEqualTo(-1);
  }

  @Test
  void sizesCountEveryListedTopicAsDescribeDoes() throws IOException {
    store.store("a", bytes("expires"));
    clock.advance(Duration.ofSeconds(1));
    Instant cutoff = clock.instant();
    store.store("a", bytes("kept"));
    store.store("b", new byte[10]);
    store.storeBatch("b", List.of(new byte[20], new byte[30]));
    store.createTopic("empty", Optional.empty());
    store.store("gone", bytes("x"));
    store.deleteTopic("gone");
    store.removeOlderThan(cutoff);

    List<TopicSize> sizes = store.sizes();

    assertThat(sizes)
        .extracting(TopicSize::topic, TopicSize::messageCount, TopicSize::nextNumber)
        .containsExactly(tuple("a", 1L, 3L), tuple("b", 3L, 4L), tuple("empty", 0L, 1L));
    assertThat(sizes.get(1).bytesStored()).isGreaterThanOrEqualTo(60);
    for (TopicSize size : sizes) {
      assertThat(size).isEqualTo(TopicSize.of(store.describe(size.topic())));
    }
  }

  @Test
  void aDeletedTopicIsHiddenUntilProducedToAndKeepsItsNumbering() throws IOException {
    store.store("t", bytes("a"));
    store.store("t", bytes("b"));
    store.store("other", bytes("x"));

    assertThat(store.deleteTopic("t")).isEqualTo(2);

    assertThat(store.topics()).containsExactly("other");
    assertThatThrownBy(() -> store.poll("t", 1, PollLimits.UNLIMITED))
        .isInstanceOf(UnknownTopicException.class);
    assertThatThrownBy(() -> store.describe("t"))
        .isInstanceOfSatisfying(
            UnknownTopicException.class,
            e -> {
              assertThat(e.deleted()).isTrue();
              assertThat(e.nextNumber()).as("where its numbers go on").isEqualTo(3);
            });
    assertThatThrownBy(() -> store.describe("never"))
        .isInstanceOfSatisfying(
            UnknownTopicException.class,
            e -> {
              assertThat(e.deleted()).isFalse();
              assertThat(e.nextNumber()).isZero();
            });
    assertThatThrownBy(() -> store.deleteTopic("t")).isInstanceOf(UnknownTopicException.class);
    assertThatThrownBy(() -> store.deleteTopic("never")).isInstanceOf(UnknownTopicException.class);

    assertThat(store.store("t", bytes("back"))).isEqualTo(3);
    assertThat(store.topics()).containsExactly("other", "t");
    assertThat(pollTexts("t", 1)).containsExactly("back");
    assertThat(store.describe("t").firstAvailable()).isEqualTo(3);
  }

  @Test
  void concurrentProducersToDifferentTopicsNumberEachTopicFromOne() throws Exception {
    int topics = 6;
    int perTopic = 1_000;
    ExecutorService pool = Executors.newFixedThreadPool(topics);
    try {
      List<Future<List<Long>>> results = new ArrayList<>();
      for (int t = 0; t < topics; t++) {
        String topic = "topic-" + t;
        results.add(
            pool.submit(
                () -> {
                  List<Long> numbers = new ArrayList<>();
                  for (int i = 0; i < perTopic; i++) {
                    numbers.add(store.store(topic, bytes(topic + i)));
                  }
                  return numbers;
                }));
      }
      for (Future<List<Long>> f : results) {
        List<Long> numbers = f.get(60, TimeUnit.SECONDS);
        assertThat(numbers.get(0)).isEqualTo(1);
        assertThat(numbers.get(perTopic - 1)).isEqualTo(perTopic);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
