package io.minikafka.broker.security;

import io.minikafka.broker.config.ConfigException;
import io.minikafka.broker.config.Setting;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The auth file and the rules it holds now. It is read again every {@value #CHECK_SECONDS} s and on
 * {@link #reload()} (SIGHUP); new contents take effect at once, whether the file was rewritten in
 * place or replaced by a rename. Contents that do not parse leave the rules as they were, and the
 * reason is logged once. Thread-safe: the rules are swapped whole.
 */
public final class AuthFile {

  private static final Logger LOG = LoggerFactory.getLogger(AuthFile.class);
  static final int CHECK_SECONDS = 1;

  private final Path path;
  private volatile AuthRules rules;
  private final List<Runnable> changeListeners = new CopyOnWriteArrayList<>();

  /** The contents last looked at, loaded or refused, so that each change is handled once. */
  private byte[] lastSeen;

  private String lastProblem;

  private AuthFile(Path path, byte[] contents, AuthRules rules) {
    this.path = path;
    this.lastSeen = contents;
    this.rules = rules;
  }

  /**
   * Loads the file at start.
   *
   * @throws ConfigException naming MINIKAFKA_AUTH_FILE, the file and what is wrong
   */
  public static AuthFile load(Path path) {
    try {
      byte[] contents = Files.readAllBytes(path);
      AuthRules rules = AuthRules.parse(decode(contents));
      LOG.info("Auth file {}: {} identities", path, rules.size());
      return new AuthFile(path, contents, rules);
    } catch (NoSuchFileException e) {
      throw new ConfigException(where(path) + ": no such file");
    } catch (CharacterCodingException e) {
      throw new ConfigException(where(path) + " is not UTF-8 text");
    } catch (IOException e) {
      throw new ConfigException(where(path) + " cannot be read: " + e);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(where(path) + ", " + e.getMessage());
    }
  }

  private static String where(Path path) {
    return Setting.AUTH_FILE.envVar() + " (" + Setting.AUTH_FILE.flag() + ") " + path;
  }

  /** The rules in force. */
  public AuthRules rules() {
    return rules;
  }

  /** Runs {@code listener} each time new rules take effect, on the thread that loaded them. */
  public void onChange(Runnable listener) {
    changeListeners.add(listener);
  }

  /** Checks the file every {@value #CHECK_SECONDS} s on {@code timer}. */
  public void watch(ScheduledExecutorService timer) {
    timer.scheduleWithFixedDelay(
        this::reloadIfChanged, CHECK_SECONDS, CHECK_SECONDS, TimeUnit.SECONDS);
  }

  /** Reads the file now and takes its rules if they parse; logs what happened either way. */
  public synchronized void reload() {
    lastSeen = null;
    lastProblem = null;
    reloadIfChanged();
  }

  private synchronized void reloadIfChanged() {
    byte[] contents;
    try {
      contents = Files.readAllBytes(path);
    } catch (IOException e) {
      problem("cannot be read (" + e.getClass().getSimpleName() + ")");
      return;
    }
    if (Arrays.equals(contents, lastSeen)) {
      return;
    }
    lastSeen = contents;
    try {
      AuthRules parsed = AuthRules.parse(decode(contents));
      rules = parsed;
      lastProblem = null;
      LOG.info("Auth file {} reloaded: {} identities", path, parsed.size());
      changeListeners.forEach(Runnable::run);
    } catch (CharacterCodingException e) {
      problem("is not UTF-8");
    } catch (IllegalArgumentException e) {
      problem("does not parse, " + e.getMessage());
    }
  }

  private void problem(String what) {
    if (!what.equals(lastProblem)) {
      lastProblem = what;
      LOG.warn("Auth file {} {}; the rules loaded before stay in force", path, what);
    }
  }

  private static String decode(byte[] contents) throws CharacterCodingException {
    return StandardCharsets.UTF_8
        .newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(java.nio.ByteBuffer.wrap(contents))
        .toString();
  }
}
