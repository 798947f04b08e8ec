package dev.runnerguard.token.apps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.runnerguard.token.app.AppCredentials;
import dev.runnerguard.token.github.Budgets;
import dev.runnerguard.token.github.Budgets.Endpoint;
import dev.runnerguard.token.github.RateLimitState;
import dev.runnerguard.token.github.TestClock;
import dev.runnerguard.token.spi.GitHubClient;
import dev.runnerguard.token.spi.GitHubException;
import dev.runnerguard.token.spi.InstallationToken;
import dev.runnerguard.token.spi.JitConfig;
import dev.runnerguard.token.tokens.InstallationTokens;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** App choice, rate-limit failover and budgets, with fake GitHub clients and a test clock. */
class AppRouterTest {
  static RSAPrivateKey key;

  final TestClock clock = new TestClock();
  final List<Duration> sleeps = new ArrayList<>();
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @BeforeAll
  static void key() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    key = (RSAPrivateKey) g.generateKeyPair().getPrivate();
  }

  /** A GitHub that serves one App: each JIT mint takes the next scripted failure, if any. */
  static final class FakeGitHub implements GitHubClient {
    final long appId;
    final Deque<GitHubException> failures = new ArrayDeque<>();
    final AtomicInteger mints = new AtomicInteger();
    final AtomicInteger tokenRequests = new AtomicInteger();

    FakeGitHub(long appId) {
      this.appId = appId;
    }

    @Override
    public InstallationToken createInstallationToken(long installationId, String appJwt) {
      tokenRequests.incrementAndGet();
      return new InstallationToken(
          installationId,
          "ghs_app" + appId,
          java.time.Instant.parse("2030-01-01T00:00:00Z").plusSeconds(36_000),
          Map.of());
    }

    @Override
    public JitConfig generateJitConfig(InstallationToken t, String org, String repo, JitSpec s) {
      GitHubException f;
      synchronized (failures) {
        f = failures.poll();
      }
      if (f != null) {
        throw f;
      }
      return new JitConfig(appId * 1000 + mints.incrementAndGet(), s.name(), "jit-" + appId);
    }

    @Override
    public List<RunnerInfo> listRunners(InstallationToken t, String org, String name) {
      return List.of();
    }

    @Override
    public void deleteRunner(InstallationToken t, String org, long id) {}

    @Override
    public JobInfo getJob(InstallationToken t, String owner, String repo, long jobId) {
      return new JobInfo(jobId, "queued", null, null);
    }

    @Override
    public void cancelRun(InstallationToken t, String o, String r, long id, boolean f) {}
  }

  final FakeGitHub blue = new FakeGitHub(1);
  final FakeGitHub green = new FakeGitHub(2);

  GitHubApp app(FakeGitHub gh, Budgets.Settings budgets, Map<String, Long> installations) {
    return new GitHubApp(
        "app" + gh.appId,
        gh.appId,
        gh,
        new InstallationTokens(
            gh, new AppCredentials(gh.appId, null, key), clock, Duration.ofMinutes(5), t -> {}),
        installations,
        new RateLimitState(),
        new Budgets(budgets, clock));
  }

  AppRouter router(Budgets.Settings budgets, Duration budgetWait, List<GitHubApp> apps) {
    return new AppRouter(
        apps,
        new AppRouter.Settings(Duration.ofSeconds(10), budgetWait, 4),
        clock,
        d -> {
          sleeps.add(d);
          clock.advance(d);
        },
        registry);
  }

  static final Budgets.Settings PLENTY = new Budgets.Settings(80, 0, 900);

  AppRouter twoApps(Budgets.Settings budgets, Duration budgetWait) {
    return router(
        budgets,
        budgetWait,
        List.of(
            app(blue, budgets, Map.of("octo-org", 11L, "solo-org", 12L)),
            app(green, budgets, Map.of("octo-org", 21L))));
  }

  long mint(AppRouter r, String org) {
    return r.call(
        org,
        Endpoint.GENERATE_JITCONFIG,
        (route, t) ->
            route
                .app()
                .github()
                .generateJitConfig(
                    t, org, null, new GitHubClient.JitSpec("r", 1, List.of("l"), "w"))
                .runnerId());
  }

  static GitHubException rateLimited(long seconds) {
    return new GitHubException(
        "generate_jitconfig: GitHub answered 403 (API rate limit exceeded.)",
        403,
        true,
        true,
        Duration.ofSeconds(seconds));
  }

  @Test
  void theAppWithTheMostRemainingIsChosenAndTiesTakeTurns() {
    AppRouter r = twoApps(PLENTY, Duration.ZERO);
    // Both unknown (full): in turn.
    List<Long> apps = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      apps.add(mint(r, "octo-org") / 1000);
    }
    assertThat(apps).containsExactlyInAnyOrder(1L, 1L, 2L, 2L);
    assertThat(apps.get(0)).isNotEqualTo(apps.get(1));
    // Blue has 10 left, green 4000: green every time.
    String reset = Long.toString(clock.instant().getEpochSecond() + 600);
    r.apps().get(0).rate().observe("10", reset);
    r.apps().get(1).rate().observe("4000", reset);
    for (int i = 0; i < 5; i++) {
      assertThat(mint(r, "octo-org") / 1000).isEqualTo(2);
    }
    // After blue's reset its old remaining no longer counts: full again, so it wins.
    clock.advance(Duration.ofSeconds(601));
    r.apps().get(1).rate().observe("3999", Long.toString(clock.instant().getEpochSecond() + 3600));
    assertThat(mint(r, "octo-org") / 1000).isEqualTo(1);
    assertThat(sleeps).isEmpty();
  }

  @Test
  void aRateLimitedAppIsSkippedUntilItsResetWithoutWaiting() {
    AppRouter r = twoApps(PLENTY, Duration.ZERO);
    r.apps().get(1).rate().observe("1", null); // blue (unknown) is chosen first
    blue.failures.add(rateLimited(120));
    assertThat(mint(r, "octo-org") / 1000).isEqualTo(2); // failed over in the same call
    assertThat(sleeps).isEmpty();
    for (int i = 0; i < 3; i++) {
      assertThat(mint(r, "octo-org") / 1000).isEqualTo(2);
    }
    assertThat(blue.mints).hasValue(0);
    clock.advance(Duration.ofSeconds(121));
    assertThat(mint(r, "octo-org") / 1000).isEqualTo(1); // reset passed: blue is back
  }

  @Test
  void everyAppLimitedWaitsForTheSoonestResetWithinTheBoundElseFailsAtOnce() {
    AppRouter r = twoApps(PLENTY, Duration.ZERO);
    // solo-org has only blue: limited 3 s -> waits 3 s, then succeeds.
    blue.failures.add(rateLimited(3));
    assertThat(mint(r, "solo-org") / 1000).isEqualTo(1);
    assertThat(sleeps).containsExactly(Duration.ofSeconds(3));
    // Limited 120 s, more than the 10 s bound: 429 at once, with the wait.
    sleeps.clear();
    blue.failures.add(rateLimited(120));
    assertThatThrownBy(() -> mint(r, "solo-org"))
        .isInstanceOfSatisfying(
            GitHubException.class,
            e -> {
              assertThat(e.rateLimited()).isTrue();
              assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(120));
            });
    assertThat(sleeps).isEmpty();
    // Still limited: refused without calling GitHub.
    int before = blue.mints.get();
    assertThatThrownBy(() -> mint(r, "solo-org"))
        .isInstanceOfSatisfying(
            GitHubException.class, e -> assertThat(e.getMessage()).contains("rate limited"));
    assertThat(blue.mints).hasValue(before);
  }

  @Test
  void otherFailuresAreNotRetriedOnAnotherApp() {
    AppRouter r = twoApps(PLENTY, Duration.ZERO);
    r.apps().get(1).rate().observe("1", null);
    blue.failures.add(new GitHubException("generate_jitconfig: 422", 422, false, false, null));
    assertThatThrownBy(() -> mint(r, "octo-org"))
        .isInstanceOfSatisfying(GitHubException.class, e -> assertThat(e.status()).isEqualTo(422));
    assertThat(green.mints).hasValue(0);
  }

  @Test
  void budgetsSpreadOverAppsThenRefuseWithTheWait() {
    Budgets.Settings one = new Budgets.Settings(1, 0, 900);
    AppRouter r = twoApps(one, Duration.ofSeconds(5));
    assertThat(List.of(mint(r, "octo-org") / 1000, mint(r, "octo-org") / 1000))
        .containsExactlyInAnyOrder(1L, 2L);
    // Both spent: the next fits in 60 s, beyond the 5 s bound -> refused without waiting.
    assertThatThrownBy(() -> mint(r, "octo-org"))
        .isInstanceOfSatisfying(
            BudgetExhaustedException.class,
            e -> {
              assertThat(e.retryAfter()).isBetween(Duration.ofSeconds(59), Duration.ofSeconds(60));
              assertThat(e.getMessage()).contains("generate_jitconfig").contains("octo-org");
            });
    assertThat(sleeps).isEmpty();
    assertThat(blue.mints.get() + green.mints.get()).isEqualTo(2);
    assertThat(
            registry
                .get("runnerguard.token.github.budget.rejections")
                .tag("endpoint", "generate_jitconfig")
                .counter()
                .count())
        .isEqualTo(1.0);
    // 58 s later the wait (2 s) is within the bound: the caller waits, then goes.
    clock.advance(Duration.ofSeconds(58));
    mint(r, "octo-org");
    assertThat(sleeps).hasSize(1);
    assertThat(sleeps.get(0)).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(2));
    assertThat(registry.find("runnerguard.token.github.budget.waits").counter().count())
        .isEqualTo(1.0);
    // Reads have their own (points) budget.
    r.call(
        "octo-org", Endpoint.RUNNERS, (route, t) -> route.app().github().listRunners(t, "x", null));
  }

  @Test
  void oneTokenRequestPerInstallationAndOrgsWithoutAppAreRefused() {
    AppRouter r = twoApps(PLENTY, Duration.ZERO);
    for (int i = 0; i < 6; i++) {
      mint(r, "octo-org");
    }
    assertThat(blue.tokenRequests).hasValue(1);
    assertThat(green.tokenRequests).hasValue(1);
    assertThat(r.manages("octo-org")).isTrue();
    assertThat(r.manages("nobody")).isFalse();
    assertThat(r.installedOn("solo-org")).extracting(GitHubApp::appId).containsExactly(1L);
  }
}
