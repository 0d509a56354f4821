package io.minikafka.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs a command in this JVM and captures what it printed. */
final class CliHarness {

  record Result(int exitCode, String out, String err) {}

  private CliHarness() {}

  static Result run(Object command, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli =
        CommandRunner.commandLine(command, new PrintWriter(out, true), new PrintWriter(err, true));
    int code = cli.execute(args);
    return new Result(code, out.toString(), err.toString());
  }
}
