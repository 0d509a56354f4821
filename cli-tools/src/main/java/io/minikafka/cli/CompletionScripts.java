package io.minikafka.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import picocli.AutoComplete;
import picocli.CommandLine;

/**
 * Writes a bash (and zsh, through bashcompinit) completion script for every tool, as picocli
 * generates them from the commands themselves; the build puts them in the distribution's {@code
 * completion/} directory.
 */
public final class CompletionScripts {

  private CompletionScripts() {}

  /** The tools, by the name their launcher has. */
  static Map<String, Object> tools() {
    return Map.of(
        "mkfk-server", new ServerCommand(),
        "mkfk-producer", new ProducerCommand(),
        "mkfk-consumer", new ConsumerCommand(),
        "mkfk-admin", new AdminCommand(),
        "mkfk-fsck", new FsckCommand(),
        "mkfk-perf", new PerfCommand());
  }

  /** Writes {@code <tool>.bash} for every tool into the directory {@code args[0]}. */
  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: CompletionScripts OUTPUT_DIRECTORY");
    }
    Path out = Files.createDirectories(Path.of(args[0]));
    for (Map.Entry<String, Object> tool : tools().entrySet()) {
      CommandLine cli =
          CommandRunner.commandLine(
              tool.getValue(),
              new PrintWriter(new StringWriter(), true),
              new PrintWriter(new StringWriter(), true));
      Files.writeString(
          out.resolve(tool.getKey() + ".bash"),
          AutoComplete.bash(tool.getKey(), cli),
          StandardCharsets.UTF_8);
    }
  }
}
