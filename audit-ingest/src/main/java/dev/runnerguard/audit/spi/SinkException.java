package dev.runnerguard.audit.spi;

/**
 * A failed delivery, classified. <b>Retriable</b>: the destination is unreachable, busy, timed out
 * or did not acknowledge (retried with capped exponential backoff). <b>Permanent</b>: the
 * destination refuses the request as such (bad token, bad index, malformed data): retrying at once
 * cannot help, so the batch is retried only at the longest backoff and the sink's health says why;
 * nothing is skipped, the sink waits for an operator. Messages never contain a secret or a payload.
 */
public class SinkException extends Exception {
  private static final long serialVersionUID = 1L;

  private final boolean retriable;

  private SinkException(String message, Throwable cause, boolean retriable) {
    super(message, cause);
    this.retriable = retriable;
  }

  public static SinkException retriable(String message) {
    return new SinkException(message, null, true);
  }

  public static SinkException retriable(String message, Throwable cause) {
    return new SinkException(message, cause, true);
  }

  public static SinkException permanent(String message) {
    return new SinkException(message, null, false);
  }

  public boolean retriable() {
    return retriable;
  }

  /** Whether any failure is retriable: a {@link SinkException} says so, anything else is. */
  public static boolean retriable(Throwable t) {
    return !(t instanceof SinkException) || ((SinkException) t).retriable();
  }
}
