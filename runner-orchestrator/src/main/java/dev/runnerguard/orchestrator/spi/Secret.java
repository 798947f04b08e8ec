package dev.runnerguard.orchestrator.spi;

import java.util.Objects;

/**
 * A secret value (the runner's JIT config) that must only reach the runner. {@link #toString()}
 * never shows it; only {@link #reveal()} does, at the one place that hands it to the runner.
 */
public final class Secret {
  private final String value;

  public Secret(String value) {
    this.value = Objects.requireNonNull(value, "value");
  }

  /** The secret itself, for handing to the runner's environment or private file only. */
  public String reveal() {
    return value;
  }

  @Override
  public String toString() {
    return "Secret[redacted]";
  }
}
