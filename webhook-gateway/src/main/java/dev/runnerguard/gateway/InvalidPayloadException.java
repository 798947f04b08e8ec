package dev.runnerguard.gateway;

/**
 * A webhook body that cannot become a record: not JSON, or a required field is missing or has the
 * wrong type. Permanent — redelivering the same body fails the same way. The message names the
 * field, never the body or a secret.
 */
public final class InvalidPayloadException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public InvalidPayloadException(String message) {
    super(message);
  }

  public InvalidPayloadException(String message, Throwable cause) {
    super(message, cause);
  }
}
