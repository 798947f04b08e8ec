package dev.runnerguard.gateway.signature;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Loads the active webhook secrets: the current one and, during a rotation, the previous one. Each
 * comes from a value (environment variable {@code RUNNERGUARD_WEBHOOK_SECRET}, {@code
 * RUNNERGUARD_WEBHOOK_SECRET_PREVIOUS}) or a file (a Kubernetes secret mount, {@code
 * RUNNERGUARD_WEBHOOK_SECRET_FILE}, {@code RUNNERGUARD_WEBHOOK_SECRET_PREVIOUS_FILE}); a trailing
 * newline in a file is ignored. A secret given as a JVM system property ({@code -D...}, visible in
 * the process list) is refused. Errors name the setting, never a value.
 */
public final class WebhookSecrets {
  /** Setting names (MicroProfile Config; env var = upper case with '_'). */
  public static final String SECRET = "runnerguard.webhook.secret";

  public static final String SECRET_FILE = "runnerguard.webhook.secret-file";
  public static final String PREVIOUS = "runnerguard.webhook.secret-previous";
  public static final String PREVIOUS_FILE = "runnerguard.webhook.secret-previous-file";

  private WebhookSecrets() {}

  /** Where a setting can be read: the config value, and whether it came from the command line. */
  public interface Source {
    Optional<String> value(String name);

    boolean onCommandLine(String name);
  }

  /**
   * The active secrets, current first.
   *
   * @throws IllegalStateException when no current secret is configured, a secret is given on the
   *     command line, both a value and a file are given, or a file cannot be read or is empty
   */
  public static List<byte[]> load(Source source) {
    for (String name : List.of(SECRET, PREVIOUS)) {
      if (source.onCommandLine(name)) {
        throw new IllegalStateException(
            name
                + " was given as a JVM system property (on the command line, visible to every"
                + " process); pass it as the environment variable "
                + envName(name)
                + " or in a file ("
                + envName(name + "-file")
                + ")");
      }
    }
    Optional<byte[]> current = one(source, SECRET, SECRET_FILE);
    if (current.isEmpty()) {
      throw new IllegalStateException(
          "no webhook secret configured: set "
              + envName(SECRET)
              + " or "
              + envName(SECRET_FILE)
              + " (the gateway accepts no unsigned delivery)");
    }
    List<byte[]> secrets = new ArrayList<>(2);
    secrets.add(current.get());
    one(source, PREVIOUS, PREVIOUS_FILE).ifPresent(secrets::add);
    return secrets;
  }

  private static Optional<byte[]> one(Source source, String valueName, String fileName) {
    Optional<String> value = source.value(valueName).filter(v -> !v.isEmpty());
    Optional<String> file = source.value(fileName).filter(v -> !v.isBlank());
    if (value.isPresent() && file.isPresent()) {
      throw new IllegalStateException(
          "both " + envName(valueName) + " and " + envName(fileName) + " are set; set one");
    }
    if (value.isPresent()) {
      return Optional.of(value.get().getBytes(StandardCharsets.UTF_8));
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
          "cannot read the webhook secret file " + path + " (" + envName(fileName) + ")");
    }
    content = content.endsWith("\r\n") ? content.substring(0, content.length() - 2) : content;
    content = content.endsWith("\n") ? content.substring(0, content.length() - 1) : content;
    if (content.isEmpty()) {
      throw new IllegalStateException(
          "the webhook secret file " + path + " (" + envName(fileName) + ") is empty");
    }
    return Optional.of(content.getBytes(StandardCharsets.UTF_8));
  }

  static String envName(String setting) {
    return setting.toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_');
  }
}
