package dev.runnerguard.token.spi;

import java.time.Duration;

/**
 * A failed GitHub call. {@code status} is the HTTP status (0 for I/O). Retriable: 5xx, rate
 * limited, I/O; permanent: other 4xx. The message carries the endpoint and GitHub's short message,
 * never a credential.
 */
public final class GitHubException extends RuntimeException {
  private final int status;
  private final boolean retriable;
  private final boolean rateLimited;
  private final Duration retryAfter;
  private final boolean circuitOpen;

  public GitHubException(
      String message, int status, boolean retriable, boolean rateLimited, Duration retryAfter) {
    this(message, status, retriable, rateLimited, retryAfter, false);
  }

  private GitHubException(
      String message,
      int status,
      boolean retriable,
      boolean rateLimited,
      Duration retryAfter,
      boolean circuitOpen) {
    super(message, null, false, false);
    this.status = status;
    this.retriable = retriable;
    this.rateLimited = rateLimited;
    this.retryAfter = retryAfter;
    this.circuitOpen = circuitOpen;
  }

  /** Refused without calling GitHub: its circuit is open (retriable, after {@code retryAfter}). */
  public static GitHubException circuitOpen(String message, Duration retryAfter) {
    return new GitHubException(message, 0, true, false, retryAfter, true);
  }

  /** The same failure with another wait (e.g. the soonest reset of several Apps). */
  public GitHubException withRetryAfter(Duration wait) {
    return new GitHubException(getMessage(), status, retriable, rateLimited, wait, circuitOpen);
  }

  /** True when GitHub was not called because the circuit is open. */
  public boolean circuitOpen() {
    return circuitOpen;
  }

  public int status() {
    return status;
  }

  public boolean retriable() {
    return retriable;
  }

  public boolean rateLimited() {
    return rateLimited;
  }

  /** Wait GitHub asked for, or null. */
  public Duration retryAfter() {
    return retryAfter;
  }
}
