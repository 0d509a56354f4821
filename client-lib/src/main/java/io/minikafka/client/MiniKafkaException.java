package io.minikafka.client;

import io.grpc.Status;

/**
 * A call to the MiniKafka server failed. The message is one readable line; {@link #errorCode()}
 * says what kind of failure it was, for code that needs to tell them apart ({@link
 * ErrorCode#UNAVAILABLE}: the server could not be reached; {@link ErrorCode#UNKNOWN_TOPIC}; {@link
 * ErrorCode#INVALID_ARGUMENT}: input the server refused).
 */
public class MiniKafkaException extends RuntimeException {

  /** What kind of failure a call met. */
  public enum ErrorCode {
    /** The server could not be reached, or went away: retrying may succeed. */
    UNAVAILABLE,
    /** No answer within the call's timeout. */
    TIMEOUT,
    /** The topic does not exist: nothing was produced to it, or it was deleted. */
    UNKNOWN_TOPIC,
    /** The topic asked to be created exists already. */
    TOPIC_EXISTS,
    /** The server refused the input, such as an invalid topic name or a message over its limit. */
    INVALID_ARGUMENT,
    /**
     * A limit was reached: one of the server's (the message names its setting), or the producer's
     * buffer, full for longer than its maximum block time.
     */
    LIMIT_EXCEEDED,
    /** The number read from is past the topic's end ({@link PositionOutOfRangeException}). */
    OUT_OF_RANGE,
    /** Stored messages are damaged. */
    DATA_LOSS,
    /** The topic cannot be used now: its directory could not be read at the server's start. */
    FAILED_PRECONDITION,
    /** The server does not know this client's identity (token or certificate). */
    UNAUTHENTICATED,
    /** The identity may not do this on this topic. */
    PERMISSION_DENIED,
    /** The call was cancelled. */
    CANCELLED,
    /** Anything else: a fault of the server or of the client. */
    INTERNAL;

    static ErrorCode of(Status.Code code) {
      return switch (code) {
        case UNAVAILABLE -> UNAVAILABLE;
        case DEADLINE_EXCEEDED -> TIMEOUT;
        case NOT_FOUND -> UNKNOWN_TOPIC;
        case ALREADY_EXISTS -> TOPIC_EXISTS;
        case INVALID_ARGUMENT -> INVALID_ARGUMENT;
        case RESOURCE_EXHAUSTED -> LIMIT_EXCEEDED;
        case OUT_OF_RANGE -> OUT_OF_RANGE;
        case DATA_LOSS -> DATA_LOSS;
        case FAILED_PRECONDITION -> FAILED_PRECONDITION;
        case UNAUTHENTICATED -> UNAUTHENTICATED;
        case PERMISSION_DENIED -> PERMISSION_DENIED;
        case CANCELLED -> CANCELLED;
        default -> INTERNAL;
      };
    }
  }

  private final transient Status status;

  public MiniKafkaException(String message, Status status) {
    super(message, status.asRuntimeException());
    this.status = status;
  }

  /** What kind of failure this is. */
  public ErrorCode errorCode() {
    return ErrorCode.of(status.getCode());
  }

  /** The gRPC status of the failed call, for code that works with gRPC itself. */
  public Status status() {
    return status;
  }

  /** Shorthand for {@code status().getCode()}. */
  public Status.Code code() {
    return status.getCode();
  }
}
