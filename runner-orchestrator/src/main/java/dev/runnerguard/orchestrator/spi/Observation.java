package dev.runnerguard.orchestrator.spi;

import java.time.Instant;
import java.util.Map;

/**
 * Something a provider's host sensor saw from outside a runner. The orchestrator turns each into a
 * {@code runner.signal} record.
 *
 * @param runnerId the runner it concerns
 * @param kind {@link #EGRESS_DENIED}, {@link #PROCESS_SURVIVED}, {@link #NESTED_RUNNER}, {@link
 *     #CPU_BURN}, {@link #RUNNER_EXITED}
 * @param observedAt when the act was observed
 * @param pid process id (host view), or null
 * @param commandLine the process command line, or null (secrets are never in argv by contract)
 * @param destinationAddress for egress: address attempted, or null
 * @param destinationPort for egress: port, or null
 * @param protocol for egress: tcp/udp/icmp, or null
 * @param attributes further facts (e.g. cpuPercent, windowSeconds, exitCode)
 */
public record Observation(
    String runnerId,
    String kind,
    Instant observedAt,
    Long pid,
    String commandLine,
    String destinationAddress,
    Integer destinationPort,
    String protocol,
    Map<String, String> attributes) {

  public static final String EGRESS_DENIED = "net.egress.denied";
  public static final String PROCESS_SURVIVED = "process.survived";
  public static final String NESTED_RUNNER = "process.nested-runner";
  public static final String CPU_BURN = "process.cpu-burn";

  /** Not a security signal: the runner program ended (the orchestrator uses it for bookkeeping). */
  public static final String RUNNER_EXITED = "runner.exited";

  public Observation {
    attributes = Map.copyOf(attributes == null ? Map.of() : attributes);
  }
}
