package io.minikafka.client;

/**
 * Messages a reader never got because they expired before it read them: the server moved it on to
 * the oldest message it still held.
 *
 * @param firstAvailable the oldest number the topic held, where reading went on
 * @param skipped how many numbers were skipped
 */
public record Skip(long firstAvailable, long skipped) {}
