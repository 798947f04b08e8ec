package dev.runnerguard.token.github;

import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * GitHub's secondary rate limits as budgets of one App (pure; the clock is injected): every
 * endpoint has a points budget per minute (GET 1 point, POST/DELETE 5; GitHub allows 900 per
 * endpoint per minute) and the content-creating endpoints (JIT mint, delete runner, cancel,
 * force-cancel) share a content budget per minute (GitHub: 80) and per hour (GitHub: 500; 0 turns
 * it off). A call reserves in every budget it falls under, atomically.
 */
public final class Budgets {

  /** The budgeted GitHub calls. */
  public enum Endpoint {
    GENERATE_JITCONFIG("generate_jitconfig", true, 5),
    RUNNERS("runners", false, 1),
    DELETE_RUNNER("delete_runner", true, 5),
    JOB("job", false, 1),
    CANCEL("cancel", true, 5),
    FORCE_CANCEL("force_cancel", true, 5);

    private final String metricName;
    private final boolean content;
    private final int points;

    Endpoint(String metricName, boolean content, int points) {
      this.metricName = metricName;
      this.content = content;
      this.points = points;
    }

    /** The name in metrics and error messages (same as the GitHub call metrics). */
    public String metricName() {
      return metricName;
    }

    public boolean content() {
      return content;
    }

    public int points() {
      return points;
    }
  }

  /** Budget sizes; content per hour 0 = no hourly content budget. */
  public record Settings(int contentPerMinute, int contentPerHour, int pointsPerMinute) {
    public Settings {
      if (contentPerMinute < 1 || pointsPerMinute < 5 || contentPerHour < 0) {
        throw new IllegalArgumentException(
            "budgets: content-per-minute must be >= 1, points-per-minute >= 5,"
                + " content-per-hour >= 0");
      }
    }
  }

  private final TokenBucket contentMinute;
  private final TokenBucket contentHour;
  private final Map<Endpoint, TokenBucket> points = new EnumMap<>(Endpoint.class);

  public Budgets(Settings settings, Clock clock) {
    this.contentMinute = new TokenBucket(settings.contentPerMinute(), Duration.ofMinutes(1), clock);
    this.contentHour =
        settings.contentPerHour() == 0
            ? null
            : new TokenBucket(settings.contentPerHour(), Duration.ofHours(1), clock);
    for (Endpoint e : Endpoint.values()) {
      points.put(e, new TokenBucket(settings.pointsPerMinute(), Duration.ofMinutes(1), clock));
    }
  }

  /** Nanoseconds before a call to {@code e} fits every budget (0: now). */
  public synchronized long waitNanos(Endpoint e) {
    long wait = need(points.get(e), e.points());
    if (e.content()) {
      wait = Math.max(wait, need(contentMinute, 1));
      if (contentHour != null) {
        wait = Math.max(wait, need(contentHour, 1));
      }
    }
    return wait;
  }

  /**
   * Reserves one call to {@code e} when it fits within {@code maxWaitNanos}: the nanoseconds the
   * caller must wait first (0: go now); empty (nothing reserved) when the wait would be longer.
   */
  public synchronized OptionalLong reserve(Endpoint e, long maxWaitNanos) {
    long wait = waitNanos(e);
    if (wait > maxWaitNanos) {
      return OptionalLong.empty();
    }
    points.get(e).take(e.points());
    if (e.content()) {
      contentMinute.take(1);
      if (contentHour != null) {
        contentHour.take(1);
      }
    }
    return OptionalLong.of(wait);
  }

  private static long need(TokenBucket b, long cost) {
    return b.waitNanos(cost).orElse(Long.MAX_VALUE);
  }
}
