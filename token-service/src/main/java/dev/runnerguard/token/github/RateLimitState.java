package dev.runnerguard.token.github;

import java.time.Instant;

/**
 * What one App last heard about its primary rate limit: {@code x-ratelimit-remaining} and {@code
 * x-ratelimit-reset} of the last answer, and until when GitHub told it to stop (a 403/429 rate
 * limit). Written by the App's {@link HttpGitHubClient} and the router, read to choose an App.
 */
public final class RateLimitState {
  private long remaining = -1;
  private long resetEpochSecond;
  private Instant limitedUntil = Instant.EPOCH;

  /** Records the headers of an answer (null when absent). */
  public synchronized void observe(String remainingHeader, String resetHeader) {
    try {
      if (remainingHeader != null) {
        remaining = Long.parseLong(remainingHeader.trim());
      }
      if (resetHeader != null) {
        resetEpochSecond = Long.parseLong(resetHeader.trim());
      }
    } catch (NumberFormatException e) {
      // a malformed header says nothing
    }
  }

  /** GitHub asked this App to wait until {@code until}: it is skipped until then. */
  public synchronized void limitUntil(Instant until) {
    if (until.isAfter(limitedUntil)) {
      limitedUntil = until;
    }
  }

  public synchronized Instant limitedUntil() {
    return limitedUntil;
  }

  public synchronized boolean limited(Instant now) {
    return limitedUntil.isAfter(now);
  }

  /** Last seen remaining, -1 unknown (the gauge). */
  public synchronized long remaining() {
    return remaining;
  }

  /**
   * Remaining for choosing an App: unknown, or last seen before a reset that has passed, counts as
   * full ({@link Long#MAX_VALUE}).
   */
  public synchronized long effectiveRemaining(Instant now) {
    if (remaining < 0 || (resetEpochSecond > 0 && now.getEpochSecond() >= resetEpochSecond)) {
      return Long.MAX_VALUE;
    }
    return remaining;
  }
}
