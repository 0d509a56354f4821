package io.minikafka.protocol;

import java.util.Objects;

/**
 * A MiniKafka address as the original wrote it: {@code host:port}, or {@code :port} for no host.
 *
 * <p>A server bound to an endpoint without a host listens on every interface; a client dialling one
 * connects to the local machine, as Go's {@code net.Dial(":9999")} does. IPv6 hosts are written in
 * brackets: {@code [::1]:9999}.
 *
 * @param host the host name or address, empty when none was given; never bracketed
 * @param port 0 to 65535; 0 asks a server for any free port
 */
public record Endpoint(String host, int port) {

  /** Example shown in parse errors. */
  public static final String EXAMPLE = "127.0.0.1:9999 or :9999";

  public Endpoint {
    Objects.requireNonNull(host, "host");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " is outside 0-65535");
    }
  }

  /**
   * Parses {@code host:port}, {@code :port} or {@code [ipv6]:port}.
   *
   * @throws IllegalArgumentException naming what is wrong with {@code text}
   */
  public static Endpoint parse(String text) {
    Objects.requireNonNull(text, "text");
    String trimmed = text.trim();
    int colon = trimmed.lastIndexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException(
          "'" + text + "' has no port; expected host:port such as " + EXAMPLE);
    }
    String host = trimmed.substring(0, colon);
    String portText = trimmed.substring(colon + 1);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    } else if (host.indexOf(':') >= 0) {
      throw new IllegalArgumentException(
          "'" + text + "' is ambiguous; write IPv6 hosts in brackets, such as [::1]:9999");
    }
    int port;
    try {
      port = Integer.parseInt(portText);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "'" + text + "' has no valid port; expected host:port such as " + EXAMPLE);
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("'" + text + "' has port " + port + ", outside 0-65535");
    }
    return new Endpoint(host, port);
  }

  /** Whether no host was given. */
  public boolean anyHost() {
    return host.isEmpty();
  }

  /** The host a client should dial: the given one, or {@code localhost} when none was given. */
  public String dialHost() {
    return anyHost() ? "localhost" : host;
  }

  /** A gRPC target string for dialling this endpoint. */
  public String target() {
    String h = dialHost();
    return (h.indexOf(':') >= 0 ? "[" + h + "]" : h) + ":" + port;
  }

  /** The same host with another port. */
  public Endpoint withPort(int newPort) {
    return new Endpoint(host, newPort);
  }

  @Override
  public String toString() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }
}
