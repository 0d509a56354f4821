package io.minikafka.kafka;

import java.io.IOException;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.RecordTooLargeException;

/** Kafka's failures in the store's terms: one place that words them. */
final class KafkaFailures {

  private final String bootstrap;

  /**
   * @param bootstrap the servers a failure names
   */
  KafkaFailures(String bootstrap) {
    this.bootstrap = bootstrap;
  }

  /** A failure of {@code what} (such as "store to topic 'x'"), worded for the caller. */
  IOException translate(String what, Throwable failure) {
    Throwable cause = unwrap(failure);
    if (cause instanceof RecordTooLargeException) {
      return new IOException(
          "cannot " + what + ": Kafka refused it as too large: " + cause.getMessage(), cause);
    }
    return new KafkaUnavailableException(
        "cannot " + what + ": Kafka at " + bootstrap + " " + describe(cause), cause);
  }

  /** A failure in the store's own words, naming the cluster. */
  KafkaUnavailableException unavailable(String problem) {
    return new KafkaUnavailableException("Kafka at " + bootstrap + ": " + problem);
  }

  /** What went wrong, as the end of a sentence about Kafka. */
  static String describe(Throwable failure) {
    Throwable cause = unwrap(failure);
    if (cause instanceof java.util.concurrent.TimeoutException
        || cause instanceof org.apache.kafka.common.errors.TimeoutException) {
      return "did not answer in time (is it running and reachable?)";
    }
    if (cause instanceof AuthenticationException) {
      return "refused the store's credentials: " + cause.getMessage();
    }
    if (cause instanceof AuthorizationException) {
      return "denied the store access: " + cause.getMessage();
    }
    return "failed: " + cause;
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof ExecutionException
            || cause instanceof java.util.concurrent.CompletionException
            || cause instanceof org.apache.kafka.common.KafkaException
                && cause.getClass() == org.apache.kafka.common.KafkaException.class)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }
}
