package dev.runnerguard.token.github;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;

/**
 * A token bucket (pure; the clock is injected): {@code capacity} tokens, refilled continuously at
 * {@code capacity} per {@code period}. Callers reserve tokens ahead: the balance may go negative,
 * and the reservation says how long the caller has to wait before its request is within budget, so
 * concurrent callers are served in order without polling. Not thread-safe: callers lock.
 */
public final class TokenBucket {
  private final long capacity;
  private final double perNano;
  private final Clock clock;
  private double tokens;
  private Instant last;

  public TokenBucket(long capacity, Duration period, Clock clock) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1");
    }
    this.capacity = capacity;
    this.perNano = capacity / (double) period.toNanos();
    this.clock = clock;
    this.tokens = capacity;
    this.last = clock.instant();
  }

  public long capacity() {
    return capacity;
  }

  private void refill() {
    Instant now = clock.instant();
    long nanos = Duration.between(last, now).toNanos();
    if (nanos > 0) {
      tokens = Math.min(capacity, tokens + nanos * perNano);
      last = now;
    }
  }

  /**
   * Nanoseconds to wait before {@code cost} tokens would be within budget (0: now); empty when
   * {@code cost} exceeds the capacity (never).
   */
  public OptionalLong waitNanos(long cost) {
    if (cost > capacity) {
      return OptionalLong.empty();
    }
    refill();
    if (tokens >= cost) {
      return OptionalLong.of(0);
    }
    return OptionalLong.of((long) Math.ceil((cost - tokens) / perNano));
  }

  /** Takes {@code cost} tokens (the balance may go negative: a reservation). */
  public void take(long cost) {
    refill();
    tokens -= cost;
  }

  /** Current balance (negative when reserved ahead). */
  public double available() {
    refill();
    return tokens;
  }
}
