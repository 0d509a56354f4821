package io.minikafka.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs a command in this JVM and captures what it printed. */
final class CliHarness {

  record Result(int exitCode, String out, String err) {}

  private CliHarness() {}

  static Result run(Object command, String... args) {
    return run(command, new StringWriter(), args);
  }

  /**
   * Runs the command, writing its standard error to {@code err}, which another thread may read
   * while it runs (a StringWriter is synchronized).
   */
  static Result run(Object command, StringWriter err, String... args) {
    StringWriter out = new StringWriter();
    CommandLine cli =
        CommandRunner.commandLine(command, new PrintWriter(out, true), new PrintWriter(err, true));
    int code = cli.execute(args);
    return new Result(code, out.toString(), err.toString());
  }
}
