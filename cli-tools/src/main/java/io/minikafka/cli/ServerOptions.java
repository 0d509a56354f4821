package io.minikafka.cli;

import java.time.Duration;
import picocli.CommandLine.Option;

/** The options every client CLI shares: which server, how long to wait, how much to say on failure. */
class ServerOptions {

  @Option(
      names = {"--host", "-host"},
      paramLabel = "HOST:PORT",
      defaultValue = "${env:MINIKAFKA_HOST:-127.0.0.1:9999}",
      description = "Server address; :PORT means this machine (default: $MINIKAFKA_HOST or ${DEFAULT-VALUE}).")
  String host;

  @Option(
      names = {"--timeout", "-timeout"},
      paramLabel = "DURATION",
      defaultValue = "5s",
      description = "How long each call may take, such as 500ms or 5s (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Option(names = "--verbose", description = "On failure, print the stack trace too.")
  boolean verbose;
}
