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
 * <p>File signals ({@code runner.signal} with kind {@code file.*}, e.g. credential harvesting reads
 * or a workflow backdoor written) → OCSF File System Activity (1001): {@code file.read} is Read
 * (2), {@code file.write} Update (3), {@code file.create} Create (1), {@code file.delete} Delete
 * (4), anything else Other (99).
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
    ObjectNode o = SignalSupport.base(Ocsf.FILE_SYSTEM_ACTIVITY, activity, name, s, pos);
    String path = s.getFilePath() != null ? s.getFilePath() : "unknown";
    ObjectNode file = o.putObject("file");
    file.put("path", path);
    file.put("name", path.substring(path.lastIndexOf('/') + 1));
    file.put("type_id", 1);
    file.put("type", "Regular File");
    if (s.getProcess() != null) {
      ((ObjectNode) o.get("actor")).set("process", SignalSupport.process(s.getProcess()));
    }
    return SignalSupport.event(Ocsf.FILE_SYSTEM_ACTIVITY, o, s, pos);
  }
}
