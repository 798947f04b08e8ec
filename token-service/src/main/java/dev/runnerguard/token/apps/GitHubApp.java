package dev.runnerguard.token.apps;

import dev.runnerguard.token.github.Budgets;
import dev.runnerguard.token.github.RateLimitState;
import dev.runnerguard.token.spi.GitHubClient;
import dev.runnerguard.token.tokens.InstallationTokens;
import java.util.Map;
import java.util.Optional;

/**
 * One configured GitHub App with everything that is its own: its client (and so its rate-limit
 * gauge), installation-token cache, installations per organisation, rate-limit state and
 * secondary-limit budgets. Holds no secret itself beyond what {@link InstallationTokens} holds;
 * toString names it only.
 */
public final class GitHubApp {
  private final String name;
  private final long appId;
  private final GitHubClient github;
  private final InstallationTokens tokens;
  private final Map<String, Long> installations;
  private final RateLimitState rate;
  private final Budgets budgets;

  public GitHubApp(
      String name,
      long appId,
      GitHubClient github,
      InstallationTokens tokens,
      Map<String, Long> installations,
      RateLimitState rate,
      Budgets budgets) {
    this.name = name;
    this.appId = appId;
    this.github = github;
    this.tokens = tokens;
    this.installations = Map.copyOf(installations);
    this.rate = rate;
    this.budgets = budgets;
  }

  public String name() {
    return name;
  }

  public long appId() {
    return appId;
  }

  public GitHubClient github() {
    return github;
  }

  public InstallationTokens tokens() {
    return tokens;
  }

  public Map<String, Long> installations() {
    return installations;
  }

  public Optional<Long> installation(String org) {
    return Optional.ofNullable(installations.get(org));
  }

  public RateLimitState rate() {
    return rate;
  }

  public Budgets budgets() {
    return budgets;
  }

  @Override
  public String toString() {
    return "GitHubApp[" + name + ", appId=" + appId + "]";
  }
}
