package io.minikafka.broker.store;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Where a MiniKafka server keeps its messages: the contract every store implements, whatever keeps
 * the bytes (memory, local files, a remote log).
 *
 * <h2>Topics and numbering</h2>
 *
 * <ul>
 *   <li>A topic comes into being on its first {@link #store}, or empty by {@link #createTopic}.
 *       Topic names follow {@link TopicName}; every method rejects an invalid name with {@link
 *       IllegalArgumentException} before touching any data.
 *   <li>A topic's first message gets number 1, each later one the previous number plus 1. Numbers
 *       are never reused, even after every message of a topic has been removed by {@link
 *       #removeOlderThan}. Numbering is per topic.
 *   <li>The messages a topic still holds always form one run of consecutive numbers: removal only
 *       ever takes the oldest ones, because a topic's append times never go backwards (a store
 *       clamps a clock that steps back to the previous append time).
 * </ul>
 *
 * <h2>Polling</h2>
 *
 * {@link #poll} returns, in number order, the stored messages numbered {@code readFrom} or higher
 * ({@code readFrom} 0 counts as 1; below the oldest stored message it starts at the oldest; past
 * the newest it returns nothing), cut to the {@link PollLimits}. At least one message is returned
 * when one exists, however large. {@link PollResult#newReadFrom()} is the last returned number plus
 * 1, or {@code readFrom} unchanged when nothing is returned; {@link PollResult#firstAvailable()} is
 * the oldest number the topic still holds (its next number when it holds none), which tells a
 * reader whether numbers it asked for had expired; {@link PollResult#nextNumber()} is the number
 * the next message will get, which tells a reader whether it asked for numbers the store never gave
 * (past the end). Polling a topic that has never been stored to throws {@link
 * UnknownTopicException}.
 *
 * <h2>Concurrency and failure</h2>
 *
 * Implementations are safe for concurrent use by any number of threads; concurrent {@link #store}
 * calls on one topic each get a distinct number, and a {@link #poll} sees only messages whose
 * {@link #store} has returned or is returning. Methods may block on I/O and may fail with an {@link
 * IOException} (or a {@link StoreException} subclass with a precise meaning); a failed {@link
 * #store} assigns no number. After {@link #close}, every method but {@code close} throws {@link
 * StoreClosedException}.
 *
 * <h2>Ownership of bytes</h2>
 *
 * A store may keep the payload array passed to {@link #store} without copying it, so the caller
 * must not change it afterwards; payload arrays returned by {@link #poll} may be shared and must
 * not be changed.
 */
public interface BackingStore extends AutoCloseable {

  /**
   * Appends a message (any length, including empty) to a topic, creating the topic if needed.
   *
   * @return the number given to the message
   * @throws IllegalArgumentException if the topic name is invalid
   * @throws IOException if the message could not be stored; no number was used
   */
  long store(String topic, byte[] payload) throws IOException;

  /**
   * Appends several messages to a topic at once: they get consecutive numbers in list order, with
   * no other message between them, and either all are stored or none is.
   *
   * @return the number given to the first message
   * @throws IllegalArgumentException if the topic name is invalid or the list is empty
   * @throws IOException if the messages could not be stored; no number was used
   */
  long storeBatch(String topic, List<byte[]> payloads) throws IOException;

  /**
   * Appends several messages with their keys and headers, as {@link #storeBatch} does payloads:
   * consecutive numbers in list order, all or none. Poll returns each message's key and headers as
   * they were given.
   *
   * @return the number given to the first message
   * @throws IllegalArgumentException if the topic name is invalid or the list is empty
   * @throws IOException if the messages could not be stored; no number was used
   */
  long storeRecords(String topic, List<Record> records) throws IOException;

  /**
   * Reads stored messages of a topic numbered {@code readFrom} or higher, as described above.
   *
   * @param readFrom the first number wanted; 0 counts as 1
   * @throws UnknownTopicException if the topic has never been stored to
   * @throws IllegalArgumentException if the topic name is invalid or {@code readFrom} is negative
   */
  PollResult poll(String topic, long readFrom, PollLimits limits) throws IOException;

  /**
   * {@link #poll}, for a reader that sends the messages on as {@code SubscribeResponse} records: a
   * store may return them as those records' bytes ({@link PollResult#encoded()}), without a message
   * object each. A store that keeps them in that form returns its bytes as they are, without
   * checking their CRCs, which travel with them for the client to check; one that reads them in
   * another form (Kafka's records) writes them so ({@link RecordBytesWriter}). The same messages,
   * limits and numbers as {@link #poll}.
   */
  default PollResult pollEncoded(String topic, long readFrom, PollLimits limits)
      throws IOException {
    return poll(topic, readFrom, limits);
  }

  /**
   * Removes every message, in every topic, appended strictly before {@code cutoff}, whatever
   * retention a topic has of its own ({@link #removeExpired} honours those). Topics stay known and
   * keep their numbering.
   *
   * @return how many messages were removed
   */
  long removeOlderThan(Instant cutoff) throws IOException;

  /**
   * Removes every message that has passed its topic's retention at {@code now}: the topic's own
   * retention if it has one ({@link #setRetention}), else {@code defaultRetention}.
   *
   * @return how many messages were removed
   */
  long removeExpired(Instant now, Duration defaultRetention) throws IOException;

  /**
   * Creates a topic that holds no message yet, with its own retention or, if empty, the server's. A
   * deleted topic comes back this way too, its numbering continuing.
   *
   * @throws TopicExistsException if the topic exists
   * @throws LimitExceededException if the store holds its maximum of topics
   * @throws IllegalArgumentException if the name is invalid or the retention not positive
   */
  void createTopic(String topic, Optional<Duration> retention) throws IOException;

  /**
   * Sets a topic's own retention, or with empty gives it the server's back. Kept across restarts by
   * a store that keeps its messages.
   *
   * @throws UnknownTopicException if the topic does not exist (or was deleted)
   * @throws IllegalArgumentException if the retention is not positive
   */
  void setRetention(String topic, Optional<Duration> retention) throws IOException;

  /**
   * The shortest retention any topic has of its own, if one has: how often to sweep. Answers from
   * what the store knows without waiting for I/O, since the server asks while it starts.
   */
  Optional<Duration> shortestRetention() throws IOException;

  /**
   * The number of the first message still held that was appended at or after {@code time}; the
   * topic's next number if there is none. Where a reader starting from a time begins.
   *
   * @throws UnknownTopicException if the topic does not exist (or was deleted)
   */
  long firstAtOrAfter(String topic, Instant time) throws IOException;

  /**
   * Records that the named consumer of a topic will read {@code nextNumber} next. Positions outlive
   * the messages they point at, and the deletion of their topic.
   *
   * @throws UnknownTopicException if the topic has never been stored to
   * @throws IllegalArgumentException if a name breaks {@link TopicName}'s rules
   */
  void commitPosition(String topic, String consumer, long nextNumber) throws IOException;

  /** The position the named consumer of a topic last committed, if any. */
  OptionalLong position(String topic, String consumer) throws IOException;

  /**
   * Every named consumer's committed position in a topic, by name: the number each reads next.
   * Empty for a topic no consumer committed to, or that does not exist.
   */
  java.util.SortedMap<String, Long> positions(String topic) throws IOException;

  /** The names of every topic, sorted; deleted topics are not listed. */
  List<String> topics() throws IOException;

  /**
   * What a topic holds.
   *
   * @throws UnknownTopicException if the topic does not exist (or was deleted)
   */
  TopicInfo describe(String topic) throws IOException;

  /**
   * What every topic holds, as {@link #describe} counts it, sorted by name; deleted topics are not
   * listed. For metrics, which read every topic at each scrape. By default each listed topic is
   * described in turn, leaving out one deleted meanwhile; a store that would reach another system
   * once per topic (and read messages for their append times) answers all at once.
   */
  default List<TopicSize> sizes() throws IOException {
    List<TopicSize> sizes = new ArrayList<>();
    for (String topic : topics()) {
      try {
        sizes.add(TopicSize.of(describe(topic)));
      } catch (UnknownTopicException deletedMeanwhile) {
        // Not there any more: not listed, as if the list had been taken a moment later.
      }
    }
    return sizes;
  }

  /**
   * Deletes every message of a topic and hides it: it is not listed, and polls fail with {@link
   * UnknownTopicException}, until a message is stored to it again. Its numbers are never reused: a
   * topic that comes back continues after the last number it had.
   *
   * @return how many messages were deleted
   * @throws UnknownTopicException if the topic does not exist (or was deleted already)
   */
  long deleteTopic(String topic) throws IOException;

  /** Removes every topic and message, leaving the store as if new: numbering starts again at 1. */
  void deleteContents() throws IOException;

  /**
   * Appends as {@link #storeRecords} does, but returns at once where the store can: the future
   * completes with the first number once the records are stored, or fails with what {@link
   * #storeRecords} would throw. A store whose {@link #appendsAsync} is true neither forces nor
   * creates a file in this method: it may write a few kilobytes to the OS and complete the future
   * before it returns, running here what depends on its own and other appends' futures, so the
   * caller must hold no lock those take. A store whose {@link #appendsAsync} is false may wait in
   * it, and by default it stores before returning. Either may complete the future later on a thread
   * of its own, which then runs what depends on it: that thread may read from the store.
   */
  default CompletableFuture<Long> storeRecordsAsync(String topic, List<Record> records) {
    try {
      return CompletableFuture.completedFuture(storeRecords(topic, records));
    } catch (IOException | RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Whether {@link #storeRecordsAsync} returns without waiting for a force or a new file, so that
   * the server calls it from its network threads: a producer's call then costs no hand-off to a
   * handler thread.
   */
  default boolean appendsAsync() {
    return false;
  }

  /**
   * Whether every method returns without waiting for I/O. The server then runs calls on its network
   * threads, saving a thread hand-off per call; a store that may wait (for a disk, a network) must
   * say false, its default.
   */
  default boolean neverBlocks() {
    return false;
  }

  /**
   * Someone on this server waits for new messages in the topic: a store that other servers append
   * to as well (a shared cluster behind several gateways) should then tell the listener given to
   * {@link #onRemoteAppend} when the topic grows. Called on every wait, so it must be cheap; a
   * store that only this server writes to ignores it, the default.
   */
  default void watchRemoteAppends(String topic) {}

  /**
   * Where a store shared with other servers reports that one of the topics watched by {@link
   * #watchRemoteAppends} grew, by the topic's name, on a thread of its own. Set once, before use.
   */
  default void onRemoteAppend(Consumer<String> listener) {}

  /**
   * Where a store shared with other servers reports that a topic's own retention was changed by one
   * of them, so that this server's sweeper keeps pace. Set once, before use.
   */
  default void onRetentionChanged(Runnable listener) {}

  /** What keeps the store from working fully, if anything; checked by the server's health. */
  default StoreHealth health() {
    return StoreHealth.HEALTHY;
  }

  /** A short description for logs, such as {@code memory (volatile)}. */
  String description();

  /** Releases the store's resources. Idempotent. */
  @Override
  void close() throws IOException;
}
