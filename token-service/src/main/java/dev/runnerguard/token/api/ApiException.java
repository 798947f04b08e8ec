package dev.runnerguard.token.api;

import java.util.List;

/** An error answered to the internal API caller as {error, message[, problems]}. */
public final class ApiException extends RuntimeException {
  private final int status;
  private final String error;
  private final List<String> problems;

  public ApiException(int status, String error, String message, List<String> problems) {
    super(message, null, false, false);
    this.status = status;
    this.error = error;
    this.problems = problems;
  }

  public ApiException(int status, String error, String message) {
    this(status, error, message, List.of());
  }

  public int status() {
    return status;
  }

  public String error() {
    return error;
  }

  public List<String> problems() {
    return problems;
  }
}
