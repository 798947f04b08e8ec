package dev.runnerguard.orchestrator.execute;

import dev.runnerguard.orchestrator.kafka.PlatformPublisher;
import dev.runnerguard.orchestrator.spi.CredentialsClient;
import dev.runnerguard.orchestrator.spi.CredentialsClient.CredentialsException;
import dev.runnerguard.orchestrator.spi.EvidenceManifest;
import dev.runnerguard.orchestrator.spi.ProviderException;
import dev.runnerguard.orchestrator.spi.ProviderRunner;
import dev.runnerguard.orchestrator.spi.ProvisionRequest;
import dev.runnerguard.orchestrator.spi.RunnerProvider;
import dev.runnerguard.orchestrator.state.Action;
import dev.runnerguard.orchestrator.stream.ActionDispatcher;
import dev.runnerguard.schemas.avro.ProviderEvent;
import dev.runnerguard.schemas.avro.ProviderEventKind;
import dev.runnerguard.schemas.avro.RunnerRecord;
import dev.runnerguard.schemas.avro.RunnerSpec;
import dev.runnerguard.schemas.serde.EventMetadataFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Performs the state machine's actions against the providers and the token-service, off the stream
 * thread, and feeds every outcome back as a {@link ProviderEvent}. Actions of one runner run in
 * order on one worker (striped by runner id); quarantines run on their own pool so a slow
 * provisioning never delays a network cut. An action already in flight for a runner is not started
 * twice (the state machine re-drives what never reports back).
 */
public final class ActionExecutor implements ActionDispatcher, AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ActionExecutor.class);

  private final ProviderRegistry providers;
  private final CredentialsClient github;
  private final PlatformPublisher publisher;
  private final EventMetadataFactory metadata;
  private final ExecutorSettings settings;
  private final Clock clock;
  private final ActionListener listener;
  private final ExecutorService[] stripes;
  private final ExecutorService quarantinePool;
  private final Set<String> inFlight = ConcurrentHashMap.newKeySet();

  /** Observes executed actions (metrics). */
  public interface ActionListener {
    void executed(Action.Type type, String outcome, long millis);

    /**
     * A quarantine step finished; {@code sinceQuarantine} is measured from the QUARANTINED event.
     */
    default void quarantineStep(String step, long sinceQuarantine) {}

    ActionListener NONE = (t, o, m) -> {};
  }

  public ActionExecutor(
      ProviderRegistry providers,
      CredentialsClient github,
      PlatformPublisher publisher,
      EventMetadataFactory metadata,
      ExecutorSettings settings,
      Clock clock,
      ActionListener listener) {
    this.providers = providers;
    this.github = github;
    this.publisher = publisher;
    this.metadata = metadata;
    this.settings = settings;
    this.clock = clock;
    this.listener = listener;
    this.stripes = new ExecutorService[Math.max(1, settings.workers())];
    AtomicInteger n = new AtomicInteger();
    for (int i = 0; i < stripes.length; i++) {
      stripes[i] =
          Executors.newSingleThreadExecutor(
              r -> daemon(r, "orchestrator-provider-" + n.incrementAndGet()));
    }
    AtomicInteger q = new AtomicInteger();
    this.quarantinePool =
        Executors.newFixedThreadPool(
            Math.max(2, settings.workers() / 2),
            r -> daemon(r, "orchestrator-quarantine-" + q.incrementAndGet()));
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  @Override
  public void dispatch(Action action) {
    String key = action.runnerId() + "|" + action.type();
    if (!inFlight.add(key)) {
      LOG.debugf("[runner=%s] %s already in flight", action.runnerId(), action.type());
      return;
    }
    Runnable task =
        () -> {
          long start = System.nanoTime();
          String outcome = "ok";
          try {
            outcome = execute(action);
          } catch (RuntimeException e) {
            outcome = "error";
            LOG.errorf(
                "[runner=%s] %s failed unexpectedly: %s", action.runnerId(), action.type(), e);
          } finally {
            inFlight.remove(key);
            listener.executed(
                action.type(), outcome, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
          }
        };
    if (action.type() == Action.Type.QUARANTINE) {
      quarantinePool.execute(task);
    } else {
      stripes[Math.floorMod(action.runnerId().hashCode(), stripes.length)].execute(task);
    }
  }

  private String execute(Action action) {
    switch (action.type()) {
      case PROVISION:
        return provision(action.runner());
      case DESTROY:
        return destroy(action.runner(), null);
      case CANCEL_AND_DESTROY:
        cancel(action.runner(), false);
        return destroy(action.runner(), null);
      case QUARANTINE:
        return quarantine(action.runner(), action.reason());
      case CHECK_STATUS:
        return checkStatus(action.runner());
      case CHECK_JOB:
        return checkJob(action.runner());
      default:
        return "unknown";
    }
  }

  // ---------------------------------------------------------------- provisioning

  private String provision(RunnerRecord r) {
    String id = r.getRunnerId();
    RunnerProvider provider = providers.get(r.getProvider()).orElse(null);
    if (provider == null) {
      feedback(
          r,
          ProviderEventKind.PROVISION_FAILED,
          false,
          "no provider named '" + r.getProvider() + "' (configured: " + providers.names() + ")",
          Map.of(),
          Map.of());
      return "permanent";
    }
    RunnerSpec spec = r.getSpec();
    long t0 = System.nanoTime();
    try {
      ProviderRunner existing = provider.status(id);
      if (existing.status() == ProviderRunner.Status.RUNNING
          || existing.status() == ProviderRunner.Status.STARTING) {
        LOG.infof("[runner=%s] already exists at %s, adopting it", id, provider.name());
        feedback(r, ProviderEventKind.PROVISIONED, false, "already existed", Map.of(), Map.of());
        if (existing.status() == ProviderRunner.Status.RUNNING) {
          feedback(r, ProviderEventKind.RUNNING, false, null, Map.of(), Map.of());
        }
        return "adopted";
      }
      Long groupId = settings.runnerGroupId(spec.getRunnerGroup());
      if (groupId == null) {
        feedback(
            r,
            ProviderEventKind.PROVISION_FAILED,
            false,
            "runner group '" + spec.getRunnerGroup() + "' has no configured GitHub id",
            Map.of(),
            Map.of());
        return "permanent";
      }
      List<String> labels = new ArrayList<>(spec.getLabels());
      for (String l : settings.platformLabels()) {
        if (!labels.contains(l)) {
          labels.add(l);
        }
      }
      String org =
          r.getOrganization() != null
              ? r.getOrganization()
              : r.getRepositoryFullName().substring(0, r.getRepositoryFullName().indexOf('/'));
      CredentialsClient.MintedJit jit =
          github.mintJit(
              new CredentialsClient.JitRequest(
                  org, null, id, groupId, labels, settings.workFolder()));
      long jitMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      long t1 = System.nanoTime();
      Instant called = clock.instant();
      long createCalledAtMicros = called.getEpochSecond() * 1_000_000L + called.getNano() / 1_000;
      Map<String, String> env = new HashMap<>();
      env.put("RUNNERGUARD_RUNNER_ID", id);
      env.put("RUNNERGUARD_JOB_ID", Long.toString(r.getRequestedForJobId()));
      ProviderRunner created =
          provider.provision(
              new ProvisionRequest(
                  id,
                  r.getRequestedForJobId(),
                  r.getRunnerClass(),
                  spec.getImage(),
                  spec.getEgressAllowlist(),
                  spec.getCpuMillis(),
                  spec.getMemoryMb(),
                  Duration.ofSeconds(Math.max(60, spec.getMaxDurationSeconds())),
                  jit.encodedJitConfig(),
                  env));
      long providerMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t1);
      Map<String, Long> durations = new LinkedHashMap<>();
      durations.put("jitMint", jitMillis);
      durations.put("providerCreate", providerMillis);
      feedback(
          r,
          ProviderEventKind.PROVISIONED,
          false,
          null,
          durations,
          Map.of(
              "githubRunnerId",
              Long.toString(jit.githubRunnerId()),
              "org",
              org,
              "createCalledAtMicros",
              Long.toString(createCalledAtMicros)));
      if (created.status() == ProviderRunner.Status.RUNNING) {
        feedback(r, ProviderEventKind.RUNNING, false, null, Map.of(), Map.of());
      }
      return "created";
    } catch (CredentialsException e) {
      feedback(
          r,
          ProviderEventKind.PROVISION_FAILED,
          e.retriable(),
          "JIT config: " + e.getMessage(),
          Map.of(),
          e.retryAfterMillis() > 0
              ? Map.of("retryAfterMillis", Long.toString(e.retryAfterMillis()))
              : Map.of());
      return e.retriable() ? "retriable" : "permanent";
    } catch (ProviderException e) {
      feedback(
          r,
          ProviderEventKind.PROVISION_FAILED,
          e.retriable(),
          provider.name() + ": " + e.getMessage(),
          Map.of(),
          Map.of());
      return e.retriable() ? "retriable" : "permanent";
    }
  }

  // ---------------------------------------------------------------- destroy, checks

  private String destroy(RunnerRecord r, Map<String, Long> extra) {
    String id = r.getRunnerId();
    long t0 = System.nanoTime();
    try {
      RunnerProvider provider = providers.get(r.getProvider()).orElse(null);
      if (provider != null) {
        provider.destroy(id);
      }
      deregister(r);
      Map<String, Long> durations = new HashMap<>(extra == null ? Map.of() : extra);
      durations.put("destroy", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
      feedback(r, ProviderEventKind.DESTROYED, false, null, durations, Map.of());
      return "destroyed";
    } catch (ProviderException | CredentialsException e) {
      feedback(r, ProviderEventKind.DESTROY_FAILED, true, e.getMessage(), Map.of(), Map.of());
      return "failed";
    }
  }

  /** Deletes the GitHub registration if one is known; one already gone is fine. */
  private void deregister(RunnerRecord r) throws CredentialsException {
    String githubId = r.getAttributes().get("githubRunnerId");
    String org = r.getAttributes().getOrDefault("org", r.getOrganization());
    if (githubId == null || org == null) {
      return;
    }
    try {
      github.deleteRunner(org, Long.parseLong(githubId));
    } catch (CredentialsException e) {
      if (e.status() != 404) {
        throw e;
      }
    }
  }

  private void cancel(RunnerRecord r, boolean force) {
    if (r.getRunId() == null) {
      return;
    }
    String repo =
        r.getJobRepositoryFullName() != null
            ? r.getJobRepositoryFullName()
            : r.getRepositoryFullName();
    try {
      github.cancelRun(repo, r.getRunId(), force);
    } catch (CredentialsException e) {
      LOG.warnf(
          "[runner=%s job=%s] cancelling run %s: %s",
          r.getRunnerId(), r.getJobId(), r.getRunId(), e.getMessage());
    }
  }

  private String checkStatus(RunnerRecord r) {
    RunnerProvider provider = providers.get(r.getProvider()).orElse(null);
    if (provider == null) {
      return "no-provider";
    }
    try {
      ProviderRunner status = provider.status(r.getRunnerId());
      switch (status.status()) {
        case NOT_FOUND:
          feedback(r, ProviderEventKind.NOT_FOUND, false, status.detail(), Map.of(), Map.of());
          return "not-found";
        case RUNNING:
          feedback(r, ProviderEventKind.RUNNING, false, null, Map.of(), Map.of());
          return "running";
        case EXITED:
          feedback(
              r,
              ProviderEventKind.EXITED,
              false,
              status.detail(),
              Map.of(),
              status.exitCode() == null
                  ? Map.of()
                  : Map.of("exitCode", status.exitCode().toString()));
          return "exited";
        default:
          return status.status().name().toLowerCase(java.util.Locale.ROOT);
      }
    } catch (ProviderException e) {
      LOG.warnf("[runner=%s] status check failed: %s", r.getRunnerId(), e.getMessage());
      return "failed";
    }
  }

  private String checkJob(RunnerRecord r) {
    if (r.getJobId() == null) {
      return "no-job";
    }
    String repo =
        r.getJobRepositoryFullName() != null
            ? r.getJobRepositoryFullName()
            : r.getRepositoryFullName();
    try {
      CredentialsClient.JobStatus status = github.jobStatus(repo, r.getJobId());
      Map<String, String> attributes = new HashMap<>();
      attributes.put("status", String.valueOf(status.status()));
      if (status.conclusion() != null) {
        attributes.put("conclusion", status.conclusion());
      }
      ProviderEvent e = event(r, ProviderEventKind.JOB_STATUS, false, null, Map.of(), attributes);
      e.setJobId(r.getJobId());
      publisher.providerEvent(e);
      return String.valueOf(status.status());
    } catch (CredentialsException e) {
      LOG.warnf("[runner=%s job=%s] job status: %s", r.getRunnerId(), r.getJobId(), e.getMessage());
      return "failed";
    }
  }

  // ---------------------------------------------------------------- quarantine

  /**
   * SPEC.md's sequence: (1, incident opened, is the QUARANTINED transition) 2 cut the network, 3
   * freeze, 4 capture evidence, 5 deregister and cancel the run, 6 revoke, 7 destroy, 8 report.
   * Every step is idempotent and reported with its timing; a failed step is reported and the
   * sequence goes on (a runner must never stay half-quarantined), except that the runner is not
   * destroyed before its evidence is captured.
   */
  private String quarantine(RunnerRecord r, String reason) {
    String id = r.getRunnerId();
    long quarantinedAt = r.getTimestamps().getOrDefault("QUARANTINED", r.getStateSince());
    Map<String, Long> durations = new LinkedHashMap<>();
    RunnerProvider provider = providers.get(r.getProvider()).orElse(null);
    if (provider == null) {
      step(
          r,
          "network-cut",
          "no provider named " + r.getProvider(),
          quarantinedAt,
          durations,
          0,
          Map.of("outcome", "failed"));
      return "no-provider";
    }
    boolean evidenceDone = r.getAttributes().containsKey("evidenceDir");
    // 2. network cut first, 3. freeze
    providerStep(
        r,
        "network-cut",
        "network cut",
        () -> provider.isolateNetwork(id).name(),
        quarantinedAt,
        durations);
    providerStep(
        r, "frozen", "workload frozen", () -> provider.freeze(id).name(), quarantinedAt, durations);
    // 4. evidence
    long t = System.nanoTime();
    Map<String, String> evidenceAttributes = new HashMap<>();
    String evidenceOutcome;
    Path dir =
        settings
            .evidenceRoot()
            .resolve(id)
            .resolve(Instant.ofEpochMilli(quarantinedAt).toString().replace(':', '-'));
    try {
      if (Files.isRegularFile(dir.resolve("manifest.json"))) {
        evidenceOutcome = "NOOP";
      } else {
        Files.createDirectories(dir);
        EvidenceManifest manifest = provider.captureEvidence(id, dir);
        String manifestSha = writeManifest(dir, r, reason, manifest);
        evidenceAttributes.put("evidenceFiles", Integer.toString(manifest.files().size()));
        evidenceAttributes.put("evidenceManifestSha256", manifestSha);
        evidenceOutcome = "APPLIED";
      }
      evidenceAttributes.put("evidenceDir", dir.toString());
    } catch (ProviderException | IOException | RuntimeException e) {
      evidenceOutcome = "failed: " + e.getMessage();
    }
    evidenceAttributes.put("outcome", evidenceOutcome);
    boolean captured = evidenceDone || !evidenceOutcome.startsWith("failed");
    step(
        r,
        captured ? "evidence-captured" : "evidence-failed",
        "evidence: " + evidenceOutcome,
        quarantinedAt,
        durations,
        millisSince(t),
        evidenceAttributes);
    if (!captured) {
      // Keep the runner cut off and frozen; the state machine re-drives the sequence.
      return "evidence-failed";
    }
    // 5. deregister from GitHub and cancel its run
    t = System.nanoTime();
    cancel(r, true);
    String deregistered;
    try {
      deregister(r);
      deregistered = "APPLIED";
    } catch (CredentialsException e) {
      deregistered = "failed: " + e.getMessage();
    }
    step(
        r,
        "deregistered",
        "deregistered and run cancelled: " + deregistered,
        quarantinedAt,
        durations,
        millisSince(t),
        Map.of("outcome", deregistered));
    // 6. revoke: the JIT config is single-use and dies with its registration
    step(
        r,
        "credentials-revoked",
        "JIT registration deleted; the runner holds no other credential",
        quarantinedAt,
        durations,
        0,
        Map.of("outcome", deregistered));
    // 7. destroy
    String destroyed =
        providerStep(
            r,
            "destroyed",
            "runner destroyed",
            () -> provider.destroy(id).name(),
            quarantinedAt,
            durations);
    if (destroyed.startsWith("failed")) {
      return "destroy-failed";
    }
    // 8. report
    durations.put("quarantineTotal", clock.millis() - quarantinedAt);
    feedback(
        r,
        ProviderEventKind.QUARANTINE_DONE,
        false,
        reason,
        durations,
        evidenceAttributes.containsKey("evidenceDir")
            ? Map.of("evidenceDir", evidenceAttributes.get("evidenceDir"))
            : Map.of());
    return "quarantined";
  }

  /** Runs one provider step of the quarantine, timed, and reports it; answers its outcome. */
  private String providerStep(
      RunnerRecord r,
      String step,
      String label,
      ProviderCall call,
      long quarantinedAt,
      Map<String, Long> durations) {
    long t = System.nanoTime();
    String outcome = run(call);
    step(
        r,
        step,
        label + ": " + outcome,
        quarantinedAt,
        durations,
        millisSince(t),
        Map.of("outcome", outcome));
    return outcome;
  }

  private interface ProviderCall {
    String call() throws ProviderException;
  }

  private static String run(ProviderCall call) {
    try {
      return call.call();
    } catch (ProviderException | RuntimeException e) {
      return "failed: " + e.getMessage();
    }
  }

  private static long millisSince(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
  }

  private void step(
      RunnerRecord r,
      String step,
      String detail,
      long quarantinedAt,
      Map<String, Long> durations,
      long stepMillis,
      Map<String, String> attributes) {
    long since = clock.millis() - quarantinedAt;
    String name = camel(step);
    durations.put(name, stepMillis);
    Map<String, Long> d = new LinkedHashMap<>();
    d.put(name, stepMillis);
    d.put("sinceQuarantine", since);
    Map<String, String> a = new HashMap<>(attributes);
    a.put("step", step);
    feedback(r, ProviderEventKind.QUARANTINE_STEP, false, detail, d, a);
    listener.quarantineStep(step, since);
    LOG.infof(
        "[runner=%s job=%s] quarantine %s after %d ms: %s",
        r.getRunnerId(), r.getJobId(), step, since, detail);
  }

  private static String camel(String step) {
    StringBuilder b = new StringBuilder();
    boolean upper = false;
    for (char c : step.toCharArray()) {
      if (c == '-') {
        upper = true;
      } else {
        b.append(upper ? Character.toUpperCase(c) : c);
        upper = false;
      }
    }
    return b.toString();
  }

  private String writeManifest(Path dir, RunnerRecord r, String reason, EvidenceManifest manifest)
      throws IOException {
    StringBuilder json = new StringBuilder();
    json.append("{\n  \"runnerId\": ").append(quote(r.getRunnerId()));
    json.append(",\n  \"jobId\": ").append(r.getJobId() == null ? "null" : r.getJobId());
    json.append(",\n  \"repository\": ").append(quote(r.getRepositoryFullName()));
    json.append(",\n  \"runnerClass\": ").append(quote(r.getRunnerClass()));
    json.append(",\n  \"provider\": ").append(quote(r.getProvider()));
    json.append(",\n  \"findingId\": ")
        .append(r.getFindingId() == null ? "null" : quote(r.getFindingId()));
    json.append(",\n  \"reason\": ").append(quote(reason == null ? "" : reason));
    json.append(",\n  \"capturedAt\": ")
        .append(quote(Instant.ofEpochMilli(clock.millis()).toString()));
    json.append(",\n  \"files\": [");
    for (int i = 0; i < manifest.files().size(); i++) {
      EvidenceManifest.Item f = manifest.files().get(i);
      json.append(i == 0 ? "\n" : ",\n");
      json.append("    {\"name\": ").append(quote(f.name()));
      json.append(", \"kind\": ").append(quote(f.kind()));
      json.append(", \"sha256\": ").append(quote(f.sha256()));
      json.append(", \"bytes\": ").append(f.bytes()).append('}');
    }
    json.append("\n  ]\n}\n");
    byte[] bytes = json.toString().getBytes(StandardCharsets.UTF_8);
    Files.write(dir.resolve("manifest.json"), bytes);
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }

  // ---------------------------------------------------------------- feedback

  private ProviderEvent event(
      RunnerRecord r,
      ProviderEventKind kind,
      boolean retriable,
      String detail,
      Map<String, Long> durations,
      Map<String, String> attributes) {
    return ProviderEvent.newBuilder()
        .setMetadata(
            metadata.create(
                EventMetadataFactory.correlation(
                    null,
                    r.getJobId() != null ? r.getJobId() : r.getRequestedForJobId(),
                    r.getRunId(),
                    r.getRunnerId())))
        .setRunnerId(r.getRunnerId())
        .setKind(kind)
        .setProvider(r.getProvider())
        .setRetriable(retriable)
        .setDetail(detail)
        .setJobId(r.getJobId() != null ? r.getJobId() : r.getRequestedForJobId())
        .setDurations(new HashMap<>(durations))
        .setAttributes(new HashMap<>(attributes))
        .build();
  }

  private void feedback(
      RunnerRecord r,
      ProviderEventKind kind,
      boolean retriable,
      String detail,
      Map<String, Long> durations,
      Map<String, String> attributes) {
    publisher.providerEvent(event(r, kind, retriable, detail, durations, attributes));
  }

  @Override
  public void close() {
    for (ExecutorService s : stripes) {
      s.shutdown();
    }
    quarantinePool.shutdown();
    try {
      quarantinePool.awaitTermination(10, TimeUnit.SECONDS);
      for (ExecutorService s : stripes) {
        s.awaitTermination(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
