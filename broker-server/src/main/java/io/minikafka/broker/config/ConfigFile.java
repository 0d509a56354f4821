package io.minikafka.broker.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * A server configuration file ({@code --config FILE} or {@code MINIKAFKA_CONFIG}): Java properties
 * whose keys are the settings' environment variables ({@code MINIKAFKA_RETENTIONTIME=1h}) or their
 * flags without the dashes ({@code retention=1h}). Environment variables and flags override it.
 *
 * @param path where it was read from, empty for none
 * @param values the value of each setting it gives
 * @param keys the key that gave each setting, as the file spells it
 */
public record ConfigFile(
    Optional<Path> path, Map<Setting, String> values, Map<Setting, String> keys) {

  /** No file. */
  public static final ConfigFile NONE = new ConfigFile(Optional.empty(), Map.of(), Map.of());

  public ConfigFile {
    values = copy(values);
    keys = copy(keys);
  }

  private static Map<Setting, String> copy(Map<Setting, String> map) {
    EnumMap<Setting, String> copy = new EnumMap<>(Setting.class);
    copy.putAll(map);
    return Collections.unmodifiableMap(copy);
  }

  /** Why a file could not be read, in words: the JDK's file errors carry only the path. */
  private static String whyUnreadable(Exception e) {
    if (e instanceof java.nio.file.NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof java.nio.file.FileSystemException fs && fs.getReason() != null) {
      return fs.getReason();
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  /**
   * Reads a file.
   *
   * @throws ConfigException naming the file and what is wrong with it: unreadable, or a key that is
   *     no setting
   */
  public static ConfigFile read(Path path) {
    Properties properties = new Properties();
    try (Reader in = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
      properties.load(in);
    } catch (IOException | IllegalArgumentException e) {
      throw new ConfigException(
          "cannot read the configuration file " + path + " (" + whyUnreadable(e) + ")");
    }
    Map<Setting, String> values = new EnumMap<>(Setting.class);
    Map<Setting, String> keys = new EnumMap<>(Setting.class);
    for (String key : new java.util.TreeSet<>(properties.stringPropertyNames())) {
      Setting setting = settingNamed(key.trim());
      if (setting == null) {
        String trimmed = key.trim();
        throw new ConfigException(
            "unknown setting '"
                + key
                + "' in "
                + path
                + Setting.closestTo(trimmed)
                    .map(
                        s ->
                            "; did you mean '"
                                + (trimmed.startsWith("MINIKAFKA_")
                                    ? s.envVar()
                                    : s.flag().substring(2))
                                + "'?")
                    .orElse("")
                + " (keys are the variables or flags that mkfk-server --help lists, such as"
                + " MINIKAFKA_RETENTIONTIME or retention)");
      }
      String earlier = keys.put(setting, key);
      if (earlier != null) {
        throw new ConfigException(
            "'"
                + earlier
                + "' and '"
                + key
                + "' in "
                + path
                + " both set "
                + setting.envVar()
                + ": keep one");
      }
      values.put(setting, properties.getProperty(key).trim());
    }
    return new ConfigFile(Optional.of(path), values, keys);
  }

  private static Setting settingNamed(String key) {
    for (Setting setting : Setting.values()) {
      if (setting.envVar().equals(key) || setting.flag().substring(2).equals(key)) {
        return setting;
      }
    }
    return null;
  }

  /** How {@code --print-config} names this file as a source. */
  String source() {
    return "file " + path.map(Path::toString).orElse("");
  }

  /** How an error names where a setting's bad value came from: its key and the file. */
  String origin(Setting setting) {
    return "'" + keys.get(setting) + "' in " + path.map(Path::toString).orElse("");
  }
}
