package dev.runnerguard.orchestrator.execute;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runnerguard.orchestrator.FakeCredentials;
import dev.runnerguard.orchestrator.kafka.PlatformPublisher;
import dev.runnerguard.orchestrator.spi.ApplyResult;
import dev.runnerguard.orchestrator.spi.EvidenceManifest;
import dev.runnerguard.orchestrator.spi.ProviderCapabilities;
import dev.runnerguard.orchestrator.spi.ProviderException;
import dev.runnerguard.orchestrator.spi.ProviderRunner;
import dev.runnerguard.orchestrator.spi.ProvisionRequest;
import dev.runnerguard.orchestrator.spi.RunnerProvider;
import dev.runnerguard.orchestrator.state.Action;
import dev.runnerguard.orchestrator.state.Inputs;
import dev.runnerguard.orchestrator.state.RunnerStateMachine;
import dev.runnerguard.orchestrator.state.Settings;
import dev.runnerguard.schemas.avro.CommandType;
import dev.runnerguard.schemas.avro.Isolation;
import dev.runnerguard.schemas.avro.ProviderEvent;
import dev.runnerguard.schemas.avro.ProviderEventKind;
import dev.runnerguard.schemas.avro.RunnerRecord;
import dev.runnerguard.schemas.serde.EventCodec;
import dev.runnerguard.schemas.serde.EventMetadataFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The executor against a scriptable provider and Kafka's {@link MockProducer}: provider failures
 * (fails, hangs, vanished) become classified provider events; the quarantine sequence runs in
 * SPEC.md's order with a manifest; no JIT config in any event or message.
 */
class ActionExecutorTest {
  @TempDir Path evidence;

  final MockProducer<String, byte[]> producer =
      new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
  final FakeCredentials github = new FakeCredentials();
  final ScriptedProvider provider = new ScriptedProvider();
  ActionExecutor executor;

  ActionExecutor executor() {
    executor =
        new ActionExecutor(
            new ProviderRegistry(List.of(provider)),
            github,
            new PlatformPublisher(producer),
            new EventMetadataFactory("test", "1"),
            new ExecutorSettings(
                2, evidence, Map.of("private-sandbox", 2L), "_work", List.of("runnerguard")),
            Clock.systemUTC(),
            ActionExecutor.ActionListener.NONE);
    return executor;
  }

  @AfterEach
  void close() {
    if (executor != null) {
      executor.close();
    }
  }

  static RunnerRecord admitted(long job) {
    return new RunnerStateMachine(Settings.defaults()).apply(null, Inputs.admit(job), 0).record();
  }

  List<ProviderEvent> events() {
    List<ProviderEvent> out = new ArrayList<>();
    producer.history().forEach(r -> out.add(EventCodec.of(ProviderEvent.class).decode(r.value())));
    return out;
  }

  List<ProviderEvent> awaitEvents(int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (producer.history().size() < n && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    return events();
  }

  void assertNoSecretIn(List<ProviderEvent> events) {
    for (ProviderEvent e : events) {
      for (String jit : github.minted()) {
        assertThat(e.toString()).doesNotContain(jit);
      }
    }
  }

  @Test
  void provisioningMintsAJitAndReportsTheCreate() throws Exception {
    executor().dispatch(new Action(Action.Type.PROVISION, admitted(1), "test"));
    List<ProviderEvent> e = awaitEvents(2);

    assertThat(e)
        .extracting(ProviderEvent::getKind)
        .containsExactly(ProviderEventKind.PROVISIONED, ProviderEventKind.RUNNING);
    assertThat(e.get(0).getAttributes())
        .containsKeys("githubRunnerId", "createCalledAtMicros")
        .containsEntry("org", "octo-org");
    assertThat(provider.requests).hasSize(1);
    assertThat(provider.requests.get(0).jitConfig().reveal()).isEqualTo(github.minted().get(0));
    assertThat(provider.requests.get(0).egressAllowlist()).containsExactly("127.0.0.1:8090");
    assertNoSecretIn(e);
  }

  @Test
  void aRetriableProviderFailureIsReportedRetriableAPermanentOnePermanent() throws Exception {
    provider.failWith = ProviderException.retriable("host busy");
    executor().dispatch(new Action(Action.Type.PROVISION, admitted(2), "test"));
    ProviderEvent first = awaitEvents(1).get(0);
    assertThat(first.getKind()).isEqualTo(ProviderEventKind.PROVISION_FAILED);
    assertThat(first.getRetriable()).isTrue();
    assertThat(first.getDetail()).contains("host busy");

    provider.failWith = ProviderException.permanent("image not found");
    executor.dispatch(new Action(Action.Type.PROVISION, admitted(3), "test"));
    ProviderEvent second = awaitEvents(2).get(1);
    assertThat(second.getRetriable()).isFalse();
    assertThat(second.getDetail()).contains("image not found");
    assertNoSecretIn(events());
  }

  @Test
  void aRefusedJitAndAnUnknownProviderFailClearly() throws Exception {
    github.failNextMints = 1;
    executor().dispatch(new Action(Action.Type.PROVISION, admitted(4), "test"));
    ProviderEvent refused = awaitEvents(1).get(0);
    assertThat(refused.getKind()).isEqualTo(ProviderEventKind.PROVISION_FAILED);
    assertThat(refused.getRetriable()).isTrue();
    assertThat(refused.getDetail()).startsWith("JIT config:");
    assertThat(provider.requests).isEmpty();

    RunnerRecord elsewhere = admitted(5);
    elsewhere.setProvider("vm");
    executor.dispatch(new Action(Action.Type.PROVISION, elsewhere, "test"));
    ProviderEvent unknown = awaitEvents(2).get(1);
    assertThat(unknown.getRetriable()).isFalse();
    assertThat(unknown.getDetail())
        .contains("no provider named 'vm'")
        .contains("configured: local-sandbox");
  }

  @Test
  void aHangingCreateIsNotStartedTwiceAndReportsWhenItReturns() throws Exception {
    provider.hang = new CountDownLatch(1);
    executor();
    RunnerRecord r = admitted(6);
    executor.dispatch(new Action(Action.Type.PROVISION, r, "first"));
    Thread.sleep(200);
    executor.dispatch(new Action(Action.Type.PROVISION, r, "re-driven while the first hangs"));
    Thread.sleep(200);
    assertThat(producer.history()).isEmpty();
    provider.hang.countDown();
    awaitEvents(2);
    Thread.sleep(200);
    assertThat(github.calls.stream().filter(c -> c.equals("mint rg-6-1"))).hasSize(1);
  }

  @Test
  void aVanishedRunnerIsReportedNotFound() throws Exception {
    executor().dispatch(new Action(Action.Type.CHECK_STATUS, admitted(7), "check"));
    assertThat(awaitEvents(1).get(0).getKind()).isEqualTo(ProviderEventKind.NOT_FOUND);
  }

  @Test
  void quarantineRunsTheSequenceInOrderWithAManifest() throws Exception {
    RunnerStateMachine m = new RunnerStateMachine(Settings.defaults());
    RunnerRecord r = admitted(8);
    r.getAttributes().put("githubRunnerId", "77");
    r.getAttributes().put("org", "octo-org");
    github.registrations.put(77L, "rg-8-1");
    RunnerRecord q =
        m.apply(r, Inputs.command(CommandType.QUARANTINE, "rg-8-1", "c-1"), 1000).record();
    provider.exists.add("rg-8-1");

    executor().dispatch(new Action(Action.Type.QUARANTINE, q, "egress"));
    List<ProviderEvent> e = awaitEvents(7);

    assertThat(provider.calls).containsExactly("isolate", "freeze", "evidence", "destroy");
    assertThat(e)
        .extracting(x -> x.getAttributes().getOrDefault("step", x.getKind().name()))
        .containsExactly(
            "network-cut",
            "frozen",
            "evidence-captured",
            "deregistered",
            "credentials-revoked",
            "destroyed",
            "QUARANTINE_DONE");
    Path dir = Path.of(e.get(2).getAttributes().get("evidenceDir"));
    String manifest = Files.readString(dir.resolve("manifest.json"), StandardCharsets.UTF_8);
    assertThat(manifest).contains("\"findingId\": \"finding-1\"").contains("processes.txt");
    assertThat(github.registrations).doesNotContainKey(77L);
    assertThat(e.get(6).getDurations()).containsKeys("networkCut", "quarantineTotal");
  }

  @Test
  void aFailedEvidenceCaptureKeepsTheRunnerCutOffAndUndestroyed() throws Exception {
    RunnerRecord q =
        new RunnerStateMachine(Settings.defaults())
            .apply(admitted(9), Inputs.command(CommandType.QUARANTINE, "rg-9-1", "c-1"), 1000)
            .record();
    provider.failEvidence = true;
    executor().dispatch(new Action(Action.Type.QUARANTINE, q, "egress"));
    List<ProviderEvent> e = awaitEvents(3);
    Thread.sleep(200);

    assertThat(provider.calls).containsExactly("isolate", "freeze", "evidence");
    assertThat(events().get(2).getAttributes()).containsEntry("step", "evidence-failed");
    assertThat(events())
        .extracting(ProviderEvent::getKind)
        .doesNotContain(ProviderEventKind.QUARANTINE_DONE);
    assertThat(e).hasSize(3);
  }

  /** A provider whose behaviour each test scripts. */
  static final class ScriptedProvider implements RunnerProvider {
    final List<ProvisionRequest> requests = new CopyOnWriteArrayList<>();
    final List<String> calls = new CopyOnWriteArrayList<>();
    final List<String> exists = new CopyOnWriteArrayList<>();
    volatile ProviderException failWith;
    volatile CountDownLatch hang;
    volatile boolean failEvidence;

    @Override
    public String name() {
      return "local-sandbox";
    }

    @Override
    public ProviderCapabilities capabilities() {
      return new ProviderCapabilities(Isolation.SANDBOX, true, true, true);
    }

    @Override
    public ProviderRunner provision(ProvisionRequest request) throws ProviderException {
      if (hang != null) {
        try {
          hang.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      if (failWith != null) {
        throw failWith;
      }
      requests.add(request);
      exists.add(request.runnerId());
      return new ProviderRunner(
          request.runnerId(), ProviderRunner.Status.RUNNING, null, null, null);
    }

    @Override
    public ProviderRunner status(String runnerId) {
      return exists.contains(runnerId)
          ? new ProviderRunner(runnerId, ProviderRunner.Status.RUNNING, null, null, null)
          : ProviderRunner.notFound(runnerId);
    }

    @Override
    public ApplyResult isolateNetwork(String runnerId) {
      calls.add("isolate");
      return ApplyResult.APPLIED;
    }

    @Override
    public ApplyResult freeze(String runnerId) {
      calls.add("freeze");
      return ApplyResult.APPLIED;
    }

    @Override
    public EvidenceManifest captureEvidence(String runnerId, Path directory)
        throws ProviderException {
      calls.add("evidence");
      if (failEvidence) {
        throw ProviderException.retriable("disk full");
      }
      return new EvidenceManifest(
          directory, List.of(new EvidenceManifest.Item("processes.txt", "processes", "ab", 2)));
    }

    @Override
    public ApplyResult destroy(String runnerId) {
      calls.add("destroy");
      return exists.remove(runnerId) ? ApplyResult.APPLIED : ApplyResult.NOOP;
    }

    @Override
    public List<ProviderRunner> list() {
      return List.of();
    }

    @Override
    public void close() {}
  }
}
