package dev.runnerguard.gateway.intake;

import dev.runnerguard.gateway.DeliveryPublisher;
import dev.runnerguard.gateway.config.GatewayConfig;
import dev.runnerguard.gateway.dedupe.DeliveryLog;
import dev.runnerguard.gateway.dedupe.ReceiptBatcher;
import dev.runnerguard.gateway.intake.GatewayMetrics.Outcome;
import dev.runnerguard.schemas.avro.AcceptedDelivery;
import dev.runnerguard.schemas.serde.EventMetadataFactory;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.util.List;
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
 * <p>A plain Vert.x route, not a JAX-RS resource: the gateway has one endpoint whose answers are a
 * handful of fixed JSON shapes, and the REST layer (request context, content negotiation, a body
 * copy, Jackson for the answer) was about 40 % of the request thread's CPU per delivery.
 *
 * <p>Non-blocking: a declared {@code Content-Length} over {@code runnerguard.gateway.max-body-size}
 * is refused before anything is read, and the body is collected into one array within the same
 * limit ({@link BodyCollector}; a chunked body is cut off while it streams in); the checks run on
 * the event loop (they are short and pure); the record goes to the Kafka producer straight from the
 * event loop while its {@code send} cannot block, and otherwise through one dedicated thread (see
 * {@link DeliveryPublisher#publish(org.apache.kafka.clients.producer.ProducerRecord,
 * java.util.concurrent.Executor)}); and the answer is written when the broker's acknowledgement
 * arrives or the bound expires.
 */
@ApplicationScoped
public class WebhookRoute {
  private static final Logger LOG = Logger.getLogger(WebhookRoute.class);
  private static final String JSON = "application/json";

  private final WebhookIntake intake;
  private final DeliveryLog deliveries;
  private final DeliveryPublisher publisher;
  private final EventMetadataFactory metadata;
  private final GatewayMetrics metrics;
  private final long ackTimeoutMs;
  private final long maxBodySize;
  private final ReceiptBatcher receipts;
  private final ExecutorService sender =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "webhook-kafka-send");
            t.setDaemon(true);
            return t;
          });

  public WebhookRoute(
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
    this.maxBodySize = BodyCollector.checkLimit(config.maxBodySize());
    this.receipts =
        new ReceiptBatcher(
            receipt -> publisher.publish(publisher.record(receipt), sender),
            metadata,
            this::receiptsFailed,
            config.producerLinger());
  }

  void install(@Observes Router router) {
    // first, before Quarkus' own Content-Length check, which answers 413 without a JSON body
    router
        .route(HttpMethod.POST, "/webhook")
        .order(-100)
        .handler(this::collect)
        .failureHandler(this::failed);
  }

  /**
   * Refuses an oversized delivery before its body is read: a {@code Content-Length} over the limit
   * (or one that is not a number) is answered 413 and the connection closed. Otherwise the body is
   * collected as it streams in ({@link BodyCollector}); a chunked body without {@code
   * Content-Length} is cut off with the same 413 once it goes over the limit.
   */
  private void collect(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    long declared = BodyCollector.declaredLength(request.getHeader("Content-Length"));
    if (declared > maxBodySize) {
      tooLarge(ctx);
      return;
    }
    if (request.isEnded()) { // nothing left to read: no body, or Vert.x has already read it
      receive(ctx, new byte[0]);
      return;
    }
    BodyCollector body = new BodyCollector(declared, maxBodySize);
    request
        .handler(
            chunk -> {
              if (!body.append(chunk) && !ctx.response().ended()) {
                tooLarge(ctx);
              }
            })
        .exceptionHandler(
            error -> {
              if (!ctx.response().ended()) {
                ctx.fail(400, error); // a broken body (bad chunk encoding); answered by failed()
              }
            })
        .endHandler(
            end -> {
              if (!body.overLimit() && !ctx.response().ended()) {
                receive(ctx, body.body());
              }
            })
        .resume();
  }

  private void tooLarge(RoutingContext ctx) {
    metrics.rejected(WebhookIntake.Reason.BODY_TOO_LARGE);
    ctx.response().putHeader("Connection", "close");
    error(ctx.response(), 413, "body_too_large", "body exceeds " + maxBodySize + " bytes");
  }

  private void receive(RoutingContext ctx, byte[] body) {
    MultiMap headers = ctx.request().headers();
    WebhookIntake.Request request =
        new WebhookIntake.Request(
            ctx.request().remoteAddress() == null
                ? null
                : ctx.request().remoteAddress().hostAddress(),
            headers.get("Content-Type"),
            headers.get("X-GitHub-Event"),
            headers.get("X-GitHub-Delivery"),
            headers.get("X-Hub-Signature-256"),
            headers.get("traceparent"),
            headers.get("tracestate"),
            body);
    WebhookIntake.Decision decision = intake.examine(request);
    HttpServerResponse response = ctx.response();
    if (decision instanceof WebhookIntake.Reject reject) {
      metrics.rejected(reject.reason());
      error(response, reject.reason().status(), reject.reason().label(), reject.message());
    } else if (decision instanceof WebhookIntake.Ignore ignore) {
      metrics.delivery(ignore.event(), null, Outcome.IGNORED);
      status(response, 202, "ignored");
    } else if (decision instanceof WebhookIntake.Produce produce) {
      produce(produce, response);
    } else {
      metrics.delivery("ping", null, Outcome.PONG);
      status(response, 200, "pong");
    }
  }

  /** The body could not be read, or a handler failed. */
  private void failed(RoutingContext ctx) {
    if (ctx.response().ended()) {
      return;
    }
    if (ctx.statusCode() == 413) {
      tooLarge(ctx);
      return;
    }
    int status = ctx.statusCode() >= 400 && ctx.statusCode() < 500 ? ctx.statusCode() : 500;
    if (status == 500) {
      LOG.errorf(
          "webhook request failed: %s",
          ctx.failure() == null
              ? "status " + ctx.statusCode()
              : ctx.failure().getClass().getName());
    }
    error(
        ctx.response(),
        status,
        status == 500 ? "internal_error" : "bad_request",
        status == 500 ? "the gateway failed to handle the request" : "the request was refused");
  }

  private void produce(WebhookIntake.Produce produce, HttpServerResponse response) {
    if (!deliveries.caughtUp()) {
      metrics.delivery(produce.event(), produce.action(), Outcome.UNAVAILABLE);
      error(
          response,
          503,
          "starting",
          "the gateway is still reading its delivery log; retry in a moment");
      return;
    }
    DeliveryLog.Claim claim = deliveries.claim(produce.deliveryId());
    if (claim instanceof DeliveryLog.Claim.Owner owner) {
      send(produce, owner, response);
    } else if (claim instanceof DeliveryLog.Claim.InFlight inFlight) {
      inFlight
          .outcome()
          .orTimeout(ackTimeoutMs, TimeUnit.MILLISECONDS)
          .whenComplete(
              (accepted, error) -> {
                if (error == null && accepted) {
                  duplicate(produce, response);
                } else {
                  unavailable(produce, response);
                }
              });
    } else {
      duplicate(produce, response);
    }
  }

  private void send(
      WebhookIntake.Produce produce, DeliveryLog.Claim.Owner owner, HttpServerResponse response) {
    long started = System.nanoTime();
    publisher
        .publish(produce.record(), sender)
        .orTimeout(ackTimeoutMs, TimeUnit.MILLISECONDS)
        .whenComplete(
            (acked, error) -> {
              if (error != null) {
                deliveries.complete(owner, false);
                LOG.warnf(
                    "delivery %s (%s) not stored within %d ms: %s",
                    produce.deliveryId(),
                    produce.event(),
                    ackTimeoutMs,
                    rootCause(error).getClass().getSimpleName());
                unavailable(produce, response);
                return;
              }
              metrics.acked(System.nanoTime() - started);
              deliveries.complete(owner, true);
              metrics.delivery(produce.event(), produce.action(), Outcome.ACCEPTED);
              writeReceipt(produce, acked);
              json(
                  response,
                  202,
                  "{\"status\":\"accepted\",\"topic\":"
                      + quote(acked.topic())
                      + ",\"partition\":"
                      + acked.partition()
                      + ",\"offset\":"
                      + acked.offset()
                      + "}");
            });
  }

  /**
   * Receipts are written after the answer's record is stored, gathered into one record per {@code
   * producer-linger} ({@link ReceiptBatcher}); a lost receipt only weakens dedupe.
   */
  private void writeReceipt(WebhookIntake.Produce produce, RecordMetadata acked) {
    receipts.add(
        new AcceptedDelivery(
            produce.deliveryId(),
            produce.event(),
            produce.action(),
            acked.topic(),
            acked.partition(),
            acked.offset()));
  }

  private void receiptsFailed(List<AcceptedDelivery> lost, Throwable error) {
    metrics.receiptsFailed(lost.size());
    LOG.warnf(
        "receipt of %d deliveries (the first %s) not written: %s",
        lost.size(), lost.get(0).getDeliveryId(), rootCause(error).getClass().getSimpleName());
  }

  private void duplicate(WebhookIntake.Produce produce, HttpServerResponse response) {
    metrics.delivery(produce.event(), produce.action(), Outcome.DUPLICATE);
    status(response, 200, "duplicate");
  }

  private void unavailable(WebhookIntake.Produce produce, HttpServerResponse response) {
    metrics.delivery(produce.event(), produce.action(), Outcome.UNAVAILABLE);
    error(
        response,
        503,
        "kafka_unavailable",
        "the delivery could not be stored in time; GitHub shows it as failed and it can be"
            + " redelivered");
  }

  @PreDestroy
  void stopSender() {
    receipts.close();
    sender.shutdown();
  }

  private static Throwable rootCause(Throwable error) {
    Throwable cause = error;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    return cause;
  }

  private static void status(HttpServerResponse response, int status, String value) {
    json(response, status, "{\"status\":" + quote(value) + "}");
  }

  private static void error(HttpServerResponse response, int status, String error, String message) {
    json(response, status, "{\"error\":" + quote(error) + ",\"message\":" + quote(message) + "}");
  }

  /**
   * Ends the response unless it already ended (the client may have gone, or a timeout raced the
   * acknowledgement). Safe from any thread: Vert.x writes on the connection's event loop.
   */
  private static void json(HttpServerResponse response, int status, String body) {
    if (response.ended() || response.closed()) {
      return;
    }
    try {
      response
          .setStatusCode(status)
          .putHeader("Content-Type", JSON)
          .end(Buffer.buffer(body.getBytes(StandardCharsets.UTF_8)));
    } catch (IllegalStateException e) {
      // ended concurrently (connection closed): nothing left to answer
    }
  }

  /** A JSON string literal; the values are the gateway's own texts, topic names and labels. */
  static String quote(String value) {
    StringBuilder out = new StringBuilder(value.length() + 2).append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }
}
