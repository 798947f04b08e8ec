package dev.runnerguard.audit.ocsf.tree;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runnerguard.audit.ocsf.NormalisedEvent;
import dev.runnerguard.audit.ocsf.Redaction;
import dev.runnerguard.audit.ocsf.SourcePosition;
import dev.runnerguard.schemas.avro.RunnerLifecycleEvent;
import dev.runnerguard.schemas.avro.RunnerState;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * THE REFERENCE (test only): the tree-building normaliser as it was before the normalisers wrote
 * canonical bytes directly; kept unchanged to check the new path against
 * (NormalisersEquivalenceTest).
 *
 * <p>{@code runner.lifecycle} → OCSF Entity Management (3004): the runner is the managed entity;
 * REQUESTED is Create, DESTROYED is Delete, every other transition is Update.
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
    ObjectNode o =
        Ocsf.base(
            Ocsf.ENTITY_MANAGEMENT, activity, activityName, severity, e.getMetadata().getTime());
    ObjectNode entity = Ocsf.runnerEntity(e.getRunnerId(), e.getRunnerName());
    entity.put("version", state.name());
    ObjectNode data = entity.putObject("data");
    data.put("state", state.name());
    Ocsf.putIfNotNull(
        data, "previous_state", e.getPreviousState() == null ? null : e.getPreviousState().name());
    data.put("runner_class", e.getRunnerClass());
    data.put("provider", e.getProvider());
    Ocsf.putIfNotNull(data, "policy_version", e.getPolicyVersion());
    data.set("durations_ms", Ocsf.stringMap(e.getDurations()));
    Map<String, String> attributes = new LinkedHashMap<>();
    e.getAttributes()
        .forEach(
            (k, v) ->
                attributes.put(
                    k.toString(), Redaction.redactAttribute(k.toString(), String.valueOf(v))));
    data.set("attributes", Ocsf.stringMap(attributes));
    o.set("entity", entity);
    o.put("message", "runner " + e.getRunnerId() + " is " + state.name());
    Ocsf.putIfNotNull(o, "comment", Redaction.redact(e.getReason()));
    o.putObject("actor").put("app_name", e.getMetadata().getProducer().getService());
    Ocsf.platformMetadata(o, e.getMetadata(), pos);
    return new NormalisedEvent(
        e.getMetadata().getEventId(),
        pos,
        e.getMetadata().getTime(),
        Ocsf.ENTITY_MANAGEMENT.classUid(),
        severity,
        Ocsf.runnerId(e.getRunnerId(), e.getMetadata()),
        Ocsf.jobId(e.getJobId(), e.getMetadata()),
        false,
        o);
  }
}
