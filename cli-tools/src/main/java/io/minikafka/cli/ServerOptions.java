package io.minikafka.cli;

import io.minikafka.broker.config.GoDuration;
import io.minikafka.client.ClientTls;
import io.minikafka.client.ConnectionConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The options every client CLI shares: which server, how to reach it (TLS, token), how long to
 * wait, how much to say on failure. Inherited by subcommands, so that {@code mkfk-admin --host H
 * topics} and {@code mkfk-admin topics --host H} mean the same.
 */
class ServerOptions {

  private static final String DEFAULT_HOST = "127.0.0.1:9999";

  @Option(
      scope = ScopeType.INHERIT,
      names = {"--host", "-host"},
      paramLabel = "HOST:PORT",
      defaultValue = "${env:MINIKAFKA_HOST:-" + DEFAULT_HOST + "}",
      description =
          "Server address; :PORT means this machine (default: $MINIKAFKA_HOST or ${DEFAULT-VALUE}).")
  String host;

  @Option(
      scope = ScopeType.INHERIT,
      names = {"--timeout", "-timeout"},
      paramLabel = "DURATION",
      defaultValue = "5s",
      description = "How long each call may take, such as 500ms or 5s (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Option(
      scope = ScopeType.INHERIT,
      names = "--tls",
      description =
          "Talk TLS to the server, trusting the system's CA certificates unless --ca-cert says otherwise.")
  boolean tls;

  @Option(
      scope = ScopeType.INHERIT,
      names = "--ca-cert",
      paramLabel = "FILE",
      defaultValue = "${env:MINIKAFKA_CA_CERT}",
      description = "PEM CA certificates to trust; implies --tls (default: $MINIKAFKA_CA_CERT).")
  Path caCert;

  @Option(
      scope = ScopeType.INHERIT,
      names = "--cert",
      paramLabel = "FILE",
      defaultValue = "${env:MINIKAFKA_CERT}",
      description =
          "PEM client certificate for mutual TLS; implies --tls (default: $MINIKAFKA_CERT).")
  Path cert;

  @Option(
      scope = ScopeType.INHERIT,
      names = "--key",
      paramLabel = "FILE",
      defaultValue = "${env:MINIKAFKA_KEY}",
      description = "PEM private key of --cert (default: $MINIKAFKA_KEY).")
  Path key;

  @Option(
      scope = ScopeType.INHERIT,
      names = "--token",
      paramLabel = "TOKEN",
      defaultValue = "${env:MINIKAFKA_TOKEN}",
      description =
          "Bearer token identifying this client (default: $MINIKAFKA_TOKEN); --token-file keeps it out of ps.")
  String token;

  @Option(
      scope = ScopeType.INHERIT,
      names = "--token-file",
      paramLabel = "FILE",
      description = "Read the token from this file (a trailing newline is not part of it).")
  Path tokenFile;

  @Option(
      scope = ScopeType.INHERIT,
      names = "--verbose",
      description = "On failure, print the stack trace too.")
  boolean verbose;

  /**
   * How to reach the server, as the options say.
   *
   * @throws IllegalArgumentException naming the option that is wrong
   */
  ConnectionConfig connection() {
    if (timeout.compareTo(Duration.ofMillis(1)) < 0) {
      // Calls' deadlines are whole milliseconds: anything shorter could only fail.
      throw new IllegalArgumentException(
          "--timeout must be at least 1ms, was " + GoDuration.format(timeout));
    }
    // An empty value, such as a variable set to nothing, means the default, as unset does.
    Path caCert = given(this.caCert);
    Path cert = given(this.cert);
    Path key = given(this.key);
    ConnectionConfig config = ConnectionConfig.of(host.isEmpty() ? DEFAULT_HOST : host, timeout);
    if (tls || caCert != null || cert != null || key != null) {
      if ((cert == null) != (key == null)) {
        throw new IllegalArgumentException(
            cert == null
                ? "--key (MINIKAFKA_KEY) needs --cert (MINIKAFKA_CERT)"
                : "--cert (MINIKAFKA_CERT) needs --key (MINIKAFKA_KEY)");
      }
      ClientTls clientTls =
          new ClientTls(
              Optional.ofNullable(caCert), Optional.ofNullable(cert), Optional.ofNullable(key));
      config = config.withTls(clientTls);
    }
    Optional<String> given = token();
    if (given.isPresent()) {
      config = config.withToken(given.get());
    }
    return config;
  }

  private Optional<String> token() {
    // The two flags conflict; a flag overrides the variable, as everywhere else. A --token equal
    // to the variable's value cannot be told from it, and gives way to the file the same.
    boolean tokenFlag =
        token != null && !token.isEmpty() && !token.equals(System.getenv("MINIKAFKA_TOKEN"));
    if (tokenFile != null && tokenFlag) {
      throw new IllegalArgumentException("give --token or --token-file, not both");
    }
    if (tokenFile != null) {
      try {
        String text = stripNewline(Files.readString(tokenFile, StandardCharsets.UTF_8));
        if (text.isEmpty()) {
          throw new IllegalArgumentException("--token-file " + tokenFile + " is empty");
        }
        if (!ConnectionConfig.isSendable(text)) {
          throw new IllegalArgumentException(
              "--token-file " + tokenFile + ": a token must be printable ASCII without spaces");
        }
        return Optional.of(text);
      } catch (NoSuchFileException e) {
        throw new IllegalArgumentException("--token-file " + tokenFile + ": no such file");
      } catch (IOException e) {
        throw new IllegalArgumentException(
            "--token-file " + tokenFile + " cannot be read: " + e.getMessage());
      }
    }
    return token == null || token.isEmpty() ? Optional.empty() : Optional.of(token);
  }

  private static Path given(Path path) {
    return path == null || path.toString().isEmpty() ? null : path;
  }

  /** A token as typed or saved: one trailing newline (LF or CRLF) is not part of it. */
  static String stripNewline(String text) {
    if (text.endsWith("\r\n")) {
      return text.substring(0, text.length() - 2);
    }
    return text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
  }
}
