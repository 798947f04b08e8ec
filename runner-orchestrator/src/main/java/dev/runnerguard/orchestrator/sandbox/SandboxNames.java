package dev.runnerguard.orchestrator.sandbox;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Every host resource of one runner is named from its runner id alone, so a fresh provider (or
 * another orchestrator instance) finds and removes them without any in-memory state.
 */
record SandboxNames(String runnerId, String prefix, String hash) {

  static final Pattern RUNNER_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");

  static boolean validRunnerId(String runnerId) {
    return runnerId != null && RUNNER_ID.matcher(runnerId).matches();
  }

  static SandboxNames of(String prefix, String runnerId) {
    if (!validRunnerId(runnerId)) {
      throw new IllegalArgumentException("invalid runner id (want " + RUNNER_ID + ")");
    }
    return new SandboxNames(runnerId, prefix, hash(runnerId));
  }

  private static String hash(String runnerId) {
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-256").digest(runnerId.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d).substring(0, 10);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Network namespace name, {@code <prefix>-<runnerId>} (under /run/netns). */
  String netns() {
    return prefix + "-" + runnerId;
  }

  /** The netns prefix, to find orphans. */
  static String netnsPrefix(String prefix) {
    return prefix + "-";
  }

  /** Host end of the veth pair (at most 15 characters). */
  String hostVeth() {
    return prefix + "h" + hash;
  }

  /** Runner end before it is moved and renamed to eth0. */
  String peerVeth() {
    return prefix + "n" + hash;
  }

  /** The host-side nftables table (family ip). */
  String hostTable() {
    return prefix + "_" + hash;
  }

  /** The runner's state directory. */
  Path stateDir(Path root) {
    return root.resolve(runnerId);
  }

  /** The cgroup directory name of the runner (in each controller, under the cgroup parent). */
  String cgroup() {
    return runnerId;
  }
}
