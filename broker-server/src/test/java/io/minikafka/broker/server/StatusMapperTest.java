package io.minikafka.broker.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.minikafka.broker.store.CorruptRecordException;
import io.minikafka.broker.store.ReadPastEndException;
import io.minikafka.broker.store.StoreClosedException;
import io.minikafka.broker.store.StoreException;
import io.minikafka.broker.store.StoreFailedException;
import io.minikafka.broker.store.StoreFullException;
import io.minikafka.broker.store.TopicUnavailableException;
import io.minikafka.broker.store.UnknownTopicException;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class StatusMapperTest {

  @Test
  void eachFailureGetsItsStatusAndKeepsItsMessage() {
    assertThat(StatusMapper.toStatus(new IllegalArgumentException("topic name must not be empty")))
        .satisfies(s -> assertThat(s.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT))
        .satisfies(s -> assertThat(s.getDescription()).isEqualTo("topic name must not be empty"));
    assertThat(StatusMapper.toStatus(new UnknownTopicException("t")).getCode())
        .isEqualTo(Status.Code.NOT_FOUND);
    assertThat(StatusMapper.toStatus(new CorruptRecordException("topic 't' message 7 is damaged")))
        .satisfies(s -> assertThat(s.getCode()).isEqualTo(Status.Code.DATA_LOSS))
        .satisfies(s -> assertThat(s.getDescription()).contains("message 7"));
    assertThat(StatusMapper.toStatus(new StoreFullException("no space left", new IOException())))
        .satisfies(s -> assertThat(s.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED))
        .satisfies(s -> assertThat(s.getDescription()).isEqualTo("no space left"));
    assertThat(StatusMapper.toStatus(new StoreClosedException()).getCode())
        .isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(StatusMapper.toStatus(new StoreException("disk on fire")))
        .satisfies(s -> assertThat(s.getCode()).isEqualTo(Status.Code.UNAVAILABLE))
        .satisfies(s -> assertThat(s.getDescription()).isEqualTo("disk on fire"));
    assertThat(StatusMapper.toStatus(new ReadPastEndException("t", 1000, 3)))
        .satisfies(s -> assertThat(s.getCode()).isEqualTo(Status.Code.OUT_OF_RANGE))
        .satisfies(s -> assertThat(s.getDescription()).contains("1000", "3", "'t'"));
    assertThat(StatusMapper.toStatus(new TopicUnavailableException("topic 't' is unavailable")))
        .satisfies(s -> assertThat(s.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION))
        .satisfies(s -> assertThat(s.getDescription()).isEqualTo("topic 't' is unavailable"));
    assertThat(
            StatusMapper.toStatus(new StoreFailedException("an fsync failed", new IOException())))
        .satisfies(s -> assertThat(s.getCode()).isEqualTo(Status.Code.UNAVAILABLE))
        .satisfies(s -> assertThat(s.getDescription()).isEqualTo("an fsync failed"));
    assertThat(StatusMapper.toStatus(new IllegalStateException("bug")).getCode())
        .isEqualTo(Status.Code.INTERNAL);
  }
}
