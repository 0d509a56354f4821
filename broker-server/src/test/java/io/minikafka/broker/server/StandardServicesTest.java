package io.minikafka.broker.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.minikafka.broker.store.ForwardingStore;
import io.minikafka.broker.store.StoreHealth;
import io.minikafka.broker.store.memory.MemoryStore;
import io.minikafka.protocol.ListTopicsRequest;
import io.minikafka.protocol.MiniKafkaGrpc;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Health checking and server reflection, over real loopback sockets. */
class StandardServicesTest {

  private MiniKafkaServer server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws IOException {
    server = MiniKafkaServer.start(new MemoryStore(), "127.0.0.1:0", Duration.ofHours(1));
    channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
  }

  @AfterEach
  void stop() throws IOException {
    channel.shutdownNow();
    server.close();
  }

  @Test
  void healthIsServingWhileUpAndNotServingOnceShutdownStarts() throws Exception {
    HealthGrpc.HealthBlockingStub health =
        HealthGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus())
        .isEqualTo(ServingStatus.SERVING);
    assertThat(
            health
                .check(HealthCheckRequest.newBuilder().setService("protocol.MiniKafka").build())
                .getStatus())
        .isEqualTo(ServingStatus.SERVING);

    CompletableFuture<ServingStatus> change = new CompletableFuture<>();
    HealthGrpc.newStub(channel)
        .watch(
            HealthCheckRequest.getDefaultInstance(),
            new ClientResponseObserver<HealthCheckRequest, HealthCheckResponse>() {
              private ClientCallStreamObserver<HealthCheckRequest> call;

              @Override
              public void beforeStart(ClientCallStreamObserver<HealthCheckRequest> requestStream) {
                call = requestStream;
              }

              @Override
              public void onNext(HealthCheckResponse response) {
                if (response.getStatus() != ServingStatus.SERVING) {
                  change.complete(response.getStatus());
                  // As a load balancer would: stop watching, so shutdown need not wait for it.
                  call.cancel("seen NOT_SERVING", null);
                }
              }

              @Override
              public void onError(Throwable t) {
                change.completeExceptionally(t);
              }

              @Override
              public void onCompleted() {}
            });
    server.close();

    assertThat(change.get(30, TimeUnit.SECONDS)).isEqualTo(ServingStatus.NOT_SERVING);
  }

  @Test
  void healthTurnsNotServingWhenTheStoreRefusesWritesAndListTopicsSaysWhy() throws Exception {
    AtomicReference<StoreHealth> storeHealth = new AtomicReference<>(StoreHealth.HEALTHY);
    MiniKafkaServer failing =
        MiniKafkaServer.start(
            new ForwardingStore(new MemoryStore()) {
              @Override
              public StoreHealth health() {
                return storeHealth.get();
              }
            },
            "127.0.0.1:0",
            Duration.ofHours(1));
    ManagedChannel toFailing =
        ManagedChannelBuilder.forAddress("127.0.0.1", failing.port()).usePlaintext().build();
    try {
      HealthGrpc.HealthBlockingStub health =
          HealthGrpc.newBlockingStub(toFailing).withDeadlineAfter(30, TimeUnit.SECONDS);
      assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus())
          .isEqualTo(ServingStatus.SERVING);

      storeHealth.set(new StoreHealth(false, List.of("an fsync of /data/t/1.log failed")));

      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  health.check(HealthCheckRequest.getDefaultInstance()).getStatus()
                      == ServingStatus.NOT_SERVING);
      assertThat(
              MiniKafkaGrpc.newBlockingStub(toFailing)
                  .withDeadlineAfter(30, TimeUnit.SECONDS)
                  .listTopics(ListTopicsRequest.getDefaultInstance())
                  .getProblemsList())
          .containsExactly("an fsync of /data/t/1.log failed");
    } finally {
      toFailing.shutdownNow();
      failing.close();
    }
  }

  @Test
  void reflectionListsTheServiceAndDescribesItsMethods() throws Exception {
    List<ServerReflectionResponse> responses =
        reflect(
            ServerReflectionRequest.newBuilder().setListServices("").build(),
            ServerReflectionRequest.newBuilder()
                .setFileContainingSymbol("protocol.MiniKafka")
                .build());

    assertThat(responses.get(0).getListServicesResponse().getServiceList())
        .extracting(ServiceResponse::getName)
        .contains("protocol.MiniKafka", "grpc.health.v1.Health");
    FileDescriptorProto file =
        FileDescriptorProto.parseFrom(
            responses.get(1).getFileDescriptorResponse().getFileDescriptorProto(0));
    assertThat(file.getPackage()).isEqualTo("protocol");
    assertThat(file.getService(0).getMethodList())
        .extracting(m -> m.getName())
        .contains("Produce", "Poll", "ProduceBatch", "ProduceStream", "Subscribe");
  }

  private List<ServerReflectionResponse> reflect(ServerReflectionRequest... requests)
      throws InterruptedException {
    java.util.concurrent.BlockingQueue<ServerReflectionResponse> received =
        new java.util.concurrent.LinkedBlockingQueue<>();
    StreamObserver<ServerReflectionRequest> out =
        ServerReflectionGrpc.newStub(channel)
            .serverReflectionInfo(
                new StreamObserver<>() {
                  @Override
                  public void onNext(ServerReflectionResponse value) {
                    received.add(value);
                  }

                  @Override
                  public void onError(Throwable t) {}

                  @Override
                  public void onCompleted() {}
                });
    java.util.ArrayList<ServerReflectionResponse> responses = new java.util.ArrayList<>();
    for (ServerReflectionRequest request : requests) {
      out.onNext(request);
      ServerReflectionResponse response = received.poll(30, TimeUnit.SECONDS);
      assertThat(response).isNotNull();
      responses.add(response);
    }
    out.onCompleted();
    return responses;
  }
}
