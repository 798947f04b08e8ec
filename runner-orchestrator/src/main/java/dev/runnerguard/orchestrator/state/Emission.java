package dev.runnerguard.orchestrator.state;

import java.util.Map;

/** Something the state machine tells the rest of the platform besides a lifecycle transition. */
public sealed interface Emission {

  /**
   * Tells the runner that was provisioned for {@code jobId} that another runner took its job
   * (GitHub routes by labels, not by runner): it is fed back keyed by {@code targetRunnerId}.
   */
  record JobTaken(
      String targetRunnerId, long jobId, String takenBy, String takenByClass, int runAttempt)
      implements Emission {}

  /** A finding the orchestrator raises itself (e.g. a job ran on a runner of another class). */
  record RaiseFinding(
      String runnerId,
      Long jobId,
      String ruleId,
      String title,
      String description,
      String repository,
      Map<String, String> attributes)
      implements Emission {}

  /** A security signal from the orchestrator (e.g. a job exceeded its max duration). */
  record RaiseSignal(String runnerId, String kind, Map<String, String> attributes)
      implements Emission {}
}
