package io.minikafka.broker.server;

import io.grpc.HasByteBuffer;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.minikafka.broker.metrics.Production;
import io.minikafka.broker.store.Header;
import io.minikafka.broker.store.Record;
import io.minikafka.protocol.MiniKafkaGrpc;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code protocol.ProduceBatchRequest} as the server reads it: each message's bytes copied once,
 * from gRPC's receive buffers straight into the arrays the store is given, where the generated
 * class copies them into {@code ByteString}s that were then copied again (docs/PERFORMANCE.md).
 * Reads what the generated parser reads: fields in any order, unknown fields skipped, invalid UTF-8
 * refused. What is wrong with the messages themselves (no message, both kinds, a header name too
 * long) is the service's to refuse, with {@link #problem} saying what the reading found.
 *
 * <p>The switches spell each field's tag as protobuf does: its number times 8 plus its wire type (2
 * for bytes, a string or a message).
 *
 * @param topic the topic's name
 * @param messages the payloads (field 2) as messages of their own, then the records (field 3)
 * @param payloadCount how many payloads the request carries; the rest of the messages are records
 * @param bytes the request's size on the wire
 * @param problem why a record cannot be stored as sent, or null
 */
record IncomingBatch(
    String topic, List<Record> messages, int payloadCount, int bytes, String problem)
    implements Production {

  /** ProduceBatch as the server reads it. */
  static final MethodDescriptor<IncomingBatch, io.minikafka.protocol.ProduceBatchResponse>
      PRODUCE_BATCH =
          MiniKafkaGrpc.getProduceBatchMethod().toBuilder(
                  new Reading(), MiniKafkaGrpc.getProduceBatchMethod().getResponseMarshaller())
              .build();

  /** ProduceStream as the server reads it. */
  static final MethodDescriptor<IncomingBatch, io.minikafka.protocol.ProduceBatchResponse>
      PRODUCE_STREAM =
          MiniKafkaGrpc.getProduceStreamMethod().toBuilder(
                  new Reading(), MiniKafkaGrpc.getProduceStreamMethod().getResponseMarshaller())
              .build();

  private static final byte[] EMPTY = new byte[0];

  /** How many records (messages with keys and headers, field 3) the request carries. */
  int recordCount() {
    return messages.size() - payloadCount;
  }

  @Override
  public int messageCount() {
    return messages.size();
  }

  @Override
  public long payloadBytes() {
    long total = 0;
    for (Record message : messages) {
      total += message.payload().length;
    }
    return total;
  }

  /** Reads requests; the server never sends one. */
  private static final class Reading implements MethodDescriptor.Marshaller<IncomingBatch> {
    @Override
    public InputStream stream(IncomingBatch value) {
      throw new UnsupportedOperationException("the server only reads these requests");
    }

    @Override
    public IncomingBatch parse(InputStream stream) {
      try {
        return read(stream);
      } catch (IOException e) {
        throw new IllegalArgumentException(e.getMessage(), e);
      }
    }
  }

  /** The request in {@code stream}. */
  static IncomingBatch read(InputStream stream) throws IOException {
    if (stream instanceof KnownLength
        && stream instanceof HasByteBuffer buffers
        && buffers.byteBufferSupported()
        && stream.markSupported()) {
      int size = stream.available();
      // Marked, the stream keeps every buffer it is advanced past until it is closed.
      stream.mark(size);
      List<ByteBuffer> parts = new ArrayList<>();
      long total = 0;
      ByteBuffer part;
      while ((part = buffers.getByteBuffer()) != null && part.hasRemaining()) {
        parts.add(part);
        total += part.remaining();
        if (stream.skip(part.remaining()) != part.remaining()) {
          throw new IOException("the request's buffers ended early");
        }
      }
      if (total == size) {
        return read(new WireInput(parts), size);
      }
      // Buffers that do not add up to the request: read it as a stream instead.
      stream.reset();
    }
    byte[] bytes = stream.readAllBytes();
    return read(WireInput.of(bytes), bytes.length);
  }

  private static IncomingBatch read(WireInput in, int size) throws IOException {
    String topic = "";
    List<Record> payloads = new ArrayList<>();
    List<Record> records = new ArrayList<>();
    Problems problems = new Problems();
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      switch (tag) {
        case 10 -> topic = in.readString();
        case 18 -> payloads.add(Record.of(in.readBytes()));
        case 26 -> {
          long outer = in.startMessage();
          records.add(readPayload(in, problems));
          in.endMessage(outer);
        }
        default -> in.skipField(tag);
      }
    }
    int payloadCount = payloads.size();
    payloads.addAll(records);
    return new IncomingBatch(topic, payloads, payloadCount, size, problems.first);
  }

  /** The first reason found why a message cannot be stored as sent. */
  private static final class Problems {
    String first;

    void add(String problem) {
      if (first == null) {
        first = problem;
      }
    }
  }

  /**
   * A {@code protocol.Payload} (payload 1, key 2, headers 3) as a record; a header the store cannot
   * keep is left out, and reported to {@code problems}.
   */
  private static Record readPayload(WireInput in, Problems problems) throws IOException {
    byte[] payload = EMPTY;
    byte[] key = EMPTY;
    List<Header> headers = List.of();
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      switch (tag) {
        case 10 -> payload = in.readBytes();
        case 18 -> key = in.readBytes();
        case 26 -> {
          long outer = in.startMessage();
          String name = "";
          byte[] value = EMPTY;
          for (int inner = in.readTag(); inner != 0; inner = in.readTag()) {
            switch (inner) {
              case 10 -> name = in.readString();
              case 18 -> value = in.readBytes();
              default -> in.skipField(inner);
            }
          }
          in.endMessage(outer);
          try {
            Header header = new Header(name, value);
            headers = headers.isEmpty() ? new ArrayList<>() : headers;
            headers.add(header);
          } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
          }
        }
        default -> in.skipField(tag);
      }
    }
    return new Record(key, headers, payload);
  }
}
