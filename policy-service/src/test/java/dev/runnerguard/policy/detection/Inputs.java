package dev.runnerguard.policy.detection;

import dev.runnerguard.schemas.avro.NetworkInfo;
import dev.runnerguard.schemas.avro.ProcessInfo;
import dev.runnerguard.schemas.avro.RunnerLifecycleEvent;
import dev.runnerguard.schemas.avro.RunnerState;
import dev.runnerguard.schemas.avro.SecuritySignal;
import dev.runnerguard.schemas.avro.SignalSource;
import dev.runnerguard.schemas.avro.WorkflowJobEvent;
import dev.runnerguard.schemas.serde.EventMetadataFactory;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Builders of detection inputs for tests. */
public final class Inputs {
  static final EventMetadataFactory META = new EventMetadataFactory("test", "1");
  public static final long T0 = Instant.parse("2026-11-27T10:00:00Z").toEpochMilli();

  private Inputs() {}

  /** A signal builder with id, kind, runner, observed at T0 + offset ms, source HOST_SENSOR. */
  public static SecuritySignal.Builder signal(
      String id, String kind, String runner, long atOffset) {
    return SecuritySignal.newBuilder()
        .setMetadata(META.create())
        .setSignalId(id)
        .setSource(SignalSource.HOST_SENSOR)
        .setKind(kind)
        .setSeverity(dev.runnerguard.schemas.avro.Severity.UNKNOWN)
        .setObservedAt(Instant.ofEpochMilli(T0 + atOffset))
        .setRunnerId(runner)
        .setAttributes(new HashMap<>());
  }

  public static ProcessInfo process(String exe, String cmd) {
    return ProcessInfo.newBuilder()
        .setPid(4242L)
        .setExecutable(exe)
        .setCommandLine(cmd)
        .setUser("runner")
        .build();
  }

  public static NetworkInfo net(String host, String addr, Integer port) {
    return NetworkInfo.newBuilder()
        .setProtocol("tcp")
        .setDestinationHost(host)
        .setDestinationAddress(addr)
        .setDestinationPort(port)
        .build();
  }

  public static WorkflowJobEvent job(
      long jobId, String action, String runnerName, List<String> labels) {
    return WorkflowJobEvent.newBuilder()
        .setMetadata(
            META.create(EventMetadataFactory.correlation("d-" + jobId + action, jobId, 7L, null)))
        .setAction(action)
        .setJobId(jobId)
        .setRunId(7L)
        .setRunAttempt(1)
        .setRepositoryFullName("acme/app")
        .setRepositoryPrivate(true)
        .setLabels(labels)
        .setRunnerName(runnerName)
        .setRunnerGroupName("private-sandbox")
        .setRawBody(ByteBuffer.wrap(new byte[0]))
        .build();
  }

  public static RunnerLifecycleEvent lifecycle(
      String runnerId, RunnerState state, long atOffset, Map<String, String> attributes) {
    var meta = META.create(EventMetadataFactory.correlation(null, 100L, null, runnerId));
    meta.setTime(Instant.ofEpochMilli(T0 + atOffset));
    return RunnerLifecycleEvent.newBuilder()
        .setMetadata(meta)
        .setRunnerId(runnerId)
        .setRunnerName(runnerId)
        .setState(state)
        .setJobId(100L)
        .setRunnerClass("rc-test")
        .setProvider("local-sandbox")
        .setAttributes(attributes)
        .build();
  }
}
