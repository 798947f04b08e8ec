package dev.runnerguard.policy.detection.falco;

/**
 * A falco.events record that is not a valid falcosidekick event; says what is wrong, never echoes
 * content.
 */
public final class FalcoParseException extends RuntimeException {
  public FalcoParseException(String message) {
    super(message);
  }
}
