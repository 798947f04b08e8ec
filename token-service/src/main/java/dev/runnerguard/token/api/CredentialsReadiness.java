package dev.runnerguard.token.api;

import dev.runnerguard.token.config.TokenRuntime;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** DOWN, with the reason, while no App key or internal secret is configured. */
@Readiness
@ApplicationScoped
public class CredentialsReadiness implements HealthCheck {
  private final TokenRuntime runtime;

  public CredentialsReadiness(TokenRuntime runtime) {
    this.runtime = runtime;
  }

  @Override
  public HealthCheckResponse call() {
    String reason = runtime.notReady();
    var r = HealthCheckResponse.named("github-app-credentials").status(reason == null);
    if (reason != null) {
      r.withData("reason", reason);
    }
    return r.build();
  }
}
