package io.minikafka.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.minikafka.protocol.MiniKafkaGrpc;
import io.minikafka.protocol.MsgNumber;
import io.minikafka.protocol.PollRequest;
import io.minikafka.protocol.ProduceBatchRequest;
import io.minikafka.protocol.ProduceBatchResponse;
import io.minikafka.protocol.SubscribeRequest;
import io.minikafka.protocol.SubscribeResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A client out to exhaust the server, against the real server process at -Xmx256m, with each store:
 * topics until the limit, a thousand long polls at the longest wait, subscriptions and produce
 * streams that are never read. The server's memory and file handles stay bounded and it goes on
 * serving.
 */
class HostileClientIT {

  /**
   * What the server may hold with all of that open besides its segment files (measured:
   * docs/RELIABILITY.md).
   */
  private static final long MAX_OTHER_OPEN_FILES = 400;

  /** The file store's limit on open segment files, lower than its default for this test. */
  private static final int SEGMENT_FILES = 200;

  private static final long MAX_RESIDENT_BYTES = 900L << 20;

  @TempDir Path dir;

  @ParameterizedTest(name = "{0} store")
  @ValueSource(strings = {"memory", "file"})
  void topicsLongPollsAndUnreadStreamsLeaveTheServerBoundedAndServing(String store)
      throws Exception {
    boolean file = store.equals("file");
    Map<String, String> env =
        file
            ? Map.of(
                "MINIKAFKA_HEAP_OPTS",
                "-Xmx256m",
                "MINIKAFKA_ROOT_DIR",
                dir.resolve("store").toString(),
                "MINIKAFKA_FSYNC",
                "interval:1s",
                "MINIKAFKA_MAX_OPEN_FILES",
                Integer.toString(SEGMENT_FILES))
            : Map.of("MINIKAFKA_HEAP_OPTS", "-Xmx256m");
    long maxOpenFiles = MAX_OTHER_OPEN_FILES + (file ? SEGMENT_FILES : 0);
    // The file store writes what the streams send: a bound on it keeps the disk used in hand.
    int maxStreamBatches = file ? 400 : 5_000;
    try (ServerProcess server = ServerProcess.start(env)) {
      List<ManagedChannel> channels = new ArrayList<>();
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        for (int i = 0; i < 8; i++) {
          channels.add(
              NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build());
        }
        // Topics until the limit: 10,000 by default, each with a 1 KiB message.
        ByteString kib = ByteString.copyFrom(new byte[1024]);
        AtomicInteger created = new AtomicInteger();
        List<Future<?>> creators = new ArrayList<>();
        for (int c = 0; c < 8; c++) {
          MiniKafkaGrpc.MiniKafkaBlockingStub stub = MiniKafkaGrpc.newBlockingStub(channels.get(c));
          int first = c;
          creators.add(
              pool.submit(
                  () -> {
                    for (int t = first; t < 10_000; t += 8) {
                      stub.withDeadlineAfter(30, TimeUnit.SECONDS)
                          .produceBatch(
                              ProduceBatchRequest.newBuilder()
                                  .setTopic("topic-" + t)
                                  .addPayloads(kib)
                                  .build());
                      created.incrementAndGet();
                    }
                    return null;
                  }));
        }
        for (Future<?> creator : creators) {
          creator.get(120, TimeUnit.SECONDS);
        }
        assertThat(created).hasValue(10_000);
        StatusRuntimeException limit =
            org.junit.jupiter.api.Assertions.assertThrows(
                StatusRuntimeException.class,
                () ->
                    MiniKafkaGrpc.newBlockingStub(channels.get(0))
                        .withDeadlineAfter(30, TimeUnit.SECONDS)
                        .produceBatch(
                            ProduceBatchRequest.newBuilder()
                                .setTopic("one-too-many")
                                .addPayloads(kib)
                                .build()));
        assertThat(limit.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(limit.getStatus().getDescription()).contains("MINIKAFKA_MAX_TOPICS");

        // A thousand long polls at the longest wait there is (uint32 milliseconds: 49 days).
        java.util.Queue<Status> refused = new java.util.concurrent.ConcurrentLinkedQueue<>();
        for (int i = 0; i < 1_000; i++) {
          MiniKafkaGrpc.newStub(channels.get(i % 8))
              .poll(
                  PollRequest.newBuilder()
                      .setTopic("topic-" + (i + 2))
                      .setReadFrom(MsgNumber.newBuilder().setMsgNumber(2))
                      .setMaxWaitMs(-1)
                      .build(),
                  recording(refused));
        }

        // Subscriptions that never ask for a message, on a topic with a backlog of 20 MiB.
        ByteString mib = ByteString.copyFrom(new byte[1 << 20]);
        for (int i = 0; i < 20; i++) {
          MiniKafkaGrpc.newBlockingStub(channels.get(0))
              .withDeadlineAfter(30, TimeUnit.SECONDS)
              .produceBatch(
                  ProduceBatchRequest.newBuilder().setTopic("topic-0").addPayloads(mib).build());
        }
        for (int i = 0; i < 50; i++) {
          MiniKafkaGrpc.newStub(channels.get(i % 8))
              .subscribe(
                  SubscribeRequest.newBuilder().setTopic("topic-0").setReadFrom(1).build(),
                  neverReading(refused));
        }

        // Produce streams that send 1 MiB batches as fast as the server lets them and never read an
        // ack.
        List<ClientCallStreamObserver<ProduceBatchRequest>> streams = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
          ClientCallStreamObserver<ProduceBatchRequest> stream =
              (ClientCallStreamObserver<ProduceBatchRequest>)
                  MiniKafkaGrpc.newStub(channels.get(i % 8)).produceStream(neverReadingAcks());
          streams.add(stream);
        }
        long sendUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int sent = 0;
        while (System.nanoTime() < sendUntil && sent < maxStreamBatches) {
          for (ClientCallStreamObserver<ProduceBatchRequest> stream : streams) {
            if (stream.isReady()) {
              stream.onNext(
                  ProduceBatchRequest.newBuilder().setTopic("topic-1").addPayloads(mib).build());
              sent++;
            }
          }
          Thread.onSpinWait();
        }

        // Every poll and subscription was taken and is still open: the bounds below are not
        // those of a server that refused them.
        assertThat(refused).isEmpty();
        long files = server.openFiles();
        long resident = server.residentBytes();
        System.out.printf(
            "hostile client, %s store: %d open files, %d MiB resident, %d stream batches sent%n",
            store, files, resident >> 20, sent);
        assertThat(files).isLessThan(maxOpenFiles);
        assertThat(resident).isLessThan(MAX_RESIDENT_BYTES);

        // Everyone else is still served, at once.
        ManagedChannel fresh =
            NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
        channels.add(fresh);
        MiniKafkaGrpc.MiniKafkaBlockingStub stub =
            MiniKafkaGrpc.newBlockingStub(fresh).withDeadlineAfter(5, TimeUnit.SECONDS);
        assertThat(
                stub.produceBatch(
                        ProduceBatchRequest.newBuilder()
                            .setTopic("topic-9999")
                            .addPayloads(kib)
                            .build())
                    .getFirstMsgNumber())
            .isEqualTo(2);
        assertThat(
                stub.poll(
                        PollRequest.newBuilder()
                            .setTopic("topic-9999")
                            .setReadFrom(MsgNumber.newBuilder().setMsgNumber(1))
                            .build())
                    .getPayloadsCount())
            .isEqualTo(2);
        assertThat(server.log()).noneMatch(line -> line.contains("OutOfMemoryError"));
        assertThat(server.alive()).isTrue();
      } finally {
        pool.shutdownNow();
        for (ManagedChannel channel : channels) {
          channel.shutdownNow();
        }
      }
    }
  }

  /** Notes how a call ended early, if it did. */
  private static <T> StreamObserver<T> recording(java.util.Queue<Status> ended) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {}

      @Override
      public void onError(Throwable t) {
        ended.add(Status.fromThrowable(t));
      }

      @Override
      public void onCompleted() {
        ended.add(Status.OK.withDescription("answered"));
      }
    };
  }

  /** A subscriber that asks for nothing: the server must not buffer what it cannot send. */
  private static ClientResponseObserver<SubscribeRequest, SubscribeResponse> neverReading(
      java.util.Queue<Status> ended) {
    return new ClientResponseObserver<>() {
      @Override
      public void beforeStart(ClientCallStreamObserver<SubscribeRequest> requestStream) {
        requestStream.disableAutoRequestWithInitial(0);
      }

      @Override
      public void onNext(SubscribeResponse value) {}

      @Override
      public void onError(Throwable t) {
        ended.add(Status.fromThrowable(t));
      }

      @Override
      public void onCompleted() {}
    };
  }

  private static ClientResponseObserver<ProduceBatchRequest, ProduceBatchResponse>
      neverReadingAcks() {
    return new ClientResponseObserver<>() {
      @Override
      public void beforeStart(ClientCallStreamObserver<ProduceBatchRequest> requestStream) {
        requestStream.disableAutoRequestWithInitial(0);
      }

      @Override
      public void onNext(ProduceBatchResponse value) {}

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {}
    };
  }
}
