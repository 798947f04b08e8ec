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

  public GitHubException(
      String message, int status, boolean retriable, boolean rateLimited, Duration retryAfter) {
    super(message, null, false, false);
    this.status = status;
    this.retriable = retriable;
    this.rateLimited = rateLimited;
    this.retryAfter = retryAfter;
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
