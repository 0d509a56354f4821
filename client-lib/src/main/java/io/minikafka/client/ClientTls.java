package io.minikafka.client;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * How a client talks TLS to the server: which certificate authorities it trusts, and the
 * certificate it presents for mutual TLS, all PEM files. The server's certificate must name the
 * host the client dials (as a DNS or IP subject alternative name).
 *
 * @param caCert the CA certificates to trust, or empty for the JDK's system roots
 * @param cert the client's certificate chain for mutual TLS, or empty for none
 * @param key the private key of {@code cert} (PKCS#8, PKCS#1 RSA or EC), present exactly when it is
 */
public record ClientTls(Optional<Path> caCert, Optional<Path> cert, Optional<Path> key) {

  public ClientTls {
    Objects.requireNonNull(caCert, "caCert");
    Objects.requireNonNull(cert, "cert");
    Objects.requireNonNull(key, "key");
    if (cert.isPresent() != key.isPresent()) {
      throw new IllegalArgumentException(
          cert.isPresent()
              ? "a client certificate needs its key"
              : "a client key needs its certificate");
    }
  }

  /** TLS trusting the JDK's system roots, without a client certificate. */
  public static ClientTls systemRoots() {
    return new ClientTls(Optional.empty(), Optional.empty(), Optional.empty());
  }

  /** TLS trusting the CA certificates of a PEM file, without a client certificate. */
  public static ClientTls trusting(Path caCert) {
    return new ClientTls(Optional.of(caCert), Optional.empty(), Optional.empty());
  }

  /** The same, presenting this certificate and key for mutual TLS. */
  public ClientTls withClientCertificate(Path certChain, Path privateKey) {
    return new ClientTls(caCert, Optional.of(certChain), Optional.of(privateKey));
  }
}
