package dev.runnerguard.gateway.intake;

import dev.runnerguard.gateway.config.GatewayConfig;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Refuses an oversized delivery before its body is read: a {@code Content-Length} over {@code
 * runnerguard.gateway.max-body-size} is answered 413 with the gateway's JSON error shape and the
 * connection closed. A body without {@code Content-Length} (chunked) is cut off by the HTTP layer
 * ({@code quarkus.http.limits.max-body-size}, the same limit) while it streams in, so no body is
 * ever buffered beyond the limit.
 */
@ApplicationScoped
public class HttpErrorRoutes {
  private final GatewayMetrics metrics;
  private final long maxBodySize;

  public HttpErrorRoutes(GatewayMetrics metrics, GatewayConfig config) {
    this.metrics = metrics;
    this.maxBodySize = config.maxBodySize();
  }

  void install(@Observes Router router) {
    router.route(HttpMethod.POST, "/webhook").order(-100).handler(this::checkLength);
  }

  private void checkLength(RoutingContext ctx) {
    String length = ctx.request().getHeader("Content-Length");
    long declared;
    try {
      declared = length == null ? -1 : Long.parseLong(length.trim());
    } catch (NumberFormatException e) {
      declared = Long.MAX_VALUE; // not a number: refuse rather than read
    }
    if (declared > maxBodySize) {
      metrics.rejected(WebhookIntake.Reason.BODY_TOO_LARGE);
      ctx.response()
          .setStatusCode(413)
          .putHeader("Content-Type", "application/json")
          .putHeader("Connection", "close")
          .end(
              "{\"error\":\"body_too_large\",\"message\":\"body exceeds "
                  + maxBodySize
                  + " bytes\"}");
      return;
    }
    ctx.next();
  }
}
