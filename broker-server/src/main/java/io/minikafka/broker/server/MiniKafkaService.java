package io.minikafka.broker.server;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.grpc.stub.StreamObserver;
import io.minikafka.broker.config.Setting;
import io.minikafka.broker.store.BackingStore;
import io.minikafka.broker.store.PollLimits;
import io.minikafka.broker.store.PollResult;
import io.minikafka.broker.store.StoredMessage;
import io.minikafka.protocol.MiniKafkaGrpc;
import io.minikafka.protocol.MsgNumber;
import io.minikafka.protocol.Payload;
import io.minikafka.protocol.PollRequest;
import io.minikafka.protocol.PollResponse;
import io.minikafka.protocol.ProduceRequest;

/** The {@code protocol.MiniKafka} gRPC service: thin handlers over a {@link BackingStore}. */
final class MiniKafkaService extends MiniKafkaGrpc.MiniKafkaImplBase {

  private final BackingStore store;
  private final int maxMessageBytes;
  private final PollLimits serverLimits;

  MiniKafkaService(BackingStore store, int maxMessageBytes, int maxPollBytes) {
    this.store = store;
    this.maxMessageBytes = maxMessageBytes;
    this.serverLimits = new PollLimits(Integer.MAX_VALUE, maxPollBytes);
  }

  @Override
  public void produce(ProduceRequest request, StreamObserver<MsgNumber> responses) {
    try {
      ByteString payload = request.getPayload().getPayload();
      if (payload.size() > maxMessageBytes) {
        throw new IllegalArgumentException(
            "message of "
                + payload.size()
                + " bytes is over the maximum message size of "
                + maxMessageBytes
                + " bytes ("
                + Setting.MAX_MESSAGE_BYTES.envVar()
                + ")");
      }
      long number = store.store(request.getTopic().getTopic(), payload.toByteArray());
      responses.onNext(MsgNumber.newBuilder().setMsgNumber(number).build());
      responses.onCompleted();
    } catch (Exception e) {
      responses.onError(StatusMapper.toStatus(e).asRuntimeException());
    }
  }

  @Override
  public void poll(PollRequest request, StreamObserver<PollResponse> responses) {
    try {
      // uint64 on the wire: values past Long.MAX_VALUE arrive negative and mean "beyond any number".
      long readFrom = request.getReadFrom().getMsgNumber();
      if (readFrom < 0) {
        readFrom = Long.MAX_VALUE;
      }
      PollLimits limits =
          serverLimits.lowerTo(
              Integer.toUnsignedLong(request.getMaxMessages()),
              Integer.toUnsignedLong(request.getMaxBytes()));
      PollResult result = store.poll(request.getTopic(), readFrom, limits);
      PollResponse.Builder response = PollResponse.newBuilder();
      for (StoredMessage message : result.messages()) {
        // Stored payloads are never changed, so wrapping them without a copy is safe.
        response.addPayloads(
            Payload.newBuilder().setPayload(UnsafeByteOperations.unsafeWrap(message.payload())));
      }
      response.setNewReadFrom(MsgNumber.newBuilder().setMsgNumber(result.newReadFrom()));
      responses.onNext(response.build());
      responses.onCompleted();
    } catch (Exception e) {
      responses.onError(StatusMapper.toStatus(e).asRuntimeException());
    }
  }
}
