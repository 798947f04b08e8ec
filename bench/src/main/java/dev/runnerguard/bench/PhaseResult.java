package dev.runnerguard.bench;

import java.util.Map;

/**
 * The summary of one load phase.
 *
 * @param name what the phase was
 * @param offeredRate the scheduled rate per second (NaN for a closed loop)
 * @param sent sends started
 * @param ok successes (HTTP 202, or Kafka acknowledgements)
 * @param achievedRate successes per second
 * @param p50Ms latency percentiles of every answer, in milliseconds
 * @param failures non-success answers and errors by kind
 * @param cpuBusyPercent the whole machine's CPU use during the phase (all processes)
 */
public record PhaseResult(
    String name,
    double offeredRate,
    long sent,
    long ok,
    double achievedRate,
    double p50Ms,
    double p90Ms,
    double p99Ms,
    double maxMs,
    Map<String, Long> failures,
    double cpuBusyPercent) {

  /** Non-success answers and errors together. */
  public long failureCount() {
    return failures.values().stream().mapToLong(Long::longValue).sum();
  }
}
