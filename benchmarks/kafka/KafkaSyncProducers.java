import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Kafka doing what {@code mkfk-perf produce --sync --producers N} does, the original MiniKafka
 * API's way of producing: N threads, each sending one record and waiting for its acknowledgement
 * before the next (acks=all, idempotence, linger 0), sharing one producer as threads of one
 * application do. Prints one line in mkfk-perf's format.
 *
 * <p>Run with the Kafka client jars: java -cp "lib/*" KafkaSyncProducers.java BOOTSTRAP TOPIC
 * MESSAGES PRODUCERS SIZE
 */
public final class KafkaSyncProducers {

  public static void main(String[] args) throws Exception {
    String bootstrap = args[0];
    String topic = args[1];
    int messages = Integer.parseInt(args[2]);
    int producers = Integer.parseInt(args[3]);
    int size = Integer.parseInt(args[4]);
    int each = messages / producers;
    long[] latencies = new long[each * producers];
    AtomicReference<Throwable> failure = new AtomicReference<>();
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            Map.of(
                "bootstrap.servers", bootstrap,
                "acks", "all",
                "enable.idempotence", true,
                "linger.ms", 0,
                "key.serializer", ByteArraySerializer.class,
                "value.serializer", ByteArraySerializer.class))) {
      // The first send fetches the topic's metadata: not timed, as mkfk-perf's connection is not.
      producer.send(new ProducerRecord<>(topic, 0, null, new byte[size])).get();
      CountDownLatch done = new CountDownLatch(producers);
      long start = System.nanoTime();
      for (int p = 0; p < producers; p++) {
        int first = p * each;
        Thread thread =
            new Thread(
                () -> {
                  try {
                    byte[] value = new byte[size];
                    for (int i = 0; i < each && failure.get() == null; i++) {
                      long sent = System.nanoTime();
                      producer
                          .send(new ProducerRecord<>(topic, 0, null, value))
                          .get(30, TimeUnit.SECONDS);
                      latencies[first + i] = System.nanoTime() - sent;
                    }
                  } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                  } finally {
                    done.countDown();
                  }
                });
        thread.start();
      }
      done.await();
      long elapsed = System.nanoTime() - start;
      if (failure.get() != null) {
        System.out.println("a send failed: " + failure.get());
        System.exit(1);
      }
      Arrays.sort(latencies);
      double sum = 0;
      for (long latency : latencies) {
        sum += latency;
      }
      int total = latencies.length;
      System.out.printf(
          "%d records, %.1f records/sec (%.2f MB/sec), %.2f ms avg latency, %.2f ms p50, %.2f ms"
              + " p99, %.2f ms p99.9, %.2f ms max latency%n",
          total,
          total * 1e9 / elapsed,
          total * (double) size * 1e9 / elapsed / 1e6,
          sum / total / 1e6,
          at(latencies, 0.50),
          at(latencies, 0.99),
          at(latencies, 0.999),
          latencies[total - 1] / 1e6);
    }
  }

  private static double at(long[] sorted, double quantile) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(quantile * sorted.length) - 1)] / 1e6;
  }
}
