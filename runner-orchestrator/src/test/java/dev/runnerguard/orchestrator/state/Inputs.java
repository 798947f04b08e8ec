package dev.runnerguard.orchestrator.state;

import dev.runnerguard.schemas.avro.AdmissionDecision;
import dev.runnerguard.schemas.avro.CommandType;
import dev.runnerguard.schemas.avro.Decision;
import dev.runnerguard.schemas.avro.Isolation;
import dev.runnerguard.schemas.avro.ProviderEvent;
import dev.runnerguard.schemas.avro.ProviderEventKind;
import dev.runnerguard.schemas.avro.RunnerCommand;
import dev.runnerguard.schemas.avro.RunnerInput;
import dev.runnerguard.schemas.avro.RunnerSpec;
import dev.runnerguard.schemas.avro.WorkflowJobEvent;
import dev.runnerguard.schemas.serde.EventMetadataFactory;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Builders of state-machine inputs for tests. */
public final class Inputs {
  static final EventMetadataFactory MD = new EventMetadataFactory("test", "1");

  private Inputs() {}

  /**
   * An admission for a provider with an egress allowlist (runner class and group private-sandbox).
   */
  public static AdmissionDecision admission(long jobId, String provider, List<String> egress) {
    AdmissionDecision d = admission(jobId, "private-sandbox", 600);
    d.getRunnerSpec().setProvider(provider);
    d.getRunnerSpec().setEgressAllowlist(egress);
    return d;
  }

  public static AdmissionDecision admission(long jobId, String runnerClass, long maxSeconds) {
    return AdmissionDecision.newBuilder()
        .setMetadata(MD.create())
        .setJobId(jobId)
        .setRunAttempt(1)
        .setRepositoryFullName("octo-org/app")
        .setOrganization("octo-org")
        .setDecision(Decision.ADMIT)
        .setReason("rule")
        .setPolicyVersion("sha256:abc")
        .setRuleId("private-self-hosted-sandbox")
        .setRunnerSpec(
            RunnerSpec.newBuilder()
                .setRunnerClass(runnerClass)
                .setRunnerGroup("private-sandbox")
                .setLabels(List.of("self-hosted"))
                .setProvider("local-sandbox")
                .setIsolation(Isolation.SANDBOX)
                .setEgressAllowlist(List.of("127.0.0.1:8090"))
                .setMaxDurationSeconds(maxSeconds)
                .build())
        .build();
  }

  public static RunnerInput admit(long jobId) {
    return in(admission(jobId, "private-linux", 3600));
  }

  public static RunnerInput deny(long jobId) {
    AdmissionDecision d = admission(jobId, "x", 1);
    d.setDecision(Decision.DENY);
    d.setRunnerSpec(null);
    return in(d);
  }

  public static WorkflowJobEvent job(String action, long jobId, String runnerName) {
    return WorkflowJobEvent.newBuilder()
        .setMetadata(MD.create())
        .setAction(action)
        .setJobId(jobId)
        .setRunId(jobId * 10)
        .setRunAttempt(1)
        .setRepositoryFullName("octo-org/app")
        .setOrganization("octo-org")
        .setLabels(List.of("self-hosted"))
        .setRunnerName(runnerName)
        .setConclusion("completed".equals(action) ? "success" : null)
        .setRawBody(ByteBuffer.allocate(0))
        .build();
  }

  public static RunnerInput inProgress(long jobId, String runnerName) {
    return in(job("in_progress", jobId, runnerName));
  }

  public static RunnerInput completed(long jobId, String runnerName) {
    return in(job("completed", jobId, runnerName));
  }

  public static RunnerInput command(CommandType type, String runnerId, String commandId) {
    return in(
        RunnerCommand.newBuilder()
            .setMetadata(MD.create())
            .setCommandId(commandId)
            .setCommand(type)
            .setRunnerId(runnerId)
            .setFindingId("finding-1")
            .setReason("egress to 10.9.9.9:4444 outside the allowlist")
            .setRequestedBy("policy-service")
            .build());
  }

  public static ProviderEvent providerEvent(
      String runnerId, ProviderEventKind kind, Map<String, String> attributes) {
    return ProviderEvent.newBuilder()
        .setMetadata(MD.create())
        .setRunnerId(runnerId)
        .setKind(kind)
        .setProvider("local-sandbox")
        .setAttributes(new HashMap<>(attributes))
        .build();
  }

  public static RunnerInput provider(String runnerId, ProviderEventKind kind) {
    return in(providerEvent(runnerId, kind, Map.of()));
  }

  public static RunnerInput provider(
      String runnerId, ProviderEventKind kind, Map<String, String> attributes) {
    return in(providerEvent(runnerId, kind, attributes));
  }

  public static RunnerInput failed(String runnerId, boolean retriable) {
    ProviderEvent e = providerEvent(runnerId, ProviderEventKind.PROVISION_FAILED, Map.of());
    e.setRetriable(retriable);
    e.setDetail("boom");
    return in(e);
  }

  public static RunnerInput in(Object payload) {
    return RunnerInput.newBuilder().setPayload(payload).build();
  }
}
