package dev.runnerguard.token.github;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.DoubleSupplier;

/** Pure retry timing: jittered exponential backoff and the rate-limit wait from headers. */
public final class Backoff {
  private final Duration base;
  private final Duration max;
  private final DoubleSupplier random;

  public Backoff(Duration base, Duration max, DoubleSupplier random) {
    this.base = base;
    this.max = max;
    this.random = random;
  }

  /**
   * Delay before retry number {@code retry} (1 = first retry): min(max, base * 2^(retry-1)), with
   * "equal jitter" (between half and all of it).
   */
  public Duration delay(int retry) {
    long cap = max.toMillis();
    long exp = base.toMillis() << Math.min(20, Math.max(0, retry - 1));
    long d = Math.min(cap, exp);
    long half = d / 2;
    return Duration.ofMillis(half + (long) (random.getAsDouble() * (d - half)));
  }

  /** Upper bound of {@link #delay(int)} (no jitter). */
  public Duration ceiling(int retry) {
    return Duration.ofMillis(
        Math.min(max.toMillis(), base.toMillis() << Math.min(20, Math.max(0, retry - 1))));
  }

  /**
   * How long GitHub asks us to wait: retry-after (seconds) first, else x-ratelimit-reset (epoch
   * seconds) when x-ratelimit-remaining is 0; empty when neither says anything.
   */
  public static Optional<Duration> rateLimitWait(
      String retryAfter, String remaining, String reset, Instant now) {
    if (retryAfter != null) {
      try {
        return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(retryAfter.trim()))));
      } catch (NumberFormatException e) {
        // HTTP-date form is not used by GitHub; fall through
      }
    }
    if ("0".equals(remaining == null ? null : remaining.trim()) && reset != null) {
      try {
        long at = Long.parseLong(reset.trim());
        long wait = at - now.getEpochSecond();
        return Optional.of(Duration.ofSeconds(Math.max(1, wait)));
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
    }
    return Optional.empty();
  }
}
