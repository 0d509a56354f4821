package io.minikafka.client;

/** Receives the messages of a {@link Consumer#subscribe subscription}, one at a time, in order. */
@FunctionalInterface
public interface MessageHandler {

  /** Called for each message, on the subscription's own thread. */
  void onMessage(Message message) throws Exception;

  /**
   * Called when numbers the subscription wanted had expired before it could deliver them.
   *
   * @param firstAvailable the oldest number the topic still held
   * @param skipped how many numbers were skipped
   */
  default void onSkip(long firstAvailable, long skipped) {}
}
