package io.minikafka.cli;

import io.minikafka.client.MiniKafkaException;
import java.util.ArrayDeque;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * What became of each line {@code mkfk-producer} sent, in line order, so that a failure can say
 * which lines are stored and where to resume.
 *
 * <p>Lines 1 to {@link #stored()} are confirmed; the first line not confirmed is the one whose
 * failure is reported. Lines queued after it may still be stored (a failed stream fails its batches
 * in flight, while batches still waiting go out on a new one), so those are counted apart. Memory
 * is bounded by the sends in flight: settled sends at the head of the queue are taken as they
 * complete. Used by one thread; the futures may complete on others.
 */
final class SendOutcomes {

  private final ArrayDeque<CompletableFuture<Long>> unsettled = new ArrayDeque<>();
  private volatile boolean failureSeen;
  private long stored;
  private long firstNumber;
  private long lastNumber;
  private Throwable failure;
  private long after;
  private long storedAfter;

  /** Adds the next line's send. */
  void add(CompletableFuture<Long> send) {
    send.whenComplete(
        (number, error) -> {
          if (error != null) {
            failureSeen = true;
          }
        });
    unsettled.add(send);
    while (!unsettled.isEmpty() && unsettled.peek().isDone()) {
      take(unsettled.poll());
    }
  }

  /** Whether any send has failed yet, in any order: the producer stops reading lines then. */
  boolean failureSeen() {
    return failureSeen;
  }

  /** Waits for every send added to complete (after the producer's flush, none waits). */
  void settle() {
    while (!unsettled.isEmpty()) {
      take(unsettled.poll());
    }
  }

  private void take(CompletableFuture<Long> send) {
    Throwable error = null;
    long number = 0;
    try {
      number = send.join();
    } catch (CompletionException e) {
      error = e.getCause() == null ? e : e.getCause();
    } catch (CancellationException e) {
      error = e;
    }
    if (failure != null) {
      after++;
      storedAfter += error == null ? 1 : 0;
    } else if (error != null) {
      failure = error;
    } else {
      if (stored++ == 0) {
        firstNumber = number;
      }
      lastNumber = number;
    }
  }

  /** Sends added and not yet taken: those in flight, and any completed behind one. */
  int unsettled() {
    return unsettled.size();
  }

  /** How many lines, from the first on, are confirmed stored. */
  long stored() {
    return stored;
  }

  long firstNumber() {
    return firstNumber;
  }

  long lastNumber() {
    return lastNumber;
  }

  /** The failure of the first line not confirmed, or null. Call after {@link #settle()}. */
  Throwable failure() {
    return failure;
  }

  /**
   * What is stored and what is not, for the error line: {@code stored: lines 1 to 2 (numbers 1 to
   * 2); not confirmed: line 3 and the 4 lines read after it}. Lines not confirmed may still have
   * been stored (a timeout, a lost connection), as the server acknowledged none of them. Call after
   * {@link #settle()}.
   */
  String summary() {
    String storedPart =
        stored == 0
            ? "none confirmed"
            : stored == 1
                ? "line 1 (number " + firstNumber + ")"
                : "lines 1 to " + stored + " (numbers " + firstNumber + " to " + lastNumber + ")";
    if (failure == null) {
      return "stored: " + storedPart;
    }
    String failedLine = "line " + (stored + 1);
    String lines = after == 1 ? " line" : " lines";
    String notConfirmed =
        after == 0
            ? failedLine
            : storedAfter == 0
                ? failedLine + " and the " + after + lines + " read after it"
                : failedLine
                    + " and "
                    + (after - storedAfter)
                    + " of the "
                    + after
                    + lines
                    + " read after it (the other "
                    + storedAfter
                    + (storedAfter == 1 ? " is" : " are")
                    + " stored, so a resend from line "
                    + (stored + 1)
                    + " repeats "
                    + (storedAfter == 1 ? "it)" : "them)");
    return "stored: " + storedPart + "; not confirmed: " + notConfirmed;
  }

  /** The failure as the command reports it: its own message, then {@link #summary()}. */
  RuntimeException reported() {
    String message = failure.getMessage() + "; " + summary();
    if (failure instanceof MiniKafkaException known) {
      MiniKafkaException reported = new MiniKafkaException(message, known.status());
      // Its own trace, for --verbose.
      reported.addSuppressed(known);
      return reported;
    }
    return new IllegalStateException(message, failure);
  }
}
