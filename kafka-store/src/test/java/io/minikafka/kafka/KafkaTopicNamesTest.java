package io.minikafka.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KafkaTopicNamesTest {

  private final KafkaTopicNames names = new KafkaTopicNames("minikafka.");

  @Test
  void lettersDigitsAndDashesStayOtherBytesAreEscaped() {
    assertThat(names.kafkaName("orders-2026")).isEqualTo("minikafka.orders-2026");
    assertThat(names.kafkaName("orders.eu")).isEqualTo("minikafka.orders_2Eeu");
    assertThat(names.kafkaName("topic_foo")).isEqualTo("minikafka.topic_5Ffoo");
    assertThat(names.kafkaName("caf\u00e9 au lait")).isEqualTo("minikafka.caf_C3_A9_20au_20lait");
  }

  @Test
  void everyNameComesBackFromItsKafkaNameOrIsHashed() {
    Random random = new Random(42);
    for (int i = 0; i < 2_000; i++) {
      String topic = randomName(random);
      String kafka = names.kafkaName(topic);
      assertThat(kafka.length()).isLessThanOrEqualTo(249);
      assertThat(kafka).matches("[a-zA-Z0-9._-]+");
      assertThat(kafka.substring("minikafka.".length())).doesNotContain(".");
      if (kafka.startsWith("minikafka._x")) {
        assertThat(names.decode(kafka)).isEmpty();
      } else {
        assertThat(names.decode(kafka)).as(topic).contains(topic);
      }
    }
  }

  @Test
  void namesTooLongToEscapeInPlaceAreHashedAndStillDistinct() {
    String longest = "\u00e9".repeat(124);
    String other = "\u00e9".repeat(123) + "e";
    assertThat(names.kafkaName(longest)).startsWith("minikafka._x").hasSize(10 + 2 + 64);
    assertThat(names.kafkaName(longest)).isNotEqualTo(names.kafkaName(other));
    assertThat(names.kafkaName("a".repeat(239))).isEqualTo("minikafka." + "a".repeat(239));
    assertThat(names.kafkaName("a".repeat(240))).startsWith("minikafka._x");
  }

  @Test
  void distinctNamesNeverShareAKafkaNameNorCollideByDotAndUnderscore() {
    Set<String> seen = new HashSet<>();
    for (String topic : List.of("a.b", "a_b", "a_2Eb", "a-b", "A.b", "a b", "a\u00b7b")) {
      String kafka = names.kafkaName(topic);
      assertThat(seen.add(kafka.replace('.', '_'))).as(topic + " -> " + kafka).isTrue();
    }
  }

  @Test
  void theCatalogAndOtherPrefixesAreNotTopics() {
    assertThat(names.catalogTopic()).isEqualTo("minikafka._catalog");
    assertThat(names.decode(names.catalogTopic())).isEmpty();
    assertThat(names.decode("other.orders")).isEmpty();
    assertThat(names.decode("minikafka.bad_Z1")).isEmpty();
    assertThat(names.decode("minikafka.cut_2")).isEmpty();
  }

  @Test
  void aPrefixKafkaWouldRefuseIsRejectedWithItsRule() {
    assertThatThrownBy(() -> new KafkaTopicNames("mini kafka."))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'mini kafka.'")
        .hasMessageContaining("letters, digits");
    assertThatThrownBy(() -> new KafkaTopicNames("p".repeat(184)))
        .hasMessageContaining("at most 183");
  }

  private static String randomName(Random random) {
    int length = 1 + random.nextInt(random.nextBoolean() ? 20 : 120);
    StringBuilder name = new StringBuilder();
    while (name.length() < length) {
      int codePoint =
          switch (random.nextInt(4)) {
            case 0 -> 'a' + random.nextInt(26);
            case 1 -> 0x20 + random.nextInt(0x5f);
            case 2 -> 0xa0 + random.nextInt(0x700);
            default -> 0x1f600 + random.nextInt(0x40);
          };
      name.appendCodePoint(codePoint);
    }
    String topic = name.toString();
    while (topic.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 249) {
      topic =
          topic.substring(
              0, topic.offsetByCodePoints(0, topic.codePointCount(0, topic.length()) - 1));
    }
    return topic;
  }
}
