package dev.runnerguard.token.tokens;

import dev.runnerguard.token.app.AppCredentials;
import dev.runnerguard.token.spi.GitHubClient;
import dev.runnerguard.token.spi.GitHubException;
import dev.runnerguard.token.spi.InstallationToken;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Installation tokens cached until {@code margin} before expiry. Single flight: however many
 * callers, one request in flight per installation; the others wait for its result.
 */
public final class InstallationTokens {
  private final GitHubClient github;
  private final AppCredentials app;
  private final Clock clock;
  private final Duration margin;
  private final Consumer<InstallationToken> onMinted;
  private final ConcurrentHashMap<Long, InstallationToken> cache = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Long, CompletableFuture<InstallationToken>> inFlight =
      new ConcurrentHashMap<>();

  public InstallationTokens(
      GitHubClient github,
      AppCredentials app,
      Clock clock,
      Duration margin,
      Consumer<InstallationToken> onMinted) {
    this.github = github;
    this.app = app;
    this.clock = clock;
    this.margin = margin;
    this.onMinted = onMinted;
  }

  public InstallationToken get(long installationId) {
    InstallationToken cached = fresh(installationId);
    if (cached != null) {
      return cached;
    }
    CompletableFuture<InstallationToken> mine = new CompletableFuture<>();
    CompletableFuture<InstallationToken> running = inFlight.putIfAbsent(installationId, mine);
    if (running != null) {
      try {
        return running.join();
      } catch (CompletionException e) {
        if (e.getCause() instanceof RuntimeException r) {
          throw r;
        }
        throw e;
      }
    }
    try {
      InstallationToken again = fresh(installationId);
      if (again != null) {
        mine.complete(again);
        return again;
      }
      InstallationToken minted =
          github.createInstallationToken(installationId, app.mintJwt(clock.instant()));
      cache.put(installationId, minted);
      mine.complete(minted);
      try {
        onMinted.accept(minted);
      } catch (RuntimeException e) {
        // auditing failures are reported by the publisher
      }
      return minted;
    } catch (RuntimeException e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      inFlight.remove(installationId, mine);
    }
  }

  /** The cached tokens (for in-process leak tests). */
  public java.util.List<InstallationToken> cached() {
    return java.util.List.copyOf(cache.values());
  }

  /** Drops a cached token GitHub refused (401). */
  public void invalidate(long installationId) {
    cache.remove(installationId);
  }

  private InstallationToken fresh(long installationId) {
    InstallationToken t = cache.get(installationId);
    if (t != null && t.expiresAt().minus(margin).isAfter(clock.instant())) {
      return t;
    }
    return null;
  }

  /** Runs {@code call} with the installation's token; on 401 drops it and retries once. */
  public <T> T withToken(
      long installationId, java.util.function.Function<InstallationToken, T> call) {
    InstallationToken t = get(installationId);
    try {
      return call.apply(t);
    } catch (GitHubException e) {
      if (e.status() != 401) {
        throw e;
      }
      cache.remove(installationId, t);
      return call.apply(get(installationId));
    }
  }
}
