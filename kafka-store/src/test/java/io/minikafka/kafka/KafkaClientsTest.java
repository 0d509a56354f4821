package io.minikafka.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.junit.jupiter.api.Test;

class KafkaClientsTest {

  private static KafkaClients clients(Map<String, String> user) {
    KafkaStoreConfig defaults = KafkaStoreConfig.of("127.0.0.1:1");
    return new KafkaClients(
        new KafkaStoreConfig(
            defaults.bootstrap(),
            user,
            defaults.topicPrefix(),
            Optional.empty(),
            Duration.ofDays(1),
            defaults.maxMessageBytes(),
            defaults.limits(),
            defaults.appendTimes(),
            defaults.timeout()));
  }

  @Test
  void consumersFetchJustUnderFourMebibytesIntoTwoMebibyteSocketBuffersByDefault() {
    Map<String, Object> props = clients(Map.of()).consumerProperties("read", Map.of());

    // 64 KiB under 4 MiB: the response, framing and all, stays below half an 8 MiB G1 region.
    assertThat(props)
        .containsEntry(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 4_128_768)
        .containsEntry(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 4_128_768)
        .containsEntry(ConsumerConfig.RECEIVE_BUFFER_CONFIG, 2 * 1024 * 1024)
        .containsEntry("bootstrap.servers", "127.0.0.1:1");
  }

  @Test
  void theUsersPropertiesOverrideTheDefaultsAndTheStoresOwnNeedsOverrideBoth() {
    Map<String, Object> props =
        clients(
                Map.of(
                    ConsumerConfig.RECEIVE_BUFFER_CONFIG,
                    "65536",
                    ConsumerConfig.GROUP_ID_CONFIG,
                    "theirs",
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                    "true",
                    ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
                    "7",
                    "acks",
                    "0"))
            .consumerProperties("read", Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000));

    assertThat(props)
        .containsEntry(ConsumerConfig.RECEIVE_BUFFER_CONFIG, "65536")
        .containsEntry(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000)
        .containsEntry(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false)
        .containsEntry(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none")
        .doesNotContainKey(ConsumerConfig.GROUP_ID_CONFIG)
        .doesNotContainKey("acks");
  }
}
