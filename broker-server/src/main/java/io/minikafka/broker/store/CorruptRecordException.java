package io.minikafka.broker.store;

/** A stored record failed its integrity check (CRC, framing or numbering) when read. */
public class CorruptRecordException extends StoreException {

  public CorruptRecordException(String message) {
    super(message);
  }
}
