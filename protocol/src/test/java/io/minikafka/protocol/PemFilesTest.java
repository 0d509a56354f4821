package io.minikafka.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PemFilesTest {

  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(TestPki.KeyFormat.class)
  void readsEveryKeyFormatOpensslWritesAndMatchesItToItsCertificate(TestPki.KeyFormat format) {
    TestPki.Issued server = TestPki.create(dir, "pki").server(format);

    PrivateKey key = PemFiles.privateKey(server.key(), "key");

    assertThat(key.getAlgorithm()).isEqualTo(format.name().contains("RSA") ? "RSA" : "EC");
    assertThat(PemFiles.keyManagers(server.cert(), "cert", server.key(), "key")).isNotEmpty();
  }

  @Test
  void aKeyOfAnotherCertificateIsRefusedNamingBothFiles() {
    TestPki pki = TestPki.create(dir, "pki");
    TestPki.Issued server = pki.server();
    TestPki.Issued other = pki.client("someone");

    assertThatThrownBy(
            () ->
                PemFiles.keyManagers(
                    server.cert(), "MINIKAFKA_TLS_CERT", other.key(), "MINIKAFKA_TLS_KEY"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("MINIKAFKA_TLS_KEY " + other.key())
        .hasMessageContaining(
            "is not the key of the certificate in MINIKAFKA_TLS_CERT " + server.cert());
  }

  @Test
  void aMissingFileIsNamed() {
    Path missing = dir.resolve("nope.pem");

    assertThatThrownBy(() -> PemFiles.certificates(missing, "CA certificate file"))
        .hasMessage("CA certificate file " + missing + ": no such file");
  }

  @Test
  void aFileWithoutPemIsRefusedWithoutQuotingIt() throws Exception {
    Path garbage = Files.writeString(dir.resolve("garbage.pem"), "secret-looking text\n");

    assertThatThrownBy(() -> PemFiles.privateKey(garbage, "key"))
        .hasMessageContaining("holds no PEM private key")
        .hasMessageNotContaining("secret-looking");
    assertThatThrownBy(() -> PemFiles.certificates(garbage, "cert"))
        .hasMessageContaining("holds no PEM certificate");
  }

  @Test
  void anEncryptedKeyIsRefusedSayingSo() throws Exception {
    Path encrypted =
        Files.writeString(
            dir.resolve("enc.key"),
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIBvTBXBgkqhkiG9w0BBQ0wSjApBgkqhkiG9w0BBQwwHAQI\n-----END ENCRYPTED PRIVATE KEY-----\n");

    assertThatThrownBy(() -> PemFiles.privateKey(encrypted, "key"))
        .hasMessageContaining("is encrypted");
  }

  @Test
  void damagedBase64OrDerIsAReadableErrorNotACrash() throws Exception {
    Path damaged =
        Files.writeString(
            dir.resolve("bad.key"),
            "-----BEGIN EC PRIVATE KEY-----\nMAMCAQE=\n-----END EC PRIVATE KEY-----\n");

    assertThatThrownBy(() -> PemFiles.privateKey(damaged, "key"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("holds a EC PRIVATE KEY that cannot be read");
  }
}
