package dev.runnerguard.orchestrator.state;

import dev.runnerguard.schemas.avro.RunnerRecord;

/**
 * A side effect the state machine asks for; the executor performs it against the provider and the
 * token-service and feeds the outcome back as a {@code ProviderEvent}. Every action is idempotent.
 *
 * @param type what to do
 * @param runner the runner's record when the action was decided (a snapshot)
 * @param reason why, for logs and events
 */
public record Action(Type type, RunnerRecord runner, String reason) {

  /** The kinds of side effect. */
  public enum Type {
    /** Mint a JIT config and create the runner at its provider. */
    PROVISION,
    /** Destroy at the provider and delete the GitHub registration. */
    DESTROY,
    /** Cancel the job's run at GitHub, then destroy (max duration exceeded). */
    CANCEL_AND_DESTROY,
    /** The quarantine sequence: cut network, freeze, evidence, deregister + cancel, destroy. */
    QUARANTINE,
    /** Ask the provider for the runner's status. */
    CHECK_STATUS,
    /** Ask GitHub (through the token-service) for the status of the runner's job. */
    CHECK_JOB
  }

  public String runnerId() {
    return runner.getRunnerId();
  }
}
