package dev.runnerguard.policy.detection.rules;

/** What a detection rule does when it fires. */
public enum Response {
  /** A finding and a {@code QUARANTINE} command for the runner. */
  QUARANTINE,
  /** A finding only. */
  ALERT
}
