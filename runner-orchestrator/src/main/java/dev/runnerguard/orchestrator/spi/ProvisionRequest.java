package dev.runnerguard.orchestrator.spi;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything a provider needs to create one runner.
 *
 * @param runnerId RunnerGuard runner id; also the runner's GitHub name; deterministic from job id
 *     and run attempt, so a retried create finds the existing runner
 * @param jobId the job the runner was provisioned for (GitHub may route it another job of its
 *     class)
 * @param runnerClass the runner class (runner group + labels + spec)
 * @param image image or root filesystem; null for the provider's default
 * @param egressAllowlist allowed destinations: {@code host}, {@code host:port}, {@code *.domain},
 *     CIDR, {@code CIDR:port}; everything else is denied
 * @param cpuMillis CPU limit in millicores, or null
 * @param memoryMb memory limit in MiB, or null
 * @param maxDuration longest the runner may live
 * @param jitConfig the runner's JIT config, handed to it through its environment or a private file
 * @param environment further non-secret environment for the runner
 */
public record ProvisionRequest(
    String runnerId,
    long jobId,
    String runnerClass,
    String image,
    List<String> egressAllowlist,
    Integer cpuMillis,
    Integer memoryMb,
    Duration maxDuration,
    Secret jitConfig,
    Map<String, String> environment) {

  public ProvisionRequest {
    Objects.requireNonNull(runnerId, "runnerId");
    Objects.requireNonNull(runnerClass, "runnerClass");
    egressAllowlist = List.copyOf(egressAllowlist == null ? List.of() : egressAllowlist);
    environment = Map.copyOf(environment == null ? Map.of() : environment);
    Objects.requireNonNull(maxDuration, "maxDuration");
    Objects.requireNonNull(jitConfig, "jitConfig");
  }
}
