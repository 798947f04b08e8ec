package dev.runnerguard.orchestrator.spi;

/**
 * A provider operation failed. {@link #retriable()} tells the orchestrator whether to try again
 * with backoff (a busy host, a timeout) or to give up (bad image, unsupported spec). Messages name
 * the runner and the step, never a secret.
 */
public class ProviderException extends Exception {
  private final boolean retriable;

  public ProviderException(String message, boolean retriable) {
    super(message);
    this.retriable = retriable;
  }

  public ProviderException(String message, boolean retriable, Throwable cause) {
    super(message, cause);
    this.retriable = retriable;
  }

  public static ProviderException retriable(String message) {
    return new ProviderException(message, true);
  }

  public static ProviderException permanent(String message) {
    return new ProviderException(message, false);
  }

  public boolean retriable() {
    return retriable;
  }
}
