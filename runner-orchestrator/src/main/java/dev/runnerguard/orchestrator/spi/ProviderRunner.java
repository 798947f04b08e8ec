package dev.runnerguard.orchestrator.spi;

import java.time.Instant;

/**
 * A runner as the provider sees it.
 *
 * @param runnerId RunnerGuard runner id
 * @param status what the provider knows of it
 * @param createdAt when it was provisioned, or null when unknown
 * @param exitCode the runner program's exit code once {@link Status#EXITED}, else null
 * @param detail a short human-readable detail (e.g. why it failed), never a secret
 */
public record ProviderRunner(
    String runnerId, Status status, Instant createdAt, Integer exitCode, String detail) {

  /** Provider-level status of a runner. */
  public enum Status {
    /** Created, the runner program not yet running. */
    STARTING,
    /** The runner program runs. */
    RUNNING,
    /** Frozen by {@link RunnerProvider#freeze}. */
    FROZEN,
    /** The runner program has exited; resources may still exist until destroy. */
    EXITED,
    /** No such runner. */
    NOT_FOUND
  }

  public static ProviderRunner notFound(String runnerId) {
    return new ProviderRunner(runnerId, Status.NOT_FOUND, null, null, null);
  }
}
