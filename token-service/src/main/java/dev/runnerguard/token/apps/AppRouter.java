package dev.runnerguard.token.apps;

import dev.runnerguard.token.github.Budgets;
import dev.runnerguard.token.github.Budgets.Endpoint;
import dev.runnerguard.token.github.HttpGitHubClient.Sleeper;
import dev.runnerguard.token.spi.GitHubException;
import dev.runnerguard.token.spi.InstallationToken;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import org.jboss.logging.Logger;

/**
 * Runs a GitHub call for an organisation on one of the Apps installed on it: the App with the most
 * remaining rate limit that has budget ({@link AppSelector}, {@link Budgets}). A rate-limited App
 * is skipped until GitHub's reset and the call moves to another App at once; when every App is rate
 * limited the call waits for the soonest reset if that is within {@code maxRateLimitWait}, else
 * fails (429). A call beyond every App's budget waits for the soonest budget within {@code
 * budgetMaxWait}, else fails at once ({@link BudgetExhaustedException}, 429).
 */
public final class AppRouter {
  private static final Logger LOG = Logger.getLogger(AppRouter.class);

  /** Bounds of the router's waits. */
  public record Settings(Duration maxRateLimitWait, Duration budgetMaxWait, int maxAttempts) {}

  /** The App and installation a call runs with. */
  public record Route(GitHubApp app, long installationId) {}

  private final List<GitHubApp> apps;
  private final Settings settings;
  private final Clock clock;
  private final Sleeper sleeper;
  private final MeterRegistry registry;
  private final AtomicLong rotation = new AtomicLong();
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();

  public AppRouter(
      List<GitHubApp> apps,
      Settings settings,
      Clock clock,
      Sleeper sleeper,
      MeterRegistry registry) {
    this.apps = List.copyOf(apps);
    this.settings = settings;
    this.clock = clock;
    this.sleeper = sleeper;
    this.registry = registry;
  }

  public List<GitHubApp> apps() {
    return apps;
  }

  /** The Apps installed on {@code org} (configured installations). */
  public List<GitHubApp> installedOn(String org) {
    List<GitHubApp> out = new ArrayList<>();
    for (GitHubApp a : apps) {
      if (a.installation(org).isPresent()) {
        out.add(a);
      }
    }
    return out;
  }

  public boolean manages(String org) {
    return !installedOn(org).isEmpty();
  }

  /** Runs {@code call} with a chosen App's installation token for {@code org}. */
  public <T> T call(String org, Endpoint endpoint, BiFunction<Route, InstallationToken, T> call) {
    List<GitHubApp> installed = installedOn(org);
    if (installed.isEmpty()) {
      throw new IllegalArgumentException("no App is installed on " + org);
    }
    int maxRounds = Math.max(1, settings.maxAttempts()) + installed.size() - 1;
    GitHubException last = null;
    for (int round = 1; ; round++) {
      Instant now = clock.instant();
      List<GitHubApp> ready = AppSelector.order(installed, now, rotation.getAndIncrement());
      if (ready.isEmpty()) {
        Instant soonest = Instant.MAX;
        for (GitHubApp a : installed) {
          if (a.rate().limitedUntil().isBefore(soonest)) {
            soonest = a.rate().limitedUntil();
          }
        }
        Duration wait = Duration.between(now, soonest);
        if (round > maxRounds || wait.compareTo(settings.maxRateLimitWait()) > 0) {
          LOG.warnf(
              "%s: every GitHub App installed on %s is rate limited for another %d s (bound %d"
                  + " s); giving up",
              endpoint.metricName(), org, seconds(wait), seconds(settings.maxRateLimitWait()));
          if (last != null) {
            throw last.withRetryAfter(wait);
          }
          throw new GitHubException(
              endpoint.metricName()
                  + ": every GitHub App installed on "
                  + org
                  + " is rate limited for another "
                  + seconds(wait)
                  + " s",
              429,
              true,
              true,
              wait);
        }
        LOG.infof(
            "%s: every GitHub App installed on %s is rate limited; waiting %d ms",
            endpoint.metricName(), org, wait.toMillis());
        sleep(wait);
        continue;
      }
      GitHubApp app = withBudget(org, endpoint, ready);
      long installation = app.installation(org).orElseThrow();
      try {
        return app.tokens()
            .withToken(installation, t -> call.apply(new Route(app, installation), t));
      } catch (GitHubException e) {
        if (!e.rateLimited() || e.retryAfter() == null) {
          throw e;
        }
        app.rate().limitUntil(clock.instant().plus(e.retryAfter()));
        last = e;
        LOG.infof(
            "%s: GitHub App %d rate limited for %d s; it is skipped until then",
            endpoint.metricName(), app.appId(), seconds(e.retryAfter()));
        if (round >= maxRounds) {
          throw e;
        }
      }
    }
  }

  /** The first ready App with budget now, else the one whose budget frees first (bounded wait). */
  private GitHubApp withBudget(String org, Endpoint endpoint, List<GitHubApp> ready) {
    for (GitHubApp a : ready) {
      if (a.budgets().reserve(endpoint, 0).isPresent()) {
        return a;
      }
    }
    long maxWait = settings.budgetMaxWait().toNanos();
    GitHubApp best = null;
    long bestWait = Long.MAX_VALUE;
    for (GitHubApp a : ready) {
      long w = a.budgets().waitNanos(endpoint);
      if (w < bestWait) {
        bestWait = w;
        best = a;
      }
    }
    if (best != null && bestWait <= maxWait) {
      OptionalLong reserved = best.budgets().reserve(endpoint, maxWait);
      if (reserved.isPresent()) {
        count("runnerguard.token.github.budget.waits", endpoint, best.appId());
        LOG.debugf(
            "%s: budget of GitHub App %d spent; waiting %d ms",
            endpoint.metricName(), best.appId(), reserved.getAsLong() / 1_000_000);
        sleep(Duration.ofNanos(reserved.getAsLong()));
        return best;
      }
      bestWait = best.budgets().waitNanos(endpoint);
    }
    count("runnerguard.token.github.budget.rejections", endpoint, -1);
    Duration retry =
        bestWait == Long.MAX_VALUE ? Duration.ofMinutes(1) : Duration.ofNanos(bestWait);
    throw new BudgetExhaustedException(
        endpoint.metricName()
            + ": the secondary-rate-limit budget of every GitHub App installed on "
            + org
            + " is spent; retry in "
            + Math.max(1, seconds(retry))
            + " s",
        retry);
  }

  private void sleep(Duration d) {
    if (d.isZero() || d.isNegative()) {
      return;
    }
    try {
      sleeper.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new GitHubException("interrupted while waiting", 0, true, false, null);
    }
  }

  private void count(String name, Endpoint endpoint, long appId) {
    String key = name + "|" + endpoint.metricName() + "|" + appId;
    counters
        .computeIfAbsent(
            key,
            k -> {
              Counter.Builder b = Counter.builder(name).tag("endpoint", endpoint.metricName());
              if (appId >= 0) {
                b.tag("app_id", Long.toString(appId));
              }
              return b.description(
                      name.endsWith("waits")
                          ? "GitHub calls that waited for secondary-limit budget"
                          : "GitHub calls refused (429) for lack of secondary-limit budget")
                  .register(registry);
            })
        .increment();
  }

  /** Whole seconds, rounded up. */
  static long seconds(Duration d) {
    if (d.isNegative()) {
      return 0;
    }
    long s = d.getSeconds();
    return d.getNano() > 0 ? s + 1 : s;
  }
}
