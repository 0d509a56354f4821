import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Kafka's end-to-end latency at a fixed rate, the work {@code mkfk-perf e2e} does: records sent at
 * RATE per second whatever the latency (linger 0, acks=all), each stamped with the send time, and
 * read by a consumer in the same JVM that notes how long each took. The first WARMUP are not
 * counted. Prints one line in mkfk-perf's format.
 *
 * <p>Run with the Kafka client jars: java -cp "lib/*" KafkaEndToEnd.java BOOTSTRAP TOPIC MESSAGES
 * WARMUP RATE SIZE
 */
public final class KafkaEndToEnd {

  public static void main(String[] args) throws Exception {
    String bootstrap = args[0];
    String topic = args[1];
    int messages = Integer.parseInt(args[2]);
    int warmup = Integer.parseInt(args[3]);
    int rate = Integer.parseInt(args[4]);
    int size = Integer.parseInt(args[5]);
    int total = warmup + messages;
    long[] latencies = new long[messages];
    AtomicInteger received = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    TopicPartition partition = new TopicPartition(topic, 0);

    KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(
            Map.of(
                "bootstrap.servers", bootstrap,
                "fetch.max.wait.ms", 500,
                "key.deserializer", ByteArrayDeserializer.class,
                "value.deserializer", ByteArrayDeserializer.class));
    consumer.assign(List.of(partition));
    consumer.seekToEnd(List.of(partition));
    consumer.position(partition);
    Thread reader =
        new Thread(
            () -> {
              long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
              while (received.get() < total && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                  long now = System.nanoTime();
                  long sent = ByteBuffer.wrap(record.value()).getLong(0);
                  int index = (int) ByteBuffer.wrap(record.value()).getLong(8);
                  if (index >= warmup) {
                    latencies[index - warmup] = now - sent;
                  }
                  received.incrementAndGet();
                }
              }
            });
    reader.start();

    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            Map.of(
                "bootstrap.servers", bootstrap,
                "acks", "all",
                "linger.ms", 0,
                "key.serializer", ByteArraySerializer.class,
                "value.serializer", ByteArraySerializer.class))) {
      long interval = TimeUnit.SECONDS.toNanos(1) / rate;
      long start = System.nanoTime();
      for (int i = 0; i < total; i++) {
        long due = start + i * interval;
        long wait;
        while ((wait = due - System.nanoTime()) > 0) {
          LockSupport.parkNanos(wait);
        }
        byte[] value = new byte[Math.max(16, size)];
        ByteBuffer.wrap(value).putLong(0, System.nanoTime()).putLong(8, i);
        producer.send(
            new ProducerRecord<>(topic, 0, null, value),
            (metadata, e) -> {
              if (e != null) {
                failed.incrementAndGet();
              }
            });
      }
      producer.flush();
      long sendSeconds = System.nanoTime() - start;
      reader.join();
      consumer.close();
      if (received.get() < total || failed.get() > 0) {
        System.out.printf("received %d of %d, %d sends failed%n", received.get(), total, failed.get());
        System.exit(1);
      }
      Arrays.sort(latencies);
      double sum = 0;
      for (long latency : latencies) {
        sum += latency;
      }
      System.out.printf(
          "%d records, %.1f records/sec (%.2f MB/sec), %.2f ms avg latency, %.2f ms p50, %.2f ms"
              + " p99, %.2f ms p99.9, %.2f ms max latency%n",
          messages,
          total * 1e9 / sendSeconds,
          total * (double) size * 1e9 / sendSeconds / 1e6,
          sum / messages / 1e6,
          at(latencies, 0.50),
          at(latencies, 0.99),
          at(latencies, 0.999),
          latencies[messages - 1] / 1e6);
    }
  }

  private static double at(long[] sorted, double quantile) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(quantile * sorted.length) - 1)] / 1e6;
  }
}
