package io.minikafka.broker.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.minikafka.protocol.MessageRecord;
import io.minikafka.protocol.SubscribeResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RecordBytesWriterTest {

  private record Written(long number, long time, byte[] payload, byte[] key, List<Header> headers) {

    MessageRecord generated() {
      MessageRecord.Builder record =
          MessageRecord.newBuilder()
              .setMsgNumber(number)
              .setAppendTimeMs(time)
              .setPayload(ByteString.copyFrom(payload))
              .setKey(ByteString.copyFrom(key));
      for (Header header : headers) {
        record.addHeaders(
            io.minikafka.protocol.Header.newBuilder()
                .setName(header.name())
                .setValue(ByteString.copyFrom(header.value())));
      }
      return record.build();
    }
  }

  private static byte[] random(Random random, int length) {
    byte[] bytes = new byte[length];
    random.nextBytes(bytes);
    return bytes;
  }

  /** Messages with every field at its default sometimes: empty payloads, keys, names; time 0. */
  private static List<Written> messages(Random random, int count) {
    List<Written> written = new ArrayList<>();
    long number = 1;
    for (int i = 0; i < count; i++) {
      number += 1 + random.nextInt(3) * (long) random.nextInt(1 << 20);
      int size =
          switch (random.nextInt(6)) {
            case 0 -> 0;
            case 1 -> random.nextInt(70_000);
            default -> random.nextInt(200);
          };
      byte[] key = random(random, random.nextInt(3) == 0 ? 1 + random.nextInt(40) : 0);
      List<Header> headers = new ArrayList<>();
      for (int h = random.nextInt(3) == 0 ? random.nextInt(4) : 0; h > 0; h--) {
        String name =
            switch (h % 3) {
              case 0 -> "";
              case 1 -> "trace-é";
              default -> "h" + h;
            };
        headers.add(new Header(name, random(random, random.nextInt(3) == 0 ? 0 : 30)));
      }
      long time =
          switch (random.nextInt(6)) {
            case 0 -> 0;
            case 1 -> -1 - random.nextInt(1000);
            default -> random.nextLong() >>> random.nextInt(63);
          };
      written.add(new Written(number, time, random(random, size), key, headers));
    }
    return written;
  }

  @Test
  void itsBytesAreExactlyWhatTheGeneratedClassesWriteForTheSameMessages() throws Exception {
    List<Written> written = messages(new Random(11), 3_000);
    RecordBytesWriter writer = new RecordBytesWriter(0);
    SubscribeResponse.Builder generated = SubscribeResponse.newBuilder();
    for (Written w : written) {
      writer.add(w.number(), w.time(), w.payload(), w.key(), w.headers());
      generated.addRecords(w.generated());
    }

    RecordBytes bytes = writer.toRecordBytes();

    assertThat(Arrays.copyOf(bytes.array(), bytes.length()))
        .isEqualTo(generated.build().toByteArray());
    assertThat(bytes.count()).isEqualTo(written.size());
    assertThat(bytes.payloadBytes())
        .isEqualTo(written.stream().mapToLong(w -> w.payload().length).sum());
    SubscribeResponse parsed =
        SubscribeResponse.parseFrom(Arrays.copyOf(bytes.array(), bytes.length()));
    assertThat(parsed.getRecordsList())
        .extracting(MessageRecord::getMsgNumber)
        .containsExactlyElementsOf(written.stream().map(Written::number).toList());
    assertThat(parsed.getRecordsList()).noneMatch(MessageRecord::hasCrc32C);
  }

  @Test
  void aMissingPayloadOrKeyIsWrittenAsEmpty() throws Exception {
    RecordBytesWriter writer = new RecordBytesWriter(16);
    writer.add(7, 5, null, null, List.of());

    RecordBytes bytes = writer.toRecordBytes();
    MessageRecord got =
        SubscribeResponse.parseFrom(Arrays.copyOf(bytes.array(), bytes.length())).getRecords(0);

    assertThat(got.getMsgNumber()).isEqualTo(7);
    assertThat(got.getAppendTimeMs()).isEqualTo(5);
    assertThat(got.getPayload().isEmpty()).isTrue();
    assertThat(got.getKey().isEmpty()).isTrue();
    assertThat(bytes.payloadBytes()).isZero();
  }

  @Test
  void itGrowsPastItsFirstArrayKeepingWhatItWrote() throws Exception {
    RecordBytesWriter writer = new RecordBytesWriter(0);
    byte[] large = random(new Random(3), 300 * 1024);
    writer.add(1, 1, new byte[] {1}, null, List.of());
    writer.add(2, 2, large, null, List.of());
    writer.add(3, 3, large, null, List.of());

    RecordBytes bytes = writer.toRecordBytes();
    SubscribeResponse parsed =
        SubscribeResponse.parseFrom(Arrays.copyOf(bytes.array(), bytes.length()));

    assertThat(parsed.getRecords(0).getPayload().toByteArray()).containsExactly(1);
    assertThat(parsed.getRecords(1).getPayload().toByteArray()).isEqualTo(large);
    assertThat(parsed.getRecords(2).getPayload().toByteArray()).isEqualTo(large);
  }
}
