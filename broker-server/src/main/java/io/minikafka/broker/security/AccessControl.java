package io.minikafka.broker.security;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.minikafka.broker.store.TopicName;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Locale;
import java.util.Optional;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Who is calling, and what they may do. As an interceptor of the MiniKafka service it identifies
 * every call before anything else looks at it: by the bearer token of its {@code authorization}
 * metadata, or, without one, by the subject CN of its mutual-TLS client certificate. A call with
 * neither, or with one the auth file does not know, ends UNAUTHENTICATED. The handlers then ask
 * {@link #check} for each topic they touch.
 *
 * <p>Without an auth file ({@link #OPEN}) every call may do everything. Tokens are never logged nor
 * put in a status.
 */
public final class AccessControl implements ServerInterceptor {

  /** Lets every call do everything: no auth file. */
  public static final AccessControl OPEN = new AccessControl(null);

  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final Context.Key<Identity> IDENTITY = Context.key("minikafka-identity");
  private static final String BEARER = "bearer ";

  private final AuthFile file;

  public AccessControl(AuthFile file) {
    this.file = file;
  }

  /** Whether calls are checked at all. */
  public boolean enabled() {
    return file != null;
  }

  /**
   * Who made a call: how they identified themselves, looked up again in the rules in force at each
   * check, so that a reloaded file applies to calls already running.
   *
   * @param byToken whether by token (else by certificate)
   * @param key the token's SHA-256 in hex, never the token; or the certificate CN
   * @param name the principal's name when the call started
   */
  public record Identity(boolean byToken, String key, String name) {}

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    if (file == null) {
      return next.startCall(call, headers);
    }
    AuthRules rules = file.rules();
    Identity identity;
    String authorization = headers.get(AUTHORIZATION);
    if (authorization != null) {
      if (!authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
        return refuse(call, "the authorization metadata must be 'Bearer <token>'");
      }
      String token = authorization.substring(BEARER.length()).strip();
      String hash = AuthRules.sha256Hex(token);
      Optional<Principal> principal = rules.byTokenHash(hash);
      if (principal.isEmpty()) {
        return refuse(call, "unknown token");
      }
      identity = new Identity(true, hash, principal.get().name());
    } else {
      Optional<String> cn = clientCn(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
      if (cn.isEmpty()) {
        return refuse(
            call,
            "no identity: send a token (authorization: Bearer <token>) or a client certificate");
      }
      Optional<Principal> principal = rules.byCertificateCn(cn.get());
      if (principal.isEmpty()) {
        return refuse(call, "client certificate CN '" + cn.get() + "' is not in the auth file");
      }
      identity = new Identity(false, cn.get(), principal.get().name());
    }
    return Contexts.interceptCall(
        Context.current().withValue(IDENTITY, identity), call, headers, next);
  }

  /** The identity of the call running on this thread; null when access is open. */
  public Identity current() {
    return file == null ? null : IDENTITY.get();
  }

  /**
   * Throws unless the caller may do {@code operation} to {@code topic}.
   *
   * @param identity the caller, from {@link #current()} at the start of its call
   * @throws IllegalArgumentException if the topic name is invalid
   * @throws PermissionDeniedException naming the principal, the operation and the topic
   * @throws io.grpc.StatusRuntimeException UNAUTHENTICATED if the identity left the file since
   */
  public void check(Identity identity, Operation operation, String topic) {
    if (file == null) {
      return;
    }
    // Checked before a denial can quote it: never a control character or a megabyte in a log line.
    TopicName.validate(topic);
    Principal principal = principal(identity);
    if (!principal.may(operation, topic)) {
      throw new PermissionDeniedException(principal.name(), operation, topic);
    }
  }

  /** Whether the caller may do {@code operation} to {@code topic} under the rules in force now. */
  public boolean allows(Identity identity, Operation operation, String topic) {
    try {
      check(identity, operation, topic);
      return true;
    } catch (RuntimeException denied) {
      return false;
    }
  }

  /** Runs {@code listener} whenever reloaded rules take effect; never without an auth file. */
  public void onRulesChanged(Runnable listener) {
    if (file != null) {
      file.onChange(listener);
    }
  }

  /**
   * Whether the caller may see what the server says about itself beyond its topics (the store's
   * problems, which name directories): admins only.
   */
  public boolean mayAdminister(Identity identity) {
    return file == null || principal(identity).may(Operation.DELETE, "*");
  }

  /** Whether the caller may see {@code topic} in a topic list: whether it may consume it. */
  public boolean mayList(Identity identity, String topic) {
    return file == null || principal(identity).mayList(topic);
  }

  private Principal principal(Identity identity) {
    AuthRules rules = file.rules();
    Optional<Principal> principal =
        identity.byToken()
            ? rules.byTokenHash(identity.key())
            : rules.byCertificateCn(identity.key());
    return principal.orElseThrow(
        () ->
            Status.UNAUTHENTICATED
                .withDescription(
                    "principal '" + identity.name() + "' is no longer in the auth file")
                .asRuntimeException());
  }

  private static <ReqT, RespT> ServerCall.Listener<ReqT> refuse(
      ServerCall<ReqT, RespT> call, String why) {
    call.close(Status.UNAUTHENTICATED.withDescription(why), new Metadata());
    return new ServerCall.Listener<>() {};
  }

  /** The subject CN of a verified client certificate, if the call came over mutual TLS. */
  static Optional<String> clientCn(SSLSession session) {
    if (session == null) {
      return Optional.empty();
    }
    try {
      Certificate[] chain = session.getPeerCertificates();
      if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
        return Optional.empty();
      }
      // LdapName lists the RDNs right to left; the subject's own CN is the leftmost.
      java.util.List<Rdn> rdns = new LdapName(leaf.getSubjectX500Principal().getName()).getRdns();
      for (int i = rdns.size() - 1; i >= 0; i--) {
        if (rdns.get(i).getType().toUpperCase(Locale.ROOT).equals("CN")) {
          return Optional.of(rdns.get(i).getValue().toString());
        }
      }
      return Optional.empty();
    } catch (SSLPeerUnverifiedException | InvalidNameException e) {
      return Optional.empty();
    }
  }
}
