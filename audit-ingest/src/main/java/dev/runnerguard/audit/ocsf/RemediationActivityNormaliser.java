package dev.runnerguard.audit.ocsf;

import dev.runnerguard.audit.chain.CanonicalWriter;
import dev.runnerguard.schemas.avro.RunnerCommand;

/**
 * {@code runner.command} (quarantine and other containment steps) → the closest OCSF 1.1.0 class.
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
    CanonicalWriter w = CanonicalWriter.local();
    w.beginObject();
    Ocsf.base(
        w, Ocsf.ENTITY_MANAGEMENT, activity, activityName, severity, c.getMetadata().getTime());
    w.beginObject("actor").field("app_name", c.getRequestedBy()).endObject();
    w.field("comment", c.getReason());
    w.beginObject("entity");
    Ocsf.runnerEntity(w, c.getRunnerId(), null);
    w.endObject();
    w.field("message", c.getCommand().name() + " runner " + c.getRunnerId() + ": " + c.getReason());
    Ocsf.platformMetadata(w, c.getMetadata(), pos);
    w.beginObject("unmapped");
    w.beginObject("remediation");
    Ocsf.stringMap(w, "attributes", c.getAttributes());
    w.field("command", c.getCommand().name());
    w.field("command_id", c.getCommandId());
    w.fieldIfNotNull("finding_id", c.getFindingId());
    w.field("requested_by", c.getRequestedBy());
    w.endObject();
    Ocsf.runnerguard(w, c.getMetadata(), pos);
    w.endObject();
    w.endObject();
    return new NormalisedEvent(
        c.getMetadata().getEventId(),
        pos,
        c.getMetadata().getTime(),
        Ocsf.ENTITY_MANAGEMENT.classUid(),
        severity,
        Ocsf.runnerId(c.getRunnerId(), c.getMetadata()),
        Ocsf.jobId(c.getJobId(), c.getMetadata()),
        false,
        w.toByteArray());
  }
}
