package io.minikafka.broker.server;

import io.grpc.Detachable;
import io.grpc.HasByteBuffer;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.minikafka.broker.metrics.Production;
import io.minikafka.broker.store.Header;
import io.minikafka.broker.store.Record;
import io.minikafka.protocol.MiniKafkaGrpc;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@code protocol.ProduceBatchRequest} as the server reads it: each payload {@linkplain
 * Record#lent lent} to the store where it lies in gRPC's receive buffers, so that the store's copy
 * into its log is the only one, where the generated class copied each into a {@code ByteString}
 * that the service copied again (docs/PERFORMANCE.md). The batch holds those buffers until {@link
 * #close}, which its handler calls once the store call it gave the records to has returned, or when
 * it drops the batch. gRPC hands a unary call's request over only with the call's half-close, and a
 * stream's one at a time as its handler asks, so every batch read reaches a handler. Reads what the
 * generated parser reads: fields in any order, unknown fields skipped, invalid UTF-8 refused. What
 * is wrong with the messages themselves (no message, both kinds, a header name too long) is the
 * service's to refuse, with {@link #problem} saying what the reading found.
 *
 * <p>The switches spell each field's tag as protobuf does: its number times 8 plus its wire type (2
 * for bytes, a string or a message).
 *
 * @param topic the topic's name
 * @param messages the payloads (field 2) as messages of their own, then the records (field 3)
 * @param payloadCount how many payloads the request carries; the rest of the messages are records
 * @param bytes the request's size on the wire
 * @param problem why a record cannot be stored as sent, or null
 * @param hold the buffers the payloads are lent from, and who holds them
 */
record IncomingBatch(
    String topic, List<Record> messages, int payloadCount, int bytes, String problem, Hold hold)
    implements Production, AutoCloseable {

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

  /** Bytes of requests whose payloads are lent from gRPC's buffers, not yet released. */
  private static final AtomicLong HELD_BYTES = new AtomicLong();

  /** The loan of a batch's payloads, and what holds their buffers. */
  static final class Hold {
    private final Record.Loan loan;
    private final Closeable buffers;
    private final long bytes;

    private Hold(Record.Loan loan, Closeable buffers, long bytes) {
      this.loan = loan;
      this.buffers = buffers;
      this.bytes = bytes;
      if (buffers != null) {
        HELD_BYTES.addAndGet(bytes);
      }
    }
  }

  /** Bytes of requests read in place and not yet released, in this JVM. */
  static long heldBytes() {
    return HELD_BYTES.get();
  }

  /**
   * Ends the payloads' loan and gives gRPC's buffers back, once; the payloads are not read after.
   */
  @Override
  public void close() {
    if (hold.loan.end() && hold.buffers != null) {
      HELD_BYTES.addAndGet(-hold.bytes);
      try {
        hold.buffers.close();
      } catch (IOException e) {
        // gRPC's buffers do not fail to close; nothing is lost if one does.
      }
    }
  }

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
      total += message.payloadLength();
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

  /**
   * The request in {@code stream}, its payloads lent from gRPC's buffers, which it takes from the
   * stream, where gRPC lets it (a message not compressed); else from an array read from it.
   */
  static IncomingBatch read(InputStream stream) throws IOException {
    if (stream instanceof Detachable detachable
        && stream instanceof KnownLength
        && stream instanceof HasByteBuffer
        && ((HasByteBuffer) stream).byteBufferSupported()
        && stream.markSupported()) {
      InputStream held = detachable.detach();
      try {
        IncomingBatch batch = readBuffers(held);
        if (batch != null) {
          return batch;
        }
        // Buffers that do not add up to the request: read it as a stream instead.
        held.reset();
        byte[] bytes = held.readAllBytes();
        held.close();
        return read(WireInput.of(bytes), bytes.length, null);
      } catch (IOException | RuntimeException e) {
        held.close();
        throw e;
      }
    }
    byte[] bytes = stream.readAllBytes();
    return read(WireInput.of(bytes), bytes.length, null);
  }

  /** The request read where it lies in {@code held}'s buffers, or null if they do not add up. */
  private static IncomingBatch readBuffers(InputStream held) throws IOException {
    HasByteBuffer buffers = (HasByteBuffer) held;
    int size = held.available();
    // Marked, the stream keeps every buffer it is advanced past until it is closed.
    held.mark(size);
    List<ByteBuffer> parts = new ArrayList<>();
    long total = 0;
    ByteBuffer part;
    while ((part = buffers.getByteBuffer()) != null && part.hasRemaining()) {
      parts.add(part);
      total += part.remaining();
      if (held.skip(part.remaining()) != part.remaining()) {
        throw new IOException("the request's buffers ended early");
      }
    }
    return total == size ? read(new WireInput(parts), size, held) : null;
  }

  private static IncomingBatch read(WireInput in, int size, Closeable buffers) throws IOException {
    // Counted held only once read: a request that does not parse is closed by the caller.
    Record.Loan loan = new Record.Loan();
    String topic = "";
    List<Record> payloads = new ArrayList<>();
    List<Record> records = new ArrayList<>();
    Problems problems = new Problems();
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      switch (tag) {
        case 10 -> topic = in.readString();
        case 18 -> payloads.add(lent(EMPTY, List.of(), in.readViews(), loan));
        case 26 -> {
          long outer = in.startMessage();
          records.add(readPayload(in, problems, loan));
          in.endMessage(outer);
        }
        default -> in.skipField(tag);
      }
    }
    int payloadCount = payloads.size();
    payloads.addAll(records);
    return new IncomingBatch(
        topic, payloads, payloadCount, size, problems.first, new Hold(loan, buffers, size));
  }

  /** A record of a payload lent, or of its own when it is empty. */
  private static Record lent(
      byte[] key, List<Header> headers, ByteBuffer[] payload, Record.Loan loan) {
    return payload.length == 0
        ? new Record(key, headers, EMPTY)
        : Record.lent(key, headers, payload, loan);
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
  private static Record readPayload(WireInput in, Problems problems, Record.Loan loan)
      throws IOException {
    ByteBuffer[] payload = {};
    byte[] key = EMPTY;
    List<Header> headers = List.of();
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      switch (tag) {
        case 10 -> payload = in.readViews();
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
    return lent(key, headers, payload, loan);
  }
}
