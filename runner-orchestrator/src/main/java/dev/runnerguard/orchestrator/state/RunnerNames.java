package dev.runnerguard.orchestrator.state;

import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runner ids are deterministic: {@code rg-<jobId>-<runAttempt>}. The id is also the runner's name
 * at GitHub, so a retried create is harmless at the provider and at GitHub, and an {@code
 * in_progress} webhook (which names the runner) finds the runner's state by key.
 */
public final class RunnerNames {
  /** Prefix of every runner the platform creates. */
  public static final String PREFIX = "rg-";

  private static final Pattern NAME = Pattern.compile("rg-(\\d{1,19})-(\\d{1,9})");

  private RunnerNames() {}

  /** The runner id (and GitHub name) for a job's run attempt. */
  public static String runnerId(long jobId, int runAttempt) {
    if (jobId <= 0 || runAttempt <= 0) {
      throw new IllegalArgumentException(
          "job id and run attempt must be positive, got " + jobId + "/" + runAttempt);
    }
    return PREFIX + jobId + "-" + runAttempt;
  }

  /**
   * The id of warm-pool runner number {@code seq}: {@code rg-0-<seq>} (job id 0: provisioned for no
   * job; GitHub routes it one of its class).
   */
  public static String poolRunnerId(long seq) {
    if (seq <= 0) {
      throw new IllegalArgumentException("pool sequence must be positive, got " + seq);
    }
    return PREFIX + "0-" + seq;
  }

  /** Whether a runner id is a warm-pool runner's. */
  public static boolean isPoolRunner(String id) {
    return id != null && id.startsWith(PREFIX + "0-") && isPlatformName(id);
  }

  /** Whether a GitHub runner name is one the platform creates. */
  public static boolean isPlatformName(String name) {
    return name != null && NAME.matcher(name).matches();
  }

  /** The job id a platform runner name was made for, if it is one. */
  public static OptionalLong jobIdOf(String name) {
    if (name == null) {
      return OptionalLong.empty();
    }
    Matcher m = NAME.matcher(name);
    return m.matches() ? OptionalLong.of(Long.parseLong(m.group(1))) : OptionalLong.empty();
  }
}
