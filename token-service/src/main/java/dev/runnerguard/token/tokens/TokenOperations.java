package dev.runnerguard.token.tokens;

import dev.runnerguard.schemas.avro.CredentialAction;
import dev.runnerguard.schemas.avro.CredentialType;
import dev.runnerguard.token.apps.AppRouter;
import dev.runnerguard.token.apps.AppRouter.Route;
import dev.runnerguard.token.apps.GitHubApp;
import dev.runnerguard.token.audit.CredentialAudit;
import dev.runnerguard.token.github.Budgets.Endpoint;
import dev.runnerguard.token.spi.GitHubClient.JitSpec;
import dev.runnerguard.token.spi.GitHubClient.JobInfo;
import dev.runnerguard.token.spi.GitHubClient.RunnerInfo;
import dev.runnerguard.token.spi.GitHubException;
import dev.runnerguard.token.spi.InstallationToken;
import dev.runnerguard.token.spi.JitConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * The credential operations behind the internal API (no HTTP, no CDI). Each GitHub call runs on an
 * App chosen by the {@link AppRouter}; audit events name the App and installation used.
 */
public final class TokenOperations {
  private static final Logger LOG = Logger.getLogger(TokenOperations.class);

  private final AppRouter router;
  private final CredentialAudit audit;

  public TokenOperations(AppRouter router, CredentialAudit audit) {
    this.router = router;
    this.audit = audit;
  }

  /** Whether an App is configured with an installation on this organisation. */
  public boolean manages(String org) {
    return router.manages(org);
  }

  /**
   * Mints a JIT config. On 409 (name exists, in the org or the repository) deletes the stale
   * registration with that name in the same scope and retries once.
   */
  public JitConfig mintJit(String org, String repo, JitSpec spec) {
    Minted minted;
    try {
      minted = mintOnce(org, repo, spec);
    } catch (GitHubException e) {
      if (e.status() != 409) {
        throw e;
      }
      List<RunnerInfo> same =
          router.call(
              org,
              Endpoint.RUNNERS,
              (r, t) ->
                  repo == null
                      ? r.app().github().listRunners(t, org, spec.name())
                      : r.app().github().listRepoRunners(t, org, repo, spec.name()));
      for (RunnerInfo r : same) {
        if (r.name().equals(spec.name())) {
          LOG.infof(
              "JIT name %s exists in %s (runner %d): deleting the stale registration",
              spec.name(), repo == null ? org : org + "/" + repo, r.id());
          if (repo == null) {
            deleteRunner(org, r.id(), "stale registration with the same name");
          } else {
            deleteRepoRunner(org, repo, r.id(), "stale registration with the same name");
          }
        }
      }
      minted = mintOnce(org, repo, spec);
    }
    JitConfig jit = minted.jit();
    audit.publish(
        Long.toString(jit.runnerId()),
        audit.event(
            CredentialAction.JIT_CONFIG_MINTED,
            CredentialType.JIT_CONFIG,
            CredentialAudit.credentialRef(jit.encoded()),
            minted.route().app().appId(),
            minted.route().installationId(),
            jit.runnerId(),
            jit.runnerName(),
            org,
            repo == null ? null : org + "/" + repo,
            null,
            Map.of(),
            null));
    LOG.infof(
        "JIT config minted for runner %d (%s) in %s with GitHub App %d",
        jit.runnerId(), jit.runnerName(), org, minted.route().app().appId());
    return jit;
  }

  private record Minted(Route route, JitConfig jit) {}

  private Minted mintOnce(String org, String repo, JitSpec spec) {
    return router.call(
        org,
        Endpoint.GENERATE_JITCONFIG,
        (r, t) -> new Minted(r, r.app().github().generateJitConfig(t, org, repo, spec)));
  }

  public void deleteRunner(String org, long runnerId, String reason) {
    Route route =
        router.call(
            org,
            Endpoint.DELETE_RUNNER,
            (r, t) -> {
              r.app().github().deleteRunner(t, org, runnerId);
              return r;
            });
    auditDeleted(route, org, null, runnerId, reason);
    LOG.infof("runner registration %d deleted in %s", runnerId, org);
  }

  /** Deletes a repository-scoped runner registration, with its audit event. */
  public void deleteRepoRunner(String owner, String repo, long runnerId, String reason) {
    Route route =
        router.call(
            owner,
            Endpoint.DELETE_RUNNER,
            (r, t) -> {
              r.app().github().deleteRepoRunner(t, owner, repo, runnerId);
              return r;
            });
    auditDeleted(route, owner, owner + "/" + repo, runnerId, reason);
    LOG.infof("runner registration %d deleted in %s/%s", runnerId, owner, repo);
  }

  /** The audit event of a deleted runner registration (org-scoped when repository is null). */
  private void auditDeleted(
      Route route, String org, String repository, long runnerId, String reason) {
    audit.publish(
        Long.toString(runnerId),
        audit.event(
            CredentialAction.RUNNER_REGISTRATION_DELETED,
            CredentialType.JIT_CONFIG,
            "runner-" + runnerId,
            route.app().appId(),
            route.installationId(),
            runnerId,
            null,
            org,
            repository,
            null,
            Map.of(),
            reason));
  }

  public List<RunnerInfo> listRunners(String org) {
    return router.call(org, Endpoint.RUNNERS, (r, t) -> r.app().github().listRunners(t, org, null));
  }

  public JobInfo job(String owner, String repo, long jobId) {
    return router.call(
        owner, Endpoint.JOB, (r, t) -> r.app().github().getJob(t, owner, repo, jobId));
  }

  public void cancel(String owner, String repo, long runId, boolean force) {
    router.call(
        owner,
        force ? Endpoint.FORCE_CANCEL : Endpoint.CANCEL,
        (r, t) -> {
          r.app().github().cancelRun(t, owner, repo, runId, force);
          return null;
        });
    LOG.infof("run %d in %s/%s cancelled (force=%s)", runId, owner, repo, force);
  }

  /** Every installation token the service holds (cached): for in-process leak tests only. */
  public List<InstallationToken> heldInstallationTokens() {
    List<InstallationToken> out = new ArrayList<>();
    for (GitHubApp app : router.apps()) {
      out.addAll(app.tokens().cached());
    }
    return out;
  }

  public AppRouter router() {
    return router;
  }
}
