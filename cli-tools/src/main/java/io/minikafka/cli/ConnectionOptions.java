package io.minikafka.cli;

import picocli.CommandLine.Option;

/** The options of the CLIs that work on one topic: the server's, and which topic. */
final class ConnectionOptions extends ServerOptions {

  @Option(
      names = {"--topic", "-topic"},
      paramLabel = "TOPIC",
      converter = TopicArgument.class,
      required = true,
      description = "Topic name.")
  String topic;
}
