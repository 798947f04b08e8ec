package dev.runnerguard.gateway.signature;

import dev.runnerguard.support.SecretSettings;
import java.nio.charset.StandardCharsets;
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

  /**
   * The active secrets, current first.
   *
   * @throws IllegalStateException when no current secret is configured, a secret is given on the
   *     command line, both a value and a file are given, or a file cannot be read or is empty
   */
  public static List<byte[]> load(SecretSettings.Source source) {
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

  private static Optional<byte[]> one(
      SecretSettings.Source source, String valueName, String fileName) {
    return SecretSettings.load(source, valueName, fileName)
        .map(secret -> secret.getBytes(StandardCharsets.UTF_8));
  }

  static String envName(String setting) {
    return SecretSettings.envName(setting);
  }
}
