package dev.runnerguard.policy.detection.falco;

import dev.runnerguard.policy.detection.rules.DetectionConfig;
import dev.runnerguard.policy.detection.rules.Redaction;
import dev.runnerguard.schemas.avro.EventMetadata;
import dev.runnerguard.schemas.avro.NetworkInfo;
import dev.runnerguard.schemas.avro.ProcessInfo;
import dev.runnerguard.schemas.avro.SecuritySignal;
import dev.runnerguard.schemas.avro.Severity;
import dev.runnerguard.schemas.avro.SignalSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Turns a {@link FalcoEvent} into the {@link SecuritySignal} the rules judge: signal id = the Falco
 * uuid, source FALCO, rule = the Falco rule, severity from the priority, runner id from the
 * configured runner-id fields or else a pod name field with the platform prefix; kind from the
 * fields ({@code net.connect} with a remote address, {@code file.write}/{@code file.read} with a
 * file descriptor name, {@code process.ptrace}, else {@code process.exec}); process, network and
 * file from the usual output fields ({@code proc.*}, {@code fd.*}, {@code user.name}).
 */
public final class FalcoMapper {
  private FalcoMapper() {}

  /** The runner the event belongs to, if it can be mapped. */
  public static Optional<String> runnerId(DetectionConfig cfg, FalcoEvent e) {
    for (String f : cfg.falcoRunnerIdFields()) {
      String v = e.fields().get(f);
      if (v != null && !v.isBlank() && !v.equals("<NA>")) {
        return Optional.of(v.trim());
      }
    }
    for (String f : cfg.falcoPodNameFields()) {
      String v = e.fields().get(f);
      if (v != null && cfg.isPlatformRunnerName(v.trim())) {
        return Optional.of(v.trim());
      }
    }
    return Optional.empty();
  }

  /** The signal of the event ({@code runnerId} null when it could not be mapped). */
  public static SecuritySignal toSignal(DetectionConfig cfg, FalcoEvent e, EventMetadata metadata) {
    Map<String, String> f = e.fields();
    String runnerId = runnerId(cfg, e).orElse(null);
    metadata.getCorrelation().setRunnerId(runnerId);
    String remoteIp = first(f, "fd.rip", "fd.sip");
    String remoteName = first(f, "fd.rip.name", "fd.sip.name");
    String remotePort = first(f, "fd.rport", "fd.sport");
    String fdName = first(f, "fd.name", "fs.path.name", "evt.arg.name", "evt.arg.pathname");
    String evtType = first(f, "evt.type");
    String kind;
    NetworkInfo network = null;
    String filePath = null;
    if (remoteIp != null || remoteName != null || "connect".equals(evtType)) {
      kind = "net.connect";
      network =
          NetworkInfo.newBuilder()
              .setProtocol(first(f, "fd.l4proto", "fd.proto"))
              .setDestinationAddress(remoteIp)
              .setDestinationHost(remoteName)
              .setDestinationPort(port(remotePort))
              .build();
      if (fdName != null && fdName.startsWith("/")) {
        filePath = fdName; // a unix socket (e.g. docker.sock)
      }
    } else if ("ptrace".equals(evtType)) {
      kind = "process.ptrace";
    } else if (fdName != null) {
      filePath = fdName;
      kind = isWrite(f, evtType) ? "file.write" : "file.read";
    } else {
      kind = "process.exec";
    }
    ProcessInfo process = null;
    if (first(f, "proc.pid", "proc.exepath", "proc.exe", "proc.cmdline", "proc.name") != null) {
      String exe = first(f, "proc.exepath", "proc.exe");
      process =
          ProcessInfo.newBuilder()
              .setPid(number(first(f, "proc.pid")))
              .setParentPid(number(first(f, "proc.ppid")))
              .setExecutable(exe != null ? exe : first(f, "proc.name"))
              .setCommandLine(first(f, "proc.cmdline"))
              .setUser(first(f, "user.name"))
              .build();
    }
    Map<String, String> attributes = new LinkedHashMap<>();
    attributes.put("falco.priority", e.priority());
    attributes.put("falco.output", Redaction.redact(e.output()));
    if (!e.tags().isEmpty()) {
      attributes.put("falco.tags", String.join(",", e.tags()));
    }
    if (e.hostname() != null) {
      attributes.put("falco.hostname", e.hostname());
    }
    if (e.source() != null) {
      attributes.put("falco.source", e.source());
    }
    for (String k :
        List.of(
            "k8s.pod.name",
            "k8s.ns.name",
            "container.id",
            "container.name",
            "container.image.repository",
            "proc.pname",
            "evt.type")) {
      String v = f.get(k);
      if (v != null) {
        attributes.put("falco." + k, Redaction.redact(v));
      }
    }
    return SecuritySignal.newBuilder()
        .setMetadata(metadata)
        .setSignalId(e.uuid())
        .setSource(SignalSource.FALCO)
        .setKind(kind)
        .setObservedAt(e.time())
        .setRunnerId(runnerId)
        .setSeverity(severity(e.priority()))
        .setRule(e.rule())
        .setProcess(process)
        .setNetwork(network)
        .setFilePath(filePath)
        .setAttributes(attributes)
        .build();
  }

  /** Falco priority to severity. */
  public static Severity severity(String priority) {
    switch (priority.toLowerCase(Locale.ROOT)) {
      case "emergency":
      case "alert":
      case "critical":
        return Severity.CRITICAL;
      case "error":
        return Severity.HIGH;
      case "warning":
        return Severity.MEDIUM;
      case "notice":
        return Severity.LOW;
      case "informational":
      case "info":
      case "debug":
        return Severity.INFO;
      default:
        return Severity.UNKNOWN;
    }
  }

  private static boolean isWrite(Map<String, String> f, String evtType) {
    if ("true".equalsIgnoreCase(f.get("evt.is_open_write"))) {
      return true;
    }
    String flags = f.getOrDefault("evt.arg.flags", "");
    if (flags.contains("O_WRONLY") || flags.contains("O_RDWR") || flags.contains("O_CREAT")) {
      return true;
    }
    return evtType != null
        && List.of(
                "rename",
                "renameat",
                "renameat2",
                "unlink",
                "unlinkat",
                "chmod",
                "fchmodat",
                "symlink",
                "symlinkat",
                "link",
                "linkat",
                "mkdir",
                "mkdirat",
                "creat")
            .contains(evtType);
  }

  private static String first(Map<String, String> f, String... keys) {
    for (String k : keys) {
      String v = f.get(k);
      if (v != null && !v.isBlank() && !v.equals("<NA>")) {
        return v;
      }
    }
    return null;
  }

  private static Integer port(String s) {
    Long n = number(s);
    return n != null && n > 0 && n < 65536 ? n.intValue() : null;
  }

  private static Long number(String s) {
    if (s == null) {
      return null;
    }
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
