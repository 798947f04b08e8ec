package dev.runnerguard.audit.ocsf;

import dev.runnerguard.support.CredentialRedaction;
import java.util.regex.Pattern;

/**
 * Removes credentials from free text a producer copied into an event (provider errors, runner log
 * tails) before it enters the chain. Defence in depth: producers promise that {@code detail} and
 * {@code attributes} never hold a secret (the orchestrator replaces the runner's JIT config in the
 * log tail it reports, token-service errors never name a token), but the chain is append-only and
 * hashed, so a secret that got in could never be taken out again.
 *
 * <p>Removes: {@code --token X} style flags, {@code NAME_TOKEN=X} / {@code secret: X} assignments,
 * GitHub token formats ({@code ghp_}, {@code ghs_}, …, {@code github_pat_}), AWS access key ids,
 * {@code Authorization:} values, URL user-info ({@link CredentialRedaction}, the rules
 * policy-service's redaction of findings uses too), and long base64 runs (a JIT config is base64
 * JSON of over a kilobyte); no length bound (the chain keeps what the producer said, minus
 * secrets). Pure.
 */
public final class Redaction {

  /** What a removed credential is replaced with. */
  public static final String REDACTED = CredentialRedaction.REDACTED;

  private static final Pattern BASE64_RUN = Pattern.compile("[A-Za-z0-9+/_-]{200,}={0,2}");

  /** Attribute names whose value is a credential whatever it looks like. */
  private static final Pattern SECRET_NAME =
      Pattern.compile(
          "(?i).*(token|secret|password|passwd|api[_-]?key|access[_-]?key|private[_-]?key|jit[_-]?config|authorization).*");

  private Redaction() {}

  /** The text without credentials; null stays null. */
  public static String redact(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    return BASE64_RUN.matcher(CredentialRedaction.redact(text)).replaceAll(REDACTED);
  }

  /**
   * The value of an attribute without credentials: {@link #REDACTED} when the attribute's name
   * names a secret ({@code token}, {@code secret}, {@code password}, {@code jitConfig}, {@code
   * authorization}, …), else the value {@link #redact redacted}.
   */
  public static String redactAttribute(String name, String value) {
    if (value == null) {
      return null;
    }
    if (name != null && SECRET_NAME.matcher(name).matches()) {
      return REDACTED;
    }
    return redact(value);
  }
}
