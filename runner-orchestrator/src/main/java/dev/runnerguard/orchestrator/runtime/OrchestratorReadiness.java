package dev.runnerguard.orchestrator.runtime;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready when the stream threads run and the runner view has caught up with the changelog. */
@Readiness
@ApplicationScoped
public class OrchestratorReadiness implements HealthCheck {
  private final OrchestratorRuntime runtime;

  OrchestratorReadiness(OrchestratorRuntime runtime) {
    this.runtime = runtime;
  }

  @Override
  public HealthCheckResponse call() {
    String reason = runtime.notReadyReason();
    return HealthCheckResponse.named("runner-orchestrator")
        .status(reason == null)
        .withData("reason", reason == null ? "ok" : reason)
        .build();
  }
}
