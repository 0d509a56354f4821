package io.minikafka.protocol;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * Reads the PEM files TLS is configured with, for the server and the client alike, and turns them
 * into the JDK's key and trust managers.
 *
 * <p>Private keys may be PKCS#8 ({@code BEGIN PRIVATE KEY}), PKCS#1 RSA ({@code BEGIN RSA PRIVATE
 * KEY}) or SEC1 EC ({@code BEGIN EC PRIVATE KEY}), as openssl writes them; encrypted keys are
 * refused with a message saying so. Every failure is an {@link IllegalArgumentException} whose
 * message names the file and what is wrong with it, without any of the file's contents.
 */
public final class PemFiles {

  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([^-]*)-----END \\1-----");

  /** DER of AlgorithmIdentifier {rsaEncryption, NULL}. */
  private static final byte[] RSA_ALGORITHM = {
    0x30,
    0x0d,
    0x06,
    0x09,
    0x2a,
    (byte) 0x86,
    0x48,
    (byte) 0x86,
    (byte) 0xf7,
    0x0d,
    0x01,
    0x01,
    0x01,
    0x05,
    0x00
  };

  /** DER of the OID id-ecPublicKey. */
  private static final byte[] EC_PUBLIC_KEY_OID = {
    0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01
  };

  private static final char[] NO_PASSWORD = new char[0];

  private PemFiles() {}

  /** The certificates of a PEM file, in file order (a chain starts with its leaf). */
  public static List<X509Certificate> certificates(Path file, String what) {
    String text = read(file, what);
    List<X509Certificate> certificates = new ArrayList<>();
    Matcher block = BLOCK.matcher(text);
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      while (block.find()) {
        if (block.group(1).equals("CERTIFICATE")) {
          certificates.add(
              (X509Certificate)
                  factory.generateCertificate(new ByteArrayInputStream(decode(block, file, what))));
        }
      }
    } catch (CertificateException e) {
      throw new IllegalArgumentException(
          what + " " + file + " holds a certificate that cannot be read: " + e.getMessage());
    }
    if (certificates.isEmpty()) {
      throw new IllegalArgumentException(
          what + " " + file + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
    }
    return certificates;
  }

  /** The private key of a PEM file: PKCS#8, PKCS#1 RSA or SEC1 EC. */
  public static PrivateKey privateKey(Path file, String what) {
    String text = read(file, what);
    if (text.contains("ENCRYPTED")) {
      throw new IllegalArgumentException(
          what
              + " "
              + file
              + " is encrypted; give an unencrypted key (openssl pkcs8 -topk8 -nocrypt)");
    }
    Matcher block = BLOCK.matcher(text);
    while (block.find()) {
      String type = block.group(1);
      try {
        switch (type) {
          case "PRIVATE KEY" -> {
            return pkcs8(decode(block, file, what));
          }
          case "RSA PRIVATE KEY" -> {
            return KeyFactory.getInstance("RSA")
                .generatePrivate(
                    new PKCS8EncodedKeySpec(
                        privateKeyInfo(RSA_ALGORITHM, decode(block, file, what))));
          }
          case "EC PRIVATE KEY" -> {
            byte[] sec1 = decode(block, file, what);
            byte[] algorithm = sequence(concat(EC_PUBLIC_KEY_OID, curveOf(sec1)));
            return KeyFactory.getInstance("EC")
                .generatePrivate(new PKCS8EncodedKeySpec(privateKeyInfo(algorithm, sec1)));
          }
          default -> {
            // Other blocks (EC PARAMETERS, certificates) may share the file: look on.
          }
        }
      } catch (GeneralSecurityException | RuntimeException e) {
        throw new IllegalArgumentException(
            what + " " + file + " holds a " + type + " that cannot be read: " + e.getMessage());
      }
    }
    throw new IllegalArgumentException(
        what
            + " "
            + file
            + " holds no PEM private key (PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)");
  }

  /**
   * Key managers presenting {@code chain} with {@code key}, after checking that the key belongs to
   * the chain's first certificate.
   */
  public static KeyManager[] keyManagers(
      Path certFile, String certWhat, Path keyFile, String keyWhat) {
    List<X509Certificate> chain = certificates(certFile, certWhat);
    PrivateKey key = privateKey(keyFile, keyWhat);
    if (!matches(key, chain.get(0).getPublicKey())) {
      throw new IllegalArgumentException(
          keyWhat
              + " "
              + keyFile
              + " is not the key of the certificate in "
              + certWhat
              + " "
              + certFile);
    }
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry("key", key, NO_PASSWORD, chain.toArray(new X509Certificate[0]));
      KeyManagerFactory factory =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      factory.init(store, NO_PASSWORD);
      return factory.getKeyManagers();
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException(
          keyWhat + " " + keyFile + " cannot be used: " + e.getMessage());
    }
  }

  /** Trust managers that trust exactly the certificates of a PEM file. */
  public static TrustManager[] trustManagers(Path caFile, String what) {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      int i = 0;
      for (X509Certificate certificate : certificates(caFile, what)) {
        store.setCertificateEntry("ca-" + i++, certificate);
      }
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      return factory.getTrustManagers();
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException(
          what + " " + caFile + " cannot be used: " + e.getMessage());
    }
  }

  /**
   * Whether {@code key} signs what {@code publicKey} verifies: the only check that fits every key
   * type.
   */
  private static boolean matches(PrivateKey key, PublicKey publicKey) {
    String algorithm =
        switch (key.getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "EC" -> "SHA256withECDSA";
          case "EdDSA", "Ed25519", "Ed448" -> "EdDSA";
          default -> null;
        };
    if (algorithm == null) {
      // A key type with no known signature: the handshake itself will tell whether it fits.
      return true;
    }
    try {
      byte[] probe = new byte[32];
      new SecureRandom().nextBytes(probe);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(publicKey);
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static PrivateKey pkcs8(byte[] der) throws GeneralSecurityException {
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
    InvalidKeySpecException last = null;
    for (String algorithm : List.of("RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (InvalidKeySpecException e) {
        last = e;
      }
    }
    throw last;
  }

  /** The named curve of a SEC1 ECPrivateKey: the OID in its {@code [0] parameters}. */
  private static byte[] curveOf(byte[] sec1) {
    Der der = new Der(sec1);
    Der key = der.enter(0x30);
    key.skip(0x02);
    key.skip(0x04);
    if (key.atEnd() || key.peek() != (byte) 0xa0) {
      throw new IllegalArgumentException("the EC key does not name its curve");
    }
    return key.enter((byte) 0xa0).whole(0x06);
  }

  private static byte[] privateKeyInfo(byte[] algorithm, byte[] key) {
    return sequence(concat(new byte[] {0x02, 0x01, 0x00}, algorithm, tlv(0x04, key)));
  }

  private static byte[] sequence(byte[] content) {
    return tlv(0x30, content);
  }

  private static byte[] tlv(int tag, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
    out.write(tag);
    int length = content.length;
    if (length < 0x80) {
      out.write(length);
    } else {
      int bytes = length > 0xffffff ? 4 : length > 0xffff ? 3 : length > 0xff ? 2 : 1;
      out.write(0x80 | bytes);
      for (int i = bytes - 1; i >= 0; i--) {
        out.write(length >>> (8 * i));
      }
    }
    out.writeBytes(content);
    return out.toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  private static byte[] decode(Matcher block, Path file, String what) {
    try {
      return Base64.getMimeDecoder().decode(block.group(2).trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          what + " " + file + " has a " + block.group(1) + " block that is not valid base64");
    }
  }

  private static String read(Path file, String what) {
    try {
      return Files.readString(file, StandardCharsets.ISO_8859_1);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(what + " " + file + ": no such file");
    } catch (AccessDeniedException e) {
      throw new IllegalArgumentException(what + " " + file + ": permission denied");
    } catch (IOException e) {
      throw new IllegalArgumentException(what + " " + file + " cannot be read: " + e.getMessage());
    }
  }

  /** Just enough of a DER reader to walk a SEC1 key: definite lengths, one level at a time. */
  private static final class Der {
    private final byte[] bytes;
    private int at;
    private final int end;

    Der(byte[] bytes) {
      this(bytes, 0, bytes.length);
    }

    private Der(byte[] bytes, int from, int end) {
      this.bytes = bytes;
      this.at = from;
      this.end = end;
    }

    boolean atEnd() {
      return at >= end;
    }

    byte peek() {
      return bytes[at];
    }

    /** The content of the next element, which must have {@code tag}, as a reader of its own. */
    Der enter(int tag) {
      int[] span = next(tag);
      return new Der(bytes, span[1], span[2]);
    }

    void skip(int tag) {
      next(tag);
    }

    /** The next element, tag and length included. */
    byte[] whole(int tag) {
      int start = at;
      int[] span = next(tag);
      byte[] element = new byte[span[2] - start];
      System.arraycopy(bytes, start, element, 0, element.length);
      return element;
    }

    /** Reads a tag and length: {tag, content start, content end}. */
    private int[] next(int tag) {
      if (at + 2 > end || (bytes[at] & 0xff) != (tag & 0xff)) {
        throw new IllegalArgumentException("not the DER structure of a key");
      }
      at++;
      int length = bytes[at++] & 0xff;
      if (length >= 0x80) {
        int count = length & 0x7f;
        if (count == 0 || count > 3 || at + count > end) {
          throw new IllegalArgumentException("not the DER structure of a key");
        }
        length = 0;
        for (int i = 0; i < count; i++) {
          length = (length << 8) | (bytes[at++] & 0xff);
        }
      }
      int start = at;
      if (length > end - start) {
        throw new IllegalArgumentException("not the DER structure of a key");
      }
      at = start + length;
      return new int[] {tag, start, at};
    }
  }
}
