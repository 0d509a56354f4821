package io.minikafka.broker.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.minikafka.broker.config.ConfigException;
import io.minikafka.broker.config.ServerConfig;
import io.minikafka.broker.server.MiniKafkaServer;
import io.minikafka.broker.store.memory.MemoryStore;
import io.minikafka.protocol.Endpoint;
import io.minikafka.protocol.ListTopicsRequest;
import io.minikafka.protocol.ListTopicsResponse;
import io.minikafka.protocol.MiniKafkaGrpc;
import io.minikafka.protocol.PemFiles;
import io.minikafka.protocol.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The server over TLS and mutual TLS, with real handshakes on a loopback socket. */
class ServerTlsTest {

  @TempDir Path dir;

  @Test
  void aTlsClientTrustingTheCaIsServedAndAPlaintextOrWronglyTrustingOneIsNot() throws Exception {
    TestPki pki = TestPki.create(dir, "good");
    TestPki stranger = TestPki.create(dir, "stranger");
    TestPki.Issued cert = pki.server();
    try (MiniKafkaServer server =
        start(new ServerConfig.TlsFiles(cert.cert(), cert.key(), Optional.empty()), null)) {
      assertThat(list(server, trusting(pki.caCert(), null)).getTopicsList()).isEmpty();

      assertThat(failure(server, InsecureChannelCredentials.create()))
          .isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(failure(server, trusting(stranger.caCert(), null)))
          .isEqualTo(Status.Code.UNAVAILABLE);
    }
  }

  @Test
  void mutualTlsRefusesAClientWithoutACertificateOrWithOneOfAnotherCa() throws Exception {
    TestPki pki = TestPki.create(dir, "good");
    TestPki stranger = TestPki.create(dir, "stranger");
    TestPki.Issued cert = pki.server();
    try (MiniKafkaServer server =
        start(
            new ServerConfig.TlsFiles(cert.cert(), cert.key(), Optional.of(pki.caCert())), null)) {
      assertThat(list(server, trusting(pki.caCert(), pki.client("app"))).getTopicsList()).isEmpty();

      assertThat(failure(server, trusting(pki.caCert(), null))).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(failure(server, trusting(pki.caCert(), stranger.client("app"))))
          .isEqualTo(Status.Code.UNAVAILABLE);
    }
  }

  @Test
  void aClientCertificateCnIsAnIdentityOfTheAuthFile() throws Exception {
    TestPki pki = TestPki.create(dir, "good");
    TestPki.Issued cert = pki.server();
    Path auth = Files.writeString(dir.resolve("auth"), "cn:reporting reports consume:*\n");
    try (MiniKafkaServer server =
        start(
            new ServerConfig.TlsFiles(cert.cert(), cert.key(), Optional.of(pki.caCert())), auth)) {
      assertThat(list(server, trusting(pki.caCert(), pki.client("reporting"))).getTopicsList())
          .isEmpty();

      StatusRuntimeException unknown =
          (StatusRuntimeException)
              catchFailure(server, trusting(pki.caCert(), pki.client("intruder")));
      assertThat(unknown.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
      assertThat(unknown.getStatus().getDescription())
          .isEqualTo("client certificate CN 'intruder' is not in the auth file");
    }
  }

  @Test
  void everyKeyFormatServes() throws Exception {
    TestPki pki = TestPki.create(dir, "good");
    for (TestPki.KeyFormat format : TestPki.KeyFormat.values()) {
      TestPki.Issued cert = pki.server(format);
      try (MiniKafkaServer server =
          start(new ServerConfig.TlsFiles(cert.cert(), cert.key(), Optional.empty()), null)) {
        assertThat(list(server, trusting(pki.caCert(), null)).getTopicsList())
            .as(format.name())
            .isEmpty();
      }
    }
  }

  @Test
  void aCertificateExpiredOrNotYetValidIsNamedWithWhen() {
    TestPki pki = TestPki.create(dir, "dates");
    TestPki.Issued cert = pki.server();
    ServerConfig.TlsFiles files =
        new ServerConfig.TlsFiles(cert.cert(), cert.key(), Optional.empty());
    Instant now = Instant.now();

    assertThat(ServerTls.validityProblems(files, now)).isEmpty();
    assertThat(ServerTls.validityProblems(files, now.plus(Duration.ofDays(3))))
        .singleElement()
        .asString()
        .startsWith(
            "MINIKAFKA_TLS_CERT (--tls-cert) " + cert.cert() + ": the certificate 'CN=localhost'")
        .contains(" expired at ")
        .endsWith("; TLS clients will refuse it");
    assertThat(ServerTls.validityProblems(files, now.minus(Duration.ofHours(2))))
        .singleElement()
        .asString()
        .contains("is not valid before ")
        .endsWith("; TLS clients will refuse it until then");
  }

  @Test
  void aServerStartedWithAnExpiredCertificateSaysSoInItsLog() throws Exception {
    TestPki pki = TestPki.create(dir, "expired");
    TestPki.Issued cert = pki.server();
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
    root.addAppender(logged);
    try (MiniKafkaServer server =
        start(
            new ServerConfig.TlsFiles(cert.cert(), cert.key(), Optional.empty()),
            null,
            Clock.offset(Clock.systemUTC(), Duration.ofDays(3)))) {
      assertThat(logged.list)
          .filteredOn(e -> e.getFormattedMessage().contains("expired at"))
          .singleElement()
          .satisfies(
              e -> {
                assertThat(e.getLevel()).isEqualTo(Level.WARN);
                assertThat(e.getFormattedMessage()).contains(cert.cert().toString());
              });
    } finally {
      root.detachAppender(logged);
    }
  }

  @Test
  void wrongFilesAreSettingErrorsNamingTheSetting() {
    TestPki pki = TestPki.create(dir, "good");
    TestPki.Issued server = pki.server();
    TestPki.Issued other = pki.client("other");
    Path missing = dir.resolve("missing.pem");

    assertThatThrownBy(
            () ->
                ServerTls.credentials(
                    new ServerConfig.TlsFiles(server.cert(), other.key(), Optional.empty())))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(
            "MINIKAFKA_TLS_KEY (--tls-key) " + other.key() + " is not the key of the certificate");
    assertThatThrownBy(
            () ->
                ServerTls.credentials(
                    new ServerConfig.TlsFiles(missing, server.key(), Optional.empty())))
        .isInstanceOf(ConfigException.class)
        .hasMessage("MINIKAFKA_TLS_CERT (--tls-cert) " + missing + ": no such file");
    assertThatThrownBy(
            () ->
                ServerTls.credentials(
                    new ServerConfig.TlsFiles(
                        server.cert(), server.key(), Optional.of(server.key()))))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(
            "MINIKAFKA_TLS_CLIENT_CA (--tls-client-ca) "
                + server.key()
                + " holds no PEM certificate");
  }

  private static MiniKafkaServer start(ServerConfig.TlsFiles tls, Path authFile) throws Exception {
    return start(tls, authFile, Clock.systemUTC());
  }

  private static MiniKafkaServer start(ServerConfig.TlsFiles tls, Path authFile, Clock clock)
      throws Exception {
    return MiniKafkaServer.start(
        new MemoryStore(),
        ServerConfig.builder()
            .host(Endpoint.parse("127.0.0.1:0"))
            .tls(tls)
            .authFile(authFile)
            .build(),
        clock);
  }

  private static ChannelCredentials trusting(Path ca, TestPki.Issued client) {
    TlsChannelCredentials.Builder tls =
        TlsChannelCredentials.newBuilder().trustManager(PemFiles.trustManagers(ca, "ca"));
    if (client != null) {
      tls.keyManager(PemFiles.keyManagers(client.cert(), "cert", client.key(), "key"));
    }
    return tls.build();
  }

  private static ListTopicsResponse list(MiniKafkaServer server, ChannelCredentials credentials)
      throws Exception {
    ManagedChannel channel =
        Grpc.newChannelBuilderForAddress("127.0.0.1", server.port(), credentials).build();
    try {
      return MiniKafkaGrpc.newBlockingStub(channel)
          .withDeadlineAfter(10, TimeUnit.SECONDS)
          .listTopics(ListTopicsRequest.getDefaultInstance());
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static Status.Code failure(MiniKafkaServer server, ChannelCredentials credentials)
      throws Exception {
    return Status.fromThrowable(catchFailure(server, credentials)).getCode();
  }

  private static Throwable catchFailure(MiniKafkaServer server, ChannelCredentials credentials)
      throws Exception {
    try {
      list(server, credentials);
    } catch (StatusRuntimeException e) {
      return e;
    }
    throw new AssertionError("the call was served");
  }
}
