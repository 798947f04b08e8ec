package dev.runnerguard.orchestrator.spi;

import java.util.List;

/**
 * What the orchestrator asks of GitHub, always through the token-service (the orchestrator holds no
 * App key). The production implementation calls the token-service's internal API; tests use a fake
 * with the same contract.
 *
 * <p>Failures are {@link CredentialsException}s classified retriable or permanent; messages never
 * contain a credential.
 */
public interface CredentialsClient {

  /** Mints a single-use JIT runner config for a runner named {@code runnerName}. */
  MintedJit mintJit(JitRequest request) throws CredentialsException;

  /** Deletes a runner registration by GitHub runner id; a registration already gone is fine. */
  void deleteRunner(String org, long githubRunnerId) throws CredentialsException;

  /** A job's status at GitHub ({@code queued}, {@code in_progress}, {@code completed}). */
  JobStatus jobStatus(String repository, long jobId) throws CredentialsException;

  /** Cancels a workflow run ({@code force} for runs that ignore a normal cancel). */
  void cancelRun(String repository, long runId, boolean force) throws CredentialsException;

  /** The organisation's registered runners, for reconciliation. */
  List<RegisteredRunner> listRunners(String org) throws CredentialsException;

  /**
   * A JIT request.
   *
   * @param org organisation
   * @param repository {@code owner/name} for a repository-scoped runner, or null for org scope
   * @param runnerName the runner's name (its RunnerGuard id)
   * @param runnerGroupId GitHub runner group id
   * @param labels labels the runner registers with
   * @param workFolder work folder inside the runner
   */
  record JitRequest(
      String org,
      String repository,
      String runnerName,
      long runnerGroupId,
      List<String> labels,
      String workFolder) {}

  /** A minted JIT config: the GitHub runner id and the secret config. */
  record MintedJit(long githubRunnerId, String runnerName, Secret encodedJitConfig) {}

  /** A job's status. */
  record JobStatus(long jobId, String status, String conclusion, String runnerName) {}

  /** A runner registered at GitHub. */
  record RegisteredRunner(long id, String name, String status, boolean busy) {}

  /** A token-service or GitHub failure. */
  class CredentialsException extends Exception {
    private final boolean retriable;
    private final int status;
    private final long retryAfterMillis;

    public CredentialsException(String message, boolean retriable, int status) {
      this(message, retriable, status, 0);
    }

    public CredentialsException(
        String message, boolean retriable, int status, long retryAfterMillis) {
      super(message);
      this.retriable = retriable;
      this.status = status;
      this.retryAfterMillis = Math.max(0, retryAfterMillis);
    }

    /** How long the token-service asked to wait ({@code Retry-After}), or 0. */
    public long retryAfterMillis() {
      return retryAfterMillis;
    }

    public boolean retriable() {
      return retriable;
    }

    /** The HTTP status the token-service answered, or 0 for I/O errors. */
    public int status() {
      return status;
    }
  }
}
