package io.minikafka.broker.config;

/**
 * A setting has a value that cannot be used; the message is one line naming it, the value and an
 * example.
 */
public class ConfigException extends IllegalArgumentException {

  public ConfigException(String message) {
    super(message);
  }
}
