package io.minikafka.kafka;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Makes the store's Kafka clients: its defaults, then the user's properties (each client takes
 * those it knows, so none logs warnings about the others'), then what the store cannot work
 * without.
 */
final class KafkaClients {

  /**
   * What a fetch asks for: 4 MiB less room for the response's framing, so that the response, which
   * Kafka's consumer reads into one array, stays under 4 MiB: half of the 8 MiB G1 regions the
   * launcher asks for, below which an array is an ordinary young object rather than a humongous one
   * (bin/mkfk-launch).
   */
  static final int FETCH_BYTES = 4 * 1024 * 1024 - 64 * 1024;

  private static final AtomicInteger IDS = new AtomicInteger();

  private final KafkaStoreConfig config;
  private final String clientId;

  KafkaClients(KafkaStoreConfig config) {
    this.config = config;
    this.clientId = "minikafka-" + ProcessHandle.current().pid() + "-" + IDS.incrementAndGet();
  }

  Admin admin() {
    Map<String, Object> props = base(AdminClientConfig.configNames(), "admin");
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMillis());
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMillis());
    props.putAll(user(AdminClientConfig.configNames()));
    return Admin.create(props);
  }

  /**
   * A producer that keeps each topic's order and never duplicates on retry (idempotence), and
   * acknowledges only what every in-sync replica holds.
   */
  KafkaProducer<byte[], byte[]> producer(String role, Map<String, Object> forced) {
    Map<String, Object> props = base(ProducerConfig.configNames(), role);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMillis());
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.max(1_000, timeoutMillis() / 2));
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, timeoutMillis() + 1_000);
    props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, maxBatchBytes());
    props.putAll(user(ProducerConfig.configNames()));
    props.putAll(forced);
    // Kafka refuses a delivery timeout shorter than linger plus request timeout, whoever set them.
    long floor =
        Long.parseLong(props.get(ProducerConfig.LINGER_MS_CONFIG).toString())
            + Long.parseLong(props.get(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG).toString());
    long delivery = Long.parseLong(props.get(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG).toString());
    props.put(
        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
        (int) Math.min(Integer.MAX_VALUE, Math.max(delivery, floor)));
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    return new KafkaProducer<>(props);
  }

  /** A consumer without a group: it is assigned partitions and told where to read. */
  KafkaConsumer<byte[], byte[]> consumer(String role, Map<String, Object> forced) {
    return new KafkaConsumer<>(consumerProperties(role, forced));
  }

  /**
   * The properties of {@link #consumer}: the store's defaults, then the user's, then {@code
   * forced}, then what a consumer without a group needs.
   */
  Map<String, Object> consumerProperties(String role, Map<String, Object> forced) {
    Map<String, Object> props = base(ConsumerConfig.configNames(), role);
    // Fetches of about 4 MiB and a 2 MiB socket buffer (what Kafka's ConsumerPerformance asks for;
    // the kernel caps it at net.core.rmem_max) take fewer fetch requests and socket reads than
    // Kafka's defaults (1 MiB, 64 KiB). A gateway reading 100-byte records measured 14-21% more
    // records per second with them (docs/PERFORMANCE.md).
    props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, FETCH_BYTES);
    props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, FETCH_BYTES);
    props.put(ConsumerConfig.RECEIVE_BUFFER_CONFIG, 2 * 1024 * 1024);
    props.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMillis());
    props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMillis());
    props.putAll(user(ConsumerConfig.configNames()));
    props.putAll(forced);
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
    props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    return props;
  }

  /**
   * The largest Kafka record batch a topic is made to take: a batch of the largest request the
   * server reads, with Kafka's per-record framing.
   */
  int maxBatchBytes() {
    long bytes = 2L * config.maxMessageBytes() + 1024 * 1024;
    return bytes > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) bytes;
  }

  private int timeoutMillis() {
    return (int) Math.min(Integer.MAX_VALUE, config.timeout().toMillis());
  }

  private Map<String, Object> base(Set<String> known, String role) {
    Map<String, Object> props = new HashMap<>();
    props.put("bootstrap.servers", config.bootstrap());
    if (known.contains("client.id")) {
      props.put("client.id", clientId + "-" + role + "-" + IDS.incrementAndGet());
    }
    return props;
  }

  private Map<String, Object> user(Set<String> known) {
    Map<String, Object> props = new HashMap<>();
    config
        .clientProperties()
        .forEach(
            (key, value) -> {
              if (known.contains(key)) {
                props.put(key, value);
              }
            });
    return props;
  }
}
