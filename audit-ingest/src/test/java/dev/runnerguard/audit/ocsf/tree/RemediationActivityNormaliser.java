package dev.runnerguard.audit.ocsf.tree;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runnerguard.audit.ocsf.NormalisedEvent;
import dev.runnerguard.audit.ocsf.SourcePosition;
import dev.runnerguard.schemas.avro.RunnerCommand;

/**
 * THE REFERENCE (test only): the tree-building normaliser as it was before the normalisers wrote
 * canonical bytes directly; kept unchanged to check the new path against
 * (NormalisersEquivalenceTest).
 *
 * <p>{@code runner.command} (quarantine and other containment steps) → the closest OCSF 1.1.0
 * class.
 *
 * <p>OCSF 1.1.0 has no Remediation category: Remediation Activity (7001) arrived with OCSF 1.3.0.
 * Until the platform moves to a later OCSF version, a command is an <b>Entity Management (3004)</b>
 * event on the runner (the managed entity): DESTROY is Delete, CAPTURE_EVIDENCE is Read, RELEASE is
 * Update, QUARANTINE and CANCEL_RUN are Other (with {@code activity_name} saying which). The
 * remediation details (command, finding id, reason) sit in {@code unmapped.remediation}, so moving
 * to class 7001 later is a change of this class only.
 */
public final class RemediationActivityNormaliser {

  private RemediationActivityNormaliser() {}

  public static NormalisedEvent normalise(RunnerCommand c, SourcePosition pos) {
    int activity;
    String activityName;
    switch (c.getCommand()) {
      case DESTROY -> {
        activity = 4;
        activityName = "Delete";
      }
      case CAPTURE_EVIDENCE -> {
        activity = 2;
        activityName = "Read";
      }
      case RELEASE -> {
        activity = 3;
        activityName = "Update";
      }
      case QUARANTINE -> {
        activity = Ocsf.OTHER;
        activityName = "Quarantine";
      }
      case CANCEL_RUN -> {
        activity = Ocsf.OTHER;
        activityName = "Cancel Run";
      }
      default -> {
        activity = Ocsf.OTHER;
        activityName = "Other";
      }
    }
    int severity =
        switch (c.getCommand()) {
          case QUARANTINE -> Ocsf.SEVERITY_HIGH;
          case CANCEL_RUN, DESTROY -> Ocsf.SEVERITY_MEDIUM;
          default -> Ocsf.SEVERITY_INFORMATIONAL;
        };
    ObjectNode o =
        Ocsf.base(
            Ocsf.ENTITY_MANAGEMENT, activity, activityName, severity, c.getMetadata().getTime());
    o.set("entity", Ocsf.runnerEntity(c.getRunnerId(), null));
    o.putObject("actor").put("app_name", c.getRequestedBy());
    o.put("message", c.getCommand().name() + " runner " + c.getRunnerId() + ": " + c.getReason());
    o.put("comment", c.getReason());
    ObjectNode r = o.putObject("unmapped").putObject("remediation");
    r.put("command_id", c.getCommandId());
    r.put("command", c.getCommand().name());
    Ocsf.putIfNotNull(r, "finding_id", c.getFindingId());
    r.put("requested_by", c.getRequestedBy());
    r.set("attributes", Ocsf.stringMap(c.getAttributes()));
    Ocsf.platformMetadata(o, c.getMetadata(), pos);
    return new NormalisedEvent(
        c.getMetadata().getEventId(),
        pos,
        c.getMetadata().getTime(),
        Ocsf.ENTITY_MANAGEMENT.classUid(),
        severity,
        Ocsf.runnerId(c.getRunnerId(), c.getMetadata()),
        Ocsf.jobId(c.getJobId(), c.getMetadata()),
        false,
        o);
  }
}
