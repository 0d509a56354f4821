package io.minikafka.broker.security;

import io.minikafka.broker.store.TopicName;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The parsed auth file: who may do what.
 *
 * <p>The file is UTF-8 text; {@code #} starts a comment; each other line is {@code <who>
 * <principal> <permission>...}, where {@code <who>} is {@code sha256:<hex of the token's SHA-256>}
 * or {@code cn:<client certificate subject CN>}, and a permission is {@code produce:<pattern>},
 * {@code consume:<pattern>} or {@code admin}; a pattern is a topic name, a prefix ending in {@code
 * *}, or {@code *}. Tokens are never held in clear: a presented token is hashed, and the hash is
 * compared with every known one in constant time. Immutable.
 */
public final class AuthRules {

  private static final String SHA256 = "sha256:";
  private static final String CN = "cn:";

  private final List<byte[]> tokenHashes;
  private final List<Principal> tokenPrincipals;
  private final Map<String, Principal> byCn;

  private AuthRules(
      List<byte[]> tokenHashes, List<Principal> tokenPrincipals, Map<String, Principal> byCn) {
    this.tokenHashes = tokenHashes;
    this.tokenPrincipals = tokenPrincipals;
    this.byCn = byCn;
  }

  /**
   * Parses the file's text.
   *
   * @throws IllegalArgumentException naming the line and what is wrong on it; never quoting a token
   */
  public static AuthRules parse(String text) {
    List<byte[]> hashes = new ArrayList<>();
    List<Principal> tokenPrincipals = new ArrayList<>();
    Map<String, Principal> byCn = new HashMap<>();
    Map<String, Integer> seen = new HashMap<>();
    // Editors on Windows start a UTF-8 file with a byte-order mark; it is not part of line 1.
    String[] lines = (text.startsWith("\uFEFF") ? text.substring(1) : text).split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      int lineNumber = i + 1;
      String line = lines[i];
      int hash = line.indexOf('#');
      if (hash >= 0) {
        line = line.substring(0, hash);
      }
      line = line.strip();
      if (line.isEmpty()) {
        continue;
      }
      String[] fields = line.split("\\s+");
      if (fields.length < 2) {
        throw new IllegalArgumentException(
            "line "
                + lineNumber
                + ": expected '<who> <principal> <permission>...', such as 'sha256:<hex> alice consume:orders'");
      }
      String who = fields[0];
      Integer earlier = seen.putIfAbsent(who, lineNumber);
      if (earlier != null) {
        throw new IllegalArgumentException(
            "line " + lineNumber + ": the same identity as line " + earlier + " again");
      }
      List<Principal.Permission> permissions = new ArrayList<>();
      for (int f = 2; f < fields.length; f++) {
        permissions.add(permission(fields[f], "line " + lineNumber + ", permission " + (f - 1)));
      }
      Principal principal = new Principal(fields[1], permissions);
      if (who.startsWith(SHA256)) {
        String hex = who.substring(SHA256.length());
        if (!hex.matches("[0-9a-fA-F]{64}")) {
          throw new IllegalArgumentException(
              "line "
                  + lineNumber
                  + ": sha256: takes the 64 hex digits of a token's SHA-256 (mkfk-admin hash-token prints them)");
        }
        hashes.add(HexFormat.of().parseHex(hex.toLowerCase(java.util.Locale.ROOT)));
        tokenPrincipals.add(principal);
      } else if (who.startsWith(CN) && who.length() > CN.length()) {
        byCn.put(who.substring(CN.length()), principal);
      } else {
        throw new IllegalArgumentException(
            "line " + lineNumber + ": the first field must be sha256:<hex> or cn:<certificate CN>");
      }
    }
    return new AuthRules(List.copyOf(hashes), List.copyOf(tokenPrincipals), Map.copyOf(byCn));
  }

  /**
   * Parses one permission; errors name it by {@code where}, never by its text, which may be a
   * pasted token.
   */
  private static Principal.Permission permission(String text, String where) {
    if (text.equals("admin")) {
      return new Principal.Permission(Operation.Grant.ADMIN, "");
    }
    int colon = text.indexOf(':');
    String kind = colon < 0 ? text : text.substring(0, colon);
    Operation.Grant grant =
        switch (kind) {
          case "produce" -> Operation.Grant.PRODUCE;
          case "consume" -> Operation.Grant.CONSUME;
          default ->
              throw new IllegalArgumentException(
                  where
                      + (kind.matches("[a-z]{1,16}") || KINDS.contains(lowerCase(kind))
                          ? " ('" + kind + "')"
                          : "")
                      + " is unknown: use produce:<pattern>, consume:<pattern> or admin"
                      + (KINDS.contains(lowerCase(kind)) ? ", in lower case" : ""));
        };
    String pattern = colon < 0 ? "" : text.substring(colon + 1);
    String name = pattern.endsWith("*") ? pattern.substring(0, pattern.length() - 1) : pattern;
    if (pattern.isEmpty() || name.contains("*") || (!name.isEmpty() && !validTopic(name))) {
      throw new IllegalArgumentException(
          where + " (" + kind + ") needs a topic name, a prefix ending in *, or * after the colon");
    }
    return new Principal.Permission(grant, pattern);
  }

  private static final java.util.Set<String> KINDS =
      java.util.Set.of("produce", "consume", "admin");

  private static String lowerCase(String text) {
    return text.toLowerCase(java.util.Locale.ROOT);
  }

  private static boolean validTopic(String name) {
    try {
      TopicName.validate(name);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** The principal of a bearer token. */
  public Optional<Principal> byToken(String token) {
    return byTokenHash(sha256Hex(token));
  }

  /**
   * The principal of a token's SHA-256 (hex), compared in constant time with every known one, so
   * that the time taken tells nothing about how close a guess came.
   */
  public Optional<Principal> byTokenHash(String sha256Hex) {
    byte[] presented = HexFormat.of().parseHex(sha256Hex);
    Principal found = null;
    for (int i = 0; i < tokenHashes.size(); i++) {
      if (MessageDigest.isEqual(tokenHashes.get(i), presented) && found == null) {
        found = tokenPrincipals.get(i);
      }
    }
    return Optional.ofNullable(found);
  }

  /** The principal of a client certificate's subject CN. */
  public Optional<Principal> byCertificateCn(String cn) {
    return Optional.ofNullable(byCn.get(cn));
  }

  /** How many identities the file names. */
  public int size() {
    return tokenHashes.size() + byCn.size();
  }

  /** The {@code sha256:} form of a token, as the auth file names it. */
  public static String hashToken(String token) {
    return SHA256 + sha256Hex(token);
  }

  /** The hex of a token's SHA-256. */
  public static String sha256Hex(String token) {
    return HexFormat.of().formatHex(sha256(token));
  }

  private static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
