package dev.runnerguard.audit.ocsf;

import dev.runnerguard.audit.chain.CanonicalWriter;
import dev.runnerguard.schemas.avro.SecuritySignal;

/**
 * Process signals ({@code runner.signal} with kind {@code process.*}, and every signal kind no
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
    CanonicalWriter w = SignalSupport.begin(Ocsf.PROCESS_ACTIVITY, activity, name, s, pos, false);
    w.beginObject("process");
    if (SignalSupport.process(w, s.getProcess()) == 0) {
      w.field("name", s.getKind());
    }
    w.endObject();
    return SignalSupport.end(w, Ocsf.PROCESS_ACTIVITY, s, pos);
  }
}
