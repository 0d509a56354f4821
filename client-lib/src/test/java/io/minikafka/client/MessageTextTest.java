package io.minikafka.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** How messages and headers read in a log line or a debugger: their bytes, not arrays' names. */
class MessageTextTest {

  @Test
  void aMessageShowsItsNumberTimeAndTextPayload() {
    Message message = new Message(7, 1_764_756_000_000L, "hello".getBytes(UTF_8));

    assertThat(message)
        .hasToString("Message[number=7, appendTime=2025-12-03T10:00:00Z, payload=\"hello\"]");
  }

  @Test
  void binaryOrLongBytesAreCountedAndKeyAndHeadersShown() {
    Message message =
        new Message(
            3,
            -1,
            new byte[] {(byte) 0xff, 0, 1},
            "order-17".getBytes(UTF_8),
            List.of(Header.of("source", "billing"), new Header("blob", new byte[1000])));

    assertThat(message)
        .hasToString(
            "Message[number=3, payload=3 bytes, key=\"order-17\","
                + " headers=[source=\"billing\", blob=1000 bytes]]");
    assertThat(new Header("tab", "a\tb".getBytes(UTF_8))).hasToString("tab=3 bytes");
    assertThat(new Header("one", new byte[] {(byte) 0x80})).hasToString("one=1 byte");
  }
}
