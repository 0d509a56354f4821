package io.minikafka.broker.store;

/**
 * A reader asked for numbers past a topic's end: numbers this store never gave (it lost them, or
 * was restored from an older copy). Waiting would only hand the reader later messages under numbers
 * it believes it has read, so it must start again lower.
 */
public class ReadPastEndException extends StoreException {

  private final long nextNumber;

  public ReadPastEndException(String topic, long readFrom, long nextNumber) {
    super(
        "read from "
            + readFrom
            + " is past the end of topic '"
            + topic
            + "', whose next number is "
            + nextNumber
            + " (the server lost or never had the numbers in between); read from "
            + nextNumber
            + " or lower");
    this.nextNumber = nextNumber;
  }

  /** The topic's next number. */
  public long nextNumber() {
    return nextNumber;
  }
}
