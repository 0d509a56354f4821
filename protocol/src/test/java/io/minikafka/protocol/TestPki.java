package io.minikafka.protocol;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * Certificates made at test time, written as PEM files the way openssl writes them: a CA, server
 * certificates for 127.0.0.1 and localhost, and client certificates by CN. Nothing secret is
 * committed; every test makes its own.
 */
public final class TestPki {

  /** How a private key is written. */
  public enum KeyFormat {
    /** {@code BEGIN PRIVATE KEY}, an EC key. */
    PKCS8_EC,
    /** {@code BEGIN PRIVATE KEY}, an RSA key. */
    PKCS8_RSA,
    /** {@code BEGIN RSA PRIVATE KEY}. */
    PKCS1_RSA,
    /** {@code BEGIN EC PRIVATE KEY}, naming its curve as openssl does. */
    SEC1_EC
  }

  /** A certificate and its key, as files. */
  public record Issued(Path cert, Path key) {}

  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

  private final Path dir;
  private final String name;
  private final KeyPair caKeys;
  private final X509Certificate caCert;
  private final Path caFile;

  private TestPki(Path dir, String name) throws GeneralSecurityException, IOException {
    this.dir = dir;
    this.name = name;
    this.caKeys = keys(KeyFormat.PKCS8_EC);
    X500Name subject = new X500Name("CN=" + name + " test CA");
    X509v3CertificateBuilder builder = builder(subject, subject, caKeys, defaultValidity());
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    builder.addExtension(
        Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    this.caCert = sign(builder, caKeys.getPrivate());
    this.caFile = write(dir.resolve(name + "-ca.pem"), caCert);
  }

  /** A new CA whose files go in {@code dir}, prefixed by {@code name}. */
  public static TestPki create(Path dir, String name) {
    try {
      return new TestPki(dir, name);
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The CA certificate's PEM file. */
  public Path caCert() {
    return caFile;
  }

  /** A server certificate for 127.0.0.1, ::1 and localhost, with an EC key in PKCS#8. */
  public Issued server() {
    return server(KeyFormat.PKCS8_EC);
  }

  /** A server certificate whose key is written in {@code format}. */
  public Issued server(KeyFormat format) {
    return issue("server-" + format, "localhost", format, true, defaultValidity());
  }

  /** A server certificate valid from {@code notBefore} to {@code notAfter} only. */
  public Issued server(Instant notBefore, Instant notAfter) {
    return issue(
        "server-" + notBefore.toEpochMilli(),
        "localhost",
        KeyFormat.PKCS8_EC,
        true,
        new Instant[] {notBefore, notAfter});
  }

  /** A client certificate of subject CN {@code cn}. */
  public Issued client(String cn) {
    return issue("client-" + cn, cn, KeyFormat.PKCS8_EC, false, defaultValidity());
  }

  /**
   * A client certificate of subject CN {@code cn}, valid from {@code notBefore} to {@code
   * notAfter}.
   */
  public Issued client(String cn, Instant notBefore, Instant notAfter) {
    return issue(
        "client-" + cn + "-" + notBefore.toEpochMilli(),
        cn,
        KeyFormat.PKCS8_EC,
        false,
        new Instant[] {notBefore, notAfter});
  }

  /** From an hour ago to two days ahead. */
  private static Instant[] defaultValidity() {
    Instant now = Instant.now();
    return new Instant[] {now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(2))};
  }

  private Issued issue(
      String file, String cn, KeyFormat format, boolean server, Instant[] validity) {
    try {
      KeyPair keys = keys(format);
      X509v3CertificateBuilder builder =
          builder(
              X500Name.getInstance(caCert.getSubjectX500Principal().getEncoded()),
              new X500Name("CN=" + cn),
              keys,
              validity);
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      builder.addExtension(
          Extension.extendedKeyUsage,
          false,
          new ExtendedKeyUsage(
              server ? KeyPurposeId.id_kp_serverAuth : KeyPurposeId.id_kp_clientAuth));
      if (server) {
        builder.addExtension(
            Extension.subjectAlternativeName,
            false,
            new GeneralNames(
                new GeneralName[] {
                  new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                  new GeneralName(GeneralName.iPAddress, "::1"),
                  new GeneralName(GeneralName.dNSName, "localhost")
                }));
      }
      X509Certificate cert = sign(builder, caKeys.getPrivate());
      Path certFile = write(dir.resolve(name + "-" + file + ".pem"), cert);
      Path keyFile = dir.resolve(name + "-" + file + ".key");
      Files.writeString(keyFile, pem(keys.getPrivate(), format));
      return new Issued(certFile, keyFile);
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static KeyPair keys(KeyFormat format) throws GeneralSecurityException {
    if (format == KeyFormat.PKCS8_RSA || format == KeyFormat.PKCS1_RSA) {
      KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
      rsa.initialize(2048);
      return rsa.generateKeyPair();
    }
    KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
    ec.initialize(new ECGenParameterSpec("secp256r1"));
    return ec.generateKeyPair();
  }

  private static X509v3CertificateBuilder builder(
      X500Name issuer, X500Name subject, KeyPair keys, Instant[] validity) {
    return new JcaX509v3CertificateBuilder(
        issuer,
        BigInteger.valueOf(SERIAL.incrementAndGet()),
        Date.from(validity[0]),
        Date.from(validity[1]),
        subject,
        keys.getPublic());
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey issuerKey)
      throws GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter()
          .getCertificate(
              builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
    } catch (org.bouncycastle.operator.OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  private static Path write(Path file, Object pemObject) throws IOException {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
      writer.writeObject(pemObject);
    }
    return Files.writeString(file, text.toString());
  }

  private static String pem(PrivateKey key, KeyFormat format) throws IOException {
    PrivateKeyInfo info = PrivateKeyInfo.getInstance(key.getEncoded());
    PemObject object =
        switch (format) {
          case PKCS8_EC, PKCS8_RSA -> new PemObject("PRIVATE KEY", info.getEncoded());
          case PKCS1_RSA ->
              new PemObject(
                  "RSA PRIVATE KEY", info.parsePrivateKey().toASN1Primitive().getEncoded());
          case SEC1_EC -> new PemObject("EC PRIVATE KEY", sec1((ECPrivateKey) key, info));
        };
    StringWriter text = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
      writer.writeObject(object);
    }
    return text.toString();
  }

  /** SEC1 with its curve named in {@code [0]}, as {@code openssl ecparam -genkey} writes it. */
  private static byte[] sec1(ECPrivateKey key, PrivateKeyInfo info) throws IOException {
    ASN1ObjectIdentifier curve =
        ASN1ObjectIdentifier.getInstance(info.getPrivateKeyAlgorithm().getParameters());
    return new org.bouncycastle.asn1.sec.ECPrivateKey(
            key.getParams().getOrder().bitLength(), key.getS(), (DERBitString) null, curve)
        .getEncoded();
  }
}
