package dev.runnerguard.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * Loads a secret from a value (an environment variable) or a file (a Kubernetes secret mount). A
 * secret given as a JVM system property ({@code -D...}, visible in the process list) is refused.
 * Errors name the setting and its environment variable, never a value.
 */
public final class SecretSettings {
  private SecretSettings() {}

  /** Where a setting can be read: the config value, and whether it came from the command line. */
  public interface Source {
    Optional<String> value(String name);

    boolean onCommandLine(String name);

    /**
     * A source reading values through the given lookup (for example MicroProfile Config's {@code
     * getOptionalValue}) and treating a setting present among the JVM's system properties as given
     * on the command line.
     */
    static Source of(Function<String, Optional<String>> values) {
      return new Source() {
        @Override
        public Optional<String> value(String name) {
          return values.apply(name);
        }

        @Override
        public boolean onCommandLine(String name) {
          return System.getProperties().containsKey(name);
        }
      };
    }
  }

  /**
   * The secret, or empty when neither the value nor the file setting is set.
   *
   * @throws IllegalStateException when given on the command line, both value and file are set, or
   *     the file cannot be read or is empty
   */
  public static Optional<String> load(Source source, String valueName, String fileName) {
    if (source.onCommandLine(valueName)) {
      throw new IllegalStateException(
          valueName
              + " was given as a JVM system property (on the command line, visible to every"
              + " process); pass it as the environment variable "
              + envName(valueName)
              + " or in a file ("
              + envName(fileName)
              + ")");
    }
    Optional<String> value = source.value(valueName).filter(v -> !v.isEmpty());
    Optional<String> file = source.value(fileName).filter(v -> !v.isBlank());
    if (value.isPresent() && file.isPresent()) {
      throw new IllegalStateException(
          "both " + envName(valueName) + " and " + envName(fileName) + " are set; set one");
    }
    if (value.isPresent()) {
      return value;
    }
    if (file.isEmpty()) {
      return Optional.empty();
    }
    Path path = Path.of(file.get());
    String content;
    try {
      content = Files.readString(path, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot read the secret file " + path + " (" + envName(fileName) + ")");
    }
    content = content.endsWith("\r\n") ? content.substring(0, content.length() - 2) : content;
    content = content.endsWith("\n") ? content.substring(0, content.length() - 1) : content;
    if (content.isEmpty()) {
      throw new IllegalStateException(
          "the secret file " + path + " (" + envName(fileName) + ") is empty");
    }
    return Optional.of(content);
  }

  /** The environment variable of a setting: upper case, '.' and '-' as '_'. */
  public static String envName(String setting) {
    return setting.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }
}
