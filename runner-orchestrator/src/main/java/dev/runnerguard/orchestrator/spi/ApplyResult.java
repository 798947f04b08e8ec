package dev.runnerguard.orchestrator.spi;

/** What an idempotent provider operation did (in the spirit of Strimzi's reconcile results). */
public enum ApplyResult {
  /** The operation changed something (created, cut, frozen, destroyed). */
  APPLIED,
  /** Nothing to do: already in the wanted state, or the runner is gone. */
  NOOP
}
