package dev.runnerguard.audit.ocsf;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runnerguard.audit.chain.CanonicalWriter;
import dev.runnerguard.schemas.avro.Finding;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.UUID;

/**
 * Findings ({@code runner.finding}) and Falco alerts ({@code falco.events}, falcosidekick JSON) →
 * OCSF Detection Finding (2004), activity Create (1).
 *
 * <p>Falco: the event id is falcosidekick's {@code uuid} (the dedupe key; a name-based UUID of the
 * Kafka position when absent), {@code time} its RFC 3339 time, severity from {@code priority}
 * (Emergency → Fatal, Alert/Critical → Critical, Error → High, Warning → Medium, Notice → Low, the
 * rest Informational), the runner from {@code output_fields["runnerguard.runner_id"]}, else {@code
 * k8s.pod.name}, else {@code hostname}.
 */
public final class DetectionFindingNormaliser {

  private DetectionFindingNormaliser() {}

  public static NormalisedEvent normalise(Finding f, SourcePosition pos) {
    int severity = Ocsf.severityId(f.getSeverity());
    String runnerId = Ocsf.runnerId(f.getRunnerId(), f.getMetadata());
    CanonicalWriter w = CanonicalWriter.local();
    w.beginObject();
    Ocsf.base(w, Ocsf.DETECTION_FINDING, 1, "Create", severity, f.getMetadata().getTime());
    w.beginObject("finding_info");
    w.beginObject("analytic");
    w.field("name", f.getRuleId());
    w.field("type", "Rule");
    w.field("type_id", 1);
    w.field("uid", f.getRuleId());
    w.endObject();
    w.fieldIfNotNull("desc", f.getDescription());
    if (!f.getSignalIds().isEmpty()) {
      w.beginArray("related_events");
      for (String id : f.getSignalIds()) {
        w.beginObject().field("uid", id).endObject();
      }
      w.endArray();
    }
    w.field("title", f.getTitle());
    w.field("uid", f.getFindingId());
    w.endObject();
    w.field("message", f.getTitle());
    Ocsf.platformMetadata(w, f.getMetadata(), pos);
    if (runnerId != null) {
      w.beginArray("resources").beginObject();
      Ocsf.runnerEntity(w, runnerId, null);
      w.endObject().endArray();
    }
    w.beginObject("unmapped");
    w.beginObject("finding");
    w.field("action", f.getAction().name());
    Ocsf.stringMap(w, "attributes", f.getAttributes());
    w.field("audit_mode", f.getAuditMode());
    w.fieldIfNotNull("policy_version", f.getPolicyVersion());
    w.fieldIfNotNull("repository", f.getRepositoryFullName());
    w.endObject();
    Ocsf.runnerguard(w, f.getMetadata(), pos);
    w.endObject();
    w.endObject();
    return new NormalisedEvent(
        f.getMetadata().getEventId(),
        pos,
        f.getMetadata().getTime(),
        Ocsf.DETECTION_FINDING.classUid(),
        severity,
        runnerId,
        Ocsf.jobId(f.getJobId(), f.getMetadata()),
        false,
        w.toByteArray());
  }

  /**
   * A falcosidekick alert.
   *
   * @throws IllegalArgumentException when the JSON is not a falcosidekick object (permanent)
   */
  public static NormalisedEvent normaliseFalco(JsonNode falco, SourcePosition pos) {
    if (falco == null || !falco.isObject() || !falco.hasNonNull("rule")) {
      throw new IllegalArgumentException("not a falcosidekick alert (no rule) at " + pos);
    }
    String eventId =
        falco.hasNonNull("uuid")
            ? falco.get("uuid").asText()
            : UUID.nameUUIDFromBytes(("falco:" + pos).getBytes(StandardCharsets.UTF_8)).toString();
    Instant time;
    try {
      time = falco.hasNonNull("time") ? Instant.parse(falco.get("time").asText()) : Instant.EPOCH;
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("falco alert with a bad time at " + pos, e);
    }
    int severity = falcoSeverity(falco.path("priority").asText(""));
    String rule = falco.get("rule").asText();
    JsonNode fields = falco.path("output_fields");
    String runnerId = null;
    for (String key : new String[] {"runnerguard.runner_id", "k8s.pod.name"}) {
      if (fields.hasNonNull(key)) {
        runnerId = fields.get(key).asText();
        break;
      }
    }
    if (runnerId == null && falco.hasNonNull("hostname")) {
      runnerId = falco.get("hostname").asText();
    }
    CanonicalWriter w = CanonicalWriter.local();
    w.beginObject();
    Ocsf.base(w, Ocsf.DETECTION_FINDING, 1, "Create", severity, time);
    w.beginObject("finding_info");
    w.beginObject("analytic");
    w.field("name", rule);
    w.field("type", "Rule");
    w.field("type_id", 1);
    w.endObject();
    if (falco.hasNonNull("output")) {
      w.field("desc", falco.get("output").asText());
    }
    w.field("title", rule);
    if (falco.has("tags") && falco.get("tags").isArray()) {
      w.field("types", falco.get("tags"));
    }
    w.field("uid", eventId);
    w.endObject();
    w.field("message", falco.path("output").asText(rule));
    Ocsf.metadata(w, eventId, null, "falco", pos.topic());
    if (runnerId != null) {
      w.beginArray("resources").beginObject();
      Ocsf.runnerEntity(w, runnerId, null);
      w.endObject().endArray();
    }
    w.beginObject("unmapped");
    w.field("falco", falco);
    w.beginObject("runnerguard");
    w.field("event_id", eventId);
    Ocsf.position(w, pos);
    w.fieldIfNotNull("runner_id", runnerId);
    w.endObject();
    w.endObject();
    w.endObject();
    return new NormalisedEvent(
        eventId,
        pos,
        time,
        Ocsf.DETECTION_FINDING.classUid(),
        severity,
        runnerId,
        null,
        false,
        w.toByteArray());
  }

  static int falcoSeverity(String priority) {
    return switch (priority.toLowerCase(Locale.ROOT)) {
      case "emergency" -> Ocsf.SEVERITY_FATAL;
      case "alert", "critical" -> Ocsf.SEVERITY_CRITICAL;
      case "error" -> Ocsf.SEVERITY_HIGH;
      case "warning" -> Ocsf.SEVERITY_MEDIUM;
      case "notice" -> Ocsf.SEVERITY_LOW;
      case "informational", "info", "debug" -> Ocsf.SEVERITY_INFORMATIONAL;
      default -> Ocsf.SEVERITY_UNKNOWN;
    };
  }
}
