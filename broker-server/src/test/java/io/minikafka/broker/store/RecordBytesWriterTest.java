package io.minikafka.broker.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.minikafka.protocol.MessageRecord;
import io.minikafka.protocol.SubscribeResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RecordBytesWriterTest {

  private record Written(
      long number, long time, byte[] payload, byte[] key, List<Header> headers) {}

  @Test
  void whatItWritesParsesAsTheResponsesRecordsOneForOne() throws Exception {
    Random random = new Random(11);
    List<Written> written = new ArrayList<>();
    long number = 1;
    for (int i = 0; i < 2_000; i++) {
      number += 1 + random.nextInt(3) * (long) random.nextInt(1 << 20);
      byte[] payload =
          new byte[random.nextInt(4) == 0 ? random.nextInt(70_000) : random.nextInt(200)];
      random.nextBytes(payload);
      byte[] key = new byte[random.nextInt(3) == 0 ? 1 + random.nextInt(40) : 0];
      random.nextBytes(key);
      List<Header> headers = new ArrayList<>();
      for (int h = random.nextInt(3) == 0 ? random.nextInt(4) : 0; h > 0; h--) {
        byte[] value = new byte[random.nextInt(30)];
        random.nextBytes(value);
        headers.add(new Header(h % 2 == 0 ? "trace-é" + h : "", value));
      }
      long time = random.nextInt(5) == 0 ? -random.nextInt(1000) : random.nextLong() >>> 1;
      written.add(new Written(number, time, payload, key, headers));
    }
    RecordBytesWriter writer = new RecordBytesWriter(0);
    for (Written w : written) {
      writer.add(w.number(), w.time(), w.payload(), w.key(), w.headers());
    }

    RecordBytes bytes = writer.toRecordBytes();
    SubscribeResponse parsed =
        SubscribeResponse.parseFrom(Arrays.copyOf(bytes.array(), bytes.length()));

    assertThat(bytes.count()).isEqualTo(written.size());
    assertThat(bytes.payloadBytes())
        .isEqualTo(written.stream().mapToLong(w -> w.payload().length).sum());
    assertThat(parsed.getRecordsCount()).isEqualTo(written.size());
    for (int i = 0; i < written.size(); i++) {
      Written want = written.get(i);
      MessageRecord got = parsed.getRecords(i);
      assertThat(got.getMsgNumber()).isEqualTo(want.number());
      assertThat(got.getAppendTimeMs()).isEqualTo(want.time());
      assertThat(got.getPayload().toByteArray()).isEqualTo(want.payload());
      assertThat(got.getKey().toByteArray()).isEqualTo(want.key());
      assertThat(got.hasCrc32C()).isFalse();
      assertThat(got.getHeadersCount()).isEqualTo(want.headers().size());
      for (int h = 0; h < want.headers().size(); h++) {
        assertThat(got.getHeaders(h).getName()).isEqualTo(want.headers().get(h).name());
        assertThat(got.getHeaders(h).getValue().toByteArray())
            .isEqualTo(want.headers().get(h).value());
      }
    }
  }

  @Test
  void aMissingPayloadOrKeyIsWrittenAsEmpty() throws Exception {
    RecordBytesWriter writer = new RecordBytesWriter(16);
    writer.add(7, 0, null, null, List.of());

    RecordBytes bytes = writer.toRecordBytes();
    MessageRecord got =
        SubscribeResponse.parseFrom(Arrays.copyOf(bytes.array(), bytes.length())).getRecords(0);

    assertThat(got.getMsgNumber()).isEqualTo(7);
    assertThat(got.getPayload().isEmpty()).isTrue();
    assertThat(got.getKey().isEmpty()).isTrue();
    assertThat(bytes.payloadBytes()).isZero();
  }

  @Test
  void theBytesAreExactlyWhatTheGeneratedClassesWrite() {
    RecordBytesWriter writer = new RecordBytesWriter(0);
    byte[] value = "v".getBytes(StandardCharsets.UTF_8);
    writer.add(
        300,
        1_700_000_000_000L,
        new byte[] {1, 2},
        new byte[] {9},
        List.of(new Header("h", value)));
    RecordBytes bytes = writer.toRecordBytes();

    byte[] generated =
        SubscribeResponse.newBuilder()
            .addRecords(
                MessageRecord.newBuilder()
                    .setMsgNumber(300)
                    .setAppendTimeMs(1_700_000_000_000L)
                    .setPayload(com.google.protobuf.ByteString.copyFrom(new byte[] {1, 2}))
                    .setKey(com.google.protobuf.ByteString.copyFrom(new byte[] {9}))
                    .addHeaders(
                        io.minikafka.protocol.Header.newBuilder()
                            .setName("h")
                            .setValue(com.google.protobuf.ByteString.copyFrom(value))))
            .build()
            .toByteArray();
    assertThat(Arrays.copyOf(bytes.array(), bytes.length())).isEqualTo(generated);
  }
}
