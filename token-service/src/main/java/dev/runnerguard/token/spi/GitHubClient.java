package dev.runnerguard.token.spi;

import java.util.List;

/**
 * The GitHub REST calls the token-service makes. Implementations throw {@link GitHubException}
 * (retriable or permanent) and never put a credential in an exception message.
 */
public interface GitHubClient {
  InstallationToken createInstallationToken(long installationId, String appJwt);

  /** Org scope when repo is null. */
  JitConfig generateJitConfig(InstallationToken token, String org, String repo, JitSpec spec);

  List<RunnerInfo> listRunners(InstallationToken token, String org, String nameOrNull);

  void deleteRunner(InstallationToken token, String org, long runnerId);

  /** A repository's self-hosted runners (all pages), optionally only those with a name. */
  default List<RunnerInfo> listRepoRunners(
      InstallationToken token, String owner, String repo, String nameOrNull) {
    throw new UnsupportedOperationException("repository runners are not supported");
  }

  /** Deletes a repository-scoped runner registration. */
  default void deleteRepoRunner(InstallationToken token, String owner, String repo, long runnerId) {
    throw new UnsupportedOperationException("repository runners are not supported");
  }

  JobInfo getJob(InstallationToken token, String owner, String repo, long jobId);

  void cancelRun(InstallationToken token, String owner, String repo, long runId, boolean force);

  /** What a JIT runner is registered with. */
  record JitSpec(String name, long runnerGroupId, List<String> labels, String workFolder) {}

  record RunnerInfo(long id, String name, String status, boolean busy, List<String> labels) {}

  record JobInfo(long id, String status, String conclusion, String runnerName) {}
}
