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
 * <p>Process signals ({@code runner.signal} with kind {@code process.*}, and every signal kind no
 * other class takes, e.g. {@code telemetry.gap}) → OCSF Process Activity (1007): {@code
 * process.exec} is Launch (1), {@code process.exit} Terminate (2), {@code process.ptrace} / {@code
 * process.memory-read} Open (3), anything else Other (99).
 */
public final class ProcessActivityNormaliser {

  private ProcessActivityNormaliser() {}

  public static NormalisedEvent normalise(SecuritySignal s, SourcePosition pos) {
    int activity;
    String name;
    switch (s.getKind()) {
      case "process.exec" -> {
        activity = 1;
        name = "Launch";
      }
      case "process.exit" -> {
        activity = 2;
        name = "Terminate";
      }
      case "process.ptrace", "process.memory-read" -> {
        activity = 3;
        name = "Open";
      }
      default -> {
        activity = Ocsf.OTHER;
        name = "Other";
      }
    }
    ObjectNode o = SignalSupport.base(Ocsf.PROCESS_ACTIVITY, activity, name, s, pos);
    ObjectNode proc = SignalSupport.process(s.getProcess());
    if (proc.isEmpty()) {
      proc.put("name", s.getKind());
    }
    o.set("process", proc);
    return SignalSupport.event(Ocsf.PROCESS_ACTIVITY, o, s, pos);
  }
}
