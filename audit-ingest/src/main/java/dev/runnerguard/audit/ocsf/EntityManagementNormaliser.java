package dev.runnerguard.audit.ocsf;

import dev.runnerguard.audit.chain.CanonicalWriter;
import dev.runnerguard.schemas.avro.RunnerLifecycleEvent;
import dev.runnerguard.schemas.avro.RunnerState;

/**
 * {@code runner.lifecycle} → OCSF Entity Management (3004): the runner is the managed entity;
 * REQUESTED is Create, DESTROYED is Delete, every other transition is Update. The reason and the
 * attribute values are {@link Redaction redacted}: the orchestrator copies provider errors and
 * quarantine-step details into them, and the chain could never drop a secret that got in.
 */
public final class EntityManagementNormaliser {

  private EntityManagementNormaliser() {}

  public static NormalisedEvent normalise(RunnerLifecycleEvent e, SourcePosition pos) {
    RunnerState state = e.getState();
    int activity;
    String activityName;
    switch (state) {
      case REQUESTED -> {
        activity = 1;
        activityName = "Create";
      }
      case DESTROYED -> {
        activity = 4;
        activityName = "Delete";
      }
      default -> {
        activity = 3;
        activityName = "Update";
      }
    }
    int severity =
        switch (state) {
          case QUARANTINED -> Ocsf.SEVERITY_HIGH;
          case FAILED, LOST -> Ocsf.SEVERITY_MEDIUM;
          default -> Ocsf.SEVERITY_INFORMATIONAL;
        };
    CanonicalWriter w = CanonicalWriter.local();
    w.beginObject();
    Ocsf.base(
        w, Ocsf.ENTITY_MANAGEMENT, activity, activityName, severity, e.getMetadata().getTime());
    w.beginObject("actor")
        .field("app_name", e.getMetadata().getProducer().getService())
        .endObject();
    w.fieldIfNotNull("comment", Redaction.redact(e.getReason()));
    w.beginObject("entity");
    w.beginObject("data");
    Ocsf.redactedStringMap(w, "attributes", e.getAttributes());
    Ocsf.stringMap(w, "durations_ms", e.getDurations());
    w.fieldIfNotNull("policy_version", e.getPolicyVersion());
    w.fieldIfNotNull(
        "previous_state", e.getPreviousState() == null ? null : e.getPreviousState().name());
    w.field("provider", e.getProvider());
    w.field("runner_class", e.getRunnerClass());
    w.field("state", state.name());
    w.endObject();
    Ocsf.runnerEntity(w, e.getRunnerId(), e.getRunnerName());
    w.field("version", state.name());
    w.endObject();
    w.field("message", "runner " + e.getRunnerId() + " is " + state.name());
    Ocsf.platform(w, e.getMetadata(), pos);
    w.endObject();
    return new NormalisedEvent(
        e.getMetadata().getEventId(),
        pos,
        e.getMetadata().getTime(),
        Ocsf.ENTITY_MANAGEMENT.classUid(),
        severity,
        Ocsf.runnerId(e.getRunnerId(), e.getMetadata()),
        Ocsf.jobId(e.getJobId(), e.getMetadata()),
        false,
        w.toByteArray());
  }
}
