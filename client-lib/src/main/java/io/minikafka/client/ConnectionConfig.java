package io.minikafka.client;

import io.minikafka.protocol.Endpoint;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a client finds its server and how it talks to it: the address, how long each call may take,
 * TLS, and the token that identifies it. Producer, Consumer and Admin take one; those with the same
 * address, TLS settings and token share one connection.
 *
 * <pre>{@code
 * ConnectionConfig server =
 *     ConnectionConfig.of("broker.example:9999", Duration.ofSeconds(5))
 *         .withTls(ClientTls.trusting(Path.of("ca.pem")))
 *         .withToken(System.getenv("MINIKAFKA_TOKEN"));
 * }</pre>
 *
 * @param host the server, such as {@code localhost:9999} or {@code :9999} (this machine)
 * @param timeout how long each call may take; positive
 * @param tls TLS settings, or empty for plaintext
 * @param token the bearer token sent with every call, or empty for none; never shown by {@link
 *     #toString()}
 */
public record ConnectionConfig(
    String host, Duration timeout, Optional<ClientTls> tls, Optional<String> token) {

  /**
   * @throws IllegalArgumentException if the host or the timeout is malformed
   */
  public ConnectionConfig {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(tls, "tls");
    Objects.requireNonNull(token, "token");
    Endpoint.parse(host);
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, was " + timeout);
    }
    if (token.isPresent() && !isSendable(token.get())) {
      throw new IllegalArgumentException("a token must be printable ASCII without spaces");
    }
  }

  /** Whether {@code token} can be sent as a bearer token: printable ASCII without spaces. */
  public static boolean isSendable(String token) {
    return !token.isEmpty() && token.chars().allMatch(c -> c > 0x20 && c < 0x7f);
  }

  /** Plaintext, without a token: the original's way. */
  public static ConnectionConfig of(String host, Duration timeout) {
    return new ConnectionConfig(host, timeout, Optional.empty(), Optional.empty());
  }

  public ConnectionConfig withTls(ClientTls value) {
    return new ConnectionConfig(host, timeout, Optional.of(value), token);
  }

  /** Sends {@code value} as {@code authorization: Bearer <value>} with every call. */
  public ConnectionConfig withToken(String value) {
    return new ConnectionConfig(host, timeout, tls, Optional.of(value));
  }

  public ConnectionConfig withTimeout(Duration value) {
    return new ConnectionConfig(host, value, tls, token);
  }

  @Override
  public String toString() {
    return "ConnectionConfig[host="
        + host
        + ", timeout="
        + timeout
        + ", tls="
        + tls
        + ", token="
        + (token.isPresent() ? "(set)" : "(none)")
        + "]";
  }
}
