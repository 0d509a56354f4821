package io.minikafka.broker.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.minikafka.broker.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class AuthFileTest {

  @TempDir Path dir;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger(AuthFile.class);

  @BeforeEach
  void captureLogs() {
    logs.start();
    logger.addAppender(logs);
  }

  @AfterEach
  void stop() {
    timer.shutdownNow();
    logger.detachAppender(logs);
  }

  @Test
  void aMissingOrBrokenFileAtStartIsASettingErrorNamingTheVariable() throws Exception {
    Path missing = dir.resolve("auth");
    assertThatThrownBy(() -> AuthFile.load(missing))
        .isInstanceOf(ConfigException.class)
        .hasMessage("MINIKAFKA_AUTH_FILE (--auth-file) " + missing + ": no such file");

    Files.writeString(missing, "cn:a a fly:anywhere\n");
    assertThatThrownBy(() -> AuthFile.load(missing))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(
            "MINIKAFKA_AUTH_FILE (--auth-file) "
                + missing
                + ", line 1, permission 1 ('fly') is unknown");

    Files.write(missing, new byte[] {'c', 'n', ':', (byte) 0xff});
    assertThatThrownBy(() -> AuthFile.load(missing)).hasMessageContaining("is not UTF-8 text");
  }

  @Test
  void aFileRewrittenInPlaceIsReloadedWithinSeconds() throws Exception {
    Path path = Files.writeString(dir.resolve("auth"), "cn:a alice consume:*\n");
    AuthFile file = AuthFile.load(path);
    file.watch(timer);

    Files.writeString(path, "cn:a alice consume:*\ncn:b bob admin\n");

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> file.rules().byCertificateCn("b").isPresent());
  }

  @Test
  void aFileReplacedByARenameIsReloadedWithinSeconds() throws Exception {
    Path path = Files.writeString(dir.resolve("auth"), "cn:a alice consume:*\n");
    AuthFile file = AuthFile.load(path);
    file.watch(timer);

    Path next = Files.writeString(dir.resolve("auth.new"), "cn:c carol admin\n");
    Files.move(next, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> file.rules().byCertificateCn("c").isPresent());
    assertThat(file.rules().byCertificateCn("a")).isEmpty();
  }

  @Test
  void contentsThatDoNotParseKeepTheOldRulesAndSayWhyOnce() throws Exception {
    Path path = Files.writeString(dir.resolve("auth"), "cn:a alice consume:*\n");
    AuthFile file = AuthFile.load(path);

    Files.writeString(path, "cn:a alice consume:*\ncn:b bob bogus\n");
    file.reload();
    file.reload();

    assertThat(file.rules().byCertificateCn("a")).isPresent();
    assertThat(file.rules().byCertificateCn("b")).isEmpty();
    assertThat(logs.list)
        .filteredOn(
            e ->
                e.getFormattedMessage()
                    .contains("does not parse, line 2, permission 1 ('bogus') is unknown"))
        .hasSize(2);

    Files.delete(path);
    file.reload();
    assertThat(file.rules().byCertificateCn("a")).as("a vanished file keeps the rules").isPresent();

    Files.writeString(path, "cn:b bob admin\n");
    file.reload();
    assertThat(file.rules().byCertificateCn("b")).isPresent();
  }

  @Test
  void theWatcherLogsABrokenFileOnceNotEverySecond() throws Exception {
    Path path = Files.writeString(dir.resolve("auth"), "cn:a alice consume:*\n");
    AuthFile file = AuthFile.load(path);
    file.watch(timer);

    Files.writeString(path, "cn:a alice nonsense\n");
    await().atMost(Duration.ofSeconds(10)).until(() -> !logs.list.isEmpty());
    Files.writeString(path, "cn:z zed admin\n");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> file.rules().byCertificateCn("z").isPresent());

    assertThat(logs.list)
        .filteredOn(e -> e.getFormattedMessage().contains("does not parse"))
        .hasSize(1);
  }
}
