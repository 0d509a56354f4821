package io.minikafka.cli;

import io.minikafka.broker.store.file.FileStoreCheck;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code mkfk-fsck}: checks (and with --repair, repairs) a file store while no server runs on it.
 */
@Command(
    name = "mkfk-fsck",
    mixinStandardHelpOptions = true,
    versionProvider = CommandRunner.Version.class,
    description =
        "Checks every segment of a MiniKafka file store (framing, CRC, numbering, index agreement)"
            + " and prints a summary per topic. Run it while no server uses the store.",
    footer = {
      "",
      "Exit codes: 0 no damage (after --repair: none left), 1 damage found, 2 bad usage."
    })
public final class FsckCommand implements Callable<Integer> {

  @Spec private CommandSpec spec;

  @Parameters(paramLabel = "ROOT_DIR", description = "The store's directory (MINIKAFKA_ROOT_DIR).")
  private Path root;

  @Option(
      names = "--repair",
      description =
          "Cut torn tails of last segments and rebuild indexes, exactly as server start-up"
              + " recovery does. Damage inside older segments is reported, never cut.")
  private boolean repair;

  public static void main(String[] args) {
    CommandRunner.runAndExit(new FsckCommand(), args);
  }

  @Override
  public Integer call() throws IOException {
    if (!Files.isDirectory(root)) {
      throw new IllegalArgumentException(root + " is not a directory");
    }
    PrintWriter out = spec.commandLine().getOut();
    FileStoreCheck.Report report =
        repair ? FileStoreCheck.repair(root) : FileStoreCheck.check(root);
    for (String warning : report.warnings()) {
      out.println("warning: " + CommandRunner.printable(warning));
    }
    for (FileStoreCheck.TopicReport topic : report.topics()) {
      out.printf(
          "topic '%s': %d segment%s, %s, %d bytes: %s%n",
          CommandRunner.printable(topic.topic()),
          topic.segments(),
          topic.segments() == 1 ? "" : "s",
          messages(topic),
          topic.bytes(),
          topic.damaged() ? "DAMAGED" : "ok");
      for (FileStoreCheck.Problem problem : topic.problems()) {
        out.printf(
            "  %s: %s (%s)%n",
            problem.segment(),
            problem.description(),
            problem.repairable() ? "repairable with --repair" : "not repairable");
      }
    }
    out.printf(
        "%d topic%s checked%s: %s%n",
        report.topics().size(),
        report.topics().size() == 1 ? "" : "s",
        repair ? " after repair" : "",
        report.damaged() ? "damage found" : "no damage");
    return report.damaged() ? CommandRunner.EXIT_FAILURE : CommandRunner.EXIT_OK;
  }

  /**
   * {@code messages 1-5 (5 stored)}; for a topic whose messages all expired or were deleted, {@code
   * no messages stored (next number 6)}, the number its next message will get.
   */
  private static String messages(FileStoreCheck.TopicReport topic) {
    if (topic.messages() == 0) {
      return topic.nextNumber() > 1
          ? "no messages stored (next number " + topic.nextNumber() + ")"
          : "no messages stored";
    }
    return "messages "
        + topic.firstNumber()
        + "-"
        + (topic.nextNumber() - 1)
        + " ("
        + topic.messages()
        + " stored)";
  }
}
