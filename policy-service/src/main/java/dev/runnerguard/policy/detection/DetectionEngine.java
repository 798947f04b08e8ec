package dev.runnerguard.policy.detection;

import static dev.runnerguard.policy.detection.rules.RuleCatalog.*;

import dev.runnerguard.policy.detection.rules.Destinations;
import dev.runnerguard.policy.detection.rules.DetectionConfig;
import dev.runnerguard.policy.detection.rules.Globs;
import dev.runnerguard.policy.detection.rules.Redaction;
import dev.runnerguard.policy.detection.rules.Response;
import dev.runnerguard.policy.detection.rules.RuleSettings;
import dev.runnerguard.schemas.avro.NetworkInfo;
import dev.runnerguard.schemas.avro.ProcessInfo;
import dev.runnerguard.schemas.avro.RunnerLifecycleEvent;
import dev.runnerguard.schemas.avro.SecuritySignal;
import dev.runnerguard.schemas.avro.SignalSource;
import dev.runnerguard.schemas.avro.WorkflowJobEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The detection rules (see {@code rules.RuleCatalog}) over signals, workflow-job webhooks, runner
 * lifecycle events and the clock. Pure apart from the {@link DetectionState} it updates: no I/O.
 *
 * <p>Every input is deduplicated per runner by its id (signal id / Falco uuid, webhook key, event
 * id); a detection whose finding id was emitted before (known to the state or to {@code
 * alreadyEmitted}, the findings topic read back) is dropped. Stateful rules keep what they need in
 * the runner's state. At most one QUARANTINE command is issued per runner.
 */
public final class DetectionEngine {
  private final DetectionState states;
  private final Predicate<String> alreadyEmitted;

  public DetectionEngine(DetectionState states, Predicate<String> alreadyEmitted) {
    this.states = states;
    this.alreadyEmitted = alreadyEmitted;
  }

  /** The state it works on. */
  public DetectionState states() {
    return states;
  }

  // ---------------------------------------------------------------- signals

  /** Judges one security signal (host sensor, Falco, DNS, orchestrator, platform, GitHub audit). */
  public List<Detection> onSignal(DetectionConfig cfg, SecuritySignal s, long now) {
    String runnerId = s.getRunnerId() == null || s.getRunnerId().isBlank() ? null : s.getRunnerId();
    RunnerState st = states.get(runnerId == null ? RunnerState.NO_RUNNER : runnerId);
    String key = "sig:" + s.getSignalId();
    if (st.seen.contains(key)) {
      return List.of();
    }
    RunnerState.remember(st.seen, key);
    states.touch(st, now);
    Builder out = new Builder(cfg, st, runnerId, now);
    String kind = s.getKind() == null ? "" : s.getKind();
    long observed = s.getObservedAt() == null ? now : s.getObservedAt().toEpochMilli();
    boolean process = kind.startsWith("process.");
    boolean net = kind.startsWith("net.") || kind.startsWith("dns.");
    boolean file = kind.startsWith("file.");
    boolean fileWrite = file && !kind.equals("file.read") && !kind.equals("file.open.read");
    String cmd = s.getProcess() == null ? null : s.getProcess().getCommandLine();
    String exe = s.getProcess() == null ? null : s.getProcess().getExecutable();
    String path = s.getFilePath();
    NetworkInfo n = s.getNetwork();
    String host = n == null ? null : n.getDestinationHost();
    String addr = n == null ? null : n.getDestinationAddress();
    Integer port = n == null ? null : n.getDestinationPort();

    cfg.enabled(NESTED_RUNNER)
        .ifPresent(
            r -> {
              Optional<String> why =
                  kind.equals("process.nested-runner")
                      ? Optional.of("host sensor: process.nested-runner")
                      : falcoRule(s, r)
                          .or(
                              () ->
                                  process && !kind.equals("process.survived")
                                      ? contains(cmd, r.list("commandPatterns"))
                                          .map(p -> "command line contains '" + p + "'")
                                      : Optional.empty());
              why.ifPresent(w -> out.signal(r, s, w));
            });
    cfg.enabled(PROCESS_SURVIVED)
        .filter(r -> kind.equals("process.survived"))
        .ifPresent(r -> out.signal(r, s, "process still running after the job's runner exited"));
    cfg.enabled(MEMORY_READ)
        .ifPresent(
            r ->
                (kind.equals("process.ptrace")
                        ? Optional.of("ptrace of a process")
                        : (file || kind.equals("process.exec") && path != null)
                            ? Globs.firstMatch(r.list("paths"), path).map(g -> "read of " + g)
                            : Optional.<String>empty())
                    .or(() -> falcoRule(s, r))
                    .ifPresent(w -> out.signal(r, s, w)));
    cfg.enabled(EGRESS_DENIED).ifPresent(r -> egressDenied(r, s, kind, port, observed, out));
    cfg.enabled(EGRESS_IOC)
        .ifPresent(
            r ->
                (net
                        ? Destinations.firstMatch(r.list("iocs"), host, addr)
                        : Optional.<String>empty())
                    .map(ioc -> "destination matches IOC " + ioc)
                    .or(() -> falcoRule(s, r))
                    .ifPresent(w -> out.signal(r, s, w)));
    cfg.enabled(REVERSE_SHELL)
        .ifPresent(
            r ->
                falcoRule(s, r)
                    .or(
                        () ->
                            process
                                ? contains(cmd, r.list("commandPatterns"))
                                    .map(p -> "command line contains '" + p + "'")
                                : Optional.empty())
                    .ifPresent(w -> out.signal(r, s, w)));
    cfg.enabled(CRYPTO_MINER)
        .ifPresent(r -> cryptoMiner(r, s, kind, process, net, cmd, exe, port, out));
    cfg.enabled(CREDENTIAL_READ)
        .ifPresent(
            r ->
                (file ? Globs.firstMatch(r.list("paths"), path) : Optional.<String>empty())
                    .map(g -> "access to " + g)
                    .or(() -> falcoRule(s, r))
                    .ifPresent(w -> out.signal(r, s, w)));
    cfg.enabled(CLOUD_METADATA)
        .ifPresent(
            r ->
                (net
                        ? Destinations.firstMatch(r.list("destinations"), host, addr)
                        : Optional.<String>empty())
                    .map(d -> "connection to metadata service " + d)
                    .or(() -> falcoRule(s, r))
                    .ifPresent(w -> out.signal(r, s, w)));
    cfg.enabled(WORKFLOW_BACKDOOR)
        .ifPresent(
            r ->
                (fileWrite ? Globs.firstMatch(r.list("paths"), path) : Optional.<String>empty())
                    .map(g -> "write to " + g)
                    .or(() -> falcoRule(s, r))
                    .ifPresent(w -> out.signal(r, s, w)));
    cfg.enabled(PRIVILEGE_ESCAPE)
        .ifPresent(
            r ->
                Globs.firstMatch(r.list("paths"), path)
                    .map(g -> "access to " + g)
                    .or(
                        () ->
                            process && !kind.equals("process.survived")
                                ? binary(exe, cmd, r.list("binaries")).map(b -> "exec of " + b)
                                : Optional.empty())
                    .or(() -> falcoRule(s, r))
                    .ifPresent(w -> out.signal(r, s, w)));
    cfg.enabled(HOST_PERSISTENCE)
        .ifPresent(
            r ->
                (fileWrite ? Globs.firstMatch(r.list("paths"), path) : Optional.<String>empty())
                    .map(g -> "write to " + g)
                    .or(() -> falcoRule(s, r))
                    .ifPresent(w -> out.signal(r, s, w)));
    cfg.enabled(GROUP_WEAKENED)
        .filter(
            r ->
                kind.equals("runner_group.weakened")
                    || kind.equals("runner_group.update")
                        && "true"
                            .equalsIgnoreCase(s.getAttributes().get("allowsPublicRepositories")))
        .ifPresent(r -> out.signal(r, s, "runner group now allows public repositories"));
    cfg.enabled(MAX_DURATION)
        .filter(r -> kind.equals("job.max-duration-exceeded"))
        .ifPresent(r -> out.signal(r, s, "orchestrator: job exceeded its max duration"));
    cfg.enabled(TELEMETRY_GAP)
        .ifPresent(
            r ->
                (kind.equals("telemetry.gap")
                        ? Optional.of("sensor silent")
                        : falcoRule(s, r).map(w -> "Falco dropped events (" + w + ")"))
                    .ifPresent(w -> out.signal(r, s, w)));
    if (runnerId != null
        && kind.equals("runner.registered")
        && cfg.isPlatformRunnerName(runnerId)) {
      cfg.enabled(UNKNOWN_RUNNER)
          .ifPresent(
              r -> {
                Map<String, String> ev = new LinkedHashMap<>();
                ev.put("runnerName", runnerId);
                ev.put("signal.source", String.valueOf(s.getSource()));
                pendUnknown(r, st, key, ev, now);
              });
    }
    cfg.enabled(AFTER_COMPLETED)
        .filter(
            r ->
                st.completedAt > 0
                    && (process || net || file)
                    && !kind.equals("process.survived")
                    && observed > st.completedAt + r.integer("graceSeconds") * 1000L)
        .ifPresent(
            r ->
                out.signal(
                    r,
                    s,
                    "observed "
                        + (observed - st.completedAt) / 1000
                        + " s after the job completed at "
                        + Instant.ofEpochMilli(st.completedAt)));
    return out.done();
  }

  private void egressDenied(
      RuleSettings r, SecuritySignal s, String kind, Integer port, long observed, Builder out) {
    boolean denial = kind.equals("net.egress.denied") || falcoRule(s, r).isPresent();
    if (!denial || port != null && r.list("allowedPorts").contains(Integer.toString(port))) {
      return;
    }
    RunnerState st = out.st;
    long window = r.integer("windowSeconds") * 1000L;
    st.egressDenials.removeIf(d -> d.at < observed - window || d.at > observed + window);
    if (st.egressDenials.stream().noneMatch(d -> d.signalId.equals(s.getSignalId()))) {
      st.egressDenials.add(new RunnerState.Denial(s.getSignalId(), observed, destination(s)));
    }
    while (st.egressDenials.size() > 1000) {
      st.egressDenials.remove(0);
    }
    int threshold = r.integer("threshold");
    if (st.egressDenials.size() >= threshold && !st.fired.contains(EGRESS_DENIED)) {
      RunnerState.remember(st.fired, EGRESS_DENIED);
      Map<String, String> ev = signalEvidence(s);
      ev.put("count", Integer.toString(st.egressDenials.size()));
      ev.put("threshold", Integer.toString(threshold));
      ev.put("windowSeconds", Integer.toString(r.integer("windowSeconds")));
      ev.put(
          "destinations",
          String.join(
              ",",
              st.egressDenials.stream()
                  .map(d -> d.destination)
                  .filter(d -> d != null)
                  .distinct()
                  .limit(20)
                  .toList()));
      List<String> ids = st.egressDenials.stream().map(d -> d.signalId).toList();
      out.add(
          r,
          jobOf(s, st),
          "sig:" + s.getSignalId(),
          ids,
          ev,
          st.egressDenials.size()
              + " egress denial(s) within "
              + r.integer("windowSeconds")
              + " s (threshold "
              + threshold
              + "), last to "
              + destination(s));
    }
  }

  private static void cryptoMiner(
      RuleSettings r,
      SecuritySignal s,
      String kind,
      boolean process,
      boolean net,
      String cmd,
      String exe,
      Integer port,
      Builder out) {
    Optional<String> why = falcoRule(s, r);
    if (why.isEmpty() && process) {
      why =
          contains(cmd, r.list("commandPatterns"))
              .map(p -> "command line contains '" + p + "'")
              .or(() -> binary(exe, cmd, r.list("binaries")).map(b -> "miner binary " + b));
    }
    if (why.isEmpty() && net && port != null && r.list("ports").contains(Integer.toString(port))) {
      why = Optional.of("connection to mining pool port " + port);
    }
    if (why.isEmpty() && kind.equals("process.cpu-burn")) {
      double cpu = number(s.getAttributes().get("cpuPercent"));
      double secs = number(s.getAttributes().get("windowSeconds"));
      if (cpu >= r.integer("cpuPercent") && secs >= r.integer("sustainSeconds")) {
        why =
            Optional.of(
                "sustained CPU "
                    + s.getAttributes().get("cpuPercent")
                    + "% for "
                    + s.getAttributes().get("windowSeconds")
                    + " s");
      }
    }
    why.ifPresent(w -> out.signal(r, s, w));
  }

  // ---------------------------------------------------------------- webhooks

  /** Judges a workflow_job webhook: reused runners, foreign runners, unknown runners. */
  public List<Detection> onWorkflowJob(DetectionConfig cfg, WorkflowJobEvent e, long now) {
    String name = e.getRunnerName();
    if (name == null || name.isBlank()) {
      return List.of();
    }
    String key = "wj:" + e.getJobId() + "/" + e.getRunAttempt() + "/" + e.getAction();
    boolean platform = cfg.isPlatformRunnerName(name);
    RunnerState st = states.get(platform ? name : RunnerState.NO_RUNNER);
    if (st.seen.contains(key + "@" + name)) {
      return List.of();
    }
    RunnerState.remember(st.seen, key + "@" + name);
    states.touch(st, now);
    Builder out = new Builder(cfg, st, platform ? name : null, now);
    Map<String, String> ev = new LinkedHashMap<>();
    ev.put("runnerName", name);
    ev.put("jobId", Long.toString(e.getJobId()));
    ev.put("runAttempt", Integer.toString(e.getRunAttempt()));
    ev.put("repository", e.getRepositoryFullName());
    ev.put("labels", String.join(",", e.getLabels()));
    if (e.getRunnerGroupName() != null) {
      ev.put("runnerGroup", e.getRunnerGroupName());
    }
    if (e.getMetadata().getCorrelation().getDeliveryId() != null) {
      ev.put("deliveryId", e.getMetadata().getCorrelation().getDeliveryId());
    }
    if ("in_progress".equals(e.getAction())) {
      if (platform) {
        if (st.jobId == null) {
          st.jobId = e.getJobId();
          st.repository = e.getRepositoryFullName();
        }
        Optional<Map.Entry<Long, String>> other =
            st.inProgressJobs.entrySet().stream()
                .filter(j -> j.getKey() != e.getJobId())
                .findFirst();
        st.inProgressJobs.putIfAbsent(e.getJobId(), e.getRepositoryFullName());
        while (st.inProgressJobs.size() > 16) {
          Iterator<Long> it = st.inProgressJobs.keySet().iterator();
          it.next();
          it.remove();
        }
        if (other.isPresent()) {
          cfg.enabled(RUNNER_REUSED)
              .ifPresent(
                  r -> {
                    Map<String, String> x = new LinkedHashMap<>(ev);
                    x.put("firstJobId", Long.toString(other.get().getKey()));
                    x.put("firstRepository", other.get().getValue());
                    x.put("secondJobId", Long.toString(e.getJobId()));
                    out.add(
                        r,
                        e.getJobId(),
                        e.getRepositoryFullName(),
                        "wj:" + e.getJobId() + "/" + e.getRunAttempt(),
                        List.of(),
                        x,
                        "runner "
                            + name
                            + " took job "
                            + e.getJobId()
                            + " after job "
                            + other.get().getKey());
                  });
        }
        cfg.enabled(UNKNOWN_RUNNER).ifPresent(r -> pendUnknown(r, st, key, ev, now));
      } else {
        List<String> labels = e.getLabels().stream().map(l -> l.toLowerCase(Locale.ROOT)).toList();
        if (labels.containsAll(cfg.platformLabels())) {
          cfg.enabled(FOREIGN_RUNNER)
              .ifPresent(
                  r ->
                      out.add(
                          r,
                          e.getJobId(),
                          e.getRepositoryFullName(),
                          "wj:" + e.getJobId() + "/" + e.getRunAttempt() + "@" + name,
                          List.of(),
                          ev,
                          "job "
                              + e.getJobId()
                              + " with platform labels "
                              + cfg.platformLabels()
                              + " ran on foreign runner "
                              + name));
        }
      }
    } else if ("completed".equals(e.getAction()) && platform && st.completedAt == 0) {
      st.completedAt = e.getCompletedAt() != null ? e.getCompletedAt().toEpochMilli() : now;
    }
    return out.done();
  }

  private void pendUnknown(
      RuleSettings r, RunnerState st, String trigger, Map<String, String> ev, long now) {
    if (st.lifecycleSeenAt == 0 && st.unknownCheckAt == 0 && !st.fired.contains(UNKNOWN_RUNNER)) {
      st.unknownCheckAt = now + r.integer("graceSeconds") * 1000L;
      st.unknownTrigger = trigger;
      st.unknownEvidence = new LinkedHashMap<>(ev);
      st.unknownEvidence.put("graceSeconds", Integer.toString(r.integer("graceSeconds")));
    }
  }

  // ---------------------------------------------------------------- lifecycle

  /** Learns a runner's lifecycle: known runners, busy since, completed at, quarantined. */
  public List<Detection> onLifecycle(DetectionConfig cfg, RunnerLifecycleEvent e, long now) {
    RunnerState st = states.get(e.getRunnerId());
    String key = "lc:" + e.getMetadata().getEventId();
    if (st.seen.contains(key)) {
      return List.of();
    }
    RunnerState.remember(st.seen, key);
    states.touch(st, now);
    long at = e.getMetadata().getTime() == null ? now : e.getMetadata().getTime().toEpochMilli();
    if (st.lifecycleSeenAt == 0) {
      st.lifecycleSeenAt = now;
    }
    st.unknownCheckAt = 0;
    st.lifecycleState = e.getState().name();
    if (e.getJobId() != null) {
      st.jobId = e.getJobId();
    }
    switch (e.getState()) {
      case BUSY -> {
        if (st.busySince == 0) {
          st.busySince = at;
        }
        String max = e.getAttributes().get("maxDurationSeconds");
        if (max != null) {
          try {
            st.maxDurationSeconds = Long.parseLong(max.trim());
          } catch (NumberFormatException ignored) {
            // keep the rule's default
          }
        }
      }
      case COMPLETED, DESTROYED, FAILED, LOST -> {
        st.busySince = 0;
        if (st.completedAt == 0) {
          st.completedAt = at;
        }
      }
      case QUARANTINED, EVIDENCE_CAPTURED -> {
        st.busySince = 0;
        if (st.quarantinedBy == null) {
          st.quarantinedBy = "orchestrator";
        }
      }
      default -> {}
    }
    return List.of();
  }

  // ---------------------------------------------------------------- clock

  /**
   * Rules that fire on time passing: unknown runners whose grace ran out without a lifecycle event,
   * runners busy beyond their max duration. Also drops states of runners destroyed (or last
   * changed) longer than {@code retentionMillis} ago.
   */
  public List<Detection> tick(DetectionConfig cfg, long now, long retentionMillis) {
    List<Detection> all = new ArrayList<>();
    List<String> expired = new ArrayList<>();
    for (RunnerState st : states.all()) {
      Builder out = null;
      if (st.unknownCheckAt > 0 && now >= st.unknownCheckAt) {
        st.unknownCheckAt = 0;
        states.touch(st, now);
        Optional<RuleSettings> r = cfg.enabled(UNKNOWN_RUNNER);
        if (st.lifecycleSeenAt == 0 && r.isPresent() && !st.fired.contains(UNKNOWN_RUNNER)) {
          RunnerState.remember(st.fired, UNKNOWN_RUNNER);
          out = new Builder(cfg, st, st.runnerId, now);
          out.add(
              r.get(),
              st.jobId,
              st.repository,
              st.unknownTrigger,
              List.of(),
              st.unknownEvidence,
              "runner "
                  + st.runnerId
                  + " is online at GitHub but no lifecycle event was seen within "
                  + r.get().integer("graceSeconds")
                  + " s");
        }
      }
      Optional<RuleSettings> max = cfg.enabled(MAX_DURATION);
      if (max.isPresent() && st.busySince > 0 && "BUSY".equals(st.lifecycleState)) {
        long limit =
            st.maxDurationSeconds != null
                ? st.maxDurationSeconds
                : max.get().integer("maxDurationSeconds");
        long elapsed = now - st.busySince;
        String once = MAX_DURATION + "@" + st.busySince;
        if (elapsed > (limit + max.get().integer("graceSeconds")) * 1000L
            && !st.fired.contains(once)) {
          RunnerState.remember(st.fired, once);
          states.touch(st, now);
          if (out == null) {
            out = new Builder(cfg, st, st.runnerId, now);
          }
          Map<String, String> ev = new LinkedHashMap<>();
          ev.put("busySince", Instant.ofEpochMilli(st.busySince).toString());
          ev.put("maxDurationSeconds", Long.toString(limit));
          ev.put("elapsedSeconds", Long.toString(elapsed / 1000));
          out.add(
              max.get(),
              st.jobId,
              st.repository,
              "busy:" + st.busySince,
              List.of(),
              ev,
              "runner busy for " + elapsed / 1000 + " s, max duration " + limit + " s");
        }
      }
      if (out != null) {
        all.addAll(out.done());
      }
      boolean finished = "DESTROYED".equals(st.lifecycleState) || st.lifecycleState == null;
      if (finished && st.unknownCheckAt == 0 && now - st.updatedAt > retentionMillis) {
        expired.add(st.runnerId);
      }
    }
    expired.forEach(states::remove);
    return all;
  }

  /** Records that a detection was emitted (its finding, and its command if it had one). */
  public void emitted(Detection d, long now) {
    RunnerState st = states.get(d.runnerId() == null ? RunnerState.NO_RUNNER : d.runnerId());
    RunnerState.remember(st.emitted, d.findingId());
    if (d.quarantine() && st.quarantinedBy == null) {
      st.quarantinedBy = d.findingId();
    }
    states.touch(st, now);
  }

  // ---------------------------------------------------------------- helpers

  /** Collects the detections of one input, dropping ones emitted before. */
  private final class Builder {
    final DetectionConfig cfg;
    final RunnerState st;
    final String runnerId;
    final long now;
    final List<Detection> out = new ArrayList<>();
    boolean commandTaken;

    Builder(DetectionConfig cfg, RunnerState st, String runnerId, long now) {
      this.cfg = cfg;
      this.st = st;
      this.runnerId = runnerId;
      this.now = now;
    }

    void signal(RuleSettings r, SecuritySignal s, String why) {
      Map<String, String> ev = signalEvidence(s);
      ev.put("matched", why);
      add(r, jobOf(s, st), "sig:" + s.getSignalId(), List.of(s.getSignalId()), ev, why);
    }

    void add(
        RuleSettings r,
        Long jobId,
        String repository,
        String trigger,
        List<String> signalIds,
        Map<String, String> evidence,
        String summary) {
      emit(r, jobId, trigger, signalIds, evidence, summary, repository);
    }

    void add(
        RuleSettings r,
        Long jobId,
        String trigger,
        List<String> signalIds,
        Map<String, String> evidence,
        String summary) {
      emit(r, jobId, trigger, signalIds, evidence, summary, st.repository);
    }

    private void emit(
        RuleSettings r,
        Long jobId,
        String trigger,
        List<String> signalIds,
        Map<String, String> evidence,
        String summary,
        String repository) {
      String findingId = Ids.findingId(r.id(), runnerId, trigger);
      if (st.emitted.contains(findingId) || alreadyEmitted.test(findingId)) {
        return;
      }
      boolean quarantine =
          r.response() == Response.QUARANTINE
              && !r.audit()
              && runnerId != null
              && st.quarantinedBy == null
              && !commandTaken;
      commandTaken |= quarantine;
      out.add(
          new Detection(
              r,
              runnerId,
              jobId != null ? jobId : st.jobId,
              repository,
              trigger,
              signalIds,
              evidence,
              Redaction.redact(summary),
              quarantine));
    }

    List<Detection> done() {
      return out;
    }
  }

  private static Long jobOf(SecuritySignal s, RunnerState st) {
    Long j = s.getMetadata().getCorrelation().getJobId();
    return j != null ? j : st.jobId;
  }

  static Map<String, String> signalEvidence(SecuritySignal s) {
    Map<String, String> ev = new LinkedHashMap<>();
    ev.put("signal.id", s.getSignalId());
    ev.put("signal.source", String.valueOf(s.getSource()));
    ev.put("signal.kind", s.getKind());
    ev.put("signal.observedAt", String.valueOf(s.getObservedAt()));
    if (s.getRule() != null) {
      ev.put("signal.rule", Redaction.redact(s.getRule()));
    }
    ProcessInfo p = s.getProcess();
    if (p != null) {
      put(ev, "process.executable", p.getExecutable());
      put(ev, "process.commandLine", p.getCommandLine());
      put(ev, "process.pid", p.getPid());
      put(ev, "process.parentPid", p.getParentPid());
      put(ev, "process.user", p.getUser());
    }
    if (s.getNetwork() != null) {
      ev.put("network.destination", destination(s));
      put(ev, "network.protocol", s.getNetwork().getProtocol());
    }
    put(ev, "filePath", s.getFilePath());
    s.getAttributes().entrySet().stream()
        .filter(a -> !a.getKey().equals("falco.output_fields"))
        .limit(24)
        .forEach(a -> ev.putIfAbsent("signal.attr." + a.getKey(), Redaction.redact(a.getValue())));
    return ev;
  }

  private static void put(Map<String, String> ev, String k, Object v) {
    if (v != null) {
      ev.put(k, Redaction.redact(v.toString()));
    }
  }

  static String destination(SecuritySignal s) {
    NetworkInfo n = s.getNetwork();
    if (n == null) {
      return null;
    }
    String where =
        n.getDestinationHost() != null
            ? n.getDestinationHost()
                + (n.getDestinationAddress() != null ? "(" + n.getDestinationAddress() + ")" : "")
            : String.valueOf(n.getDestinationAddress());
    return n.getDestinationPort() == null ? where : where + ":" + n.getDestinationPort();
  }

  private static Optional<String> falcoRule(SecuritySignal s, RuleSettings r) {
    if (s.getSource() != SignalSource.FALCO || s.getRule() == null) {
      return Optional.empty();
    }
    for (String name : r.list("falcoRules")) {
      if (name.equalsIgnoreCase(s.getRule().trim())) {
        return Optional.of("Falco rule '" + name + "'");
      }
    }
    return Optional.empty();
  }

  private static Optional<String> contains(String text, List<String> patterns) {
    if (text == null) {
      return Optional.empty();
    }
    String t = text.toLowerCase(Locale.ROOT);
    for (String p : patterns) {
      if (t.contains(p.toLowerCase(Locale.ROOT))) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  private static Optional<String> binary(String exe, String cmd, List<String> binaries) {
    String candidate = exe;
    if (candidate == null && cmd != null && !cmd.isBlank()) {
      candidate = cmd.trim().split("\\s+")[0];
    }
    if (candidate == null) {
      return Optional.empty();
    }
    String base = candidate.substring(candidate.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
    return binaries.stream().filter(b -> b.equalsIgnoreCase(base)).findFirst();
  }

  private static double number(String s) {
    if (s == null) {
      return -1;
    }
    try {
      return Double.parseDouble(s.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
