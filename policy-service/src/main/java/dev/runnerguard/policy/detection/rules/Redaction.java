package dev.runnerguard.policy.detection.rules;

import java.util.regex.Pattern;

/**
 * Removes credentials from text copied into findings and logs (command lines of malicious jobs
 * carry registration tokens, PATs and passwords): {@code --token X}, {@code token=X}, GitHub token
 * formats, {@code Authorization:} values, URL user-info. Also bounds the length.
 */
public final class Redaction {
  public static final int MAX_LENGTH = 1000;
  private static final String R = "[REDACTED]";
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

  private Redaction() {}

  /** The text without credentials, at most {@link #MAX_LENGTH} characters; null stays null. */
  public static String redact(String text) {
    if (text == null) {
      return null;
    }
    String s = text.length() > 8 * MAX_LENGTH ? text.substring(0, 8 * MAX_LENGTH) : text;
    s = FLAG.matcher(s).replaceAll("$1" + R);
    s = ASSIGN.matcher(s).replaceAll("$1" + R);
    s = GH.matcher(s).replaceAll(R);
    s = AUTH.matcher(s).replaceAll("$1" + R);
    s = USERINFO.matcher(s).replaceAll("$1" + R + "@");
    return s.length() > MAX_LENGTH ? s.substring(0, MAX_LENGTH) + "..." : s;
  }
}
