package io.minikafka.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.minikafka.broker.config.ServerConfig;
import io.minikafka.broker.security.AuthRules;
import io.minikafka.broker.server.MiniKafkaServer;
import io.minikafka.broker.store.memory.MemoryStore;
import io.minikafka.protocol.Endpoint;
import io.minikafka.protocol.TestPki;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Producer, Consumer and Admin over TLS, mutual TLS and tokens, against a real server. */
class SecureConnectionTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final String WRITER = "writer-token-41d2";
  private static final String READER = "reader-token-99ab";

  @TempDir Path dir;
  private TestPki pki;
  private MiniKafkaServer server;
  private String host;

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create(dir, "pki");
    TestPki.Issued cert = pki.server();
    Path auth =
        Files.writeString(
            dir.resolve("auth"),
            AuthRules.hashToken(WRITER)
                + " writer produce:events\n"
                + AuthRules.hashToken(READER)
                + " reader consume:events\n"
                + "cn:ops-console ops admin\n");
    server =
        MiniKafkaServer.start(
            new MemoryStore(),
            ServerConfig.builder()
                .host(Endpoint.parse("127.0.0.1:0"))
                .tls(new ServerConfig.TlsFiles(cert.cert(), cert.key(), Optional.of(pki.caCert())))
                .authFile(auth)
                .build(),
            Clock.systemUTC());
    host = "127.0.0.1:" + server.port();
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  private ConnectionConfig tls(TestPki.Issued client) {
    return ConnectionConfig.of(host, TIMEOUT)
        .withTls(
            ClientTls.trusting(pki.caCert()).withClientCertificate(client.cert(), client.key()));
  }

  @Test
  void tokensOverMutualTlsProduceConsumeAndAdministerAsPermitted() throws Exception {
    TestPki.Issued app = pki.client("app");
    try (Producer producer = new Producer("events", tls(app).withToken(WRITER));
        Consumer consumer = new Consumer("events", 1, tls(app).withToken(READER));
        Admin ops = new Admin(tls(pki.client("ops-console")))) {
      assertThat(producer.sendMessage("one".getBytes(UTF_8))).isEqualTo(1);
      assertThat(producer.sendAsync("two".getBytes(UTF_8)).join()).isEqualTo(2);
      assertThat(consumer.poll().messages()).hasSize(2);
      try (Consumer live = new Consumer("events", 1, tls(app).withToken(READER));
          Subscription subscription = live.subscribe()) {
        assertThat(subscription.poll(TIMEOUT)).isNotEmpty();
      }
      assertThat(ops.topics()).containsExactly("events");
      assertThat(ops.deleteTopic("events")).isEqualTo(2);
    }
  }

  @Test
  void aDeniedCallIsOneLineNamingThePrincipalTheOperationAndTheTopic() {
    try (Producer reader = new Producer("events", tls(pki.client("app")).withToken(READER))) {
      assertThatThrownBy(() -> reader.sendMessage("x".getBytes(UTF_8)))
          .isInstanceOf(MiniKafkaException.class)
          .hasMessage(
              "send to topic 'events' failed: principal 'reader' is not allowed to produce on topic 'events'"
                  + " (it needs produce:events or a pattern covering it in the auth file)")
          .satisfies(
              e ->
                  assertThat(((MiniKafkaException) e).code())
                      .isEqualTo(Status.Code.PERMISSION_DENIED));
    }
  }

  @Test
  void anUnknownTokenIsUnauthenticatedAndTheTokenIsNotInTheMessage() {
    try (Admin admin = new Admin(tls(pki.client("app")).withToken("not-a-known-token"))) {
      assertThatThrownBy(admin::topics)
          .isInstanceOf(MiniKafkaException.class)
          .hasMessageContaining("does not accept this client's identity: unknown token")
          .hasMessageNotContaining("not-a-known-token")
          .satisfies(
              e ->
                  assertThat(((MiniKafkaException) e).code())
                      .isEqualTo(Status.Code.UNAUTHENTICATED));
    }
  }

  @Test
  void aServerCertificateTheClientDoesNotTrustIsAFailedHandshakeSaidAsSuch() {
    TestPki stranger = TestPki.create(dir, "stranger");
    ConnectionConfig untrusting =
        ConnectionConfig.of(host, TIMEOUT)
            .withTls(
                ClientTls.trusting(stranger.caCert())
                    .withClientCertificate(pki.client("app").cert(), pki.client("app").key()));
    try (Admin admin = new Admin(untrusting)) {
      assertThatThrownBy(admin::topics)
          .isInstanceOf(MiniKafkaException.class)
          .hasMessageStartingWith(
              "listing topics failed: TLS handshake with MiniKafka server at " + host + " failed");
    }
  }

  @Test
  void aServerCertificateExpiredOrNotYetValidIsSaidAsSuch() throws Exception {
    Instant now = Instant.now();
    TestPki.Issued expired =
        pki.server(now.minus(Duration.ofDays(3)), now.minus(Duration.ofDays(1)));
    TestPki.Issued early = pki.server(now.plus(Duration.ofDays(1)), now.plus(Duration.ofDays(3)));
    for (TestPki.Issued cert : List.of(expired, early)) {
      try (MiniKafkaServer dated =
              MiniKafkaServer.start(
                  new MemoryStore(),
                  ServerConfig.builder()
                      .host(Endpoint.parse("127.0.0.1:0"))
                      .tls(new ServerConfig.TlsFiles(cert.cert(), cert.key(), Optional.empty()))
                      .build(),
                  Clock.systemUTC());
          Admin admin =
              new Admin(
                  ConnectionConfig.of("127.0.0.1:" + dated.port(), TIMEOUT)
                      .withTls(ClientTls.trusting(pki.caCert())))) {
        assertThatThrownBy(admin::topics)
            .isInstanceOf(MiniKafkaException.class)
            .hasMessageContaining("failed: the server's certificate ")
            .hasMessageContaining(cert == expired ? "expired at 20" : "is not valid before 20");
      }
    }
  }

  @Test
  void aClientCertificateExpiredOrNotYetValidIsSaidAsSuch() {
    Instant now = Instant.now();
    TestPki.Issued expired =
        pki.client("app", now.minus(Duration.ofDays(3)), now.minus(Duration.ofDays(1)));
    TestPki.Issued early =
        pki.client("app", now.plus(Duration.ofDays(1)), now.plus(Duration.ofDays(3)));
    for (TestPki.Issued cert : List.of(expired, early)) {
      try (Admin admin = new Admin(tls(cert))) {
        assertThatThrownBy(admin::topics)
            .isInstanceOf(MiniKafkaException.class)
            .hasMessageEndingWith(
                "the server did not accept this client's certificate: it has expired, or is not"
                    + " valid yet; renew it");
      }
    }
  }

  @Test
  void aClientCertificateTheServerDoesNotTrustOrNoneIsSaidAsSuch() {
    TestPki stranger = TestPki.create(dir, "stranger");
    ConnectionConfig strangersCertificate =
        ConnectionConfig.of(host, TIMEOUT)
            .withTls(
                ClientTls.trusting(pki.caCert())
                    .withClientCertificate(
                        stranger.client("app").cert(), stranger.client("app").key()));
    ConnectionConfig noCertificate =
        ConnectionConfig.of(host, TIMEOUT).withTls(ClientTls.trusting(pki.caCert()));

    try (Admin admin = new Admin(strangersCertificate)) {
      assertThatThrownBy(admin::topics)
          .isInstanceOf(MiniKafkaException.class)
          .hasMessageEndingWith(
              "failed: the server did not accept this client's certificate: it takes only"
                  + " certificates its client CA signed");
    }
    try (Admin admin = new Admin(noCertificate)) {
      assertThatThrownBy(admin::topics)
          .isInstanceOf(MiniKafkaException.class)
          .hasMessageEndingWith("failed: the server requires a client certificate");
    }
  }

  /**
   * A plaintext server that served this client, then resets its connections (a server killed and
   * something else on its port): the reset is said, without the hint about TLS that a client that
   * never got through is given.
   */
  @Test
  void aResetAfterTheServerHasServedThisClientIsNotBlamedOnTls() throws Exception {
    MiniKafkaServer plain =
        MiniKafkaServer.start(new MemoryStore(), "127.0.0.1:0", Duration.ofHours(1));
    int port = plain.port();
    try (Admin admin = new Admin(ConnectionConfig.of("127.0.0.1:" + port, TIMEOUT))) {
      assertThat(admin.topics()).isEmpty();
      plain.close();
      try (java.net.ServerSocket resetting = new java.net.ServerSocket()) {
        resetting.setReuseAddress(true);
        resetting.bind(new java.net.InetSocketAddress("127.0.0.1", port));
        Thread resets =
            new Thread(
                () -> {
                  while (!resetting.isClosed()) {
                    try (java.net.Socket socket = resetting.accept()) {
                      socket.setSoLinger(true, 0);
                      socket.getInputStream().read();
                    } catch (IOException e) {
                      // The next connection, or the end of the test.
                    }
                  }
                });
        resets.start();

        assertThatThrownBy(admin::topics)
            .isInstanceOf(MiniKafkaException.class)
            .hasMessageContaining("cannot reach MiniKafka server at 127.0.0.1:" + port)
            .hasMessageNotContaining("TLS");
        try (Admin fresh = new Admin(ConnectionConfig.of("127.0.0.1:" + port, TIMEOUT))) {
          assertThatThrownBy(fresh::topics)
              .isInstanceOf(MiniKafkaException.class)
              .hasMessageEndingWith("; if the server uses TLS, so must this client");
        }
      }
    }
  }

  @Test
  void aTlsClientOfAPlaintextServerIsToldTheServerDoesNotSpeakTls() throws Exception {
    try (MiniKafkaServer plain =
            MiniKafkaServer.start(new MemoryStore(), "127.0.0.1:0", Duration.ofHours(1));
        Admin admin =
            new Admin(
                ConnectionConfig.of("127.0.0.1:" + plain.port(), TIMEOUT)
                    .withTls(ClientTls.trusting(pki.caCert())))) {
      assertThatThrownBy(admin::topics)
          .isInstanceOf(MiniKafkaException.class)
          .hasMessageEndingWith(
              "failed: the server does not speak TLS (plaintext?); connect without TLS")
          .hasMessageNotContaining("0000");
    }
  }

  @Test
  void aPlaintextClientOfATlsServerIsToldThatTheServerMayWantTls() {
    try (Admin admin = new Admin(ConnectionConfig.of(host, TIMEOUT))) {
      assertThatThrownBy(admin::topics)
          .isInstanceOf(MiniKafkaException.class)
          .hasMessageStartingWith("listing topics failed: cannot reach MiniKafka server at " + host)
          .hasMessageEndingWith("; if the server uses TLS, so must this client");
    }
  }

  @Test
  void aMissingCaFileIsNamedWhenTheClientIsMade() {
    Path missing = dir.resolve("nope.pem");

    assertThatThrownBy(
            () ->
                new Admin(ConnectionConfig.of(host, TIMEOUT).withTls(ClientTls.trusting(missing))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("CA certificate file " + missing + ": no such file");
  }

  @Test
  void theTokenNeverShowsInTheConfigurationsText() {
    ConnectionConfig config = ConnectionConfig.of(host, TIMEOUT).withToken(WRITER);

    assertThat(config.toString()).doesNotContain(WRITER).contains("token=(set)");
    assertThat(List.of(config.token().orElseThrow())).containsExactly(WRITER);
  }
}
