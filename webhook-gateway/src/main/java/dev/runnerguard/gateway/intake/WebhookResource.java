package dev.runnerguard.gateway.intake;

import dev.runnerguard.gateway.DeliveryPublisher;
import dev.runnerguard.gateway.config.GatewayConfig;
import dev.runnerguard.gateway.dedupe.DeliveryLog;
import dev.runnerguard.gateway.intake.GatewayMetrics.Outcome;
import dev.runnerguard.schemas.avro.DeliveryReceipt;
import dev.runnerguard.schemas.serde.EventMetadataFactory;
import io.smallrye.common.annotation.Blocking;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.jboss.logging.Logger;

/**
 * {@code POST /webhook}: GitHub's deliveries in, records on Kafka out. 202 is answered only after
 * the broker acknowledged the record ({@code acks=all}); when it does not within {@code
 * runnerguard.gateway.ack-timeout}, 503, so GitHub shows the delivery as failed and it can be
 * redelivered. Every refusal is a JSON body {@code {"error": <reason>, "message": <text>}} that
 * never echoes the signature, the body or a secret.
 */
@Path("/webhook")
public class WebhookResource {
  private static final Logger LOG = Logger.getLogger(WebhookResource.class);

  private final WebhookIntake intake;
  private final DeliveryLog deliveries;
  private final DeliveryPublisher publisher;
  private final EventMetadataFactory metadata;
  private final GatewayMetrics metrics;
  private final long ackTimeoutMs;

  public WebhookResource(
      WebhookIntake intake,
      DeliveryLog deliveries,
      DeliveryPublisher publisher,
      EventMetadataFactory metadata,
      GatewayMetrics metrics,
      GatewayConfig config) {
    this.intake = intake;
    this.deliveries = deliveries;
    this.publisher = publisher;
    this.metadata = metadata;
    this.metrics = metrics;
    this.ackTimeoutMs = config.ackTimeout().toMillis();
  }

  @POST
  @Blocking
  public Response receive(
      @Context HttpHeaders headers, @Context HttpServerRequest http, byte[] body) {
    WebhookIntake.Request request =
        new WebhookIntake.Request(
            http.remoteAddress() == null ? null : http.remoteAddress().hostAddress(),
            headers.getHeaderString(HttpHeaders.CONTENT_TYPE),
            headers.getHeaderString("X-GitHub-Event"),
            headers.getHeaderString("X-GitHub-Delivery"),
            headers.getHeaderString("X-Hub-Signature-256"),
            headers.getHeaderString("traceparent"),
            headers.getHeaderString("tracestate"),
            body);
    WebhookIntake.Decision decision = intake.examine(request);
    if (decision instanceof WebhookIntake.Reject reject) {
      metrics.rejected(reject.reason());
      return error(reject.reason().status(), reject.reason().label(), reject.message());
    }
    if (decision instanceof WebhookIntake.Ignore ignore) {
      metrics.delivery(ignore.event(), null, Outcome.IGNORED);
      return status(202, "ignored");
    }
    if (decision instanceof WebhookIntake.Produce produce) {
      return produce(produce);
    }
    metrics.delivery("ping", null, Outcome.PONG);
    return status(200, "pong");
  }

  private Response produce(WebhookIntake.Produce produce) {
    if (!deliveries.caughtUp()) {
      metrics.delivery(produce.event(), produce.action(), Outcome.UNAVAILABLE);
      return error(
          503, "starting", "the gateway is still reading its delivery log; retry in a moment");
    }
    DeliveryLog.Claim claim = deliveries.claim(produce.deliveryId());
    if (claim instanceof DeliveryLog.Claim.Owner owner) {
      return send(produce, owner);
    }
    if (claim instanceof DeliveryLog.Claim.InFlight inFlight) {
      boolean accepted;
      try {
        accepted = inFlight.outcome().get(ackTimeoutMs, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        accepted = false;
      } catch (ExecutionException | TimeoutException e) {
        accepted = false;
      }
      return accepted ? duplicate(produce) : unavailable(produce);
    }
    return duplicate(produce);
  }

  private Response send(WebhookIntake.Produce produce, DeliveryLog.Claim.Owner owner) {
    long started = System.nanoTime();
    RecordMetadata acked;
    try {
      acked = publisher.publish(produce.record()).get(ackTimeoutMs, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      deliveries.complete(owner, false);
      return unavailable(produce);
    } catch (ExecutionException | TimeoutException e) {
      deliveries.complete(owner, false);
      LOG.warnf(
          "delivery %s (%s) not stored within %d ms: %s",
          produce.deliveryId(),
          produce.event(),
          ackTimeoutMs,
          e instanceof ExecutionException ? e.getCause().getClass().getSimpleName() : "timeout");
      return unavailable(produce);
    }
    metrics.acked(System.nanoTime() - started);
    deliveries.complete(owner, true);
    metrics.delivery(produce.event(), produce.action(), Outcome.ACCEPTED);
    writeReceipt(produce, acked);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", "accepted");
    body.put("topic", acked.topic());
    body.put("partition", acked.partition());
    body.put("offset", acked.offset());
    return Response.status(202).type(MediaType.APPLICATION_JSON_TYPE).entity(body).build();
  }

  /**
   * Receipts are written after the answer's record is stored; a lost receipt only weakens dedupe.
   */
  private void writeReceipt(WebhookIntake.Produce produce, RecordMetadata acked) {
    DeliveryReceipt receipt =
        DeliveryReceipt.newBuilder()
            .setMetadata(
                metadata.create(
                    EventMetadataFactory.correlation(produce.deliveryId(), null, null, null)))
            .setDeliveryId(produce.deliveryId())
            .setEvent(produce.event())
            .setAction(produce.action())
            .setTopic(acked.topic())
            .setPartition(acked.partition())
            .setOffset(acked.offset())
            .build();
    publisher
        .publish(publisher.record(receipt))
        .whenComplete(
            (ok, error) -> {
              if (error != null) {
                metrics.receiptFailed();
                LOG.warnf(
                    "receipt of delivery %s not written: %s",
                    produce.deliveryId(), error.getClass().getSimpleName());
              }
            });
  }

  private Response duplicate(WebhookIntake.Produce produce) {
    metrics.delivery(produce.event(), produce.action(), Outcome.DUPLICATE);
    return status(200, "duplicate");
  }

  private Response unavailable(WebhookIntake.Produce produce) {
    metrics.delivery(produce.event(), produce.action(), Outcome.UNAVAILABLE);
    return error(
        503,
        "kafka_unavailable",
        "the delivery could not be stored in time; GitHub shows it as failed and it can be"
            + " redelivered");
  }

  private static Response status(int status, String value) {
    return Response.status(status)
        .type(MediaType.APPLICATION_JSON_TYPE)
        .entity(Map.of("status", value))
        .build();
  }

  static Response error(int status, String error, String message) {
    return Response.status(status)
        .type(MediaType.APPLICATION_JSON_TYPE)
        .entity(Map.of("error", error, "message", message))
        .build();
  }
}
