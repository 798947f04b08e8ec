package dev.runnerguard.audit.ocsf;

import dev.runnerguard.audit.chain.CanonicalWriter;
import dev.runnerguard.schemas.avro.SecuritySignal;

/**
 * File signals ({@code runner.signal} with kind {@code file.*}, e.g. credential harvesting reads or
 * a workflow backdoor written) → OCSF File System Activity (1001): {@code file.read} is Read (2),
 * {@code file.write} Update (3), {@code file.create} Create (1), {@code file.delete} Delete (4),
 * anything else Other (99).
 */
public final class FileSystemActivityNormaliser {

  private FileSystemActivityNormaliser() {}

  /** Whether a signal is a file signal. */
  public static boolean accepts(SecuritySignal s) {
    return s.getKind().startsWith("file.");
  }

  public static NormalisedEvent normalise(SecuritySignal s, SourcePosition pos) {
    int activity;
    String name;
    switch (s.getKind()) {
      case "file.create" -> {
        activity = 1;
        name = "Create";
      }
      case "file.read" -> {
        activity = 2;
        name = "Read";
      }
      case "file.write" -> {
        activity = 3;
        name = "Update";
      }
      case "file.delete" -> {
        activity = 4;
        name = "Delete";
      }
      default -> {
        activity = Ocsf.OTHER;
        name = "Other";
      }
    }
    CanonicalWriter w =
        SignalSupport.begin(Ocsf.FILE_SYSTEM_ACTIVITY, activity, name, s, pos, true);
    String path = s.getFilePath() != null ? s.getFilePath() : "unknown";
    w.beginObject("file");
    w.field("name", path.substring(path.lastIndexOf('/') + 1));
    w.field("path", path);
    w.field("type", "Regular File");
    w.field("type_id", 1);
    w.endObject();
    return SignalSupport.end(w, Ocsf.FILE_SYSTEM_ACTIVITY, s, pos);
  }
}
