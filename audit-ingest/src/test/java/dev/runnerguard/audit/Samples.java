package dev.runnerguard.audit;

import dev.runnerguard.schemas.Topics;
import dev.runnerguard.schemas.avro.AdmissionDecision;
import dev.runnerguard.schemas.avro.CommandType;
import dev.runnerguard.schemas.avro.CredentialAction;
import dev.runnerguard.schemas.avro.CredentialAuditEvent;
import dev.runnerguard.schemas.avro.CredentialOutcome;
import dev.runnerguard.schemas.avro.CredentialType;
import dev.runnerguard.schemas.avro.Decision;
import dev.runnerguard.schemas.avro.DeliveryReceipt;
import dev.runnerguard.schemas.avro.EventMetadata;
import dev.runnerguard.schemas.avro.Finding;
import dev.runnerguard.schemas.avro.FindingAction;
import dev.runnerguard.schemas.avro.GitHubWebhookEvent;
import dev.runnerguard.schemas.avro.Isolation;
import dev.runnerguard.schemas.avro.NetworkInfo;
import dev.runnerguard.schemas.avro.ProcessInfo;
import dev.runnerguard.schemas.avro.ProviderEvent;
import dev.runnerguard.schemas.avro.ProviderEventKind;
import dev.runnerguard.schemas.avro.RunnerCommand;
import dev.runnerguard.schemas.avro.RunnerLifecycleEvent;
import dev.runnerguard.schemas.avro.RunnerSpec;
import dev.runnerguard.schemas.avro.RunnerState;
import dev.runnerguard.schemas.avro.SecuritySignal;
import dev.runnerguard.schemas.avro.Severity;
import dev.runnerguard.schemas.avro.SignalSource;
import dev.runnerguard.schemas.avro.WorkflowJobEvent;
import dev.runnerguard.schemas.serde.EventMetadataFactory;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;

/** Builders of one sample per platform record type, for a runner and a job. */
public final class Samples {

  public static final Instant T = Instant.parse("2025-05-01T10:15:30.123Z");
  private static final EventMetadataFactory METADATA = new EventMetadataFactory("test", "1.0");

  private final String runnerId;
  private final long jobId;

  public Samples(String runnerId, long jobId) {
    this.runnerId = runnerId;
    this.jobId = jobId;
  }

  /** A sample with its topic. */
  public record Sample(Topics topic, SpecificRecord record) {}

  public EventMetadata metadata() {
    return METADATA.create(
        EventMetadataFactory.trace("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", null),
        EventMetadataFactory.correlation("d-" + UUID.randomUUID(), jobId, 7L, runnerId));
  }

  /**
   * One record of every Avro type (three signals: net, process, file; two provider events: a
   * lifecycle kind and a quarantine step), each with its topic.
   */
  public List<Sample> all() {
    return List.of(
        new Sample(Topics.WORKFLOW_JOB, workflowJob()),
        new Sample(Topics.DELIVERY, delivery()),
        new Sample(Topics.WORKFLOW_RUN, webhook("workflow_run", "requested")),
        new Sample(Topics.INSTALLATION, webhook("installation", "created")),
        new Sample(Topics.RUNNER_ADMISSION, admission()),
        new Sample(Topics.RUNNER_LIFECYCLE, lifecycle(RunnerState.QUARANTINED)),
        new Sample(Topics.RUNNER_SIGNAL, signal("net.connect")),
        new Sample(Topics.RUNNER_SIGNAL, signal("process.exec")),
        new Sample(Topics.RUNNER_SIGNAL, signal("file.read")),
        new Sample(Topics.RUNNER_FINDING, finding()),
        new Sample(Topics.RUNNER_COMMAND, command()),
        new Sample(Topics.CREDENTIAL_AUDIT, credential()),
        new Sample(Topics.RUNNER_PROVIDER_EVENT, providerEvent(ProviderEventKind.PROVISIONED)),
        new Sample(
            Topics.RUNNER_PROVIDER_EVENT, quarantineStep("network-cut", "network cut", "APPLIED")));
  }

  public WorkflowJobEvent workflowJob() {
    return WorkflowJobEvent.newBuilder()
        .setMetadata(metadata())
        .setAction("queued")
        .setJobId(jobId)
        .setRunId(7L)
        .setRepositoryFullName("acme/app")
        .setOrganization("acme")
        .setLabels(List.of("self-hosted", "linux"))
        .setJobName("build")
        .setRawBody(ByteBuffer.wrap(new byte[] {1, 2, 3}))
        .build();
  }

  public DeliveryReceipt delivery() {
    return DeliveryReceipt.newBuilder()
        .setMetadata(metadata())
        .setDeliveryId("d-" + UUID.randomUUID())
        .setEvent("workflow_job")
        .setAction("queued")
        .setTopic("github.workflow-job")
        .setPartition(3)
        .setOffset(42L)
        .build();
  }

  public GitHubWebhookEvent webhook(String event, String action) {
    return GitHubWebhookEvent.newBuilder()
        .setMetadata(metadata())
        .setEvent(event)
        .setAction(action)
        .setInstallationId(99L)
        .setOrganization("acme")
        .setRepositoryFullName("acme/app")
        .setRunId("workflow_run".equals(event) ? 7L : null)
        .setRawBody(ByteBuffer.wrap(new byte[] {1}))
        .build();
  }

  public AdmissionDecision admission() {
    return AdmissionDecision.newBuilder()
        .setMetadata(metadata())
        .setJobId(jobId)
        .setRepositoryFullName("acme/app")
        .setDecision(Decision.ADMIT)
        .setReason("private repo, default class")
        .setPolicyVersion("abc123")
        .setRunnerSpec(
            RunnerSpec.newBuilder()
                .setRunnerClass("private-linux")
                .setRunnerGroup("private")
                .setLabels(List.of("self-hosted", "linux"))
                .setProvider("local-sandbox")
                .setIsolation(Isolation.SANDBOX)
                .setEgressAllowlist(List.of("github.com:443"))
                .setMaxDurationSeconds(3600L)
                .build())
        .build();
  }

  public RunnerLifecycleEvent lifecycle(RunnerState state) {
    return RunnerLifecycleEvent.newBuilder()
        .setMetadata(metadata())
        .setRunnerId(runnerId)
        .setRunnerName("rg-" + runnerId)
        .setState(state)
        .setPreviousState(RunnerState.BUSY)
        .setJobId(jobId)
        .setRunnerClass("private-linux")
        .setProvider("local-sandbox")
        .setDurations(Map.of("boot", 1200L))
        .build();
  }

  public SecuritySignal signal(String kind) {
    return SecuritySignal.newBuilder()
        .setMetadata(metadata())
        .setSignalId("s-" + UUID.randomUUID())
        .setSource(SignalSource.FALCO)
        .setKind(kind)
        .setObservedAt(T)
        .setRunnerId(runnerId)
        .setSeverity(Severity.HIGH)
        .setRule("Nested runner agent")
        .setProcess(
            ProcessInfo.newBuilder()
                .setPid(1234L)
                .setParentPid(1L)
                .setExecutable("/home/runner/Runner.Listener")
                .setCommandLine("Runner.Listener run")
                .setUser("runner")
                .build())
        .setNetwork(
            kind.startsWith("net.")
                ? NetworkInfo.newBuilder()
                    .setProtocol("tcp")
                    .setDestinationHost("evil.example")
                    .setDestinationAddress("203.0.113.9")
                    .setDestinationPort(3333)
                    .build()
                : null)
        .setFilePath(kind.startsWith("file.") ? "/home/runner/.ssh/id_rsa" : null)
        .build();
  }

  public Finding finding() {
    return Finding.newBuilder()
        .setMetadata(metadata())
        .setFindingId("f-" + UUID.randomUUID())
        .setRuleId("nested-runner-agent")
        .setTitle("Nested runner agent started")
        .setSeverity(Severity.CRITICAL)
        .setRunnerId(runnerId)
        .setJobId(jobId)
        .setSignalIds(List.of("s-1"))
        .setAction(FindingAction.QUARANTINE)
        .build();
  }

  public RunnerCommand command() {
    return RunnerCommand.newBuilder()
        .setMetadata(metadata())
        .setCommandId("c-" + UUID.randomUUID())
        .setCommand(CommandType.QUARANTINE)
        .setRunnerId(runnerId)
        .setJobId(jobId)
        .setFindingId("f-1")
        .setReason("nested runner agent")
        .setRequestedBy("policy-service")
        .build();
  }

  public CredentialAuditEvent credential() {
    return CredentialAuditEvent.newBuilder()
        .setMetadata(metadata())
        .setAction(CredentialAction.JIT_CONFIG_MINTED)
        .setCredentialType(CredentialType.JIT_CONFIG)
        .setOutcome(CredentialOutcome.SUCCESS)
        .setCredentialRef("sha256:abcd")
        .setAppId(1L)
        .setRunnerId(runnerId)
        .setJobId(jobId)
        .build();
  }

  /**
   * A provider event of a kind, with what runner-orchestrator puts in it for that kind (detail,
   * attributes, durations; see ActionExecutor, Reconciler, RunnerProcessor, SignalBridge).
   */
  public ProviderEvent providerEvent(ProviderEventKind kind) {
    ProviderEvent.Builder b =
        ProviderEvent.newBuilder()
            .setMetadata(metadata())
            .setRunnerId(runnerId)
            .setKind(kind)
            .setProvider("local-sandbox")
            .setJobId(jobId);
    switch (kind) {
      case PROVISIONED ->
          b.setDurations(Map.of("jitMint", 35L, "providerCreate", 120L))
              .setAttributes(
                  Map.of(
                      "githubRunnerId", "77",
                      "org", "acme",
                      "createCalledAtMicros", "1746094530123000"));
      case PROVISION_FAILED ->
          b.setRetriable(true)
              .setDetail("JIT config: token-service answered 503")
              .setAttributes(Map.of("retryAfterMillis", "2000"));
      case EXITED ->
          b.setDetail("runner program exited with code 0").setAttributes(Map.of("exitCode", "0"));
      case NOT_FOUND -> b.setDetail("no sandbox " + runnerId);
      case DESTROYED -> b.setDurations(Map.of("destroy", 40L));
      case DESTROY_FAILED ->
          b.setRetriable(true).setDetail("local-sandbox " + runnerId + " destroy: device busy");
      case QUARANTINE_STEP -> {
        return quarantineStep("network-cut", "network cut", "APPLIED");
      }
      case QUARANTINE_DONE ->
          b.setDetail("nested runner agent")
              .setDurations(Map.of("networkCut", 12L, "quarantineTotal", 900L))
              .setAttributes(Map.of("evidenceDir", "/var/lib/runnerguard/evidence/" + runnerId));
      case INVENTORY ->
          b.setJobId(null).setAttributes(Map.of("source", "provider", "providerStatus", "RUNNING"));
      case JOB_TAKEN ->
          b.setAttributes(Map.of("takenBy", runnerId + "-other", "takenByClass", "private-linux"));
      case JOB_STATUS -> b.setAttributes(Map.of("status", "in_progress"));
      default -> {}
    }
    return b.build();
  }

  /** A QUARANTINE_STEP provider event as ActionExecutor reports it. */
  public ProviderEvent quarantineStep(String step, String label, String outcome) {
    return ProviderEvent.newBuilder()
        .setMetadata(metadata())
        .setRunnerId(runnerId)
        .setKind(ProviderEventKind.QUARANTINE_STEP)
        .setProvider("local-sandbox")
        .setJobId(jobId)
        .setDetail(label + ": " + outcome)
        .setDurations(Map.of(camel(step), 12L, "sinceQuarantine", 80L))
        .setAttributes(Map.of("step", step, "outcome", outcome))
        .build();
  }

  /** {@code network-cut} → {@code networkCut}, as ActionExecutor names a step's duration. */
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

  /** A falcosidekick alert naming the runner in a custom field. */
  public String falcoJson(String uuid) {
    return "{\"uuid\":\""
        + uuid
        + "\",\"output\":\"Nested runner agent (user=runner)\",\"priority\":\"Critical\","
        + "\"rule\":\"Nested runner agent\",\"time\":\"2025-05-01T10:15:31.5Z\","
        + "\"source\":\"syscall\",\"tags\":[\"runnerguard\",\"T1059\"],\"hostname\":\"node-1\","
        + "\"output_fields\":{\"runnerguard.runner_id\":\""
        + runnerId
        + "\",\"proc.name\":\"Runner.Listener\"}}";
  }
}
