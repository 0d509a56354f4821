package io.minikafka.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A topic named on the command line. An empty name is a usage error here, before any connection: no
 * server takes one. Other limits (MiniKafka's 249 bytes) are the server's to say.
 */
final class TopicArgument implements ITypeConverter<String> {
  @Override
  public String convert(String value) {
    if (value.isEmpty()) {
      throw new TypeConversionException("a topic name must not be empty");
    }
    return value;
  }
}
