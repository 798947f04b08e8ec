package dev.runnerguard.schemas;

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
import dev.runnerguard.schemas.avro.RunnerInput;
import dev.runnerguard.schemas.avro.RunnerLifecycleEvent;
import dev.runnerguard.schemas.avro.RunnerRecord;
import dev.runnerguard.schemas.avro.RunnerSpec;
import dev.runnerguard.schemas.avro.RunnerState;
import dev.runnerguard.schemas.avro.SecuritySignal;
import dev.runnerguard.schemas.avro.Severity;
import dev.runnerguard.schemas.avro.SignalSource;
import dev.runnerguard.schemas.avro.WorkflowJobEvent;
import dev.runnerguard.schemas.serde.EventMetadataFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/** One fully populated sample of every record type, for tests. */
public final class SampleRecords {

  /** A marker string placed in samples, to prove it never leaks into exception messages. */
  public static final String SECRET_MARKER = "ghs_SAMPLEpayloadMARKER0123456789";

  private static final Instant T = Instant.parse("2025-05-01T10:15:30.123Z");
  private static final EventMetadataFactory METADATA = new EventMetadataFactory("test", "1.0");

  private SampleRecords() {}

  /** Metadata with every correlation id and trace context set. */
  public static EventMetadata metadata() {
    return METADATA.create(
        EventMetadataFactory.trace("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", null),
        EventMetadataFactory.correlation("d-1", 42L, 7L, "r-1"));
  }

  /** A sample of the given record type. */
  public static SpecificRecord sample(Class<? extends SpecificRecord> type) {
    if (type == WorkflowJobEvent.class) {
      return workflowJob();
    } else if (type == AdmissionDecision.class) {
      return AdmissionDecision.newBuilder()
          .setMetadata(metadata())
          .setJobId(42L)
          .setRepositoryFullName("acme/app")
          .setOrganization("acme")
          .setDecision(Decision.ADMIT)
          .setReason("private repo, default class")
          .setPolicyVersion("abc123")
          .setRuleId("default-private")
          .setRunnerSpec(
              RunnerSpec.newBuilder()
                  .setRunnerClass("private-linux")
                  .setRunnerGroup("private")
                  .setLabels(List.of("self-hosted", "linux"))
                  .setProvider("local-sandbox")
                  .setIsolation(Isolation.SANDBOX)
                  .setEgressAllowlist(List.of("github.com:443"))
                  .setMaxDurationSeconds(3600L)
                  .setMemoryMb(2048)
                  .build())
          .build();
    } else if (type == RunnerLifecycleEvent.class) {
      return RunnerLifecycleEvent.newBuilder()
          .setMetadata(metadata())
          .setRunnerId("r-1")
          .setState(RunnerState.BUSY)
          .setPreviousState(RunnerState.IDLE)
          .setJobId(42L)
          .setRunnerClass("private-linux")
          .setProvider("local-sandbox")
          .setPolicyVersion("abc123")
          .setDurations(Map.of("provisioning", 1200L))
          .setAttributes(Map.of("node", "n1"))
          .build();
    } else if (type == SecuritySignal.class) {
      return SecuritySignal.newBuilder()
          .setMetadata(metadata())
          .setSignalId("s-1")
          .setSource(SignalSource.FALCO)
          .setKind("process.exec")
          .setObservedAt(T)
          .setRunnerId("r-1")
          .setSeverity(Severity.HIGH)
          .setRule("Nested runner agent")
          .setProcess(
              ProcessInfo.newBuilder()
                  .setPid(100L)
                  .setExecutable("/bin/sh")
                  .setCommandLine("./config.sh --url x --token " + SECRET_MARKER)
                  .build())
          .setNetwork(NetworkInfo.newBuilder().setDestinationPort(443).build())
          .build();
    } else if (type == Finding.class) {
      return Finding.newBuilder()
          .setMetadata(metadata())
          .setFindingId("f-1")
          .setRuleId("nested-runner-agent")
          .setTitle("Nested runner agent started")
          .setSeverity(Severity.CRITICAL)
          .setRunnerId("r-1")
          .setSignalIds(List.of("s-1"))
          .setAction(FindingAction.QUARANTINE)
          .build();
    } else if (type == RunnerCommand.class) {
      return RunnerCommand.newBuilder()
          .setMetadata(metadata())
          .setCommandId("c-1")
          .setCommand(CommandType.QUARANTINE)
          .setRunnerId("r-1")
          .setFindingId("f-1")
          .setReason("nested runner agent")
          .setRequestedBy("policy-service")
          .build();
    } else if (type == CredentialAuditEvent.class) {
      return CredentialAuditEvent.newBuilder()
          .setMetadata(metadata())
          .setAction(CredentialAction.JIT_CONFIG_MINTED)
          .setCredentialType(CredentialType.JIT_CONFIG)
          .setOutcome(CredentialOutcome.SUCCESS)
          .setCredentialRef("sha256:0a1b2c3d")
          .setAppId(12345L)
          .setInstallationId(678L)
          .setRunnerId("r-1")
          .setExpiresAt(T.plusSeconds(3600))
          .setPermissions(Map.of("administration", "write"))
          .build();
    } else if (type == GitHubWebhookEvent.class) {
      return GitHubWebhookEvent.newBuilder()
          .setMetadata(metadata())
          .setEvent("workflow_run")
          .setAction("requested")
          .setInstallationId(678L)
          .setOrganization("acme")
          .setRepositoryFullName("acme/app")
          .setRunId(7L)
          .setRawBody(ByteBuffer.wrap(SECRET_MARKER.getBytes(StandardCharsets.UTF_8)))
          .build();
    } else if (type == DeliveryReceipt.class) {
      return DeliveryReceipt.newBuilder()
          .setMetadata(metadata())
          .setDeliveryId("72d3162e-cc78-11e3-81ab-4c9367dc0958")
          .setEvent("workflow_job")
          .setAction("queued")
          .setTopic("github.workflow-job")
          .setPartition(3)
          .setOffset(42L)
          .build();
    } else if (type == ProviderEvent.class) {
      return providerEvent();
    } else if (type == RunnerInput.class) {
      return RunnerInput.newBuilder().setPayload(providerEvent()).build();
    } else if (type == RunnerRecord.class) {
      return RunnerRecord.newBuilder()
          .setRunnerId("rg-42-1")
          .setState(RunnerState.BUSY)
          .setRequestedForJobId(42L)
          .setJobId(43L)
          .setRepositoryFullName("acme/app")
          .setOrganization("acme")
          .setRunnerClass("private-linux")
          .setProvider("local-sandbox")
          .setCreatedAt(T.toEpochMilli())
          .setStateSince(T.toEpochMilli())
          .setUpdatedAt(T.toEpochMilli())
          .setTimestamps(Map.of("REQUESTED", T.toEpochMilli()))
          .setSeen(List.of("cmd-1"))
          .build();
    }
    throw new IllegalArgumentException("no sample for " + type);
  }

  static ProviderEvent providerEvent() {
    return ProviderEvent.newBuilder()
        .setMetadata(metadata())
        .setRunnerId("rg-42-1")
        .setKind(ProviderEventKind.PROVISIONED)
        .setProvider("local-sandbox")
        .setJobId(42L)
        .setDurations(Map.of("provision", 12L))
        .build();
  }

  /** A workflow_job sample whose raw body contains {@link #SECRET_MARKER}. */
  public static WorkflowJobEvent workflowJob() {
    return WorkflowJobEvent.newBuilder()
        .setMetadata(metadata())
        .setAction("queued")
        .setJobId(42L)
        .setRunId(7L)
        .setRepositoryFullName("acme/app")
        .setRepositoryPrivate(true)
        .setOrganization("acme")
        .setInstallationId(678L)
        .setLabels(List.of("self-hosted", "linux"))
        .setStatus("queued")
        .setWorkflowName("CI")
        .setCreatedAt(T)
        .setRawBody(
            ByteBuffer.wrap(
                ("{\"token\":\"" + SECRET_MARKER + "\"}").getBytes(StandardCharsets.UTF_8)))
        .build();
  }
}
