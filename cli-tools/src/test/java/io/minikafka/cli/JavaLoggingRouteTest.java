package io.minikafka.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** What gRPC logs through java.util.logging reaches the tools' logback, in its one format. */
class JavaLoggingRouteTest {

  @Test
  void aJavaUtilLoggingWarningArrivesThroughSlf4j() {
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
    root.addAppender(logged);
    try {
      CommandRunner.routeJavaLogging();
      java.util.logging.Logger.getLogger("io.grpc.internal.SerializingExecutor")
          .severe("Exception while executing runnable");

      assertThat(logged.list)
          .singleElement()
          .satisfies(
              e -> {
                assertThat(e.getLoggerName()).isEqualTo("io.grpc.internal.SerializingExecutor");
                assertThat(e.getLevel()).isEqualTo(ch.qos.logback.classic.Level.ERROR);
              });
      assertThat(java.util.logging.Logger.getLogger("").getHandlers())
          .as("no console handler of its own left")
          .allMatch(h -> h instanceof org.slf4j.bridge.SLF4JBridgeHandler);
    } finally {
      root.detachAppender(logged);
    }
  }
}
