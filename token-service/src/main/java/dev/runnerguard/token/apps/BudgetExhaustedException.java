package dev.runnerguard.token.apps;

import java.time.Duration;

/**
 * No App installed on the organisation has secondary-limit budget for the call within the bounded
 * wait: answered 429 {@code github_budget_exhausted} with Retry-After. GitHub was not called.
 */
public final class BudgetExhaustedException extends RuntimeException {
  private final Duration retryAfter;

  public BudgetExhaustedException(String message, Duration retryAfter) {
    super(message, null, false, false);
    this.retryAfter = retryAfter;
  }

  public Duration retryAfter() {
    return retryAfter;
  }
}
