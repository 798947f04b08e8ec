package dev.runnerguard.gateway;

import java.util.Objects;

/**
 * What the gateway knows about one HTTP delivery besides its body.
 *
 * @param deliveryId GitHub's {@code X-GitHub-Delivery} GUID, stable across redeliveries
 * @param event GitHub's {@code X-GitHub-Event}, for example {@code workflow_job}
 * @param traceparent W3C trace context of the request, if any
 * @param tracestate W3C trace state of the request, if any
 */
public record DeliveryContext(
    String deliveryId, String event, String traceparent, String tracestate) {
  public DeliveryContext {
    Objects.requireNonNull(deliveryId, "deliveryId");
    Objects.requireNonNull(event, "event");
  }
}
