package io.minikafka.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.minikafka.client.MiniKafkaException;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class SendOutcomesTest {

  private static final MiniKafkaException REFUSED =
      new MiniKafkaException("send to topic 't' failed: refused", Status.UNAVAILABLE);

  private static CompletableFuture<Long> stored(long number) {
    return CompletableFuture.completedFuture(number);
  }

  @Test
  void everyLineStoredIsCountedWithItsFirstAndLastNumber() {
    SendOutcomes outcomes = new SendOutcomes();
    outcomes.add(stored(7));
    outcomes.add(stored(8));
    outcomes.add(stored(9));
    outcomes.settle();

    assertThat(outcomes.failure()).isNull();
    assertThat(outcomes.stored()).isEqualTo(3);
    assertThat(outcomes.firstNumber()).isEqualTo(7);
    assertThat(outcomes.lastNumber()).isEqualTo(9);
    assertThat(outcomes.summary()).isEqualTo("stored: lines 1 to 3 (numbers 7 to 9)");
  }

  @Test
  void theFirstFailedLineIsReportedWithTheStoredLinesBeforeIt() {
    SendOutcomes outcomes = new SendOutcomes();
    outcomes.add(stored(1));
    outcomes.add(stored(2));
    outcomes.add(CompletableFuture.failedFuture(REFUSED));

    assertThat(outcomes.failureSeen()).isTrue();
    outcomes.settle();
    assertThat(outcomes.reported())
        .isInstanceOf(MiniKafkaException.class)
        .hasMessage(
            "send to topic 't' failed: refused; stored: lines 1 to 2 (numbers 1 to 2);"
                + " not confirmed: line 3");
    assertThat(((MiniKafkaException) outcomes.reported()).errorCode())
        .isEqualTo(MiniKafkaException.ErrorCode.UNAVAILABLE);
  }

  @Test
  void linesAfterTheFailedOneAreCountedApartWhetherStoredOrNot() {
    SendOutcomes outcomes = new SendOutcomes();
    outcomes.add(stored(1));
    outcomes.add(CompletableFuture.failedFuture(REFUSED));
    outcomes.add(CompletableFuture.failedFuture(REFUSED));
    outcomes.add(stored(2));
    outcomes.add(stored(3));
    outcomes.settle();

    assertThat(outcomes.summary())
        .isEqualTo(
            "stored: line 1 (number 1); not confirmed: line 2 and 1 of the 3 lines read after it"
                + " (the other 2 are stored, so a resend from line 2 repeats them)");
  }

  @Test
  void nothingStoredAndNothingAfterSaysSo() {
    SendOutcomes outcomes = new SendOutcomes();
    outcomes.add(CompletableFuture.failedFuture(REFUSED));
    outcomes.add(CompletableFuture.failedFuture(REFUSED));
    outcomes.settle();

    assertThat(outcomes.summary())
        .isEqualTo("stored: none confirmed; not confirmed: line 1 and the 1 line read after it");
  }

  @Test
  void aLaterFailureSeenFirstStillReportsTheEarlierLinesThatSucceeded() {
    SendOutcomes outcomes = new SendOutcomes();
    CompletableFuture<Long> first = new CompletableFuture<>();
    CompletableFuture<Long> second = new CompletableFuture<>();
    outcomes.add(first);
    outcomes.add(second);
    second.completeExceptionally(REFUSED);
    assertThat(outcomes.failureSeen()).isTrue();
    first.complete(41L);
    outcomes.settle();

    assertThat(outcomes.stored()).isEqualTo(1);
    assertThat(outcomes.summary()).isEqualTo("stored: line 1 (number 41); not confirmed: line 2");
  }

  @Test
  void settledSendsAreDroppedAsTheyCompleteSoMemoryFollowsWhatIsInFlight() {
    SendOutcomes outcomes = new SendOutcomes();
    for (long n = 1; n <= 100_000; n++) {
      outcomes.add(stored(n));
    }
    assertThat(outcomes.stored()).isEqualTo(100_000);
    assertThat(outcomes.unsettled()).isZero();
  }
}
