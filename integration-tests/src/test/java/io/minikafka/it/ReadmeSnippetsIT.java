package io.minikafka.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.minikafka.client.Consumer;
import io.minikafka.client.Message;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiles and runs the Java snippets of README.md as they are written, so they cannot drift from
 * the API. The only edits: the server snippet listens on a free loopback port instead of :9999 and
 * keeps its store in this test's temporary directory, the clients dial it, and the consumer's 3 s
 * ticker is shortened.
 */
class ReadmeSnippetsIT {

  private static final Pattern SNIPPET =
      Pattern.compile("<!-- snippet: ([\\w-]+) -->\\s*```java\\n(.*?)```", Pattern.DOTALL);

  @TempDir Path work;

  @Test
  void theDependencyTheReadmeGivesIsThisBuildsVersion() throws Exception {
    String readme = Files.readString(MiniKafkaHome.HOME.resolve("README.md"));
    String pom = Files.readString(MiniKafkaHome.HOME.resolve("pom.xml"));
    java.util.regex.Matcher given =
        Pattern.compile("<artifactId>client-lib</artifactId>\\s*<version>([^<]+)</version>")
            .matcher(readme);
    java.util.regex.Matcher built =
        Pattern.compile("<artifactId>minikafka-parent</artifactId>\\s*<version>([^<]+)</version>")
            .matcher(pom);
    assertThat(given.find()).as("the README gives client-lib with a version").isTrue();
    assertThat(built.find()).isTrue();
    assertThat(given.group(1)).isEqualTo(built.group(1));
  }

  @Test
  void theReadmeSnippetsCompileAndRunAgainstEachOther() throws Exception {
    Map<String, String> snippets = snippets();
    assertThat(snippets)
        .containsOnlyKeys("producer", "consumer", "server", "async-producer", "subscriber");

    List<String> imports = new ArrayList<>();
    StringBuilder body = new StringBuilder();
    body.append(
        statements(snippets.get("server"), imports)
            .replace("\":9999\"", "\"127.0.0.1:0\"")
            .replace(
                "System.getProperty(\"java.io.tmpdir\")", "\"" + work.resolve("store") + "\""));
    body.append("String readmeHost = \"127.0.0.1:\" + server.port();\n");
    body.append("try {\n");
    for (String name : List.of("producer", "consumer", "async-producer", "subscriber")) {
      String code =
          statements(snippets.get(name), imports)
              .replace("\"localhost:9999\"", "readmeHost")
              .replace("Duration.ofSeconds(3)", "Duration.ofMillis(10)");
      body.append("{\n").append(code).append("}\n");
    }
    body.append("} finally {\nserver.close();\n}\n");
    String source =
        String.join("\n", imports.stream().distinct().toList())
            + "\npublic class ReadmeSnippets {\n"
            + "  public static String run() throws Exception {\n"
            + body
            + "    return readmeHost;\n  }\n}\n";

    Method run = compile(source).getMethod("run");
    PrintStream original = System.out;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    System.setOut(new PrintStream(printed, true, UTF_8));
    try {
      run.invoke(null);
    } finally {
      System.setOut(original);
    }

    assertThat(printed.toString(UTF_8))
        .contains("message 1: 300 bytes")
        .containsPattern("live message 1 stored at \\d{13}");
  }

  @Test
  void theProducerSnippetStoresWhatTheConsumerClassReads() throws Exception {
    // The snippets' server closes at their end; check the same calls against a server we keep.
    try (ServerProcess server = ServerProcess.start(Map.of())) {
      String source =
          String.join("\n", importsOf(snippets().get("producer")))
              + "\npublic class ProducerSnippet {\n  public static void run(String readmeHost) throws Exception {\n"
              + statements(snippets().get("producer"), new ArrayList<>())
                  .replace("\"localhost:9999\"", "readmeHost")
              + "  }\n}\n";
      Method run = compile(source).getMethod("run", String.class);
      warmUp(server.host());
      run.invoke(null, server.host());

      try (Consumer consumer =
          new Consumer("some_topic", 1, Duration.ofSeconds(10), server.host())) {
        List<Message> messages = consumer.poll().messages();
        assertThat(messages)
            .singleElement()
            .satisfies(
                m -> {
                  assertThat(m.number()).isEqualTo(1);
                  assertThat(m.payload()).hasSize(300);
                });
      }
    }
  }

  /**
   * Loads and JIT-warms the client classes in this JVM, so the snippet's 500 ms timeout measures
   * the call and not this test JVM's first use of gRPC.
   */
  private static void warmUp(String host) {
    try (Consumer consumer = new Consumer("warm_up", 1, Duration.ofSeconds(10), host)) {
      consumer.poll();
    } catch (io.minikafka.client.MiniKafkaException expectedNotFound) {
      assertThat(expectedNotFound.code()).isEqualTo(io.grpc.Status.Code.NOT_FOUND);
    }
  }

  private static Map<String, String> snippets() throws Exception {
    String readme = Files.readString(MiniKafkaHome.HOME.resolve("README.md"), UTF_8);
    Map<String, String> snippets = new LinkedHashMap<>();
    Matcher m = SNIPPET.matcher(readme);
    while (m.find()) {
      snippets.put(m.group(1), m.group(2));
    }
    return snippets;
  }

  private static List<String> importsOf(String snippet) {
    return snippet.lines().filter(l -> l.startsWith("import ")).toList();
  }

  private static String statements(String snippet, List<String> imports) {
    imports.addAll(importsOf(snippet));
    StringBuilder code = new StringBuilder();
    snippet.lines().filter(l -> !l.startsWith("import ")).forEach(l -> code.append(l).append('\n'));
    return code.toString();
  }

  private Class<?> compile(String source) throws Exception {
    String className =
        source.contains("class ReadmeSnippets") ? "ReadmeSnippets" : "ProducerSnippet";
    Path src = work.resolve(className + ".java");
    Files.writeString(src, source, UTF_8);
    Path classes = Files.createDirectories(work.resolve("classes-" + className));
    String classpath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
    ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
    int status =
        compiler.run(
            null,
            diagnostics,
            diagnostics,
            "-classpath",
            classpath,
            "-d",
            classes.toString(),
            src.toString());
    assertThat(status).as("compiling README snippets:\n%s\n%s", diagnostics, source).isZero();
    URLClassLoader loader =
        new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader());
    return loader.loadClass(className);
  }
}
