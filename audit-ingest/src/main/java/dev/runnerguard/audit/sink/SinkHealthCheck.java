package dev.runnerguard.audit.sink;

import io.smallrye.health.api.Wellness;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

/**
 * {@code /q/health/well}: "audit sinks", DOWN while any sink's last attempt failed, with per sink
 * its state, position, lag, delivered and failure counts and the last error (class and message,
 * which never carry a secret). A wellness check, not readiness: a SIEM outage must not take the API
 * or the ingest out of service (events keep being stored and wait in the sink's lag).
 */
@Wellness
@ApplicationScoped
public class SinkHealthCheck implements HealthCheck {

  private final SinkForwarder forwarder;

  public SinkHealthCheck(SinkForwarder forwarder) {
    this.forwarder = forwarder;
  }

  @Override
  public HealthCheckResponse call() {
    HealthCheckResponseBuilder b = HealthCheckResponse.named("audit sinks").up();
    for (Map.Entry<String, SinkStatus> e : forwarder.statuses().entrySet()) {
      SinkStatus s = e.getValue();
      String p = e.getKey() + ".";
      b.withData(p + "state", s.failing() ? "failing" : "delivering");
      b.withData(p + "position", s.position());
      b.withData(p + "lag", s.lag());
      b.withData(p + "delivered", s.delivered());
      b.withData(p + "failures", s.failures());
      if (s.failing()) {
        b.down();
        b.withData(p + "consecutiveFailures", s.consecutiveFailures());
        b.withData(p + "lastError", s.lastError());
        b.withData(p + "lastErrorKind", s.lastErrorRetriable() ? "retriable" : "permanent");
      }
      if (s.lastDeliveryAt() != null) {
        b.withData(p + "lastDeliveryAt", s.lastDeliveryAt().toString());
      }
    }
    return b.build();
  }
}
