package io.minikafka.client;

import io.grpc.StatusRuntimeException;
import io.minikafka.client.Replies.PollReply;
import io.minikafka.protocol.CommitPositionRequest;
import io.minikafka.protocol.DescribeTopicRequest;
import io.minikafka.protocol.FetchPositionRequest;
import io.minikafka.protocol.MiniKafkaGrpc;
import io.minikafka.protocol.MsgNumber;
import io.minikafka.protocol.PollRequest;
import io.minikafka.protocol.PositionResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads one topic of a MiniKafka server from a message number onwards, at the caller's pace; the
 * original's {@code client.NewConsumer}.
 *
 * <p>Each {@link #poll()} returns the messages stored since the last one (up to the server's
 * response size limit; poll again for the rest) and moves the consumer's read-from number past
 * them. Messages are not removed by reading, so any number of consumers can read a topic
 * independently. Persist {@link PollResult#newReadFrom()} to resume after a restart, or name the
 * consumer and let the server keep its position.
 *
 * <p>For live delivery, {@link #subscribe()} and {@link #subscribe(MessageHandler)} use the
 * server's push stream instead: new messages arrive within milliseconds, and the subscription
 * survives server restarts. Closing the consumer closes its subscriptions.
 *
 * <p>Not thread-safe: one thread polls a consumer.
 */
public final class Consumer implements AutoCloseable {

  private final String topic;
  private final Connection connection;

  /** The consumer's name when its position is kept by the server; null otherwise. */
  private final String name;

  /** Told a named consumer's lag after each poll. Set by the builder, before any poll. */
  private ClientMetrics metrics = ClientMetrics.NONE;

  /** The number the next poll reads from; every message below it has been handed out. */
  private long readFrom;

  /**
   * Where to start instead of {@code readFrom} until the first poll resolves it; null if not asked.
   */
  private Instant fromTime;

  private boolean positionLoaded;

  /** Trailer of a NOT_FOUND for a deleted topic: the number its next message will get. */
  private static final io.grpc.Metadata.Key<String> NEXT_NUMBER =
      io.grpc.Metadata.Key.of("minikafka-next-number", io.grpc.Metadata.ASCII_STRING_MARSHALLER);

  /** Whether the first poll or subscription starts at the topic's end ({@link StartAt.End}). */
  private boolean fromEnd;

  /** A named consumer with no committed position yet, whose start is still to be committed. */
  private boolean newGroup;

  /** Named consumers: whether polls or a seek moved the position since it was last committed. */
  private boolean uncommitted;

  /** Open subscriptions, closed with this consumer. */
  private final Set<Subscription> subscriptions = ConcurrentHashMap.newKeySet();

  private final Set<HandlerSubscription> handlerSubscriptions = ConcurrentHashMap.newKeySet();

  /**
   * @param topic the topic to read
   * @param readFrom the first message number wanted (1 for the oldest; 0 counts as 1)
   * @param timeout how long each poll may take before it fails
   * @param host the server, such as {@code localhost:9999} or {@code :9999} (this machine)
   */
  public Consumer(String topic, long readFrom, Duration timeout, String host) {
    this(topic, readFrom, ConnectionConfig.of(host, timeout));
  }

  /**
   * @param server where the server is and how to talk to it (TLS, token)
   * @throws IllegalArgumentException if a TLS file of {@code server} is missing or wrong
   */
  public Consumer(String topic, long readFrom, ConnectionConfig server) {
    this(topic, null, readFrom, server);
  }

  /**
   * A named consumer whose position the server keeps: it starts where the last consumer of that
   * name committed (or at {@code readFromIfNew} if none ever did). It is at-least-once, as Kafka's
   * consumer with automatic commits: a batch is committed only once the application has had it and
   * comes back, at the next {@link #poll()} or at {@link #close()}, so a consumer that dies while
   * handling a batch leaves that batch to its successor. {@link #commit()} commits at once; {@link
   * #seek} says where to go on from (and so what to commit) when only part of a batch was used. A
   * {@link #subscribe() subscription} commits the same way, batch by batch.
   *
   * @param name 1 to 249 bytes of UTF-8 without control characters
   */
  public Consumer(String topic, String name, long readFromIfNew, Duration timeout, String host) {
    this(topic, name, readFromIfNew, ConnectionConfig.of(host, timeout));
  }

  /** A named consumer (see above) of a server reached as {@code server} says. */
  public Consumer(String topic, String name, long readFromIfNew, ConnectionConfig server) {
    if (readFromIfNew < 0) {
      throw new IllegalArgumentException("readFrom must not be negative, was " + readFromIfNew);
    }
    this.topic = Objects.requireNonNull(topic, "topic");
    this.name = name;
    this.readFrom = readFromIfNew;
    this.connection = new Connection(server, "consumer");
  }

  /**
   * A consumer that starts at the first message appended at or after {@code fromTime} (its first
   * poll or subscription finds the number; later ones continue from there).
   */
  public Consumer(String topic, Instant fromTime, Duration timeout, String host) {
    this(topic, fromTime, ConnectionConfig.of(host, timeout));
  }

  /** A consumer starting at a time (see above) of a server reached as {@code server} says. */
  public Consumer(String topic, Instant fromTime, ConnectionConfig server) {
    this(topic, 1, server);
    this.fromTime = Objects.requireNonNull(fromTime, "fromTime");
  }

  /**
   * A consumer starting where {@code from} says: the oldest message, only new ones, a number or a
   * time.
   */
  public Consumer(String topic, StartAt from, ConnectionConfig server) {
    this(topic, null, from, server);
  }

  /**
   * A named consumer (see above) that starts where {@code fromIfNew} says when no consumer of its
   * name ever committed a position.
   *
   * @param name null for a consumer whose position the application keeps
   */
  public Consumer(String topic, String name, StartAt fromIfNew, ConnectionConfig server) {
    this(topic, name, fromIfNew instanceof StartAt.Number n ? n.number() : 1, server);
    if (fromIfNew instanceof StartAt.Time t) {
      fromTime = t.time();
    } else if (fromIfNew instanceof StartAt.End) {
      fromEnd = true;
    }
  }

  /**
   * A builder: {@code Consumer.builder().host("localhost:9999").topic("t").startAt(StartAt.end())
   * .build()}, its calls in any order.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link Consumer}; a topic is required, and it starts at the oldest message. */
  public static final class Builder extends ClientBuilder<Builder> {
    private String topic;
    private String group;
    private StartAt startAt = StartAt.start();
    private ClientMetrics metrics = ClientMetrics.NONE;

    private Builder() {}

    /** Where a named consumer reports its lag, such as a {@link MicrometerClientMetrics}. */
    public Builder metrics(ClientMetrics value) {
      metrics = Objects.requireNonNull(value, "metrics");
      return this;
    }

    public Builder topic(String value) {
      topic = value;
      return this;
    }

    /** Reads as the named consumer {@code name}, whose position the server keeps. */
    public Builder group(String name) {
      group = name;
      return this;
    }

    /** Where to start; for a named consumer, only when it has no position yet. */
    public Builder startAt(StartAt value) {
      startAt = Objects.requireNonNull(value, "startAt");
      return this;
    }

    /**
     * @throws IllegalStateException if no topic was given
     */
    public Consumer build() {
      Consumer consumer = new Consumer(required(topic, "topic"), group, startAt, connection());
      consumer.metrics = metrics;
      return consumer;
    }
  }

  /**
   * Fetches the messages numbered at or after the current read-from number, and advances it. A
   * named consumer first commits what the previous poll returned; if that commit fails, this poll
   * throws and nothing is lost: the next poll (or {@link #close()}) commits again. A poll that
   * finds the messages from the read-from number on no longer stored says how many ({@link
   * PollResult#skipped()}) and advances to the oldest one left, which a named consumer commits.
   *
   * @throws PositionOutOfRangeException if the read-from number is past the topic's end: the server
   *     lost or never had those numbers (see {@link #seek})
   * @throws MiniKafkaException if the server could not be reached in time, or the topic does not
   *     exist ({@code NOT_FOUND}: never produced to, or deleted)
   */
  public PollResult poll() {
    loadPosition();
    resolveEnd();
    commitIfMoved();
    PollRequest.Builder request =
        PollRequest.newBuilder()
            .setTopic(topic)
            .setReadFrom(MsgNumber.newBuilder().setMsgNumber(readFrom));
    if (fromTime != null) {
      request.setFromTimeMs(Math.max(1, fromTime.toEpochMilli()));
    }
    PollReply response;
    try {
      response = connection.call(Replies.POLL, request.build());
    } catch (StatusRuntimeException e) {
      throw connection.failure("poll of topic '" + topic + "'", e);
    }
    List<Message> messages = response.messages();
    // next_number is 0 from servers that do not send it (the Go original).
    if (messages.isEmpty()
        && fromTime == null
        && response.nextNumber() > 0
        && readFrom > response.nextNumber()) {
      throw new PositionOutOfRangeException(topic, readFrom, response.nextNumber());
    }
    long newReadFrom = response.newReadFrom();
    // The server leaves the number asked for when it returns nothing, even below messages no
    // longer stored: the result says so once, then the consumer goes on from the oldest left (and a
    // named one commits that), rather than being told again at every poll and every run.
    boolean movedPastGap =
        messages.isEmpty() && response.skipped() > 0 && response.firstAvailable() > newReadFrom;
    if (movedPastGap) {
      newReadFrom = response.firstAvailable();
    }
    readFrom = newReadFrom;
    fromTime = null;
    if (name != null && response.nextNumber() > 0) {
      metrics.lag(topic, name, Math.max(0, response.nextNumber() - newReadFrom));
    }
    // A new group's start, now known good, is kept even if nothing came: Kafka's consumer commits
    // its position whether or not records came, so one started at the end does not get the
    // backlog it skipped on its next run.
    uncommitted |= name != null && (!messages.isEmpty() || newGroup || movedPastGap);
    newGroup = false;
    return new PollResult(messages, newReadFrom, response.skipped(), response.firstAvailable());
  }

  /**
   * Makes {@code number} the next number read (and, for a named consumer, the position committed
   * next), as Kafka's {@code seek}: to read again, to skip, or to say that only the messages of the
   * last batch below {@code number} were used.
   */
  public void seek(long number) {
    if (number < 0) {
      throw new IllegalArgumentException("a message number must not be negative, was " + number);
    }
    positionLoaded = true;
    readFrom = number;
    fromTime = null;
    fromEnd = false;
    newGroup = false;
    uncommitted = name != null;
  }

  /**
   * Opens a live subscription from this consumer's read-from number: read it with {@link
   * Subscription#poll(Duration)}. A topic that does not exist yet is waited for.
   */
  public Subscription subscribe() {
    return startSubscription(subscriptions);
  }

  private Subscription startSubscription(Set<Subscription> owner) {
    connection.checkOpen();
    loadPosition();
    boolean startsAtTheEnd = fromEnd;
    resolveEnd();
    commitBeforeSubscribing(startsAtTheEnd);
    return new Subscription(
        topic, readFrom, fromTime, connection, name == null ? null : this::commitPosition, owner);
  }

  /** Commits the current read-from number as this named consumer's position, now. */
  public void commit() {
    if (name == null) {
      throw new IllegalStateException("only a named consumer has a position to commit");
    }
    loadPosition();
    resolveEnd();
    commitPosition(readFrom);
    uncommitted = false;
    newGroup = false;
  }

  private void commitIfMoved() {
    if (uncommitted) {
      commit();
    }
  }

  /** Commits {@code next}; a subscription calls it from its own thread. */
  private synchronized void commitPosition(long next) {
    try {
      connection.call(
          MiniKafkaGrpc.getCommitPositionMethod(),
          CommitPositionRequest.newBuilder()
              .setTopic(topic)
              .setConsumer(name)
              .setNextNumber(next)
              .build());
    } catch (StatusRuntimeException e) {
      throw connection.failure("committing the position of consumer '" + name + "'", e);
    }
  }

  /** A named consumer's first call starts from its committed position, if it has one. */
  private void loadPosition() {
    if (name == null || positionLoaded) {
      return;
    }
    try {
      PositionResponse position =
          connection.call(
              MiniKafkaGrpc.getFetchPositionMethod(),
              FetchPositionRequest.newBuilder().setTopic(topic).setConsumer(name).build());
      if (position.getFound()) {
        readFrom = position.getNextNumber();
        fromTime = null;
        fromEnd = false;
      } else {
        newGroup = true;
      }
      positionLoaded = true;
    } catch (StatusRuntimeException e) {
      throw connection.failure("fetching the position of consumer '" + name + "'", e);
    }
  }

  /**
   * Before a subscription takes over the commits: what earlier polls handed out, and a new group's
   * start when that is the topic's end (a number the topic has, unlike one given by the caller), so
   * that a group started at the end that got nothing does not get the backlog it skipped on its
   * next run. Tried once: a later commit here could move the group back behind the subscription's
   * own. A failure that retrying would fix leaves the position as it was.
   */
  private void commitBeforeSubscribing(boolean startsAtTheEnd) {
    boolean commit = uncommitted || (newGroup && startsAtTheEnd);
    uncommitted = false;
    newGroup = false;
    if (!commit) {
      return;
    }
    try {
      commitPosition(readFrom);
    } catch (MiniKafkaException e) {
      if (e.errorCode() != MiniKafkaException.ErrorCode.UNKNOWN_TOPIC
          && !Subscription.RETRIED.contains(e.code())) {
        throw e;
      }
    }
  }

  /** Starts at the topic's next number, once, for a consumer asked to read only new messages. */
  private void resolveEnd() {
    if (!fromEnd) {
      return;
    }
    try {
      readFrom =
          connection
              .call(
                  MiniKafkaGrpc.getDescribeTopicMethod(),
                  DescribeTopicRequest.newBuilder().setTopic(topic).build())
              .getNextNumber();
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() != io.grpc.Status.Code.NOT_FOUND) {
        throw connection.failure("finding the end of topic '" + topic + "'", e);
      }
      // No topic yet: everything it will hold is new. A deleted one goes on from its next
      // number, which the server gives with the refusal.
      String next = e.getTrailers() == null ? null : e.getTrailers().get(NEXT_NUMBER);
      readFrom = next == null ? 1 : Long.parseLong(next);
    }
    fromEnd = false;
  }

  /**
   * Delivers every message from this consumer's read-from number on, as it arrives, to {@code
   * handler} on a thread of its own, until the returned handle is closed. A named consumer commits
   * only messages the handler has returned from.
   */
  public HandlerSubscription subscribe(MessageHandler handler) {
    // Its handler's thread closes the subscription, so only the handler's is closed from here.
    return new HandlerSubscription(startSubscription(null), handler, topic, handlerSubscriptions);
  }

  /**
   * The number the next {@link #poll()} reads from. Before the first poll it asks the server, once,
   * for a named consumer's committed position, and for the topic's end when starting there; for a
   * start at a time, which only that poll resolves, it is 1 (or the committed position).
   *
   * @throws MiniKafkaException if the server had to be asked and could not answer
   */
  public long readFrom() {
    loadPosition();
    resolveEnd();
    return readFrom;
  }

  /** The topic this consumer reads. */
  public String topic() {
    return topic;
  }

  /**
   * Closes this consumer's open subscriptions, commits what the polls handed out, for a named
   * consumer, then closes the connection, waiting at most the timeout for a poll in progress. Call
   * it from the thread that polls, as everything else here: a {@link Subscription} commits what it
   * handed out, so closing it while that thread still works on a batch would commit the batch.
   *
   * <p>Handler subscriptions stop once their handlers return from the message in hand, waited for
   * together up to the timeout, and commit what their handlers returned from. A handler still
   * running then leaves what its subscription had not committed, that message included, to the next
   * consumer of the name. Called from a handler, this closes the consumer without that handler's
   * last commit: close the {@link HandlerSubscription} from a handler instead.
   *
   * @throws MiniKafkaException if a last commit failed, or a named consumer's handler did not
   *     return in time (the rest is closed regardless); the next consumer of that name then reads
   *     those messages again
   */
  @Override
  public void close() {
    RuntimeException failure = null;
    try {
      List<HandlerSubscription> handlers = List.copyOf(handlerSubscriptions);
      handlers.forEach(HandlerSubscription::stop);
      long deadline = System.nanoTime() + connection.timeout().toNanos();
      for (HandlerSubscription handler : handlers) {
        if (!handler.awaitEnd(deadline)) {
          if (name != null && !handler.isCurrentThread()) {
            failure =
                first(
                    failure,
                    new MiniKafkaException(
                        "the handler of consumer '"
                            + name
                            + "' did not return within "
                            + connection.timeout().toMillis()
                            + " ms of close: the next consumer of that name reads again what"
                            + " it had not committed, its message in hand included",
                        io.grpc.Status.DEADLINE_EXCEEDED));
          }
        } else if (handler.lastCommitFailure() != null) {
          failure = first(failure, handler.lastCommitFailure());
        }
      }
      for (Subscription subscription : List.copyOf(subscriptions)) {
        try {
          subscription.close();
        } catch (RuntimeException e) {
          failure = first(failure, e);
        }
      }
      try {
        commitIfMoved();
      } catch (RuntimeException e) {
        failure = first(failure, e);
      }
    } finally {
      connection.close();
    }
    if (failure != null) {
      throw failure;
    }
  }

  private static RuntimeException first(RuntimeException first, RuntimeException next) {
    if (first == null) {
      return next;
    }
    first.addSuppressed(next);
    return first;
  }
}
