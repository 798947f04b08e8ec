package dev.runnerguard.orchestrator.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runnerguard.orchestrator.state.Action;
import dev.runnerguard.orchestrator.state.Inputs;
import dev.runnerguard.orchestrator.state.Quotas;
import dev.runnerguard.orchestrator.state.RunnerStateMachine;
import dev.runnerguard.orchestrator.state.Settings;
import dev.runnerguard.orchestrator.state.WarmPools;
import dev.runnerguard.schemas.Topics;
import dev.runnerguard.schemas.avro.AdmissionDecision;
import dev.runnerguard.schemas.avro.CommandType;
import dev.runnerguard.schemas.avro.RunnerCommand;
import dev.runnerguard.schemas.avro.RunnerLifecycleEvent;
import dev.runnerguard.schemas.avro.RunnerState;
import dev.runnerguard.schemas.avro.WorkflowJobEvent;
import dev.runnerguard.schemas.serde.EventCodec;
import dev.runnerguard.schemas.serde.EventMetadataFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The topology on Kafka Streams' {@link TopologyTestDriver} (no broker): routing by runner id,
 * lifecycle output, actions handed to the dispatcher, and the quota gate (jobs beyond a quota wait
 * in order and start when a runner ends).
 */
class OrchestratorTopologyTest {
  final List<Action> actions = new CopyOnWriteArrayList<>();
  final AtomicInteger waiting = new AtomicInteger();
  TopologyTestDriver driver;
  TestInputTopic<String, byte[]> admissions;
  TestInputTopic<String, byte[]> jobs;
  TestInputTopic<String, byte[]> commands;
  TestInputTopic<String, byte[]> lifecycleIn;
  TestOutputTopic<String, byte[]> lifecycle;

  void start(Quotas quotas) {
    start(quotas, WarmPools.NONE);
  }

  final java.util.concurrent.atomic.AtomicLong now =
      new java.util.concurrent.atomic.AtomicLong(1_000_000);
  final Clock clock =
      new Clock() {
        @Override
        public java.time.ZoneId getZone() {
          return java.time.ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
          return this;
        }

        @Override
        public java.time.Instant instant() {
          return java.time.Instant.ofEpochMilli(now.get());
        }
      };

  void start(Quotas quotas, WarmPools pools) {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "topology-test");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    driver =
        new TopologyTestDriver(
            OrchestratorTopology.build(
                new OrchestratorTopology.Parts(
                    new RunnerStateMachine(Settings.defaults()),
                    actions::add,
                    new EventMetadataFactory("test", "1"),
                    clock,
                    Duration.ofSeconds(1),
                    12,
                    TransitionListener.NONE,
                    quotas,
                    pools,
                    Duration.ofHours(1),
                    waiting::set)),
            p);
    admissions = in(Topics.RUNNER_ADMISSION);
    jobs = in(Topics.WORKFLOW_JOB);
    commands = in(Topics.RUNNER_COMMAND);
    lifecycleIn = in(Topics.RUNNER_LIFECYCLE);
    lifecycle =
        driver.createOutputTopic(
            Topics.RUNNER_LIFECYCLE.topicName(),
            new StringDeserializer(),
            new ByteArrayDeserializer());
  }

  TestInputTopic<String, byte[]> in(Topics t) {
    return driver.createInputTopic(
        t.topicName(), new StringSerializer(), new ByteArraySerializer());
  }

  @AfterEach
  void close() {
    driver.close();
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  static byte[] bytes(SpecificRecord r) {
    return ((EventCodec) EventCodec.of(r.getClass())).encode(r);
  }

  List<RunnerLifecycleEvent> drain() {
    return lifecycle.readValuesToList().stream()
        .map(b -> EventCodec.of(RunnerLifecycleEvent.class).decode(b))
        .toList();
  }

  void admit(long job) {
    admissions.pipeInput(Long.toString(job), bytes(Inputs.admission(job, "private-linux", 600)));
  }

  @Test
  void admissionAndWebhooksMeetTheirRunnerByKey() {
    start(Quotas.UNLIMITED);
    admit(41);
    WorkflowJobEvent inProgress = Inputs.job("in_progress", 41, "rg-41-1");
    jobs.pipeInput("41", bytes(Inputs.job("queued", 41, null)));
    jobs.pipeInput("41", bytes(inProgress));
    jobs.pipeInput("41", bytes(Inputs.job("in_progress", 41, "someone-elses-runner")));
    jobs.pipeInput("41", bytes(Inputs.job("completed", 41, "rg-41-1")));

    List<RunnerLifecycleEvent> events = drain();
    assertThat(events).extracting(RunnerLifecycleEvent::getRunnerId).containsOnly("rg-41-1");
    assertThat(events)
        .extracting(RunnerLifecycleEvent::getState)
        .containsExactly(
            RunnerState.REQUESTED,
            RunnerState.PROVISIONING,
            RunnerState.BUSY,
            RunnerState.COMPLETED);
    assertThat(events.get(0).getJobId()).isEqualTo(41L);
    assertThat(events.get(0).getPolicyVersion()).isEqualTo("sha256:abc");
    assertThat(actions)
        .extracting(Action::type)
        .containsExactly(Action.Type.PROVISION, Action.Type.DESTROY);
  }

  @Test
  void theTickRedrivesOnlyWhatIsDue() {
    start(Quotas.UNLIMITED);
    admit(43);
    admit(44);
    assertThat(actions).hasSize(2);
    now.addAndGet(Duration.ofSeconds(30).toMillis());
    driver.advanceWallClockTime(Duration.ofSeconds(2));
    assertThat(actions).hasSize(2);
    // Neither provisioning reported back within the provision timeout: both are re-driven once.
    now.addAndGet(Settings.defaults().provisionTimeout().toMillis());
    driver.advanceWallClockTime(Duration.ofSeconds(2));
    assertThat(actions)
        .extracting(Action::runnerId)
        .containsExactlyInAnyOrder("rg-43-1", "rg-44-1", "rg-43-1", "rg-44-1");
    driver.advanceWallClockTime(Duration.ofSeconds(2));
    assertThat(actions).hasSize(4);
  }

  @Test
  void commandsReachTheRunnerAndAreIdempotent() {
    start(Quotas.UNLIMITED);
    admit(42);
    RunnerCommand q =
        (RunnerCommand) Inputs.command(CommandType.QUARANTINE, "rg-42-1", "c-1").getPayload();
    commands.pipeInput("rg-42-1", bytes(q));
    commands.pipeInput("rg-42-1", bytes(q));

    assertThat(drain())
        .extracting(RunnerLifecycleEvent::getState)
        .containsExactly(RunnerState.REQUESTED, RunnerState.PROVISIONING, RunnerState.QUARANTINED);
    assertThat(actions)
        .extracting(Action::type)
        .containsExactly(Action.Type.PROVISION, Action.Type.QUARANTINE);
  }

  @Test
  void jobsBeyondAQuotaWaitInOrderAndStartWhenARunnerEnds() {
    start(new Quotas(2, 0, 0));
    admit(1);
    admit(2);
    admit(3);
    admit(4);
    admit(2); // redelivered

    assertThat(actions).extracting(Action::runnerId).containsExactly("rg-1-1", "rg-2-1");
    assertThat(waiting.get()).isEqualTo(2);

    // rg-1-1 ends: the oldest waiting job starts.
    lifecycleIn.pipeInput("rg-1-1", bytes(ended("rg-1-1")));
    assertThat(actions).extracting(Action::runnerId).containsExactly("rg-1-1", "rg-2-1", "rg-3-1");
    assertThat(waiting.get()).isEqualTo(1);
    // The same end reported twice frees one place only.
    lifecycleIn.pipeInput("rg-1-1", bytes(ended("rg-1-1")));
    assertThat(actions).hasSize(3);
    // A redelivered admission of a finished job is not started again.
    admit(1);
    assertThat(actions).hasSize(3);
    lifecycleIn.pipeInput("rg-2-1", bytes(ended("rg-2-1")));
    assertThat(actions).extracting(Action::runnerId).endsWith("rg-4-1");
    assertThat(waiting.get()).isZero();
  }

  @Test
  void aPerOrgQuotaLetsOtherOrgsPass() {
    start(new Quotas(0, 1, 0));
    admit(1);
    admit(2); // same org: waits
    AdmissionDecision other = Inputs.admission(3, "private-linux", 600);
    other.setOrganization("other-org");
    other.setRepositoryFullName("other-org/app");
    admissions.pipeInput("3", bytes(other));

    assertThat(actions).extracting(Action::runnerId).containsExactly("rg-1-1", "rg-3-1");
    assertThat(waiting.get()).isEqualTo(1);
  }

  @Test
  void aWarmPoolKeepsIdleRunnersAndServesJobsWithoutABoot() {
    start(Quotas.UNLIMITED, new WarmPools(2, Map.of()));
    admit(1); // the class becomes known: its own runner, and two warm ones
    assertThat(actions).extracting(Action::runnerId).containsExactly("rg-1-1", "rg-0-1", "rg-0-2");
    assertThat(actions.get(1).runner().getRequestedForJobId()).isZero();

    admit(2); // served by warm rg-0-1: no runner of its own, the pool refilled
    assertThat(actions)
        .extracting(Action::runnerId)
        .containsExactly("rg-1-1", "rg-0-1", "rg-0-2", "rg-0-3");
    admit(2); // redelivered
    assertThat(actions).hasSize(4);

    // GitHub gives the job to warm rg-0-2 (routing is GitHub's): it leaves the pool, refilled.
    jobs.pipeInput("2", bytes(Inputs.job("in_progress", 2, "rg-0-2")));
    assertThat(actions).extracting(Action::runnerId).endsWith("rg-0-4");
    // The warm runner finishes like any other.
    jobs.pipeInput("2", bytes(Inputs.job("completed", 2, "rg-0-2")));
    assertThat(actions).extracting(Action::type).endsWith(Action.Type.DESTROY);
  }

  @Test
  void warmRunnersCountAgainstQuotas() {
    start(new Quotas(2, 0, 0), new WarmPools(3, Map.of()));
    admit(1);
    assertThat(actions).extracting(Action::runnerId).containsExactly("rg-1-1", "rg-0-1");
  }

  static RunnerLifecycleEvent ended(String runnerId) {
    return RunnerLifecycleEvent.newBuilder()
        .setMetadata(new EventMetadataFactory("test", "1").create())
        .setRunnerId(runnerId)
        .setState(RunnerState.DESTROYED)
        .setPreviousState(RunnerState.COMPLETED)
        .setRunnerClass("private-linux")
        .setProvider("local-sandbox")
        .build();
  }
}
