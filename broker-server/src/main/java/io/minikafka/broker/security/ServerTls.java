package io.minikafka.broker.security;

import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.minikafka.broker.config.ConfigException;
import io.minikafka.broker.config.ServerConfig;
import io.minikafka.broker.config.Setting;
import io.minikafka.protocol.PemFiles;

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

  private static String named(Setting setting) {
    return setting.envVar() + " (" + setting.flag() + ")";
  }
}
