package io.minikafka.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.security.MessageDigest;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Throughput and push delivery through the real CLIs as processes. */
class LiveDeliveryIT {

  @Test
  void aMillionPipedLinesGoThroughTheProducerAndComeBackInOrder() throws Exception {
    StringBuilder lines = new StringBuilder();
    for (int i = 1; i <= 1_000_000; i++) {
      lines.append(i).append('\n');
    }
    byte[] input = lines.toString().getBytes(UTF_8);
    try (ServerProcess server = ServerProcess.start(Map.of())) {
      MiniKafkaHome.Outcome produced =
          MiniKafkaHome.run(
              "mkfk-producer", Map.of(), input, 300, "-host", server.host(), "-topic", "seq");
      assertThat(produced.exitCode()).as(produced.stderr()).isZero();
      assertThat(produced.stderr())
          .contains("sent 1000000 messages")
          .contains("numbers 1 to 1000000");

      MiniKafkaHome.Outcome consumed =
          MiniKafkaHome.run(
              "mkfk-consumer",
              Map.of(),
              new byte[0],
              300,
              "-host",
              server.host(),
              "-topic",
              "seq",
              "--once");
      assertThat(consumed.exitCode()).as(consumed.stderr()).isZero();
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      assertThat(sha.digest(consumed.stdout()))
          .isEqualTo(MessageDigest.getInstance("SHA-256").digest(input));
    }
  }

  @Test
  void followPrintsEachNewMessageAsItIsProduced() throws Exception {
    try (ServerProcess server = ServerProcess.start(Map.of())) {
      Process follower =
          MiniKafkaHome.command(
                  "mkfk-consumer", Map.of(), "-host", server.host(), "-topic", "live", "--follow")
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      try (BufferedReader out =
          new BufferedReader(new InputStreamReader(follower.getInputStream(), UTF_8))) {
        for (String text : new String[] {"one", "two", "three"}) {
          MiniKafkaHome.Outcome produced =
              MiniKafkaHome.run(
                  "mkfk-producer",
                  Map.of(),
                  (text + "\n").getBytes(UTF_8),
                  60,
                  "-host",
                  server.host(),
                  "-topic",
                  "live");
          assertThat(produced.exitCode()).as(produced.stderr()).isZero();
          assertThat(out.readLine()).isEqualTo(text);
        }
      } finally {
        follower.destroy();
        follower.waitFor(30, TimeUnit.SECONDS);
      }
    }
  }
}
