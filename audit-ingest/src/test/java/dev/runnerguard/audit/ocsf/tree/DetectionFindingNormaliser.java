package dev.runnerguard.audit.ocsf.tree;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runnerguard.audit.ocsf.NormalisedEvent;
import dev.runnerguard.audit.ocsf.SourcePosition;
import dev.runnerguard.schemas.avro.Finding;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.UUID;

/**
 * THE REFERENCE (test only): the tree-building normaliser as it was before the normalisers wrote
 * canonical bytes directly; kept unchanged to check the new path against
 * (NormalisersEquivalenceTest).
 *
 * <p>Findings ({@code runner.finding}) and Falco alerts ({@code falco.events}, falcosidekick JSON)
 * → OCSF Detection Finding (2004), activity Create (1).
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
    ObjectNode o =
        Ocsf.base(Ocsf.DETECTION_FINDING, 1, "Create", severity, f.getMetadata().getTime());
    ObjectNode info = o.putObject("finding_info");
    info.put("uid", f.getFindingId());
    info.put("title", f.getTitle());
    Ocsf.putIfNotNull(info, "desc", f.getDescription());
    ObjectNode analytic = info.putObject("analytic");
    analytic.put("uid", f.getRuleId());
    analytic.put("name", f.getRuleId());
    analytic.put("type_id", 1);
    analytic.put("type", "Rule");
    if (!f.getSignalIds().isEmpty()) {
      var related = info.putArray("related_events");
      f.getSignalIds().forEach(id -> related.addObject().put("uid", id));
    }
    String runnerId = Ocsf.runnerId(f.getRunnerId(), f.getMetadata());
    if (runnerId != null) {
      o.putArray("resources").add(Ocsf.runnerEntity(runnerId, null));
    }
    o.put("message", f.getTitle());
    ObjectNode un = o.putObject("unmapped").putObject("finding");
    un.put("action", f.getAction().name());
    un.put("audit_mode", f.getAuditMode());
    Ocsf.putIfNotNull(un, "policy_version", f.getPolicyVersion());
    Ocsf.putIfNotNull(un, "repository", f.getRepositoryFullName());
    un.set("attributes", Ocsf.stringMap(f.getAttributes()));
    Ocsf.platformMetadata(o, f.getMetadata(), pos);
    return new NormalisedEvent(
        f.getMetadata().getEventId(),
        pos,
        f.getMetadata().getTime(),
        Ocsf.DETECTION_FINDING.classUid(),
        severity,
        runnerId,
        Ocsf.jobId(f.getJobId(), f.getMetadata()),
        false,
        o);
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
    ObjectNode o = Ocsf.base(Ocsf.DETECTION_FINDING, 1, "Create", severity, time);
    String rule = falco.get("rule").asText();
    ObjectNode info = o.putObject("finding_info");
    info.put("uid", eventId);
    info.put("title", rule);
    if (falco.hasNonNull("output")) {
      info.put("desc", falco.get("output").asText());
    }
    ObjectNode analytic = info.putObject("analytic");
    analytic.put("name", rule);
    analytic.put("type_id", 1);
    analytic.put("type", "Rule");
    if (falco.has("tags") && falco.get("tags").isArray()) {
      info.set("types", falco.get("tags").deepCopy());
    }
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
    if (runnerId != null) {
      o.putArray("resources").add(Ocsf.runnerEntity(runnerId, null));
    }
    o.put("message", falco.path("output").asText(rule));
    o.set("metadata", Ocsf.metadata(eventId, null, "falco"));
    ObjectNode m = (ObjectNode) o.get("metadata");
    m.put("log_name", pos.topic());
    ObjectNode rg = Ocsf.runnerguard(o, pos);
    rg.put("event_id", eventId);
    Ocsf.putIfNotNull(rg, "runner_id", runnerId);
    ObjectNode un = (ObjectNode) o.get("unmapped");
    un.set("falco", falco.deepCopy());
    return new NormalisedEvent(
        eventId, pos, time, Ocsf.DETECTION_FINDING.classUid(), severity, runnerId, null, false, o);
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
