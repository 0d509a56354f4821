package io.minikafka.broker.security;

import java.util.Locale;

/** A known principal asked for an operation its permissions do not grant. */
public final class PermissionDeniedException extends RuntimeException {

  public PermissionDeniedException(String principal, Operation operation, String topic) {
    super(
        "principal '"
            + principal
            + "' is not allowed to "
            + operation.word()
            + " on topic '"
            + topic
            + "' (it needs "
            + (operation.grant() == Operation.Grant.ADMIN
                ? "admin"
                : operation.grant().name().toLowerCase(Locale.ROOT)
                    + ":"
                    + topic
                    + " or a pattern covering it")
            + " in the auth file)");
  }
}
