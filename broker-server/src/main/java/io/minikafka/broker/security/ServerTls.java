package io.minikafka.broker.security;

import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.minikafka.broker.config.ConfigException;
import io.minikafka.broker.config.ServerConfig;
import io.minikafka.broker.config.Setting;
import io.minikafka.protocol.PemFiles;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The server's TLS credentials, built from the PEM files the configuration names. */
public final class ServerTls {

  private ServerTls() {}

  /**
   * Reads and checks the files: the chain, a key that belongs to its first certificate, and the
   * client CA if mutual TLS is asked for.
   *
   * @throws ConfigException one line naming the setting, the file and what is wrong with it
   */
  public static ServerCredentials credentials(ServerConfig.TlsFiles files) {
    try {
      TlsServerCredentials.Builder tls =
          TlsServerCredentials.newBuilder()
              .keyManager(
                  PemFiles.keyManagers(
                      files.certChain(),
                      named(Setting.TLS_CERT),
                      files.key(),
                      named(Setting.TLS_KEY)));
      if (files.clientCa().isPresent()) {
        tls.trustManager(
                PemFiles.trustManagers(files.clientCa().get(), named(Setting.TLS_CLIENT_CA)))
            .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
      }
      return tls.build();
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
  }

  /**
   * What TLS clients would refuse in the server's certificate chain at {@code now}: each
   * certificate expired or not yet valid, one line each naming the setting, the file and when. The
   * server starts all the same (a clock may be off) and logs these at WARN, so that the reason
   * clients cannot connect is in its log from the start.
   */
  public static List<String> validityProblems(ServerConfig.TlsFiles files, Instant now) {
    List<String> problems = new ArrayList<>();
    String file = named(Setting.TLS_CERT) + " " + files.certChain();
    for (X509Certificate cert : PemFiles.certificates(files.certChain(), file)) {
      String subject = "certificate '" + cert.getSubjectX500Principal().getName() + "'";
      Instant notAfter = cert.getNotAfter().toInstant();
      Instant notBefore = cert.getNotBefore().toInstant();
      if (now.isAfter(notAfter)) {
        problems.add(
            file + ": the " + subject + " expired at " + notAfter + "; TLS clients will refuse it");
      } else if (now.isBefore(notBefore)) {
        problems.add(
            file
                + ": the "
                + subject
                + " is not valid before "
                + notBefore
                + "; TLS clients will refuse it until then");
      }
    }
    return problems;
  }

  private static String named(Setting setting) {
    return setting.envVar() + " (" + setting.flag() + ")";
  }
}
