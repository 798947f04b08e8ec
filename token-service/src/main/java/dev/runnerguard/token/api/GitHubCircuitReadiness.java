package dev.runnerguard.token.api;

import dev.runnerguard.token.config.TokenRuntime;
import dev.runnerguard.token.github.CircuitBreaker;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Locale;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * The circuit towards GitHub, as detail of readiness. Always UP: when GitHub is down the service
 * itself is fine and answers fast 503s with Retry-After; taking it out of the load balancer would
 * turn those into connection errors and restarting it would not bring GitHub back.
 */
@Readiness
@ApplicationScoped
public class GitHubCircuitReadiness implements HealthCheck {
  private final TokenRuntime runtime;

  public GitHubCircuitReadiness(TokenRuntime runtime) {
    this.runtime = runtime;
  }

  @Override
  public HealthCheckResponse call() {
    CircuitBreaker b = runtime.breaker();
    return HealthCheckResponse.named("github-circuit")
        .up()
        .withData("github", runtime.githubUrl())
        .withData(
            "circuit", b == null ? "not configured" : b.state().name().toLowerCase(Locale.ROOT))
        .build();
  }
}
