package io.minikafka.broker.store;

import java.util.List;

/**
 * What keeps a store from working fully, for health checks and operators.
 *
 * @param writable false when the store refuses every write (its storage failed); the server then
 *     reports itself not serving
 * @param problems one line each: what is wrong (a failed disk, a topic that could not be read),
 *     empty when all is well
 */
public record StoreHealth(boolean writable, List<String> problems) {

  /** Nothing wrong. */
  public static final StoreHealth HEALTHY = new StoreHealth(true, List.of());

  public StoreHealth {
    problems = List.copyOf(problems);
  }
}
