package io.minikafka.broker.server;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.minikafka.broker.config.Setting;
import io.minikafka.broker.security.PermissionDeniedException;
import io.minikafka.broker.store.CorruptRecordException;
import io.minikafka.broker.store.LimitExceededException;
import io.minikafka.broker.store.ReadPastEndException;
import io.minikafka.broker.store.StoreClosedException;
import io.minikafka.broker.store.StoreFailedException;
import io.minikafka.broker.store.StoreFullException;
import io.minikafka.broker.store.TopicExistsException;
import io.minikafka.broker.store.TopicUnavailableException;
import io.minikafka.broker.store.UnknownTopicException;
import java.io.IOException;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one place where failures become gRPC statuses. */
final class StatusMapper {

  private static final Logger LOG = LoggerFactory.getLogger(StatusMapper.class);

  private StatusMapper() {}

  /**
   * Trailer of an OUT_OF_RANGE status, and of a NOT_FOUND one for a deleted topic: the topic's next
   * number, for clients to resume or start from.
   */
  static final Metadata.Key<String> NEXT_NUMBER =
      Metadata.Key.of("minikafka-next-number", Metadata.ASCII_STRING_MARSHALLER);

  /**
   * Trailer of an UNAVAILABLE status that the server's store caused (a failed disk, a file that
   * could not be written): the server answered, so clients say it failed rather than that it could
   * not be reached.
   */
  static final Metadata.Key<String> STORE_FAILURE =
      Metadata.Key.of("minikafka-store-failure", Metadata.ASCII_STRING_MARSHALLER);

  /** The failure as the exception a call ends with: its status, and trailers where they help. */
  static StatusRuntimeException toException(Throwable thrown) {
    Throwable failure = unwrapped(thrown);
    Status status = toStatus(failure);
    return status.asRuntimeException(trailers(failure, status));
  }

  /** The trailers of a call that failed with {@code thrown}, mapped to {@code status}. */
  static Metadata trailers(Throwable thrown, Status status) {
    Throwable failure = unwrapped(thrown);
    Metadata trailers = new Metadata();
    if (failure instanceof ReadPastEndException pastEnd) {
      trailers.put(NEXT_NUMBER, Long.toString(pastEnd.nextNumber()));
    } else if (failure instanceof UnknownTopicException unknown && unknown.nextNumber() > 0) {
      // A deleted topic: where a reader of only new messages starts.
      trailers.put(NEXT_NUMBER, Long.toString(unknown.nextNumber()));
    } else if (failure instanceof IOException
        && !(failure instanceof StoreClosedException)
        && status.getCode() == Status.Code.UNAVAILABLE) {
      trailers.put(STORE_FAILURE, "true");
    }
    return trailers;
  }

  /** What failed, out of the wrapper a future's callbacks see it in. */
  private static Throwable unwrapped(Throwable failure) {
    Throwable cause = failure;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  static Status toStatus(Throwable thrown) {
    Throwable failure = unwrapped(thrown);
    // Refusals (INVALID_ARGUMENT, PERMISSION_DENIED, RESOURCE_EXHAUSTED) are logged by
    // CallLog, with the client's address and at a bounded rate; never a payload's bytes.
    if (failure instanceof IllegalArgumentException) {
      return Status.INVALID_ARGUMENT.withDescription(failure.getMessage());
    }
    if (failure instanceof PermissionDeniedException) {
      return Status.PERMISSION_DENIED.withDescription(failure.getMessage());
    }
    if (failure instanceof StatusRuntimeException given) {
      return given.getStatus();
    }
    if (failure instanceof ReadPastEndException) {
      return Status.OUT_OF_RANGE.withDescription(failure.getMessage());
    }
    if (failure instanceof TopicUnavailableException) {
      return Status.FAILED_PRECONDITION.withDescription(failure.getMessage());
    }
    if (failure instanceof StoreFailedException) {
      // Logged once, when the disk failed; every refused write says why.
      return Status.UNAVAILABLE.withDescription(failure.getMessage());
    }
    if (failure instanceof TopicExistsException) {
      return Status.ALREADY_EXISTS.withDescription(failure.getMessage());
    }
    if (failure instanceof UnknownTopicException) {
      return Status.NOT_FOUND.withDescription(failure.getMessage());
    }
    if (failure instanceof CorruptRecordException) {
      LOG.error("Data loss: {}", failure.getMessage());
      return Status.DATA_LOSS.withDescription(failure.getMessage());
    }
    if (failure instanceof LimitExceededException limit) {
      Setting setting =
          switch (limit.limit()) {
            case TOPICS -> Setting.MAX_TOPICS;
            case CONSUMERS_PER_TOPIC -> Setting.MAX_CONSUMERS_PER_TOPIC;
            case MEMORY_BYTES -> Setting.MAX_MEMORY_BYTES;
            case MIN_FREE_DISK -> Setting.MIN_FREE_DISK;
          };
      return Status.RESOURCE_EXHAUSTED.withDescription(
          failure.getMessage() + " (" + setting.envVar() + ")");
    }
    if (failure instanceof StoreFullException) {
      return Status.RESOURCE_EXHAUSTED.withDescription(failure.getMessage());
    }
    if (failure instanceof StoreClosedException) {
      return Status.UNAVAILABLE.withDescription("server is shutting down");
    }
    if (failure instanceof IOException) {
      LOG.warn("Store I/O failure: {}", failure.toString());
      return Status.UNAVAILABLE.withDescription(failure.getMessage()).withCause(failure);
    }
    LOG.error("Unexpected failure", failure);
    return Status.INTERNAL.withDescription("internal error: " + failure).withCause(failure);
  }
}
