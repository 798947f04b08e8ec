package dev.runnerguard.policy.detection.rules;

import dev.runnerguard.support.CredentialRedaction;

/**
 * Removes credentials from text copied into findings and logs (command lines of malicious jobs
 * carry registration tokens, PATs and passwords): {@code --token X}, {@code token=X}, GitHub token
 * formats, {@code Authorization:} values, URL user-info (the platform's rules, {@link
 * CredentialRedaction}). Also bounds the length.
 */
public final class Redaction {
  public static final int MAX_LENGTH = 1000;

  private Redaction() {}

  /** The text without credentials, at most {@link #MAX_LENGTH} characters; null stays null. */
  public static String redact(String text) {
    if (text == null) {
      return null;
    }
    String s = text.length() > 8 * MAX_LENGTH ? text.substring(0, 8 * MAX_LENGTH) : text;
    s = CredentialRedaction.redact(s);
    return s.length() > MAX_LENGTH ? s.substring(0, MAX_LENGTH) + "..." : s;
  }
}
