package dev.runnerguard.audit.ocsf.tree;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runnerguard.audit.ocsf.NormalisedEvent;
import dev.runnerguard.audit.ocsf.SourcePosition;
import dev.runnerguard.schemas.avro.SecuritySignal;

/**
 * THE REFERENCE (test only): the tree-building normaliser as it was before the normalisers wrote
 * canonical bytes directly; kept unchanged to check the new path against
 * (NormalisersEquivalenceTest).
 *
 * <p>What the three signal classes share: actor, device, signal details and the result.
 */
final class SignalSupport {

  private SignalSupport() {}

  static ObjectNode base(
      Ocsf.OcsfClass cls, int activity, String activityName, SecuritySignal s, SourcePosition pos) {
    int severity = Ocsf.severityId(s.getSeverity());
    ObjectNode o = Ocsf.base(cls, activity, activityName, severity, s.getObservedAt());
    String runnerId = Ocsf.runnerId(s.getRunnerId(), s.getMetadata());
    o.set("device", Ocsf.runnerDevice(runnerId));
    ObjectNode actor = o.putObject("actor");
    if (s.getProcess() != null && s.getProcess().getUser() != null) {
      actor.putObject("user").put("name", s.getProcess().getUser());
    }
    actor.put("app_name", s.getSource().name());
    o.put("message", s.getKind() + (s.getRule() != null ? " (" + s.getRule() + ")" : ""));
    ObjectNode sig = o.putObject("unmapped").putObject("signal");
    sig.put("signal_id", s.getSignalId());
    sig.put("source", s.getSource().name());
    sig.put("kind", s.getKind());
    Ocsf.putIfNotNull(sig, "rule", s.getRule());
    sig.set("attributes", Ocsf.stringMap(s.getAttributes()));
    Ocsf.platformMetadata(o, s.getMetadata(), pos);
    return o;
  }

  static NormalisedEvent event(
      Ocsf.OcsfClass cls, ObjectNode o, SecuritySignal s, SourcePosition pos) {
    return new NormalisedEvent(
        s.getMetadata().getEventId(),
        pos,
        s.getObservedAt(),
        cls.classUid(),
        o.get("severity_id").asInt(),
        Ocsf.runnerId(s.getRunnerId(), s.getMetadata()),
        s.getMetadata().getCorrelation().getJobId(),
        false,
        o);
  }

  static ObjectNode process(dev.runnerguard.schemas.avro.ProcessInfo p) {
    ObjectNode proc = Ocsf.JSON.objectNode();
    if (p == null) {
      return proc;
    }
    Ocsf.putIfNotNull(proc, "pid", p.getPid());
    Ocsf.putIfNotNull(proc, "cmd_line", p.getCommandLine());
    if (p.getExecutable() != null) {
      ObjectNode file = proc.putObject("file");
      file.put("path", p.getExecutable());
      file.put("name", p.getExecutable().substring(p.getExecutable().lastIndexOf('/') + 1));
      file.put("type_id", 1);
    }
    if (p.getParentPid() != null) {
      proc.putObject("parent_process").put("pid", p.getParentPid());
    }
    if (p.getUser() != null) {
      proc.putObject("user").put("name", p.getUser());
    }
    return proc;
  }
}
