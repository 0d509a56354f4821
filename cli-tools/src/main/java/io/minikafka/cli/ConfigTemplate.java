package io.minikafka.cli;

import io.minikafka.broker.config.ServerConfig;
import io.minikafka.broker.config.Setting;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes the distribution's {@code config/minikafka.properties}: every server setting, commented
 * out at its default, with what it does, made from the settings themselves so that it never misses
 * one.
 */
public final class ConfigTemplate {

  private ConfigTemplate() {}

  /** The template's text. */
  static String text() {
    StringBuilder text =
        new StringBuilder(
            "# MiniKafka server settings: mkfk-server --config config/minikafka.properties (or"
                + " MINIKAFKA_CONFIG).\n"
                + "# Keys are the environment variables below or the flags without their dashes;"
                + " variables and flags\n"
                + "# override this file. Uncomment a line to change its default.\n");
    for (ServerConfig.Origin origin : ServerConfig.origins(Map.of(), Map.of())) {
      Setting setting = origin.setting();
      text.append("\n# ")
          .append(setting.description())
          .append(" (")
          .append(setting.flag())
          .append(")\n#")
          .append(setting.envVar())
          .append('=')
          .append(literal(origin.value()) ? origin.value() : "")
          .append('\n');
    }
    return text.toString();
  }

  /**
   * Whether a shown default is a value the setting takes, not words about one such as "(off)" or
   * "89478485 (a third of the heap)": those are left empty, which means the default.
   */
  private static boolean literal(String shown) {
    return !shown.startsWith("(") && !shown.contains(" ");
  }

  /** Writes the template to the file {@code args[0]}. */
  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: ConfigTemplate OUTPUT_FILE");
    }
    Path out = Path.of(args[0]);
    Files.createDirectories(out.getParent());
    Files.writeString(out, text(), StandardCharsets.UTF_8);
  }
}
