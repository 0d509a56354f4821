package io.minikafka.client;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What every client builder takes: where the server is and how to talk to it. Defaults: {@code
 * 127.0.0.1:9999}, a 5 s timeout, plaintext, no token.
 *
 * @param <B> the concrete builder, returned by each setter so that calls chain in any order
 */
public abstract class ClientBuilder<B extends ClientBuilder<B>> {

  private String host = "127.0.0.1:9999";
  private Duration timeout = Duration.ofSeconds(5);
  private ClientTls tls;
  private String token;

  ClientBuilder() {}

  @SuppressWarnings("unchecked")
  private B self() {
    return (B) this;
  }

  /** The server, such as {@code localhost:9999} or {@code :9999} (this machine). */
  public B host(String value) {
    host = Objects.requireNonNull(value, "host");
    return self();
  }

  /** How long each call may take. */
  public B timeout(Duration value) {
    timeout = Objects.requireNonNull(value, "timeout");
    return self();
  }

  /** Talks TLS to the server as {@code value} says. */
  public B tls(ClientTls value) {
    tls = Objects.requireNonNull(value, "tls");
    return self();
  }

  /** Sends {@code value} as a bearer token with every call. */
  public B token(String value) {
    token = Objects.requireNonNull(value, "token");
    return self();
  }

  /**
   * The connection these settings describe.
   *
   * @throws IllegalArgumentException if the host, the timeout or the token is malformed
   */
  ConnectionConfig connection() {
    return new ConnectionConfig(
        host, timeout, Optional.ofNullable(tls), Optional.ofNullable(token));
  }

  /** A required value, or an error naming what is missing. */
  static <T> T required(T value, String what) {
    if (value == null) {
      throw new IllegalStateException(what + " is needed: call ." + what + "(...) before build()");
    }
    return value;
  }
}
