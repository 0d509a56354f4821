package io.minikafka.broker.security;

/**
 * What a call does to a topic, as permissions and PERMISSION_DENIED messages name it. Each belongs
 * to the permission that grants it: {@code produce:<pattern>}, {@code consume:<pattern>} or {@code
 * admin}.
 */
public enum Operation {
  PRODUCE("produce", Grant.PRODUCE),
  POLL("poll", Grant.CONSUME),
  SUBSCRIBE("subscribe", Grant.CONSUME),
  DESCRIBE("describe", Grant.CONSUME),
  COMMIT("commit", Grant.CONSUME),
  FETCH("fetch", Grant.CONSUME),
  DELETE("delete", Grant.ADMIN),
  CREATE("create", Grant.ADMIN),
  ALTER("alter", Grant.ADMIN);

  /** The permission kinds of the auth file. */
  public enum Grant {
    PRODUCE,
    CONSUME,
    ADMIN
  }

  private final String word;
  private final Grant grant;

  Operation(String word, Grant grant) {
    this.word = word;
    this.grant = grant;
  }

  /**
   * How messages name it: produce, poll, subscribe, describe, commit, fetch, delete, create or
   * alter.
   */
  public String word() {
    return word;
  }

  public Grant grant() {
    return grant;
  }
}
