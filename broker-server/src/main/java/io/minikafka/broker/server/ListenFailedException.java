package io.minikafka.broker.server;

import java.io.IOException;

/**
 * The server could not listen on one of its addresses; the message names which, and its setting.
 */
public final class ListenFailedException extends IOException {

  ListenFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
