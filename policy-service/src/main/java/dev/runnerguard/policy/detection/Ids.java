package dev.runnerguard.policy.detection;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Deterministic ids, so the same input delivered twice yields the same finding and command. */
public final class Ids {
  private Ids() {}

  /** {@code fnd-} + 24 hex of sha256(rule id, runner id, trigger id). */
  public static String findingId(String ruleId, String runnerId, String triggerId) {
    return "fnd-" + hash("finding", ruleId, runnerId == null ? "" : runnerId, triggerId);
  }

  /** {@code cmd-} + 24 hex of sha256("QUARANTINE", finding id). */
  public static String commandId(String findingId) {
    return "cmd-" + hash("command", "QUARANTINE", findingId);
  }

  static String hash(String... parts) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      for (String p : parts) {
        d.update(p.getBytes(StandardCharsets.UTF_8));
        d.update((byte) 0);
      }
      return HexFormat.of().formatHex(d.digest()).substring(0, 24);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
