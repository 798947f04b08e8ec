package dev.runnerguard.gateway.intake;

import dev.runnerguard.gateway.DeliveryContext;
import dev.runnerguard.gateway.DeliveryPublisher;
import dev.runnerguard.gateway.GitHubEventParser;
import dev.runnerguard.gateway.InvalidPayloadException;
import dev.runnerguard.gateway.WorkflowJobParser;
import dev.runnerguard.gateway.signature.WebhookSignatureVerifier;
import dev.runnerguard.schemas.avro.WorkflowJobEvent;
import java.util.Locale;
import java.util.Set;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Decides what to do with one webhook request, in named steps: source allowed, content type,
 * required headers, delivery id, body size, signature, event type, payload. Pure: it builds the
 * record to produce but sends nothing, so every rejection path is testable without a broker and no
 * input can make it throw. Error messages name what is wrong and never echo the signature, the body
 * or a secret.
 */
public final class WebhookIntake {
  /** Events produced to Kafka; everything else but ping is acknowledged and ignored. */
  public static final Set<String> PRODUCED_EVENTS =
      Set.of("workflow_job", "workflow_run", "installation");

  /** Why a request was refused; the metric label is the lower-case name. */
  public enum Reason {
    SOURCE_NOT_ALLOWED(403),
    UNSUPPORTED_MEDIA_TYPE(415),
    MISSING_HEADER(400),
    BAD_DELIVERY_ID(400),
    BAD_EVENT_NAME(400),
    BODY_TOO_LARGE(413),
    BAD_SIGNATURE(401),
    INVALID_PAYLOAD(400);

    private final int status;

    Reason(int status) {
      this.status = status;
    }

    public int status() {
      return status;
    }

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** One HTTP request as the intake sees it; any field may be null. */
  public record Request(
      String remoteAddress,
      String contentType,
      String event,
      String deliveryId,
      String signature,
      String traceparent,
      String tracestate,
      byte[] body) {}

  /** What to do. */
  public sealed interface Decision {}

  /** Refuse with a 4xx. */
  public record Reject(Reason reason, String message) implements Decision {}

  /** Answer a ping with 200; nothing is produced. */
  public record Ping() implements Decision {}

  /** Acknowledge with 202 and produce nothing: GitHub sent an event RunnerGuard does not use. */
  public record Ignore(String event) implements Decision {}

  /** Produce the record, then answer 202. */
  public record Produce(
      String deliveryId, String event, String action, ProducerRecord<String, byte[]> record)
      implements Decision {}

  private final CidrAllowlist allowlist;
  private final WebhookSignatureVerifier verifier;
  private final long maxBodyBytes;
  private final WorkflowJobParser jobs;
  private final GitHubEventParser others;
  private final DeliveryPublisher records;

  public WebhookIntake(
      CidrAllowlist allowlist,
      WebhookSignatureVerifier verifier,
      long maxBodyBytes,
      WorkflowJobParser jobs,
      GitHubEventParser others,
      DeliveryPublisher records) {
    this.allowlist = allowlist;
    this.verifier = verifier;
    this.maxBodyBytes = maxBodyBytes;
    this.jobs = jobs;
    this.others = others;
    this.records = records;
  }

  /** Examines the request; never throws for any input. */
  public Decision examine(Request request) {
    if (!allowlist.allows(request.remoteAddress())) {
      return new Reject(Reason.SOURCE_NOT_ALLOWED, "source address is not in the allowed networks");
    }
    if (!isJson(request.contentType())) {
      return new Reject(
          Reason.UNSUPPORTED_MEDIA_TYPE,
          "Content-Type must be application/json (set the webhook's content type to JSON)");
    }
    for (var header :
        new String[][] {
          {"X-GitHub-Event", request.event()},
          {"X-GitHub-Delivery", request.deliveryId()},
          {"X-Hub-Signature-256", request.signature()}
        }) {
      if (header[1] == null || header[1].isBlank()) {
        return new Reject(Reason.MISSING_HEADER, "missing header " + header[0]);
      }
    }
    if (!isDeliveryId(request.deliveryId())) {
      return new Reject(
          Reason.BAD_DELIVERY_ID, "X-GitHub-Delivery must be 1 to 64 letters, digits or '-'");
    }
    if (!isName(request.event(), 64)) {
      return new Reject(Reason.BAD_EVENT_NAME, "X-GitHub-Event must be 1 to 64 of a-z and '_'");
    }
    byte[] body = request.body() == null ? new byte[0] : request.body();
    if (body.length > maxBodyBytes) {
      return new Reject(Reason.BODY_TOO_LARGE, "body exceeds " + maxBodyBytes + " bytes");
    }
    if (verifier.verify(body, request.signature()) != WebhookSignatureVerifier.Result.VALID) {
      return new Reject(
          Reason.BAD_SIGNATURE,
          "X-Hub-Signature-256 does not match the body under any active webhook secret");
    }
    return classify(request, body);
  }

  private Decision classify(Request request, byte[] body) {
    String event = request.event();
    if (event.equals("ping")) {
      return new Ping();
    }
    if (!PRODUCED_EVENTS.contains(event)) {
      return new Ignore(event);
    }
    DeliveryContext delivery =
        new DeliveryContext(
            request.deliveryId(),
            event,
            traceHeader(request.traceparent()),
            traceHeader(request.tracestate()));
    try {
      if (event.equals("workflow_job")) {
        WorkflowJobEvent job = jobs.parse(body, delivery);
        return new Produce(request.deliveryId(), event, job.getAction(), records.record(job));
      }
      GitHubEventParser.Parsed parsed = others.parse(body, delivery);
      return new Produce(
          request.deliveryId(),
          event,
          parsed.event().getAction(),
          records.record(parsed.key(), parsed.event()));
    } catch (InvalidPayloadException e) {
      return new Reject(Reason.INVALID_PAYLOAD, e.getMessage());
    } catch (RuntimeException e) {
      // a parser bug must still not become a 5xx for a bad body
      return new Reject(Reason.INVALID_PAYLOAD, "body could not be parsed");
    }
  }

  private static boolean isJson(String contentType) {
    if (contentType == null) {
      return false;
    }
    String type = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    return type.equals("application/json");
  }

  /** Trace headers are copied only when short and printable, so they cannot bloat records. */
  private static String traceHeader(String value) {
    return value != null && value.length() <= 512 && isPrintableAscii(value) ? value : null;
  }

  // Hand-written character checks: the three regular expressions they replace
  // ([A-Za-z0-9-]{1,64}, [a-z_]{1,n}, [\x20-\x7E]*) were 2-3 % of the event loop's time.

  /** 1 to 64 ASCII letters, digits or '-' (GitHub's delivery ids are UUIDs). */
  static boolean isDeliveryId(String value) {
    int n = value.length();
    if (n < 1 || n > 64) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = value.charAt(i);
      if (!((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '-')) {
        return false;
      }
    }
    return true;
  }

  /** 1 to {@code max} of a-z and '_': an event or action name. */
  static boolean isName(String value, int max) {
    int n = value.length();
    if (n < 1 || n > max) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = value.charAt(i);
      if (!((c >= 'a' && c <= 'z') || c == '_')) {
        return false;
      }
    }
    return true;
  }

  static boolean isPrintableAscii(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c > 0x7E) {
        return false;
      }
    }
    return true;
  }
}
