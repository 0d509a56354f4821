package io.minikafka.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.minikafka.broker.store.file.FileStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FsckCommandTest {

  @TempDir Path root;

  private void fill() throws IOException {
    try (FileStore store = FileStore.open(root)) {
      for (int i = 0; i < 5; i++) {
        store.store("topic_foo", new byte[10]);
      }
    }
  }

  private Path log() throws IOException {
    try (Stream<Path> files = Files.list(root.resolve("topic_foo"))) {
      return files.filter(p -> p.toString().endsWith(".log")).findFirst().orElseThrow();
    }
  }

  @Test
  void aCleanStoreExitsZeroWithASummary() throws IOException {
    fill();

    CliHarness.Result result = CliHarness.run(new FsckCommand(), root.toString());

    assertThat(result.exitCode()).isZero();
    assertThat(result.out())
        .contains("topic 'topic_foo': 1 segment, messages 1-5 (5 stored)")
        .contains(": ok")
        .contains("no damage");
  }

  @Test
  void aTopicWhoseMessagesAreGoneSaysSoWithTheNumberItsNextMessageGets() throws IOException {
    fill();
    try (FileStore store = FileStore.open(root)) {
      store.deleteTopic("topic_foo");
    }
    Files.createDirectory(root.resolve("stray"));

    CliHarness.Result result = CliHarness.run(new FsckCommand(), root.toString());

    assertThat(result.out())
        .containsPattern(
            "topic 'topic_foo': \\d+ segments?, no messages stored \\(next number 6\\)")
        .contains("topic 'stray': 0 segments, no messages stored, 0 bytes: DAMAGED")
        .doesNotContain("--1");
  }

  @Test
  void aDirectoryWhoseNameDrivesTheTerminalIsPrintedEscaped() throws IOException {
    fill();
    Files.createDirectory(root.resolve("red\u001b[31m"));

    CliHarness.Result result = CliHarness.run(new FsckCommand(), root.toString());

    assertThat(result.out())
        .contains("red\\u001b[31m: not a MiniKafka topic directory")
        .doesNotContain("\u001b");
  }

  @Test
  void aTornTailExitsOneAndRepairFixesIt() throws IOException {
    fill();
    Files.write(log(), new byte[] {9, 9, 9, 9, 9}, StandardOpenOption.APPEND);

    CliHarness.Result check = CliHarness.run(new FsckCommand(), root.toString());
    assertThat(check.exitCode()).isEqualTo(1);
    assertThat(check.out()).contains("DAMAGED").contains("repairable with --repair");

    CliHarness.Result repair = CliHarness.run(new FsckCommand(), "--repair", root.toString());
    assertThat(repair.exitCode()).isZero();
    assertThat(repair.out()).contains("after repair: no damage").contains("(5 stored)");
  }

  @Test
  void aMissingDirectoryIsAUsageError() {
    CliHarness.Result result = CliHarness.run(new FsckCommand(), root.resolve("nope").toString());

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("is not a directory");
  }

  @Test
  void repairRefusesAStoreInUse() throws IOException {
    fill();
    try (FileStore running = FileStore.open(root)) {
      CliHarness.Result result = CliHarness.run(new FsckCommand(), "--repair", root.toString());

      assertThat(result.exitCode()).isEqualTo(1);
      assertThat(result.err()).contains("in use");
    }
  }

  @Test
  void checkingAStoreInUseSaysTheAnswerMayBeStaleAndAStoreNotInUseDoesNot() throws IOException {
    fill();
    CliHarness.Result idle = CliHarness.run(new FsckCommand(), root.toString());
    CliHarness.Result held;
    try (FileStore running = FileStore.open(root)) {
      held = CliHarness.run(new FsckCommand(), root.toString());
    }

    assertThat(idle.out()).doesNotContain("running server");
    assertThat(held.exitCode()).isZero();
    assertThat(held.out().lines())
        .first()
        .asString()
        .startsWith("warning: a running server holds this store")
        .contains("stop the server for a reliable answer");
  }
}
