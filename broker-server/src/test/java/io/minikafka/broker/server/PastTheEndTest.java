package io.minikafka.broker.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.minikafka.broker.config.ServerConfig;
import io.minikafka.broker.store.ManualClock;
import io.minikafka.broker.store.memory.MemoryStore;
import io.minikafka.protocol.MiniKafkaGrpc;
import io.minikafka.protocol.MsgNumber;
import io.minikafka.protocol.PollRequest;
import io.minikafka.protocol.PollResponse;
import io.minikafka.protocol.ProduceBatchRequest;
import io.minikafka.protocol.SubscribeRequest;
import io.minikafka.protocol.SubscribeResponse;
import java.io.IOException;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A reader whose number is past a topic's end (a memory store restarted, a file store restored from
 * an older backup) must be told, not left waiting for numbers that were given already or will be
 * given to other messages: Poll keeps the original's answer and adds the next number, Subscribe
 * fails with OUT_OF_RANGE naming both.
 */
class PastTheEndTest {

  private final ManualClock clock = new ManualClock();
  private MiniKafkaServer server;
  private ManagedChannel channel;
  private MiniKafkaGrpc.MiniKafkaBlockingStub blocking;

  @BeforeEach
  void start() throws IOException {
    String name = InProcessServerBuilder.generateName();
    server =
        new MiniKafkaServer(
                InProcessServerBuilder.forName(name),
                new MemoryStore(clock),
                ServerConfig.defaults(),
                clock)
            .start();
    channel = InProcessChannelBuilder.forName(name).build();
    blocking = MiniKafkaGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    blocking.produceBatch(
        ProduceBatchRequest.newBuilder()
            .setTopic("t")
            .addPayloads(ByteString.copyFromUtf8("one"))
            .addPayloads(ByteString.copyFromUtf8("two"))
            .build());
  }

  @AfterEach
  void stop() throws IOException {
    channel.shutdownNow();
    server.close();
  }

  private PollResponse poll(long readFrom, int maxWaitMs) {
    return blocking.poll(
        PollRequest.newBuilder()
            .setTopic("t")
            .setReadFrom(MsgNumber.newBuilder().setMsgNumber(readFrom))
            .setMaxWaitMs(maxWaitMs)
            .build());
  }

  @Test
  void pollPastTheEndAnswersAsTheOriginalAndSaysTheNextNumber() {
    PollResponse response = poll(1000, 0);
    assertThat(response.getPayloadsCount()).isZero();
    assertThat(response.getNewReadFrom().getMsgNumber()).isEqualTo(1000);
    assertThat(response.getNextNumber()).isEqualTo(3);

    assertThat(poll(1, 0).getNextNumber()).isEqualTo(3);
    assertThat(poll(3, 0).getNextNumber()).as("at the end, not past it").isEqualTo(3);
  }

  @Test
  void aLongPollPastTheEndAnswersAtOnce() {
    long start = System.nanoTime();
    PollResponse response = poll(1000, 25_000);
    assertThat(response.getNextNumber()).isEqualTo(3);
    assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(20));
  }

  @Test
  void subscribePastTheEndFailsWithOutOfRangeNamingBothNumbers() {
    Iterator<SubscribeResponse> responses =
        blocking.subscribe(SubscribeRequest.newBuilder().setTopic("t").setReadFrom(1000).build());
    assertThatThrownBy(responses::hasNext)
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.OUT_OF_RANGE);
              assertThat(e.getStatus().getDescription())
                  .contains("1000")
                  .contains("3")
                  .contains("'t'");
              assertThat(e.getTrailers().get(StatusMapper.NEXT_NUMBER)).isEqualTo("3");
            });
  }

  @Test
  void aLongPollAboveEveryNumberAnswersAtOnceOnATopicAndWaitsForOneMissing() {
    PollResponse onTopic = poll(-1, 25_000);
    assertThat(onTopic.getNewReadFrom().getMsgNumber()).isEqualTo(-1);
    assertThat(onTopic.getNextNumber()).isEqualTo(3);

    PollResponse missing =
        blocking.poll(
            PollRequest.newBuilder()
                .setTopic("missing")
                .setReadFrom(MsgNumber.newBuilder().setMsgNumber(-1))
                .setMaxWaitMs(50)
                .build());
    assertThat(missing.getPayloadsCount()).isZero();
    assertThat(missing.getNewReadFrom().getMsgNumber()).isEqualTo(-1);
  }

  @Test
  void aSubscriptionOrCommitAtANumberNoMessageCanHaveIsRefusedAsItWasSent() {
    long wire = -1; // uint64 2^64-1
    java.util.List<org.assertj.core.api.ThrowableAssert.ThrowingCallable> calls =
        java.util.List.of(
            () ->
                blocking
                    .subscribe(
                        SubscribeRequest.newBuilder().setTopic("t").setReadFrom(wire).build())
                    .hasNext(),
            () ->
                blocking.commitPosition(
                    io.minikafka.protocol.CommitPositionRequest.newBuilder()
                        .setTopic("t")
                        .setConsumer("g")
                        .setNextNumber(wire)
                        .build()));
    for (org.assertj.core.api.ThrowableAssert.ThrowingCallable call : calls) {
      assertThatThrownBy(call)
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                assertThat(e.getStatus().getDescription())
                    .contains("18446744073709551615")
                    .contains(Long.toString(Long.MAX_VALUE));
              });
    }
    assertThat(
            blocking
                .fetchPosition(
                    io.minikafka.protocol.FetchPositionRequest.newBuilder()
                        .setTopic("t")
                        .setConsumer("g")
                        .build())
                .getFound())
        .as("nothing committed")
        .isFalse();
  }

  @Test
  void subscribeAtTheEndWaitsForTheNextMessage() {
    Iterator<SubscribeResponse> responses =
        blocking.subscribe(SubscribeRequest.newBuilder().setTopic("t").setReadFrom(3).build());
    blocking.produceBatch(
        ProduceBatchRequest.newBuilder()
            .setTopic("t")
            .addPayloads(ByteString.copyFromUtf8("three"))
            .build());
    SubscribeResponse response = responses.next();
    if (response.getCaughtUp()) {
      // Told it caught up before the message came.
      assertThat(response.getRecordsCount()).isZero();
      response = responses.next();
    }
    assertThat(response.getRecords(0).getMsgNumber()).isEqualTo(3);
  }
}
