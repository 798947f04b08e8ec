package dev.runnerguard.orchestrator.stream;

import dev.runnerguard.orchestrator.state.Quotas;
import dev.runnerguard.orchestrator.state.RunnerNames;
import dev.runnerguard.orchestrator.state.RunnerStateMachine;
import dev.runnerguard.orchestrator.state.WarmPools;
import dev.runnerguard.schemas.Topics;
import dev.runnerguard.schemas.avro.AdmissionDecision;
import dev.runnerguard.schemas.avro.Decision;
import dev.runnerguard.schemas.avro.ProviderEvent;
import dev.runnerguard.schemas.avro.ProviderEventKind;
import dev.runnerguard.schemas.avro.RunnerCommand;
import dev.runnerguard.schemas.avro.RunnerInput;
import dev.runnerguard.schemas.avro.RunnerLifecycleEvent;
import dev.runnerguard.schemas.avro.RunnerRecord;
import dev.runnerguard.schemas.avro.RunnerState;
import dev.runnerguard.schemas.avro.WorkflowJobEvent;
import dev.runnerguard.schemas.serde.EventMetadataFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The orchestrator's stream topology. Pure construction (no I/O): testable with {@code
 * TopologyTestDriver}.
 *
 * <pre>
 * runner.admission (key job id) ----\
 *                                    +-- re-key by runner id --> [repartition runner-input] --\
 * github.workflow-job (key job id) -/                                                          +--> RunnerProcessor + store "runners"
 * runner.command (key runner id) ----------------------------------------------------------- /     |--> runner.lifecycle
 * runner.provider-event (key runner id) ------------------------------------------------------/   |--> runner.finding, runner.signal
 *                                                                                                  \--> runner.provider-event (job taken)
 * </pre>
 *
 * <p>All inputs of one runner meet in one partition, so exactly one instance owns a runner at a
 * time; the store is in memory with a compacted changelog topic, restored on rebalance or restart.
 */
public final class OrchestratorTopology {
  public static final String STORE = "runners";
  static final String LIFECYCLE_SINK = "lifecycle-sink";
  static final String FINDING_SINK = "finding-sink";
  static final String SIGNAL_SINK = "signal-sink";
  static final String FEEDBACK_SINK = "feedback-sink";

  private OrchestratorTopology() {}

  /** The topology's parts. */
  public record Parts(
      RunnerStateMachine machine,
      ActionDispatcher dispatcher,
      EventMetadataFactory metadata,
      Clock clock,
      Duration tickInterval,
      int partitions,
      TransitionListener listener,
      Quotas quotas,
      WarmPools pools,
      Duration terminalRetention,
      java.util.function.IntConsumer waitingGauge) {

    /** Parts without quotas. */
    public Parts(
        RunnerStateMachine machine,
        ActionDispatcher dispatcher,
        EventMetadataFactory metadata,
        Clock clock,
        Duration tickInterval,
        int partitions,
        TransitionListener listener) {
      this(
          machine,
          dispatcher,
          metadata,
          clock,
          tickInterval,
          partitions,
          listener,
          Quotas.UNLIMITED,
          WarmPools.NONE,
          Duration.ofHours(1),
          n -> {});
    }
  }

  /** The changelog topic Kafka Streams keeps the store in, for an application id. */
  public static String changelogTopic(String applicationId) {
    return applicationId + "-" + STORE + "-changelog";
  }

  public static Topology build(Parts parts) {
    StreamsBuilder builder = new StreamsBuilder();
    Serde<String> keys = Serdes.String();
    Serde<RunnerInput> inputs = AvroSerdes.of(RunnerInput.class);

    KStream<String, RunnerInput> admissions =
        builder.stream(
                Topics.RUNNER_ADMISSION.topicName(),
                Consumed.with(keys, AvroSerdes.of(AdmissionDecision.class))
                    .withName("admission-source"))
            .filter(
                (k, d) ->
                    d != null
                        && d.getDecision() == Decision.ADMIT
                        && d.getRunnerSpec() != null
                        && d.getJobId() > 0
                        && d.getRunAttempt() > 0,
                Named.as("admitted"))
            .map(
                (k, d) ->
                    KeyValue.pair(
                        RunnerNames.runnerId(d.getJobId(), d.getRunAttempt()),
                        RunnerInput.newBuilder().setPayload(d).build()),
                Named.as("admission-by-runner"));

    KStream<String, RunnerInput> jobs =
        builder.stream(
                Topics.WORKFLOW_JOB.topicName(),
                Consumed.with(keys, AvroSerdes.of(WorkflowJobEvent.class)).withName("job-source"))
            .flatMap(
                (k, e) -> {
                  String runnerId = runnerFor(e);
                  return runnerId == null
                      ? List.<KeyValue<String, RunnerInput>>of()
                      : List.of(
                          KeyValue.pair(runnerId, RunnerInput.newBuilder().setPayload(e).build()));
                },
                Named.as("job-by-runner"));

    if (!parts.quotas().unlimited() || !parts.pools().none()) {
      admissions = gate(builder, admissions, parts);
    }

    KStream<String, RunnerInput> rekeyed =
        admissions
            .merge(jobs, Named.as("rekeyed-inputs"))
            .repartition(
                Repartitioned.<String, RunnerInput>as("runner-input")
                    .withKeySerde(keys)
                    .withValueSerde(inputs)
                    .withNumberOfPartitions(parts.partitions()));

    KStream<String, RunnerInput> commands =
        builder.stream(
                Topics.RUNNER_COMMAND.topicName(),
                Consumed.with(keys, AvroSerdes.of(RunnerCommand.class)).withName("command-source"))
            .filter((k, c) -> k != null && c != null, Named.as("keyed-commands"))
            .mapValues(
                c -> RunnerInput.newBuilder().setPayload(c).build(), Named.as("command-input"));

    KStream<String, RunnerInput> feedback =
        builder.stream(
                Topics.RUNNER_PROVIDER_EVENT.topicName(),
                Consumed.with(keys, AvroSerdes.of(ProviderEvent.class)).withName("provider-source"))
            .filter((k, e) -> k != null && e != null, Named.as("keyed-provider-events"))
            .mapValues(
                e -> RunnerInput.newBuilder().setPayload(e).build(), Named.as("provider-input"));

    StoreBuilder<KeyValueStore<String, RunnerRecord>> store =
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(STORE), keys, AvroSerdes.of(RunnerRecord.class))
            .withLoggingEnabled(java.util.Map.of("cleanup.policy", "compact"))
            .withCachingDisabled();
    builder.addStateStore(store);

    rekeyed
        .merge(commands, Named.as("with-commands"))
        .merge(feedback, Named.as("all-inputs"))
        .process(
            () ->
                new RunnerProcessor(
                    STORE,
                    parts.machine(),
                    parts.dispatcher(),
                    parts.metadata(),
                    parts.clock(),
                    parts.tickInterval(),
                    parts.listener()),
            Named.as("runner-state-machine"),
            STORE)
        .split(Named.as("out-"))
        .branch(
            (k, v) -> v instanceof dev.runnerguard.schemas.avro.RunnerLifecycleEvent,
            org.apache.kafka.streams.kstream.Branched.withConsumer(
                s -> s.to(Topics.RUNNER_LIFECYCLE.topicName(), produced(LIFECYCLE_SINK)),
                "lifecycle"))
        .branch(
            (k, v) -> v instanceof dev.runnerguard.schemas.avro.Finding,
            org.apache.kafka.streams.kstream.Branched.withConsumer(
                s -> s.to(Topics.RUNNER_FINDING.topicName(), produced(FINDING_SINK)), "finding"))
        .branch(
            (k, v) -> v instanceof dev.runnerguard.schemas.avro.SecuritySignal,
            org.apache.kafka.streams.kstream.Branched.withConsumer(
                s -> s.to(Topics.RUNNER_SIGNAL.topicName(), produced(SIGNAL_SINK)), "signal"))
        .defaultBranch(
            org.apache.kafka.streams.kstream.Branched.withConsumer(
                s -> s.to(Topics.RUNNER_PROVIDER_EVENT.topicName(), produced(FEEDBACK_SINK)),
                "feedback"));
    return builder.build();
  }

  /**
   * Admissions pass a single-partition gate ({@link AdmissionGate}: quotas, warm pools) before they
   * reach the state machine; runner ends (terminal lifecycle transitions, read back from {@code
   * runner.lifecycle}) free their places.
   */
  private static KStream<String, RunnerInput> gate(
      StreamsBuilder builder, KStream<String, RunnerInput> admissions, Parts parts) {
    Serde<String> keys = Serdes.String();
    Serde<AdmissionDecision> decisions = AvroSerdes.of(AdmissionDecision.class);
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(AdmissionGate.ACTIVE), keys, decisions)
            .withCachingDisabled());
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(AdmissionGate.WAITING), keys, decisions)
            .withCachingDisabled());
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(AdmissionGate.DONE), keys, Serdes.Long())
            .withCachingDisabled());
    for (String name : java.util.List.of(AdmissionGate.POOL, AdmissionGate.CLASSES)) {
      builder.addStateStore(
          Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), keys, decisions)
              .withCachingDisabled());
    }
    KStream<String, RunnerInput> ends =
        builder.stream(
                Topics.RUNNER_LIFECYCLE.topicName(),
                Consumed.with(keys, AvroSerdes.of(RunnerLifecycleEvent.class))
                    .withName("lifecycle-source"))
            .filter(
                (k, e) ->
                    e != null
                        && RunnerNames.isPlatformName(e.getRunnerId())
                        && e.getState() != e.getPreviousState()
                        && (e.getState() == RunnerState.DESTROYED
                            || e.getState() == RunnerState.FAILED
                            || e.getState() == RunnerState.LOST
                            || (e.getState() == RunnerState.BUSY
                                && RunnerNames.isPoolRunner(e.getRunnerId()))),
                Named.as("runner-starts-and-ends"))
            .map(
                (k, e) ->
                    KeyValue.pair(
                        "gate",
                        RunnerInput.newBuilder()
                            .setPayload(
                                ProviderEvent.newBuilder()
                                    .setMetadata(parts.metadata().create())
                                    .setRunnerId(e.getRunnerId())
                                    .setKind(
                                        e.getState() == RunnerState.BUSY
                                            ? ProviderEventKind.JOB_TAKEN
                                            : ProviderEventKind.DESTROYED)
                                    .setDetail(e.getState().name())
                                    .setProvider(e.getProvider())
                                    .build())
                            .build()),
                Named.as("start-end-to-gate"));
    return admissions
        .map((k, v) -> KeyValue.pair("gate", v), Named.as("admission-to-gate"))
        .merge(ends, Named.as("gate-inputs"))
        .repartition(
            Repartitioned.<String, RunnerInput>as("gate-input")
                .withKeySerde(keys)
                .withValueSerde(AvroSerdes.of(RunnerInput.class))
                .withNumberOfPartitions(1))
        .process(
            () ->
                new AdmissionGate(
                    parts.quotas(),
                    parts.pools(),
                    parts.clock(),
                    parts.terminalRetention(),
                    parts.waitingGauge()),
            Named.as("admission-gate"),
            AdmissionGate.ACTIVE,
            AdmissionGate.WAITING,
            AdmissionGate.DONE,
            AdmissionGate.POOL,
            AdmissionGate.CLASSES);
  }

  private static Produced<String, SpecificRecord> produced(String name) {
    org.apache.kafka.common.serialization.Deserializer<SpecificRecord> unused =
        (topic, bytes) -> {
          throw new UnsupportedOperationException("output-only serde");
        };
    return Produced.with(Serdes.String(), Serdes.serdeFrom(AvroSerdes.anyRecord(), unused))
        .withName(name);
  }

  /**
   * The runner a workflow_job event concerns: the runner named by in_progress/completed when it is
   * one of the platform's; for a completed without a runner (cancelled while queued), the runner
   * provisioned for the job. Other events (queued, waiting, foreign runners) concern no runner.
   */
  static String runnerFor(WorkflowJobEvent e) {
    if (e == null) {
      return null;
    }
    String action = e.getAction();
    if (!"in_progress".equals(action) && !"completed".equals(action)) {
      return null;
    }
    if (RunnerNames.isPlatformName(e.getRunnerName())) {
      return e.getRunnerName();
    }
    if ("completed".equals(action)
        && (e.getRunnerName() == null || e.getRunnerName().isEmpty())
        && e.getJobId() > 0
        && e.getRunAttempt() > 0) {
      return RunnerNames.runnerId(e.getJobId(), e.getRunAttempt());
    }
    return null;
  }
}
