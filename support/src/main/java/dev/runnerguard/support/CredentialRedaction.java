package dev.runnerguard.support;

import java.util.regex.Pattern;

/**
 * The platform's one set of rules for removing credentials from free text (command lines, provider
 * errors, runner log tails): {@code --token X} style flags, {@code NAME_TOKEN=X} / {@code secret:
 * X} assignments, GitHub token formats ({@code ghp_}, {@code ghs_}, …, {@code github_pat_}), AWS
 * access key ids, {@code Authorization:} values and URL user-info. Services add their own bounds on
 * top (policy-service cuts findings to a length, audit-ingest also removes long base64 runs). Pure.
 */
public final class CredentialRedaction {

  /** What a removed credential is replaced with. */
  public static final String REDACTED = "[REDACTED]";

  private static final Pattern FLAG =
      Pattern.compile(
          "(?i)(--?(?:token|pat|password|passwd|secret|api-?key|access-?key|auth)[= ]+)(\"[^\"]*\"|'[^']*'|\\S+)");
  private static final Pattern ASSIGN =
      Pattern.compile(
          "(?i)\\b([A-Z0-9_]*(?:TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY)[A-Z0-9_]*\\s*[=:]\\s*)(\"[^\"]*\"|'[^']*'|\\S+)");
  private static final Pattern GH =
      Pattern.compile(
          "\\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|AKIA[0-9A-Z]{16})\\b");
  private static final Pattern AUTH = Pattern.compile("(?i)(authorization:\\s*)(\\S+\\s+)?\\S+");
  private static final Pattern USERINFO =
      Pattern.compile("(?i)(\\b[a-z][a-z0-9+.-]*://)[^/@\\s]+@");

  private CredentialRedaction() {}

  /** The text with every credential the rules recognise replaced; null stays null. */
  public static String redact(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    String s = FLAG.matcher(text).replaceAll("$1" + REDACTED);
    s = ASSIGN.matcher(s).replaceAll("$1" + REDACTED);
    s = GH.matcher(s).replaceAll(REDACTED);
    s = AUTH.matcher(s).replaceAll("$1" + REDACTED);
    return USERINFO.matcher(s).replaceAll("$1" + REDACTED + "@");
  }
}
