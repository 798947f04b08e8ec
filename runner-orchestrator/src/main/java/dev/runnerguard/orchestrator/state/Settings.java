package dev.runnerguard.orchestrator.state;

import java.time.Duration;

/**
 * The state machine's timing rules.
 *
 * @param provisionTimeout how long a provisioning attempt may take before it is re-driven (the
 *     instance that started it may have died; providers are idempotent)
 * @param maxProvisionAttempts attempts before a runner is FAILED
 * @param backoffBase first retry delay, doubled per attempt
 * @param backoffMax longest retry delay
 * @param startTimeout how long a runner may stay STARTING before its status is checked
 * @param idleTimeout how long a runner may wait IDLE for a job before it is destroyed
 * @param jobCheckInterval how often a BUSY runner's job is asked for at GitHub, in case its {@code
 *     completed} webhook never comes
 * @param exitedGrace how long after the runner program exited a missing {@code completed} is waited
 *     for before the job status is asked
 * @param destroyRetry how long to wait for a destroy before retrying it
 * @param quarantineRetry how long to wait for a quarantine sequence before re-driving it
 * @param terminalRetention how long DESTROYED/FAILED/LOST runners stay in the store
 * @param defaultMaxDuration max job duration when the spec has none
 */
public record Settings(
    Duration provisionTimeout,
    int maxProvisionAttempts,
    Duration backoffBase,
    Duration backoffMax,
    Duration startTimeout,
    Duration idleTimeout,
    Duration jobCheckInterval,
    Duration exitedGrace,
    Duration destroyRetry,
    Duration quarantineRetry,
    Duration terminalRetention,
    Duration defaultMaxDuration) {

  /** Defaults for production. */
  public static Settings defaults() {
    return new Settings(
        Duration.ofMinutes(2),
        5,
        Duration.ofSeconds(1),
        Duration.ofSeconds(30),
        Duration.ofMinutes(2),
        Duration.ofMinutes(15),
        Duration.ofMinutes(2),
        Duration.ofSeconds(30),
        Duration.ofMinutes(1),
        Duration.ofMinutes(1),
        Duration.ofHours(1),
        Duration.ofHours(6));
  }

  /** The delay before provisioning attempt {@code attempt + 1}, without jitter (deterministic). */
  public long backoffMillis(int attempt) {
    long delay = backoffBase.toMillis() << Math.min(Math.max(attempt - 1, 0), 20);
    return Math.min(delay, backoffMax.toMillis());
  }
}
