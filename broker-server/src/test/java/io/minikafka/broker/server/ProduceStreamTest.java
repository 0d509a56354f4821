package io.minikafka.broker.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.stub.ServerCallStreamObserver;
import io.minikafka.broker.store.Record;
import io.minikafka.protocol.ProduceBatchRequest;
import io.minikafka.protocol.ProduceBatchResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The produce stream's flow control: what a stream may make the server hold. */
class ProduceStreamTest {

  private static final int MAX_REQUEST = 1_000_000;

  /** A response stream that records what the stream asks for; the client side of flow control. */
  private static final class Responses extends ServerCallStreamObserver<ProduceBatchResponse> {
    final AtomicInteger requested = new AtomicInteger();
    final List<ProduceBatchResponse> sent = new ArrayList<>();

    @Override
    public boolean isCancelled() {
      return false;
    }

    @Override
    public void setOnCancelHandler(Runnable onCancelHandler) {}

    @Override
    public void setCompression(String compression) {}

    @Override
    public boolean isReady() {
      return true;
    }

    @Override
    public void setOnReadyHandler(Runnable onReadyHandler) {}

    @Override
    public void disableAutoInboundFlowControl() {}

    @Override
    public void disableAutoRequest() {}

    @Override
    public void request(int count) {
      requested.addAndGet(count);
    }

    @Override
    public void setMessageCompression(boolean enable) {}

    @Override
    public void onNext(ProduceBatchResponse value) {
      sent.add(value);
    }

    @Override
    public void onError(Throwable t) {}

    @Override
    public void onCompleted() {}
  }

  /** Stores nothing until asked: what a slow disk looks like to the stream. */
  private final List<Runnable> pendingDrains = new ArrayList<>();

  private ProduceStream stream(Responses responses, long maxQueuedBytes) {
    return stream(responses, new ProduceQueue(maxQueuedBytes));
  }

  private ProduceStream stream(Responses responses, ProduceQueue produceQueue) {
    ProduceStream stream =
        new ProduceStream(
            responses,
            new ProduceStream.Handler() {
              @Override
              public List<Record> records(IncomingBatch request) {
                return request.messages();
              }

              @Override
              public long store(String topic, List<Record> records) {
                return 1;
              }

              @Override
              public void stored(String topic) {}
            },
            pendingDrains::add,
            produceQueue,
            () -> {});
    stream.start();
    return stream;
  }

  private static IncomingBatch request(int bytes) {
    byte[] wire =
        ProduceBatchRequest.newBuilder()
            .setTopic("t")
            .addPayloads(ByteString.copyFrom(new byte[bytes]))
            .build()
            .toByteArray();
    try {
      return IncomingBatch.read(new ByteArrayInputStream(wire));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void aStreamAsksForTheNextRequestAsEachArrivesWhileItsBytesAllow() {
    Responses responses = new Responses();
    ProduceStream stream = stream(responses, 4 * MAX_REQUEST);
    assertThat(responses.requested).hasValue(1);

    for (int i = 0; i < 100; i++) {
      stream.onNext(request(100));
    }

    assertThat(responses.requested)
        .as("small requests never wait for the disk to be asked for")
        .hasValue(101);
  }

  @Test
  void bigRequestsWaitingToBeStoredPauseTheStreamUntilTheyAreStored() {
    Responses responses = new Responses();
    ProduceStream stream = stream(responses, 4 * MAX_REQUEST);

    for (int i = 0; i < 4; i++) {
      stream.onNext(request(MAX_REQUEST));
    }

    assertThat(responses.requested)
        .as("~4 MB wait for the disk: nothing more asked for")
        .hasValue(4);
    pendingDrains.remove(0).run();
    assertThat(responses.sent).hasSize(4);
    assertThat(responses.requested).as("stored: the stream goes on").hasValue(5);
  }

  @Test
  void aBudgetSmallerThanOneRequestStillLetsOneThroughAtATime() {
    Responses responses = new Responses();
    ProduceStream stream = stream(responses, 10);
    assertThat(responses.requested).hasValue(1);

    stream.onNext(request(500_000));
    assertThat(responses.requested).hasValue(1);
    pendingDrains.remove(0).run();
    assertThat(responses.requested).hasValue(2);
  }

  @Test
  void streamsShareOneQueueAndAStoredRequestWakesTheStreamsWaitingForRoom() {
    ProduceQueue shared = new ProduceQueue(2 * MAX_REQUEST);
    Responses first = new Responses();
    Responses second = new Responses();
    ProduceStream a = stream(first, shared);
    ProduceStream b = stream(second, shared);

    a.onNext(request(MAX_REQUEST));
    b.onNext(request(MAX_REQUEST));

    assertThat(shared.queued()).isGreaterThanOrEqualTo(2L * MAX_REQUEST);
    assertThat(first.requested).as("a asked for one more while there was room").hasValue(2);
    assertThat(second.requested).as("b found the queue full").hasValue(1);
    pendingDrains.remove(0).run();
    assertThat(second.requested).as("a's stored request woke b").hasValue(2);
  }

  @Test
  void aCancelledStreamGivesBackWhatItHeld() {
    ProduceQueue shared = new ProduceQueue(10 * MAX_REQUEST);
    ProduceStream stream = stream(new Responses(), shared);
    stream.onNext(request(MAX_REQUEST));
    stream.onNext(request(MAX_REQUEST));

    stream.onError(new RuntimeException("cancelled"));
    pendingDrains.forEach(Runnable::run);

    assertThat(shared.queued()).isZero();
  }

  @Test
  void aStreamOpenedWhileTheQueueIsFullWaitsForRoom() {
    ProduceQueue shared = new ProduceQueue(MAX_REQUEST);
    Responses first = new Responses();
    ProduceStream a = stream(first, shared);
    a.onNext(request(MAX_REQUEST));
    Responses late = new Responses();

    stream(late, shared);

    assertThat(late.requested).hasValue(0);
    pendingDrains.remove(0).run();
    assertThat(late.requested).hasValue(1);
  }
}
