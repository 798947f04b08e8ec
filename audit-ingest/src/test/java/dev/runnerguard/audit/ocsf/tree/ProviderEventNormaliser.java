package dev.runnerguard.audit.ocsf.tree;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runnerguard.audit.ocsf.NormalisedEvent;
import dev.runnerguard.audit.ocsf.Redaction;
import dev.runnerguard.audit.ocsf.SourcePosition;
import dev.runnerguard.schemas.avro.EventMetadata;
import dev.runnerguard.schemas.avro.ProviderEvent;
import dev.runnerguard.schemas.avro.ProviderEventKind;
import java.util.Map;

/**
 * THE REFERENCE (test only), written the tree-building way the other references are (added with the
 * normaliser of {@code runner.provider-event}, which never had a tree-building version): the same
 * mapping as {@link dev.runnerguard.audit.ocsf.ProviderEventNormaliser}, written separately, to
 * check the canonical writer path against (NormalisersEquivalenceTest). Redaction is shared ({@link
 * Redaction}): it is not what this checks.
 *
 * <p>{@code runner.provider-event} → OCSF Entity Management (3004) on the runner: provider
 * lifecycle by kind (Create, Update, Delete, Other "Not Found"); quarantine steps as remediation
 * (details in {@code unmapped.remediation}); JOB_TAKEN, JOB_STATUS, INVENTORY, TICK, UNKNOWN Other.
 */
public final class ProviderEventNormaliser {

  private ProviderEventNormaliser() {}

  public static NormalisedEvent normalise(ProviderEvent e, SourcePosition pos) {
    EventMetadata meta = e.getMetadata();
    ProviderEventKind kind = e.getKind();
    String step = Redaction.redactAttribute("step", e.getAttributes().get("step"));
    String outcome = e.getAttributes().get("outcome");
    boolean failedStep =
        "evidence-failed".equals(e.getAttributes().get("step"))
            || (outcome != null && outcome.startsWith("failed"));
    boolean quarantine =
        kind == ProviderEventKind.QUARANTINE_STEP || kind == ProviderEventKind.QUARANTINE_DONE;

    int activity = Ocsf.OTHER;
    String activityName;
    switch (kind) {
      case PROVISIONED:
      case PROVISION_FAILED:
        activity = 1;
        activityName = "Create";
        break;
      case RUNNING:
      case EXITED:
        activity = 3;
        activityName = "Update";
        break;
      case NOT_FOUND:
        activityName = "Not Found";
        break;
      case DESTROYED:
      case DESTROY_FAILED:
        activity = 4;
        activityName = "Delete";
        break;
      case QUARANTINE_STEP:
        String raw = e.getAttributes().get("step");
        if ("evidence-captured".equals(raw) || "evidence-failed".equals(raw)) {
          activity = 2;
          activityName = "Read";
        } else if ("destroyed".equals(raw)) {
          activity = 4;
          activityName = "Delete";
        } else if ("network-cut".equals(raw)) {
          activityName = "Network Cut";
        } else if ("frozen".equals(raw)) {
          activityName = "Freeze";
        } else if ("deregistered".equals(raw)) {
          activityName = "Deregister";
        } else if ("credentials-revoked".equals(raw)) {
          activityName = "Revoke Credentials";
        } else {
          activityName = "Quarantine Step";
        }
        break;
      case QUARANTINE_DONE:
        activityName = "Quarantine Done";
        break;
      case INVENTORY:
        activityName = "Inventory";
        break;
      case JOB_TAKEN:
        activityName = "Job Taken";
        break;
      case JOB_STATUS:
        activityName = "Job Status";
        break;
      case TICK:
        activityName = "Tick";
        break;
      default:
        activityName = "Other";
    }

    int severity;
    switch (kind) {
      case NOT_FOUND:
        severity = Ocsf.SEVERITY_LOW;
        break;
      case PROVISION_FAILED:
        severity = e.getRetriable() ? Ocsf.SEVERITY_LOW : Ocsf.SEVERITY_MEDIUM;
        break;
      case DESTROY_FAILED:
      case QUARANTINE_DONE:
        severity = Ocsf.SEVERITY_MEDIUM;
        break;
      case QUARANTINE_STEP:
        severity = failedStep ? Ocsf.SEVERITY_HIGH : Ocsf.SEVERITY_MEDIUM;
        break;
      case UNKNOWN:
        severity = Ocsf.SEVERITY_UNKNOWN;
        break;
      default:
        severity = Ocsf.SEVERITY_INFORMATIONAL;
    }

    Boolean success;
    switch (kind) {
      case PROVISIONED:
      case DESTROYED:
      case QUARANTINE_DONE:
        success = true;
        break;
      case PROVISION_FAILED:
      case DESTROY_FAILED:
        success = false;
        break;
      case QUARANTINE_STEP:
        success = !failedStep;
        break;
      default:
        success = null;
    }

    ObjectNode o =
        Ocsf.base(Ocsf.ENTITY_MANAGEMENT, activity, activityName, severity, meta.getTime());
    ObjectNode entity = Ocsf.runnerEntity(e.getRunnerId(), null);
    ObjectNode durations = Ocsf.JSON.objectNode();
    e.getDurations().forEach(durations::put);
    if (quarantine) {
      ObjectNode r = o.putObject("unmapped").putObject("remediation");
      r.put("kind", kind.name());
      Ocsf.putIfNotNull(r, "step", step);
      r.put("provider", e.getProvider());
      r.set("attributes", attributes(e.getAttributes()));
      r.set("durations_ms", durations);
    } else {
      ObjectNode data = entity.putObject("data");
      data.put("kind", kind.name());
      data.put("provider", e.getProvider());
      data.put("retriable", e.getRetriable());
      data.set("attributes", attributes(e.getAttributes()));
      o.putObject("unmapped").set("durations_ms", durations);
    }
    o.set("entity", entity);
    o.put(
        "message",
        kind == ProviderEventKind.QUARANTINE_STEP
            ? "runner "
                + e.getRunnerId()
                + " quarantine step "
                + (step == null ? "step" : step)
                + " at "
                + e.getProvider()
            : "runner " + e.getRunnerId() + " " + kind.name() + " at " + e.getProvider());
    Ocsf.putIfNotNull(o, "comment", Redaction.redact(e.getDetail()));
    if (success != null) {
      o.put("status_id", success ? 1 : 2);
      o.put("status", success ? "Success" : "Failure");
    }
    o.putObject("actor").put("app_name", meta.getProducer().getService());
    Ocsf.platformMetadata(o, meta, pos);
    return new NormalisedEvent(
        meta.getEventId(),
        pos,
        meta.getTime(),
        Ocsf.ENTITY_MANAGEMENT.classUid(),
        severity,
        Ocsf.runnerId(e.getRunnerId(), meta),
        Ocsf.jobId(e.getJobId(), meta),
        false,
        o);
  }

  private static ObjectNode attributes(Map<String, String> attributes) {
    ObjectNode a = Ocsf.JSON.objectNode();
    attributes.forEach((k, v) -> a.put(k, Redaction.redactAttribute(k, v)));
    return a;
  }
}
