package dev.runnerguard.gateway.intake;

import dev.runnerguard.gateway.dedupe.DeliveryLog;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only once the delivery log has read every receipt that existed at start. */
@Readiness
@ApplicationScoped
public class DeliveryLogReadiness implements HealthCheck {
  private final DeliveryLog log;

  public DeliveryLogReadiness(DeliveryLog log) {
    this.log = log;
  }

  @Override
  public HealthCheckResponse call() {
    var response =
        HealthCheckResponse.named("delivery-log")
            .status(log.caughtUp() && log.failure() == null)
            .withData("caughtUp", log.caughtUp())
            .withData("deliveryIds", log.size());
    if (log.failure() != null) {
      response.withData("failure", log.failure());
    }
    return response.build();
  }
}
