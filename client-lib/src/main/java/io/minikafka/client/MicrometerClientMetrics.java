package io.minikafka.client;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Client metrics in a Micrometer registry, for applications that use Micrometer (it is an optional
 * dependency of the client: add {@code io.micrometer:micrometer-core} to use this class). Meters,
 * each tagged with its topic: {@code minikafka.client.sent}, {@code .acknowledged} and {@code
 * .failed} (messages), {@code minikafka.client.batch.size} (messages per batch sent), and {@code
 * minikafka.client.consumer.lag} (messages a named consumer has still to read, tagged with its name
 * too).
 *
 * <p>{@code Producer.builder().metrics(new MicrometerClientMetrics(registry))}, and the same for
 * {@code Consumer.builder()}.
 */
public final class MicrometerClientMetrics implements ClientMetrics {

  private final MeterRegistry registry;
  private final Map<String, AtomicLong> lags = new ConcurrentHashMap<>();

  public MicrometerClientMetrics(MeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  @Override
  public void sent(String topic, int messages) {
    Counter.builder("minikafka.client.sent")
        .description("Messages sent to the server")
        .tag("topic", topic)
        .register(registry)
        .increment(messages);
    DistributionSummary.builder("minikafka.client.batch.size")
        .description("Messages per batch sent")
        .tag("topic", topic)
        .register(registry)
        .record(messages);
  }

  @Override
  public void acknowledged(String topic, int messages) {
    Counter.builder("minikafka.client.acknowledged")
        .description("Messages the server stored")
        .tag("topic", topic)
        .register(registry)
        .increment(messages);
  }

  @Override
  public void failed(String topic, int messages) {
    Counter.builder("minikafka.client.failed")
        .description("Messages whose send failed")
        .tag("topic", topic)
        .register(registry)
        .increment(messages);
  }

  @Override
  public void lag(String topic, String consumer, long messages) {
    lags.computeIfAbsent(
            topic + '\0' + consumer,
            key -> {
              AtomicLong value = new AtomicLong();
              Gauge.builder("minikafka.client.consumer.lag", value, AtomicLong::get)
                  .description("Messages a named consumer has still to read")
                  .tags("topic", topic, "consumer", consumer)
                  .register(registry);
              return value;
            })
        .set(messages);
  }
}
