package dev.runnerguard.gateway.intake;

import dev.runnerguard.gateway.dedupe.DeliveryLog;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The gateway's metrics: deliveries by event, action and outcome; rejections by reason; duplicates;
 * broker acknowledgement latency. Labels come only from verified deliveries or fixed sets, never
 * from unauthenticated input.
 */
@ApplicationScoped
public class GatewayMetrics {
  /** What became of a verified delivery. */
  public enum Outcome {
    ACCEPTED,
    DUPLICATE,
    IGNORED,
    PONG,
    UNAVAILABLE;

    String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private final MeterRegistry registry;
  private final Map<String, Counter> deliveries = new ConcurrentHashMap<>();
  private final Map<WebhookIntake.Reason, Counter> rejections =
      new EnumMap<>(WebhookIntake.Reason.class);
  private final Counter duplicates;
  private final Counter receiptFailures;
  private final Timer ackLatency;

  public GatewayMetrics(MeterRegistry registry) {
    this.registry = registry;
    for (WebhookIntake.Reason reason : WebhookIntake.Reason.values()) {
      rejections.put(
          reason,
          Counter.builder("runnerguard.gateway.rejections")
              .description("requests refused with a 4xx, by reason")
              .tag("reason", reason.label())
              .register(registry));
    }
    duplicates =
        Counter.builder("runnerguard.gateway.duplicates")
            .description("deliveries whose X-GitHub-Delivery was already accepted")
            .register(registry);
    receiptFailures =
        Counter.builder("runnerguard.gateway.receipt.failures")
            .description("accepted deliveries whose dedupe receipt could not be written")
            .register(registry);
    ackLatency =
        Timer.builder("runnerguard.gateway.produce.latency")
            .description("time from send to the broker's acknowledgement (acks=all)")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(10))
            .register(registry);
  }

  /**
   * Exposes the delivery log's size, its evictions (ids forgotten before the window's end) and the
   * records it could not decode.
   */
  public void watch(DeliveryLog log) {
    Gauge.builder("runnerguard.gateway.dedupe.ids", log, DeliveryLog::size)
        .description("delivery ids remembered for deduplication")
        .register(registry);
    FunctionCounter.builder("runnerguard.gateway.dedupe.evicted", log, DeliveryLog::evicted)
        .description(
            "delivery ids forgotten before the end of the dedupe window because max-ids was"
                + " reached")
        .register(registry);
    FunctionCounter.builder("runnerguard.gateway.dedupe.undecodable", log, DeliveryLog::undecodable)
        .description(
            "github.delivery records whose value is not a receipt (only their key was remembered)")
        .register(registry);
  }

  public void rejected(WebhookIntake.Reason reason) {
    rejections.get(reason).increment();
  }

  public void delivery(String event, String action, Outcome outcome) {
    String safe = safeAction(action);
    // looked up once per label set: registry.counter(...) builds and sorts the tags on every call
    deliveries
        .computeIfAbsent(
            event + '\n' + safe + '\n' + outcome.label(),
            k ->
                registry.counter(
                    "runnerguard.gateway.deliveries",
                    "event",
                    event,
                    "action",
                    safe,
                    "outcome",
                    outcome.label()))
        .increment();
    if (outcome == Outcome.DUPLICATE) {
      duplicates.increment();
    }
  }

  public void acked(long nanos) {
    ackLatency.record(Duration.ofNanos(nanos));
  }

  /** Receipts of {@code deliveries} accepted deliveries could not be written. */
  public void receiptsFailed(int deliveries) {
    receiptFailures.increment(deliveries);
  }

  private static String safeAction(String action) {
    if (action == null) {
      return "none";
    }
    return WebhookIntake.isName(action, 40) ? action : "other";
  }
}
