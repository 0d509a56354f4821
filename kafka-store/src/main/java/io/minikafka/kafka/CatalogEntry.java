package io.minikafka.kafka;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What the catalog knows of one MiniKafka topic: the Kafka topic holding it, whether it is deleted
 * (hidden, its Kafka topic kept so that numbers are never reused), and its own retention.
 *
 * <p>Value layout, big-endian: version byte (1), flags byte (bit 0 deleted, bit 1 has a retention),
 * retention in milliseconds (8 bytes, 0 without one), the Kafka topic name ({@link
 * DataOutputStream#writeUTF}). The key is the MiniKafka name in UTF-8.
 */
record CatalogEntry(
    String topic, String kafkaTopic, boolean deleted, Optional<Duration> retention) {

  private static final byte VERSION = 1;
  private static final int DELETED = 1;
  private static final int HAS_RETENTION = 2;

  CatalogEntry {
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(kafkaTopic, "kafkaTopic");
    Objects.requireNonNull(retention, "retention");
  }

  CatalogEntry withDeleted(boolean value) {
    return new CatalogEntry(topic, kafkaTopic, value, value ? Optional.empty() : retention);
  }

  CatalogEntry withRetention(Optional<Duration> value) {
    return new CatalogEntry(topic, kafkaTopic, deleted, value);
  }

  byte[] encode() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(32 + kafkaTopic.length());
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(VERSION);
      out.writeByte((deleted ? DELETED : 0) | (retention.isPresent() ? HAS_RETENTION : 0));
      out.writeLong(retention.map(Duration::toMillis).orElse(0L));
      out.writeUTF(kafkaTopic);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /**
   * @throws IOException if the value is not one this version wrote
   */
  static CatalogEntry decode(String topic, byte[] value) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(value));
    byte version = in.readByte();
    if (version != VERSION) {
      throw new IOException(
          "catalog entry of topic '" + topic + "' has version " + version + ", not " + VERSION);
    }
    int flags = in.readByte();
    long retentionMillis = in.readLong();
    String kafkaTopic = in.readUTF();
    return new CatalogEntry(
        topic,
        kafkaTopic,
        (flags & DELETED) != 0,
        (flags & HAS_RETENTION) != 0
            ? Optional.of(Duration.ofMillis(retentionMillis))
            : Optional.empty());
  }
}
