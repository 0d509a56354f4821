package io.minikafka.client;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import io.minikafka.client.Replies.SubscribeReply;
import io.minikafka.protocol.SubscribeRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * A live feed of a topic over the server's {@code Subscribe} call, resilient to server restarts and
 * network loss: it reconnects with exponential backoff (100 ms doubling to 5 s) and resumes at the
 * first number it has not yet handed out, so no number is ever delivered twice. Only failures that
 * retrying can fix are retried (the server unreachable or restarting); any other (damaged data, a
 * refused topic, a position past the topic's end) ends the subscription and is thrown by {@link
 * #poll}.
 *
 * <p>For a named consumer, a batch is committed once the application comes back for more (the next
 * {@link #poll}) or closes the subscription: never before it was handed out. A commit that fails
 * for a reason retrying can fix is tried again at the next poll; nothing is lost meanwhile.
 *
 * <p>Memory is bounded: the client asks the server for a few responses ahead, and for each next one
 * only once a previous one has been taken ({@link #poll}). Thread-safety: {@link #poll} from one
 * thread at a time; {@link #close} from any.
 */
public final class Subscription implements AutoCloseable {

  /**
   * Responses asked for ahead of the reader. More than one, so the server need not wait a round
   * trip per response when messages trickle in one at a time; few, so memory stays bounded (each
   * response is at most the server's batch size, 1 MiB by default).
   */
  private static final int WINDOW = 4;

  private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

  /** Failures that go away by themselves: the server restarting, the network, a timeout. */
  static final Set<Status.Code> RETRIED =
      Set.of(
          Status.Code.UNAVAILABLE,
          Status.Code.CANCELLED,
          Status.Code.DEADLINE_EXCEEDED,
          Status.Code.ABORTED);

  private static final Metadata.Key<String> NEXT_NUMBER =
      Metadata.Key.of("minikafka-next-number", Metadata.ASCII_STRING_MARSHALLER);

  /** What the gRPC thread hands to the reading thread. */
  private record Event(
      SubscribeReply response,
      Status failure,
      Metadata trailers,
      ClientCallStreamObserver<SubscribeRequest> call) {}

  private final String topic;
  private final Connection connection;

  /** Commits a named consumer's position; null for others. */
  private final LongConsumer committer;

  /**
   * Holds at most {@link #WINDOW} responses per call: more are requested only as they are taken.
   */
  private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();

  /** The next number to deliver; everything below it has been delivered. Reading thread only. */
  private long next;

  /** Asked for instead of {@code next} until a message has been delivered; null if not asked. */
  private Instant fromTime;

  /**
   * The current call; started and cancelled only under {@code callLock} (a call is not
   * thread-safe).
   */
  private volatile ClientCallStreamObserver<SubscribeRequest> call;

  private final Object callLock = new Object();

  /** What ended the subscription, thrown by every poll until a {@link #seek}. Reading thread. */
  private MiniKafkaException failure;

  /** The inbound limit the current call was opened with. */
  private int callInboundLimit;

  private Duration backoff = FIRST_BACKOFF;
  private long reconnectAtNanos;
  private volatile boolean closed;
  private final List<Skip> skips = new ArrayList<>();

  /** What the subscription is doing, as {@link #state()} tells. */
  public enum State {
    /** A call is being opened; the server has not answered it yet. */
    CONNECTING,
    /** The server has answered: messages come as they are stored. */
    READING,
    /** The server has answered, and nothing has been produced to the topic yet. */
    WAITING_FOR_TOPIC,
    /** The last call failed in a way that passes (the server down or restarting): retrying. */
    RECONNECTING
  }

  private volatile State state = State.CONNECTING;

  /** Why the subscription is reconnecting; null unless it is. */
  private volatile String reconnectReason;

  /** One past the last message handed to the application. */
  private volatile long handedOut;

  /** The position last committed. Guarded by this. */
  private long committed;

  /** The open subscriptions this one is among until closed; null if none keeps track. */
  private final Set<Subscription> owner;

  Subscription(
      String topic,
      long readFrom,
      Instant fromTime,
      Connection connection,
      LongConsumer committer,
      Set<Subscription> owner) {
    this.topic = topic;
    this.connection = connection;
    this.committer = committer;
    this.owner = owner;
    this.next = Math.max(readFrom, 1);
    this.handedOut = next;
    this.committed = next;
    this.fromTime = fromTime;
    connect();
    if (owner != null) {
      owner.add(this);
    }
  }

  private void connect() {
    ServerLimits limits = connection.limits();
    callInboundLimit = limits.inboundLimit();
    synchronized (callLock) {
      if (closed) {
        return;
      }
      start(limits);
    }
  }

  private void start(ServerLimits limits) {
    // The observer only queues what arrives for the reading thread.
    ClientCalls.asyncServerStreamingCall(
        connection.networkThreadCall(Replies.SUBSCRIBE, limits),
        fromTime == null
            ? SubscribeRequest.newBuilder().setTopic(topic).setReadFrom(next).build()
            : SubscribeRequest.newBuilder()
                .setTopic(topic)
                .setFromTimeMs(Math.max(1, fromTime.toEpochMilli()))
                .build(),
        new ClientResponseObserver<SubscribeRequest, SubscribeReply>() {
          private ClientCallStreamObserver<SubscribeRequest> self;

          @Override
          public void beforeStart(ClientCallStreamObserver<SubscribeRequest> requestStream) {
            self = requestStream;
            call = requestStream;
            requestStream.disableAutoRequestWithInitial(WINDOW);
          }

          @Override
          public void onNext(SubscribeReply response) {
            events.offer(new Event(response, null, null, self));
          }

          @Override
          public void onError(Throwable t) {
            Throwable failure = Connection.refusal(t);
            events.offer(
                new Event(
                    null,
                    Status.fromThrowable(failure),
                    Status.trailersFromThrowable(failure),
                    self));
          }

          @Override
          public void onCompleted() {
            events.offer(
                new Event(
                    null,
                    Status.UNAVAILABLE.withDescription("the server ended the subscription"),
                    null,
                    self));
          }
        });
  }

  /**
   * Waits up to {@code maxWait} for messages and returns those that arrived (in number order,
   * possibly none). Never returns a number twice. A named consumer's messages returned by the
   * previous call are committed first.
   *
   * @throws PositionOutOfRangeException if the subscription's number is past the topic's end
   * @throws MiniKafkaException if the server refuses the subscription (such as an invalid topic),
   *     reports damaged data, or a commit fails for a reason retrying cannot fix; or {@code
   *     DATA_LOSS} for a message whose CRC does not match its bytes, once the messages before it
   *     are returned ({@link #seek} past it to go on)
   * @throws IllegalStateException once the subscription, or its consumer, is closed
   */
  public List<Message> poll(Duration maxWait) throws InterruptedException {
    if (closed) {
      throw new IllegalStateException("the subscription is closed");
    }
    if (failure != null) {
      // What the previous call returned before the failure was used: committed first.
      commitHandedOut(false);
      throw failure;
    }
    commitHandedOut(false);
    long deadline = System.nanoTime() + maxWait.toNanos();
    while (!closed) {
      if (call == null) {
        long wait = reconnectAtNanos - System.nanoTime();
        if (wait > 0) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            return List.of();
          }
          TimeUnit.NANOSECONDS.sleep(Math.min(wait, left));
          continue;
        }
        connect();
        continue;
      }
      long left = deadline - System.nanoTime();
      Event event = events.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
      if (event == null || closed) {
        return List.of();
      }
      if (event.call() != call) {
        continue;
      }
      if (event.failure() != null) {
        handleFailure(event.failure(), event.trailers());
        continue;
      }
      backoff = FIRST_BACKOFF;
      List<Message> messages = deliver(event.response());
      if (event.response().damaged()) {
        // The messages before the damaged one are delivered; the failure comes at the next poll.
        damaged(event.response());
        if (messages.isEmpty()) {
          throw failure;
        }
        handedOut = next;
        return messages;
      }
      call.request(1);
      if (!messages.isEmpty()) {
        handedOut = next;
        return messages;
      }
    }
    return List.of();
  }

  private List<Message> deliver(SubscribeReply response) {
    state =
        response.caughtUp() && response.topicMissing() ? State.WAITING_FOR_TOPIC : State.READING;
    reconnectReason = null;
    if (response.skipped() > 0) {
      skips.add(new Skip(response.firstAvailable(), response.skipped()));
      // What was skipped is gone: the next message is the oldest left, or a later one.
      next = Math.max(next, response.firstAvailable());
    }
    List<Message> messages = new ArrayList<>(response.messages().size());
    for (Message message : response.messages()) {
      // After a reconnect the server may resend from the resume point; never hand a number twice.
      if (message.number() >= next) {
        messages.add(message);
        next = message.number() + 1;
        fromTime = null;
      }
    }
    return messages;
  }

  /**
   * Ends the call at a damaged message, which {@link #seek} can skip: the one after those the
   * response delivered (after its skip, if it reported one).
   */
  private void damaged(SubscribeReply response) {
    synchronized (callLock) {
      ClientCallStreamObserver<SubscribeRequest> current = call;
      call = null;
      if (current != null) {
        current.cancel("a damaged message", null);
      }
    }
    long number =
        response.messages().isEmpty() && response.skipped() > 0
            ? Math.max(next, response.firstAvailable())
            : next;
    failure =
        connection.failure(
            "subscription to topic '" + topic + "'",
            Status.DATA_LOSS
                .withDescription(
                    "message "
                        + number
                        + " arrived damaged: its CRC32C does not match its bytes (the server's"
                        + " copy may be damaged on disk: mkfk-fsck checks a store; seek past it to"
                        + " go on)")
                .asRuntimeException());
  }

  private void handleFailure(Status status, Metadata trailers) {
    call = null;
    if (RETRIED.contains(status.getCode()) || learnedALargerLimit(status)) {
      reconnectReason =
          connection
              .failure("subscription to topic '" + topic + "'", status.asRuntimeException(trailers))
              .getMessage();
      state = State.RECONNECTING;
      connection.resetBackoff();
      reconnectAtNanos = System.nanoTime() + backoff.toNanos();
      Duration doubled = backoff.multipliedBy(2);
      backoff = doubled.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : doubled;
      return;
    }
    String nextNumber = trailers == null ? null : trailers.get(NEXT_NUMBER);
    failure =
        status.getCode() == Status.Code.OUT_OF_RANGE && nextNumber != null
            ? new PositionOutOfRangeException(topic, next, Long.parseLong(nextNumber))
            : connection.failure(
                "subscription to topic '" + topic + "'", status.asRuntimeException(trailers));
    throw failure;
  }

  /**
   * Whether a response too large for this call's inbound limit will fit the next call: the server's
   * limits, asked for again, are larger than this call was opened with (a server restarted with a
   * larger message size, say).
   */
  private boolean learnedALargerLimit(Status status) {
    if (status.getCode() != Status.Code.RESOURCE_EXHAUSTED) {
      return false;
    }
    return connection.freshLimits().inboundLimit() > callInboundLimit;
  }

  /**
   * Commits a named consumer's handed-out messages, if any are not yet committed. A failure that
   * retrying can fix is left for the next try unless {@code last}; any other is thrown.
   */
  private synchronized void commitHandedOut(boolean last) {
    long upTo = handedOut;
    if (committer == null || upTo == committed) {
      return;
    }
    try {
      committer.accept(upTo);
      committed = upTo;
    } catch (MiniKafkaException e) {
      if (last || !RETRIED.contains(e.code())) {
        throw e;
      }
    }
  }

  /**
   * Makes {@code number} the next number delivered (and, for a named consumer, the position
   * committed next), as Kafka's {@code seek}: to read again, to skip, to say that only the messages
   * below {@code number} of those {@link #poll} returned were used, or to go on after a {@link
   * PositionOutOfRangeException}. Call it from the polling thread.
   */
  public void seek(long number) {
    if (number < 0) {
      throw new IllegalArgumentException("a message number must not be negative, was " + number);
    }
    synchronized (callLock) {
      ClientCallStreamObserver<SubscribeRequest> current = call;
      call = null;
      if (current != null) {
        current.cancel("seek to " + number, null);
      }
    }
    failure = null;
    next = Math.max(number, 1);
    handedOut = next;
    fromTime = null;
    reconnectAtNanos = System.nanoTime();
  }

  /**
   * The expired messages skipped since the last call, oldest first: call it after {@link #poll} to
   * learn what a reader that fell behind retention never got. From the polling thread.
   */
  public List<Skip> takeSkips() {
    List<Skip> taken = new ArrayList<>(skips);
    skips.clear();
    return taken;
  }

  /**
   * What the subscription is doing, as of the last {@link #poll}: for tools that tell their users
   * that the server is gone, that it is back, or that the topic does not exist yet. A server older
   * than this client never says it has caught up: the state stays {@link State#CONNECTING} until a
   * message comes.
   */
  public State state() {
    return state;
  }

  /** Why the subscription is {@link State#RECONNECTING}, in one line; empty otherwise. */
  public java.util.Optional<String> reconnectReason() {
    return java.util.Optional.ofNullable(reconnectReason);
  }

  /** The next number this subscription will deliver. */
  public long nextNumber() {
    return next;
  }

  /**
   * Ends the subscription. A named consumer's position is committed up to the last message handed
   * out.
   *
   * @throws MiniKafkaException if that commit failed; the next consumer of that name then reads
   *     those messages again
   */
  @Override
  public void close() {
    synchronized (callLock) {
      closed = true;
      ClientCallStreamObserver<SubscribeRequest> current = call;
      if (current != null) {
        current.cancel("subscription closed", null);
      }
    }
    try {
      commitHandedOut(true);
    } finally {
      if (owner != null) {
        owner.remove(this);
      }
    }
  }
}
