package io.minikafka.broker.store.file;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Topic names to directory names and back, and what start-up finds in a store's root. */
class TopicDirectoryTest {

  @TempDir Path root;

  @Test
  void everyUnabbreviatedDirectoryNameDecodesBackToItsTopic() {
    for (String topic :
        List.of("orders", "Orders", "a/b", "..", ".hidden", "ünïcødé 🎉", "%41", "^a", "~")) {
      String dir = TopicDirectory.encode(topic);
      assertThat(TopicDirectory.decode(dir)).as(topic).hasValue(topic);
      assertThat(TopicDirectory.isEncodedName(dir)).isTrue();
    }
  }

  @Test
  void namesEncodingNeverMakesAreNotTopicDirectories() {
    for (String name :
        List.of("lost+found", "README.txt", ".lock", "%4", "%ZZ", "^", "Orders", "a%2Fb")) {
      assertThat(TopicDirectory.decode(name)).as(name).isEmpty();
      assertThat(TopicDirectory.isEncodedName(name)).as(name).isFalse();
    }
  }

  @Test
  void anAbbreviatedNameIsATopicDirectoryWhoseTopicOnlyItsNameFileKnows() {
    String dir = TopicDirectory.encode("x".repeat(249));
    assertThat(dir).contains("~");
    assertThat(TopicDirectory.isEncodedName(dir)).isTrue();
    assertThat(TopicDirectory.decode(dir)).isEmpty();
  }

  @Test
  void discoverySaysWhatIsWrongWithEachUnreadableDirectory() throws IOException {
    for (String topic : List.of("good", "empty", "wrong", "binary")) {
      Files.createDirectories(root.resolve(topic));
    }
    Files.writeString(root.resolve("good").resolve(TopicDirectory.NAME_FILE), "good");
    Files.write(root.resolve("empty").resolve(TopicDirectory.NAME_FILE), new byte[0]);
    Files.writeString(root.resolve("wrong").resolve(TopicDirectory.NAME_FILE), "other");
    Files.write(root.resolve("binary").resolve(TopicDirectory.NAME_FILE), new byte[] {(byte) 0xc3});
    Files.createDirectories(root.resolve(TopicDirectory.CREATING_PREFIX + "new"));
    List<String> warnings = new ArrayList<>();

    TopicDirectory.Discovery found = TopicDirectory.discover(root, warnings::add);

    assertThat(found.leftovers())
        .containsExactly(root.resolve(TopicDirectory.CREATING_PREFIX + "new"));
    assertThat(found.topics())
        .extracting(f -> f.topic() + ": " + f.problem())
        .containsExactly(
            "binary: topic.name is not valid UTF-8",
            "empty: topic.name is empty",
            "good: null",
            "wrong: topic.name names topic 'other', which does not belong in this directory");
    assertThat(warnings).isEmpty();
  }

  @Test
  void aFileSystemsLostAndFoundIsPassedOverWithoutAWordAndAStrayFileIsNot() throws IOException {
    Files.createDirectories(root.resolve("lost+found"));
    Files.writeString(root.resolve("notes.txt"), "mine");
    List<String> warnings = new ArrayList<>();

    TopicDirectory.Discovery found = TopicDirectory.discover(root, warnings::add);

    assertThat(found.topics()).isEmpty();
    assertThat(warnings)
        .containsExactly(
            "Ignoring " + root.resolve("notes.txt") + ": not a MiniKafka topic directory");
  }

  @Test
  void aNameFileIsWrittenAtomicallyAndReadStrictly() throws IOException {
    Disk disk = new Disk(FileOps.DEFAULT, new FsyncPolicy.Always(), new FsyncObserver());
    TopicDirectory.writeName(root, "ünïcødé", disk);
    assertThat(TopicDirectory.readName(root)).isEqualTo("ünïcødé");
    assertThat(root.resolve(TopicDirectory.NAME_FILE + ".tmp")).doesNotExist();
    Files.write(
        root.resolve(TopicDirectory.NAME_FILE),
        "bad \u00ff".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    assertThatThrownBy(() -> TopicDirectory.readName(root))
        .hasMessage("topic.name is not valid UTF-8");
    Files.write(root.resolve(TopicDirectory.NAME_FILE), "fine".getBytes(UTF_8));
    assertThat(TopicDirectory.readName(root)).isEqualTo("fine");
  }
}
