package dev.runnerguard.policy.health;

import dev.runnerguard.policy.admission.PolicySet;
import dev.runnerguard.policy.reload.PolicyService;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Ready only while a valid admission policy set is active. */
@Readiness
@ApplicationScoped
public class PolicyReadiness implements HealthCheck {
  private final PolicyService policies;

  public PolicyReadiness(PolicyService policies) {
    this.policies = policies;
  }

  @Override
  public HealthCheckResponse call() {
    Optional<PolicySet> active = policies.active();
    HealthCheckResponseBuilder b =
        HealthCheckResponse.named("admission-policy").status(active.isPresent());
    active.ifPresent(s -> b.withData("version", s.version()).withData("source", s.source()));
    policies
        .lastProblem()
        .ifPresent(p -> b.withData("lastProblem", p.length() > 500 ? p.substring(0, 500) : p));
    return b.build();
  }
}
