package dev.runnerguard.token.tokens;

import dev.runnerguard.schemas.avro.CredentialAction;
import dev.runnerguard.schemas.avro.CredentialType;
import dev.runnerguard.token.audit.CredentialAudit;
import dev.runnerguard.token.spi.GitHubClient;
import dev.runnerguard.token.spi.GitHubClient.JitSpec;
import dev.runnerguard.token.spi.GitHubClient.JobInfo;
import dev.runnerguard.token.spi.GitHubClient.RunnerInfo;
import dev.runnerguard.token.spi.GitHubException;
import dev.runnerguard.token.spi.JitConfig;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/** The credential operations behind the internal API (no HTTP, no CDI). */
public final class TokenOperations {
  private static final Logger LOG = Logger.getLogger(TokenOperations.class);

  private final GitHubClient github;
  private final InstallationTokens tokens;
  private final Map<String, Long> installations;
  private final long appId;
  private final CredentialAudit audit;

  public TokenOperations(
      GitHubClient github,
      InstallationTokens tokens,
      Map<String, Long> installations,
      long appId,
      CredentialAudit audit) {
    this.github = github;
    this.tokens = tokens;
    this.installations = Map.copyOf(installations);
    this.appId = appId;
    this.audit = audit;
  }

  /** The installation of an organisation, when this service manages it. */
  public Optional<Long> installation(String org) {
    return Optional.ofNullable(installations.get(org));
  }

  /**
   * Mints a JIT config. On 409 (name exists) deletes the stale registration with that name and
   * retries once.
   */
  public JitConfig mintJit(long installationId, String org, String repo, JitSpec spec) {
    JitConfig jit;
    try {
      jit = tokens.withToken(installationId, t -> github.generateJitConfig(t, org, repo, spec));
    } catch (GitHubException e) {
      if (e.status() != 409 || repo != null) {
        throw e;
      }
      List<RunnerInfo> same =
          tokens.withToken(installationId, t -> github.listRunners(t, org, spec.name()));
      for (RunnerInfo r : same) {
        if (r.name().equals(spec.name())) {
          LOG.infof(
              "JIT name %s exists in %s (runner %d): deleting the stale registration",
              spec.name(), org, r.id());
          deleteRunner(installationId, org, r.id(), "stale registration with the same name");
        }
      }
      jit = tokens.withToken(installationId, t -> github.generateJitConfig(t, org, repo, spec));
    }
    audit.publish(
        Long.toString(jit.runnerId()),
        audit.event(
            CredentialAction.JIT_CONFIG_MINTED,
            CredentialType.JIT_CONFIG,
            CredentialAudit.credentialRef(jit.encoded()),
            appId,
            installationId,
            jit.runnerId(),
            jit.runnerName(),
            org,
            repo == null ? null : org + "/" + repo,
            null,
            Map.of(),
            null));
    LOG.infof("JIT config minted for runner %d (%s) in %s", jit.runnerId(), jit.runnerName(), org);
    return jit;
  }

  public void deleteRunner(long installationId, String org, long runnerId, String reason) {
    tokens.withToken(
        installationId,
        t -> {
          github.deleteRunner(t, org, runnerId);
          return null;
        });
    audit.publish(
        Long.toString(runnerId),
        audit.event(
            CredentialAction.RUNNER_REGISTRATION_DELETED,
            CredentialType.JIT_CONFIG,
            "runner-" + runnerId,
            appId,
            installationId,
            runnerId,
            null,
            org,
            null,
            null,
            Map.of(),
            reason));
    LOG.infof("runner registration %d deleted in %s", runnerId, org);
  }

  /** The (cached) installation token: for in-process tests that look for leaks. */
  public dev.runnerguard.token.spi.InstallationToken installationToken(long installationId) {
    return tokens.get(installationId);
  }

  public List<RunnerInfo> listRunners(long installationId, String org) {
    return tokens.withToken(installationId, t -> github.listRunners(t, org, null));
  }

  public JobInfo job(long installationId, String owner, String repo, long jobId) {
    return tokens.withToken(installationId, t -> github.getJob(t, owner, repo, jobId));
  }

  public void cancel(long installationId, String owner, String repo, long runId, boolean force) {
    tokens.withToken(
        installationId,
        t -> {
          github.cancelRun(t, owner, repo, runId, force);
          return null;
        });
    LOG.infof("run %d in %s/%s cancelled (force=%s)", runId, owner, repo, force);
  }
}
