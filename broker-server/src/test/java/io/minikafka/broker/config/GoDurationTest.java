package io.minikafka.broker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class GoDurationTest {

  @ParameterizedTest
  @CsvSource({
    "500ms, PT0.5S",
    "10s, PT10S",
    "1h30m, PT1H30M",
    "2h45m30.5s, PT2H45M30.5S",
    "168h, PT168H",
    "7d, PT168H",
    "1.5h, PT1H30M",
    "100us, PT0.0001S",
    "100µs, PT0.0001S",
    "250ns, PT0.00000025S",
    "0, PT0S",
    "1d12h, PT36H",
    "-3s, PT-3S",
  })
  void parsesGoSyntaxAndDays(String text, String iso) {
    assertThat(GoDuration.parse(text)).isEqualTo(Duration.parse(iso));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "10", "10x", "ms", "1..5s", "1h 30m", "abc", "1.s.", "h1"})
  void rejectsWhatGoRejects(String text) {
    assertThatThrownBy(() -> GoDuration.parse(text)).isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @CsvSource({
    "PT168H, 168h0m0s",
    "PT10S, 10s",
    "PT1H30M, 1h30m0s",
    "PT0.5S, 500ms",
    "PT1.5S, 1.5s",
    "PT0.0001S, 100µs",
    "PT0S, 0s",
    "PT16H48M, 16h48m0s",
  })
  void formatsLikeGo(String iso, String text) {
    assertThat(GoDuration.format(Duration.parse(iso))).isEqualTo(text);
  }
}
