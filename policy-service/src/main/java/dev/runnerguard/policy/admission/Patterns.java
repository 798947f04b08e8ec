package dev.runnerguard.policy.admission;

import java.util.List;
import java.util.Locale;

/** Organisation and repository name patterns: {@code *}, exact names, {@code owner/*}. */
public final class Patterns {
  private Patterns() {}

  /** True when any pattern matches the value (case-insensitive). */
  public static boolean anyMatches(List<String> patterns, String value) {
    if (value == null) {
      return false;
    }
    for (String p : patterns) {
      if (matches(p, value)) {
        return true;
      }
    }
    return false;
  }

  /** True when the pattern matches the value (case-insensitive). */
  public static boolean matches(String pattern, String value) {
    String p = pattern.toLowerCase(Locale.ROOT);
    String v = value.toLowerCase(Locale.ROOT);
    if (p.equals("*")) {
      return true;
    }
    if (p.endsWith("/*")) {
      int slash = v.indexOf('/');
      return slash > 0 && v.substring(0, slash + 1).equals(p.substring(0, p.length() - 1));
    }
    return p.equals(v);
  }
}
