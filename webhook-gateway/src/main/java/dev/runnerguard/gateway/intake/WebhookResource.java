package dev.runnerguard.gateway.intake;

import dev.runnerguard.gateway.DeliveryPublisher;
import dev.runnerguard.gateway.config.GatewayConfig;
import dev.runnerguard.gateway.dedupe.DeliveryLog;
import dev.runnerguard.gateway.intake.GatewayMetrics.Outcome;
import dev.runnerguard.schemas.avro.DeliveryReceipt;
import dev.runnerguard.schemas.serde.EventMetadataFactory;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.jboss.logging.Logger;

/**
 * {@code POST /webhook}: GitHub's deliveries in, records on Kafka out. 202 is answered only after
 * the broker acknowledged the record ({@code acks=all}); when it does not within {@code
 * runnerguard.gateway.ack-timeout}, 503, so GitHub shows the delivery as failed and it can be
 * redelivered. Every refusal is a JSON body {@code {"error": <reason>, "message": <text>}} that
 * never echoes the signature, the body or a secret.
 *
 * <p>Non-blocking: the checks run on the I/O thread (they are short and pure), the record is handed
 * to the Kafka producer on one dedicated thread (its {@code send} can block while the broker is
 * unreachable, which must never stall the I/O threads), and the answer completes when the broker's
 * acknowledgement arrives or the bound expires.
 */
@Path("/webhook")
@Singleton
public class WebhookResource {
  private static final Logger LOG = Logger.getLogger(WebhookResource.class);

  private final WebhookIntake intake;
  private final DeliveryLog deliveries;
  private final DeliveryPublisher publisher;
  private final EventMetadataFactory metadata;
  private final GatewayMetrics metrics;
  private final long ackTimeoutMs;
  private final ExecutorService sender =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "webhook-kafka-send");
            t.setDaemon(true);
            return t;
          });

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
  public CompletionStage<Response> receive(
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
      return done(error(reject.reason().status(), reject.reason().label(), reject.message()));
    }
    if (decision instanceof WebhookIntake.Ignore ignore) {
      metrics.delivery(ignore.event(), null, Outcome.IGNORED);
      return done(status(202, "ignored"));
    }
    if (decision instanceof WebhookIntake.Produce produce) {
      return produce(produce);
    }
    metrics.delivery("ping", null, Outcome.PONG);
    return done(status(200, "pong"));
  }

  private CompletionStage<Response> produce(WebhookIntake.Produce produce) {
    if (!deliveries.caughtUp()) {
      metrics.delivery(produce.event(), produce.action(), Outcome.UNAVAILABLE);
      return done(
          error(
              503, "starting", "the gateway is still reading its delivery log; retry in a moment"));
    }
    DeliveryLog.Claim claim = deliveries.claim(produce.deliveryId());
    if (claim instanceof DeliveryLog.Claim.Owner owner) {
      return send(produce, owner);
    }
    if (claim instanceof DeliveryLog.Claim.InFlight inFlight) {
      return inFlight
          .outcome()
          .orTimeout(ackTimeoutMs, TimeUnit.MILLISECONDS)
          .handle(
              (accepted, error) ->
                  error == null && accepted ? duplicate(produce) : unavailable(produce));
    }
    return done(duplicate(produce));
  }

  private CompletionStage<Response> send(
      WebhookIntake.Produce produce, DeliveryLog.Claim.Owner owner) {
    long started = System.nanoTime();
    return CompletableFuture.supplyAsync(() -> publisher.publish(produce.record()), sender)
        .thenCompose(acked -> acked)
        .orTimeout(ackTimeoutMs, TimeUnit.MILLISECONDS)
        .handle(
            (acked, error) -> {
              if (error != null) {
                deliveries.complete(owner, false);
                LOG.warnf(
                    "delivery %s (%s) not stored within %d ms: %s",
                    produce.deliveryId(),
                    produce.event(),
                    ackTimeoutMs,
                    rootCause(error).getClass().getSimpleName());
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
              return Response.status(202)
                  .type(MediaType.APPLICATION_JSON_TYPE)
                  .entity(body)
                  .build();
            });
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
    CompletableFuture.supplyAsync(() -> publisher.publish(publisher.record(receipt)), sender)
        .thenCompose(written -> written)
        .whenComplete(
            (ok, error) -> {
              if (error != null) {
                metrics.receiptFailed();
                LOG.warnf(
                    "receipt of delivery %s not written: %s",
                    produce.deliveryId(), rootCause(error).getClass().getSimpleName());
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

  @PreDestroy
  void stopSender() {
    sender.shutdown();
  }

  private static Throwable rootCause(Throwable error) {
    Throwable cause = error;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    return cause;
  }

  private static CompletionStage<Response> done(Response response) {
    return CompletableFuture.completedFuture(response);
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
