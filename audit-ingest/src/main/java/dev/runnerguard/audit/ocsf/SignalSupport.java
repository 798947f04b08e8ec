package dev.runnerguard.audit.ocsf;

import dev.runnerguard.audit.chain.CanonicalWriter;
import dev.runnerguard.schemas.avro.ProcessInfo;
import dev.runnerguard.schemas.avro.SecuritySignal;

/** What the three signal classes share: actor, device, signal details and the result. */
final class SignalSupport {

  private SignalSupport() {}

  /**
   * Starts a signal's event: the base attributes, {@code device}, {@code actor} (with the signal's
   * process as {@code actor.process} when {@code actorProcess} and the signal has one), {@code
   * message}, {@code metadata} and {@code unmapped}. The event's object stays open for the class's
   * own attributes; {@link #end} finishes it.
   */
  static CanonicalWriter begin(
      Ocsf.OcsfClass cls,
      int activity,
      String activityName,
      SecuritySignal s,
      SourcePosition pos,
      boolean actorProcess) {
    CanonicalWriter w = CanonicalWriter.local();
    w.beginObject();
    int severity = Ocsf.severityId(s.getSeverity());
    Ocsf.base(w, cls, activity, activityName, severity, s.getObservedAt());
    w.beginObject("actor");
    w.field("app_name", s.getSource().name());
    if (actorProcess && s.getProcess() != null) {
      w.beginObject("process");
      process(w, s.getProcess());
      w.endObject();
    }
    if (s.getProcess() != null && s.getProcess().getUser() != null) {
      w.beginObject("user").field("name", s.getProcess().getUser()).endObject();
    }
    w.endObject();
    Ocsf.runnerDevice(w, Ocsf.runnerId(s.getRunnerId(), s.getMetadata()));
    w.field("message", s.getKind() + (s.getRule() != null ? " (" + s.getRule() + ")" : ""));
    Ocsf.platformMetadata(w, s.getMetadata(), pos);
    w.beginObject("unmapped");
    Ocsf.runnerguard(w, s.getMetadata(), pos);
    w.beginObject("signal");
    Ocsf.stringMap(w, "attributes", s.getAttributes());
    w.field("kind", s.getKind());
    w.fieldIfNotNull("rule", s.getRule());
    w.field("signal_id", s.getSignalId());
    w.field("source", s.getSource().name());
    w.endObject();
    w.endObject();
    return w;
  }

  /** Ends the event {@link #begin} started. */
  static NormalisedEvent end(
      CanonicalWriter w, Ocsf.OcsfClass cls, SecuritySignal s, SourcePosition pos) {
    w.endObject();
    return new NormalisedEvent(
        s.getMetadata().getEventId(),
        pos,
        s.getObservedAt(),
        cls.classUid(),
        Ocsf.severityId(s.getSeverity()),
        Ocsf.runnerId(s.getRunnerId(), s.getMetadata()),
        s.getMetadata().getCorrelation().getJobId(),
        false,
        w.toByteArray());
  }

  /**
   * Writes the fields of a process object into the open object; returns how many it wrote (none for
   * a null process).
   */
  static int process(CanonicalWriter w, ProcessInfo p) {
    if (p == null) {
      return 0;
    }
    int before = w.count();
    w.fieldIfNotNull("cmd_line", p.getCommandLine());
    if (p.getExecutable() != null) {
      w.beginObject("file");
      w.field("name", p.getExecutable().substring(p.getExecutable().lastIndexOf('/') + 1));
      w.field("path", p.getExecutable());
      w.field("type_id", 1);
      w.endObject();
    }
    if (p.getParentPid() != null) {
      w.beginObject("parent_process").field("pid", p.getParentPid()).endObject();
    }
    w.fieldIfNotNull("pid", p.getPid());
    if (p.getUser() != null) {
      w.beginObject("user").field("name", p.getUser()).endObject();
    }
    return w.count() - before;
  }
}
