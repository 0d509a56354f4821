package io.minikafka.cli;

import io.grpc.Status;
import io.minikafka.client.Admin;
import io.minikafka.client.ConnectionConfig;
import io.minikafka.client.Consumer;
import io.minikafka.client.Message;
import io.minikafka.client.MiniKafkaException;
import io.minikafka.client.Producer;
import io.minikafka.client.ProducerRecord;
import io.minikafka.client.TopicDescription;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Copies a topic from one server to another keeping every message's number, key and headers: how a
 * file-store topic moves into Kafka behind a gateway, or between any two servers.
 *
 * <p>The destination topic must be new, or hold nothing below the source's first message, or be a
 * copy stopped half-way (it then resumes). Numbers below the source's first are used up in the
 * destination by empty messages that are deleted at once (a deletion keeps numbering), so the first
 * copied message gets the source's first number. A message numbered differently at the destination
 * (another producer writing there) stops the copy with an error. Append times are the copy's own.
 */
final class TopicCopy {

  /** Marks the empty messages that use up numbers below the source's first. */
  static final String FILLER_HEADER = "minikafka-copy";

  private static final ProducerRecord FILLER =
      ProducerRecord.of(new byte[0]).withHeader(FILLER_HEADER, "filler");

  /** What a copy did. */
  record Outcome(long copied, long first, long next) {}

  private final ConnectionConfig from;
  private final ConnectionConfig to;

  TopicCopy(ConnectionConfig from, ConnectionConfig to) {
    this.from = from;
    this.to = to;
  }

  /**
   * Copies what {@code topic} holds now into {@code target}.
   *
   * @throws IllegalStateException naming why the destination cannot take the copy
   */
  Outcome copy(String topic, String target) {
    TopicDescription source;
    try (Admin admin = new Admin(from)) {
      source = admin.describe(topic);
    }
    long first = source.firstAvailable();
    long end = source.nextNumber();
    Optional<java.time.Duration> retention =
        source.ownRetention() ? Optional.of(source.retention()) : Optional.empty();
    long next;
    try (Admin admin = new Admin(to)) {
      Optional<TopicDescription> found = describeIfAny(admin, target);
      boolean created = found.isEmpty();
      TopicDescription destination = created ? admin.createTopic(target, retention) : found.get();
      try {
        next = startAt(topic, target, destination, first, end);
      } catch (RuntimeException refused) {
        if (created) {
          // A deleted topic came back to be looked at; refused before anything was written to
          // it, it is deleted again, its numbers kept. One that never existed is never refused
          // (it starts at 1, empty).
          try {
            admin.deleteTopic(target);
          } catch (RuntimeException e) {
            refused.addSuppressed(e);
          }
        }
        throw refused;
      }
      long destinationNext = destination.nextNumber();
      if (destinationNext <= first && (destinationNext < first || destination.messageCount() > 0)) {
        useNumbersUpTo(admin, target, destinationNext, first, retention);
      }
    }
    long copied = 0;
    if (next < end) {
      copied = copyRange(topic, target, next, end);
    }
    return new Outcome(copied, first, end);
  }

  /**
   * Where the copy starts at the destination, checking (by reading only) that it can take it.
   *
   * @throws IllegalStateException naming why it cannot
   */
  private long startAt(
      String topic, String target, TopicDescription destination, long first, long end) {
    long next = destination.nextNumber();
    if (next > end) {
      throw new IllegalStateException(
          "destination topic '"
              + target
              + "' is past the source: its next number is "
              + next
              + ", the source's "
              + end);
    }
    if (next <= first) {
      if (destination.messageCount() > 0 && !onlyFillers(target, destination)) {
        throw new IllegalStateException(
            "destination topic '"
                + target
                + "' holds "
                + destination.messageCount()
                + " messages below the source's first number "
                + first
                + "; copy into a new or empty topic");
      }
      return first;
    }
    checkResumable(topic, target, next - 1);
    return next;
  }

  /** A destination that already holds messages must hold the source's: its last one is checked. */
  private void checkResumable(String topic, String target, long number) {
    Message theirs = messageAt(from, topic, number);
    Message ours = messageAt(to, target, number);
    if (theirs == null || ours == null) {
      throw new IllegalStateException(
          "destination topic '"
              + target
              + "' goes on from "
              + (number + 1)
              + " but number "
              + number
              + " is gone from "
              + (ours == null ? "it" : "the source")
              + ", so it cannot be told to be a copy; copy into a new or empty topic");
    }
    if (!(java.util.Arrays.equals(theirs.payload(), ours.payload())
        && java.util.Arrays.equals(theirs.key(), ours.key()))) {
      throw new IllegalStateException(
          "destination topic '"
              + target
              + "' is not a copy of the source (number "
              + number
              + " differs); copy into a new or empty topic");
    }
  }

  /** Whether what the destination holds is the fillers of a copy stopped while making them. */
  private boolean onlyFillers(String target, TopicDescription destination) {
    Message oldest = messageAt(to, target, destination.firstAvailable());
    Message newest = messageAt(to, target, destination.nextNumber() - 1);
    return isFiller(oldest) && isFiller(newest);
  }

  private static boolean isFiller(Message message) {
    return message != null
        && message.payload().length == 0
        && message
            .header(FILLER_HEADER)
            .map(v -> new String(v, java.nio.charset.StandardCharsets.UTF_8).equals("filler"))
            .orElse(false);
  }

  private static Message messageAt(ConnectionConfig server, String topic, long number) {
    try (Consumer consumer = new Consumer(topic, number, server)) {
      List<Message> messages = consumer.poll().messages();
      return !messages.isEmpty() && messages.get(0).number() == number ? messages.get(0) : null;
    }
  }

  private static Optional<TopicDescription> describeIfAny(Admin admin, String target) {
    try {
      return Optional.of(admin.describe(target));
    } catch (MiniKafkaException e) {
      if (e.code() != Status.Code.NOT_FOUND) {
        throw e;
      }
      return Optional.empty();
    }
  }

  /** Gives out numbers {@code next} to {@code first - 1} at the destination, then deletes them. */
  private void useNumbersUpTo(
      Admin admin, String target, long next, long first, Optional<java.time.Duration> retention) {
    try (Producer producer = new Producer(target, to)) {
      List<CompletableFuture<Long>> sent = new ArrayList<>();
      for (long n = next; n < first; n++) {
        sent.add(producer.sendAsync(FILLER));
        if (sent.size() == 10_000 || n == first - 1) {
          producer.flush();
          long last = sent.get(sent.size() - 1).join();
          sent.clear();
          if (last > first - 1) {
            throw new IllegalStateException(
                "another producer wrote to destination topic '" + target + "' during the copy");
          }
        }
      }
    }
    admin.deleteTopic(target);
    TopicDescription back = admin.createTopic(target, retention);
    if (back.nextNumber() != first) {
      throw new IllegalStateException(
          "destination topic '"
              + target
              + "' continues at "
              + back.nextNumber()
              + ", not at the source's first number "
              + first
              + ": another producer wrote to it during the copy");
    }
  }

  private long copyRange(String topic, String target, long next, long end) {
    long copied = 0;
    long expected = next;
    try (Consumer consumer = new Consumer(topic, next, from);
        Producer producer = new Producer(target, to)) {
      while (expected < end) {
        List<Message> messages = consumer.poll().messages();
        if (messages.isEmpty()) {
          throw new IllegalStateException(
              "source topic '" + topic + "' ended at " + expected + " before its number " + end);
        }
        List<CompletableFuture<Long>> sent = new ArrayList<>();
        List<Long> wanted = new ArrayList<>();
        for (Message m : messages) {
          if (m.number() >= end) {
            break;
          }
          if (m.number() != expected) {
            throw new IllegalStateException(
                "source topic '"
                    + topic
                    + "' no longer holds number "
                    + expected
                    + " (it expired during the copy); its first is now "
                    + m.number());
          }
          List<io.minikafka.client.Header> headers = new ArrayList<>(m.headers());
          sent.add(producer.sendAsync(new ProducerRecord(m.key(), headers, m.payload())));
          wanted.add(m.number());
          expected++;
        }
        producer.flush();
        for (int i = 0; i < sent.size(); i++) {
          long got = sent.get(i).join();
          if (got != wanted.get(i)) {
            throw new IllegalStateException(
                "message "
                    + wanted.get(i)
                    + " was stored as "
                    + got
                    + " in destination topic '"
                    + target
                    + "': another producer wrote to it during the copy");
          }
          copied++;
        }
      }
    }
    return copied;
  }
}
