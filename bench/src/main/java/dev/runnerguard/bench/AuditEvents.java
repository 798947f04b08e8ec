package dev.runnerguard.bench;

import dev.runnerguard.schemas.Topics;
import dev.runnerguard.schemas.avro.EventMetadata;
import dev.runnerguard.schemas.avro.Finding;
import dev.runnerguard.schemas.avro.FindingAction;
import dev.runnerguard.schemas.avro.NetworkInfo;
import dev.runnerguard.schemas.avro.ProcessInfo;
import dev.runnerguard.schemas.avro.RunnerLifecycleEvent;
import dev.runnerguard.schemas.avro.RunnerState;
import dev.runnerguard.schemas.avro.SecuritySignal;
import dev.runnerguard.schemas.avro.Severity;
import dev.runnerguard.schemas.avro.SignalSource;
import dev.runnerguard.schemas.serde.EventCodec;
import dev.runnerguard.schemas.serde.EventMetadataFactory;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The audit benchmark's workload: platform records as the services write them, in the mix a busy
 * platform produces: per 10 records 6 security signals (net.connect, process.exec, file.read), 3
 * runner lifecycle transitions and 1 finding, for 1,000 runners. Each has a fresh event id.
 */
final class AuditEvents {
  private static final EventMetadataFactory METADATA = new EventMetadataFactory("bench", "1.0");
  private static final RunnerState[] STATES = {
    RunnerState.PROVISIONING, RunnerState.IDLE, RunnerState.BUSY, RunnerState.COMPLETED
  };

  /** One encoded record with its topic and key. */
  record Encoded(String topic, String key, byte[] value) {}

  private static final EventCodec<SecuritySignal> SIGNALS = EventCodec.of(SecuritySignal.class);
  private static final EventCodec<RunnerLifecycleEvent> LIFECYCLE =
      EventCodec.of(RunnerLifecycleEvent.class);
  private static final EventCodec<Finding> FINDINGS = EventCodec.of(Finding.class);

  private AuditEvents() {}

  static Encoded record(long i) {
    String runner = "r-bench-" + (i % 1000);
    long job = 5_000_000L + i / 10;
    EventMetadata meta =
        METADATA.create(
            EventMetadataFactory.trace(
                "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", null),
            EventMetadataFactory.correlation("d-" + UUID.randomUUID(), job, 7L, runner));
    int slot = (int) (i % 10);
    if (slot < 6) {
      String kind = slot < 2 ? "net.connect" : slot < 4 ? "process.exec" : "file.read";
      SecuritySignal s =
          SecuritySignal.newBuilder()
              .setMetadata(meta)
              .setSignalId("s-" + i)
              .setSource(SignalSource.FALCO)
              .setKind(kind)
              .setObservedAt(Instant.now())
              .setRunnerId(runner)
              .setSeverity(Severity.MEDIUM)
              .setRule("bench rule " + slot)
              .setProcess(
                  ProcessInfo.newBuilder()
                      .setPid(1000L + slot)
                      .setParentPid(1L)
                      .setExecutable("/usr/bin/curl")
                      .setCommandLine("curl -s https://example.com/install.sh")
                      .setUser("runner")
                      .build())
              .setNetwork(
                  kind.startsWith("net.")
                      ? NetworkInfo.newBuilder()
                          .setProtocol("tcp")
                          .setDestinationHost("example.com")
                          .setDestinationAddress("93.184.216.34")
                          .setDestinationPort(443)
                          .build()
                      : null)
              .setFilePath(kind.startsWith("file.") ? "/home/runner/work/repo/README.md" : null)
              .build();
      return new Encoded(Topics.RUNNER_SIGNAL.topicName(), runner, SIGNALS.encode(s));
    }
    if (slot < 9) {
      RunnerLifecycleEvent l =
          RunnerLifecycleEvent.newBuilder()
              .setMetadata(meta)
              .setRunnerId(runner)
              .setRunnerName("rg-" + runner)
              .setState(STATES[(int) (i % STATES.length)])
              .setPreviousState(RunnerState.REQUESTED)
              .setJobId(job)
              .setRunnerClass("private-linux")
              .setProvider("local-sandbox")
              .setDurations(Map.of("boot", 1200L))
              .build();
      return new Encoded(Topics.RUNNER_LIFECYCLE.topicName(), runner, LIFECYCLE.encode(l));
    }
    Finding f =
        Finding.newBuilder()
            .setMetadata(meta)
            .setFindingId("f-" + i)
            .setRuleId("egress-outside-allowlist")
            .setTitle("Egress outside the job's allowlist")
            .setSeverity(Severity.HIGH)
            .setRunnerId(runner)
            .setJobId(job)
            .setSignalIds(List.of("s-" + (i - 1)))
            .setAction(FindingAction.QUARANTINE)
            .build();
    return new Encoded(Topics.RUNNER_FINDING.topicName(), runner, FINDINGS.encode(f));
  }
}
