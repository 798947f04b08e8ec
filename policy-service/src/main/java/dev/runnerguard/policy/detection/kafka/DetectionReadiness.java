package dev.runnerguard.policy.detection.kafka;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the detection state and the emitted findings have been read back from Kafka. */
@Readiness
@ApplicationScoped
public class DetectionReadiness implements HealthCheck {
  private final DetectionService detection;

  public DetectionReadiness(DetectionService detection) {
    this.detection = detection;
  }

  @Override
  public HealthCheckResponse call() {
    HealthCheckResponseBuilder b =
        HealthCheckResponse.named("detection-state").status(detection.caughtUp());
    b.withData("runners", detection.runners());
    detection.failure().ifPresent(f -> b.withData("failure", f));
    return b.build();
  }
}
