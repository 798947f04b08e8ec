package dev.runnerguard.audit.ocsf;

import dev.runnerguard.audit.chain.CanonicalWriter;
import dev.runnerguard.schemas.avro.EventMetadata;
import dev.runnerguard.schemas.avro.ProviderEvent;
import dev.runnerguard.schemas.avro.ProviderEventKind;
import java.util.Map;

/**
 * {@code runner.provider-event} (what a runner provider did or saw, reported by the
 * runner-orchestrator) → OCSF <b>Entity Management (3004)</b> on the runner, the managed entity.
 *
 * <ul>
 *   <li>Lifecycle at the provider: PROVISIONED Create (1), PROVISION_FAILED Create with status
 *       Failure, RUNNING and EXITED Update (3), NOT_FOUND Other (99, "Not Found"), DESTROYED Delete
 *       (4), DESTROY_FAILED Delete with status Failure. Severity: Informational; NOT_FOUND Low (the
 *       resource vanished); PROVISION_FAILED Low when retriable, else Medium (provisioning gave
 *       up); DESTROY_FAILED Medium (a runner that may outlive its job). {@code entity.data} holds
 *       the kind, provider, {@code retriable} and the attributes.
 *   <li>Quarantine (QUARANTINE_STEP, QUARANTINE_DONE): a remediation, so the same class as {@link
 *       RemediationActivityNormaliser} (OCSF 1.1.0 has no Remediation Activity) with the details in
 *       {@code unmapped.remediation} (kind, step, provider, attributes, durations). Step by effect:
 *       {@code evidence-captured}/{@code evidence-failed} Read (2), {@code destroyed} Delete (4),
 *       the others Other (99: "Network Cut", "Freeze", "Deregister", "Revoke Credentials", else
 *       "Quarantine Step"); QUARANTINE_DONE Other ("Quarantine Done"). Status Failure when the
 *       step's {@code outcome} starts with {@code failed} (or the step is {@code evidence-failed}),
 *       else Success. Severity Medium; a failed step High (a runner left half-quarantined).
 *   <li>JOB_TAKEN (a job ran on another runner of its class than the one provisioned for it, one
 *       per such job), JOB_STATUS (GitHub's status of a busy runner's job, polled every {@code
 *       job-check-interval}, 2 minutes by default) and UNKNOWN (a kind newer than this schema):
 *       Other (99: "Job Taken", "Job Status", "Other"); Informational, UNKNOWN Unknown (0).
 *   <li>INVENTORY and TICK are normalised the same way (Other: "Inventory", "Tick") but {@link
 *       #stored not stored}: INVENTORY is the reconciler's periodic listing (every {@code
 *       reconcile.interval}, 30 s by default, one event per platform runner each provider lists and
 *       one per platform runner registered at GitHub: the same facts every 30 s, with 10,000
 *       runners some 330 events/s, 670 with the GitHub listing; a runner living 10 minutes gets 20
 *       to 40 of them against about a dozen lifecycle and provider events); what reconciliation
 *       decides is audited anyway (an orphan's destroy as DESTROYED/DESTROY_FAILED here, a lost
 *       runner on {@code runner.lifecycle}). TICK is a periodic timer with no audit meaning (the
 *       orchestrator's tick is a stream punctuator; nothing produces the kind today). Both are
 *       counted instead ({@code runnerguard_audit_provider_events_skipped_total{kind}}).
 * </ul>
 *
 * <p>Every event: {@code actor.app_name} = producing service, {@code comment} = the event's {@code
 * detail}, the runner id and job id (field, else correlation) as columns, the platform ids and the
 * Kafka position in {@code unmapped.runnerguard}, the trace id in {@code metadata.correlation_uid},
 * {@code durations} (ms) in {@code unmapped}. {@code detail} and attribute values go through {@link
 * Redaction} first: producers never put a secret there, but the chain could never drop one.
 */
public final class ProviderEventNormaliser {

  private ProviderEventNormaliser() {}

  /**
   * Whether events of a kind are stored in the chain: every kind but INVENTORY (periodic
   * reconciliation listing) and TICK (periodic timer), which are only counted.
   */
  public static boolean stored(ProviderEventKind kind) {
    return kind != ProviderEventKind.INVENTORY && kind != ProviderEventKind.TICK;
  }

  /** Whether a kind is a quarantine step (normalised as a remediation). */
  static boolean remediation(ProviderEventKind kind) {
    return kind == ProviderEventKind.QUARANTINE_STEP || kind == ProviderEventKind.QUARANTINE_DONE;
  }

  /** The OCSF activity of an event: id and caption. */
  public record Activity(int id, String name) {}

  /** The activity of an event (by kind, for quarantine steps by step). */
  public static Activity activity(ProviderEvent e) {
    return switch (e.getKind()) {
      case PROVISIONED, PROVISION_FAILED -> new Activity(1, "Create");
      case RUNNING, EXITED -> new Activity(3, "Update");
      case NOT_FOUND -> new Activity(Ocsf.OTHER, "Not Found");
      case DESTROYED, DESTROY_FAILED -> new Activity(4, "Delete");
      case QUARANTINE_STEP -> stepActivity(e.getAttributes().get("step"));
      case QUARANTINE_DONE -> new Activity(Ocsf.OTHER, "Quarantine Done");
      case INVENTORY -> new Activity(Ocsf.OTHER, "Inventory");
      case JOB_TAKEN -> new Activity(Ocsf.OTHER, "Job Taken");
      case JOB_STATUS -> new Activity(Ocsf.OTHER, "Job Status");
      case TICK -> new Activity(Ocsf.OTHER, "Tick");
      default -> new Activity(Ocsf.OTHER, "Other");
    };
  }

  private static Activity stepActivity(String step) {
    if (step == null) {
      return new Activity(Ocsf.OTHER, "Quarantine Step");
    }
    return switch (step) {
      case "evidence-captured", "evidence-failed" -> new Activity(2, "Read");
      case "destroyed" -> new Activity(4, "Delete");
      case "network-cut" -> new Activity(Ocsf.OTHER, "Network Cut");
      case "frozen" -> new Activity(Ocsf.OTHER, "Freeze");
      case "deregistered" -> new Activity(Ocsf.OTHER, "Deregister");
      case "credentials-revoked" -> new Activity(Ocsf.OTHER, "Revoke Credentials");
      default -> new Activity(Ocsf.OTHER, "Quarantine Step");
    };
  }

  /**
   * Whether the event reports an outcome: true success, false failure, null none (status not set).
   */
  public static Boolean success(ProviderEvent e) {
    return switch (e.getKind()) {
      case PROVISIONED, DESTROYED, QUARANTINE_DONE -> Boolean.TRUE;
      case PROVISION_FAILED, DESTROY_FAILED -> Boolean.FALSE;
      case QUARANTINE_STEP -> !failedStep(e);
      default -> null;
    };
  }

  private static boolean failedStep(ProviderEvent e) {
    String outcome = e.getAttributes().get("outcome");
    return "evidence-failed".equals(e.getAttributes().get("step"))
        || (outcome != null && outcome.startsWith("failed"));
  }

  /** The OCSF severity of an event. */
  public static int severity(ProviderEvent e) {
    return switch (e.getKind()) {
      case NOT_FOUND -> Ocsf.SEVERITY_LOW;
      case PROVISION_FAILED -> e.getRetriable() ? Ocsf.SEVERITY_LOW : Ocsf.SEVERITY_MEDIUM;
      case DESTROY_FAILED, QUARANTINE_DONE -> Ocsf.SEVERITY_MEDIUM;
      case QUARANTINE_STEP -> failedStep(e) ? Ocsf.SEVERITY_HIGH : Ocsf.SEVERITY_MEDIUM;
      case UNKNOWN -> Ocsf.SEVERITY_UNKNOWN;
      default -> Ocsf.SEVERITY_INFORMATIONAL;
    };
  }

  /** The {@code message} of an event. */
  static String message(ProviderEvent e) {
    ProviderEventKind kind = e.getKind();
    if (kind == ProviderEventKind.QUARANTINE_STEP) {
      String step = step(e);
      return "runner "
          + e.getRunnerId()
          + " quarantine step "
          + (step == null ? "step" : step)
          + " at "
          + e.getProvider();
    }
    return "runner " + e.getRunnerId() + " " + kind.name() + " at " + e.getProvider();
  }

  public static NormalisedEvent normalise(ProviderEvent e, SourcePosition pos) {
    EventMetadata meta = e.getMetadata();
    ProviderEventKind kind = e.getKind();
    Activity activity = activity(e);
    int severity = severity(e);
    Boolean success = success(e);
    CanonicalWriter w = CanonicalWriter.local();
    w.beginObject();
    Ocsf.base(w, Ocsf.ENTITY_MANAGEMENT, activity.id(), activity.name(), severity, meta.getTime());
    w.beginObject("actor").field("app_name", meta.getProducer().getService()).endObject();
    w.fieldIfNotNull("comment", Redaction.redact(e.getDetail()));
    w.beginObject("entity");
    if (!remediation(kind)) {
      w.beginObject("data");
      Ocsf.redactedStringMap(w, "attributes", e.getAttributes());
      w.field("kind", kind.name());
      w.field("provider", e.getProvider());
      w.field("retriable", e.getRetriable());
      w.endObject();
    }
    Ocsf.runnerEntity(w, e.getRunnerId(), null);
    w.endObject();
    w.field("message", message(e));
    if (success != null) {
      w.field("status", success ? "Success" : "Failure");
      w.field("status_id", success ? 1 : 2);
    }
    Ocsf.platformMetadata(w, meta, pos);
    w.beginObject("unmapped");
    if (remediation(kind)) {
      w.beginObject("remediation");
      Ocsf.redactedStringMap(w, "attributes", e.getAttributes());
      durations(w, e.getDurations());
      w.field("kind", kind.name());
      w.field("provider", e.getProvider());
      w.fieldIfNotNull("step", step(e));
      w.endObject();
    } else {
      durations(w, e.getDurations());
    }
    Ocsf.runnerguard(w, meta, pos);
    w.endObject();
    w.endObject();
    return new NormalisedEvent(
        meta.getEventId(),
        pos,
        meta.getTime(),
        Ocsf.ENTITY_MANAGEMENT.classUid(),
        severity,
        Ocsf.runnerId(e.getRunnerId(), meta),
        Ocsf.jobId(e.getJobId(), meta),
        false,
        w.toByteArray());
  }

  /** The quarantine step an event names (attribute {@code step}, redacted), or null. */
  static String step(ProviderEvent e) {
    return Redaction.redactAttribute("step", e.getAttributes().get("step"));
  }

  /** Writes {@code durations_ms}: the event's timings, in milliseconds, as numbers. */
  private static void durations(CanonicalWriter w, Map<String, Long> durations) {
    w.beginObject("durations_ms");
    for (Map.Entry<String, Long> en : durations.entrySet()) {
      w.field(en.getKey(), en.getValue());
    }
    w.endObject();
  }
}
