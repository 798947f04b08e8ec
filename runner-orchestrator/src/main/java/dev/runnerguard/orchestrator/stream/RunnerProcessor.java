package dev.runnerguard.orchestrator.stream;

import dev.runnerguard.orchestrator.state.Action;
import dev.runnerguard.orchestrator.state.Change;
import dev.runnerguard.orchestrator.state.Emission;
import dev.runnerguard.orchestrator.state.Result;
import dev.runnerguard.orchestrator.state.RunnerStateMachine;
import dev.runnerguard.schemas.avro.EventMetadata;
import dev.runnerguard.schemas.avro.Finding;
import dev.runnerguard.schemas.avro.FindingAction;
import dev.runnerguard.schemas.avro.ProviderEvent;
import dev.runnerguard.schemas.avro.ProviderEventKind;
import dev.runnerguard.schemas.avro.RunnerInput;
import dev.runnerguard.schemas.avro.RunnerLifecycleEvent;
import dev.runnerguard.schemas.avro.RunnerRecord;
import dev.runnerguard.schemas.avro.SecuritySignal;
import dev.runnerguard.schemas.avro.Severity;
import dev.runnerguard.schemas.avro.SignalSource;
import dev.runnerguard.schemas.serde.EventMetadataFactory;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.jboss.logging.Logger;

/**
 * Applies each input to the runner's record in the state store, then publishes the transitions on
 * {@code runner.lifecycle}, the emissions on their topics, and hands the actions to the dispatcher.
 * A wall-clock punctuator ticks every runner (retries, timeouts, max duration, clean-up).
 *
 * <p>Every log line carries the runner id and, where known, the job id (the reconciliation
 * context).
 */
final class RunnerProcessor implements Processor<String, RunnerInput, String, SpecificRecord> {
  private static final Logger LOG = Logger.getLogger(RunnerProcessor.class);

  private final String storeName;
  private final RunnerStateMachine machine;
  private final ActionDispatcher dispatcher;
  private final EventMetadataFactory metadata;
  private final Clock clock;
  private final Duration tickInterval;
  private final TransitionListener listener;
  private ProcessorContext<String, SpecificRecord> context;
  private KeyValueStore<String, RunnerRecord> store;

  RunnerProcessor(
      String storeName,
      RunnerStateMachine machine,
      ActionDispatcher dispatcher,
      EventMetadataFactory metadata,
      Clock clock,
      Duration tickInterval,
      TransitionListener listener) {
    this.storeName = storeName;
    this.machine = machine;
    this.dispatcher = dispatcher;
    this.metadata = metadata;
    this.clock = clock;
    this.tickInterval = tickInterval;
    this.listener = listener;
  }

  /**
   * When each runner of this task is next due (its {@code nextCheckAt}), so a tick reads only the
   * due records instead of decoding the whole store every interval. Rebuilt from the store when the
   * task starts (after restore), kept in step with every write.
   */
  private final Map<String, Long> due = new HashMap<>();

  @Override
  public void init(ProcessorContext<String, SpecificRecord> context) {
    this.context = context;
    this.store = context.getStateStore(storeName);
    try (KeyValueIterator<String, RunnerRecord> it = store.all()) {
      while (it.hasNext()) {
        KeyValue<String, RunnerRecord> kv = it.next();
        if (kv.value.getNextCheckAt() != null) {
          due.put(kv.key, kv.value.getNextCheckAt());
        }
      }
    }
    context.schedule(tickInterval, PunctuationType.WALL_CLOCK_TIME, this::tick);
  }

  @Override
  public void process(Record<String, RunnerInput> record) {
    String runnerId = record.key();
    if (runnerId == null || record.value() == null) {
      return;
    }
    RunnerRecord current = store.get(runnerId);
    Result result = machine.apply(current, record.value(), clock.millis());
    apply(runnerId, result, describe(record.value()));
  }

  private void tick(long wallClock) {
    long now = clock.millis();
    List<String> ready = new ArrayList<>();
    due.forEach(
        (id, at) -> {
          if (at <= now) {
            ready.add(id);
          }
        });
    for (String id : ready) {
      RunnerRecord r = store.get(id);
      if (r == null) {
        due.remove(id);
      } else {
        apply(id, machine.tick(r, now), "tick");
      }
    }
  }

  private void apply(String runnerId, Result result, String input) {
    if (result.delete()) {
      due.remove(runnerId);
      if (store.get(runnerId) != null) {
        store.delete(runnerId);
        LOG.debugf("[runner=%s] removed from the store", runnerId);
      }
    } else if (result.changed() && result.record() != null) {
      store.put(runnerId, result.record());
      if (result.record().getNextCheckAt() == null) {
        due.remove(runnerId);
      } else {
        due.put(runnerId, result.record().getNextCheckAt());
      }
    } else if (result.ignoredBecause() != null) {
      LOG.debugf("[runner=%s] %s ignored: %s", runnerId, input, result.ignoredBecause());
    }
    RunnerRecord r = result.record();
    long now = clock.millis();
    for (Change change : result.changes()) {
      RunnerLifecycleEvent event = lifecycle(r, change);
      context.forward(new Record<>(runnerId, event, now));
      listener.transitioned(r, change);
      LOG.infof(
          "[runner=%s job=%s] %s -> %s: %s",
          runnerId,
          r.getJobId() != null ? r.getJobId() : r.getRequestedForJobId(),
          change.from(),
          change.to(),
          change.reason());
    }
    for (Emission emission : result.emissions()) {
      emit(emission, r, now);
    }
    for (Action action : result.actions()) {
      dispatcher.dispatch(action);
    }
  }

  private RunnerLifecycleEvent lifecycle(RunnerRecord r, Change change) {
    EventMetadata md =
        metadata.create(
            EventMetadataFactory.correlation(
                null,
                r.getJobId() != null ? r.getJobId() : r.getRequestedForJobId(),
                r.getRunId(),
                r.getRunnerId()));
    Map<String, String> attributes = new HashMap<>(change.attributes());
    attributes.putIfAbsent("repository", r.getRepositoryFullName());
    attributes.putIfAbsent("requestedForJob", Long.toString(r.getRequestedForJobId()));
    if (r.getOrganization() != null) {
      attributes.putIfAbsent("org", r.getOrganization());
    }
    return RunnerLifecycleEvent.newBuilder()
        .setMetadata(md)
        .setRunnerId(r.getRunnerId())
        .setRunnerName(r.getRunnerId())
        .setState(change.to())
        .setPreviousState(change.from())
        .setJobId(r.getJobId() != null ? r.getJobId() : r.getRequestedForJobId())
        .setRunnerClass(r.getRunnerClass())
        .setProvider(r.getProvider())
        .setPolicyVersion(r.getPolicyVersion())
        .setReason(change.reason())
        .setDurations(new HashMap<>(change.durations()))
        .setAttributes(attributes)
        .build();
  }

  private void emit(Emission emission, RunnerRecord r, long now) {
    if (emission instanceof Emission.JobTaken) {
      Emission.JobTaken t = (Emission.JobTaken) emission;
      ProviderEvent e =
          ProviderEvent.newBuilder()
              .setMetadata(
                  metadata.create(
                      EventMetadataFactory.correlation(null, t.jobId(), null, t.targetRunnerId())))
              .setRunnerId(t.targetRunnerId())
              .setKind(ProviderEventKind.JOB_TAKEN)
              .setProvider(r.getProvider())
              .setJobId(t.jobId())
              .setAttributes(
                  new HashMap<>(Map.of("takenBy", t.takenBy(), "takenByClass", t.takenByClass())))
              .build();
      context.forward(new Record<>(t.targetRunnerId(), e, now));
    } else if (emission instanceof Emission.RaiseFinding) {
      Emission.RaiseFinding f = (Emission.RaiseFinding) emission;
      String findingId =
          UUID.nameUUIDFromBytes(
                  (f.ruleId() + "|" + f.runnerId() + "|" + f.jobId())
                      .getBytes(StandardCharsets.UTF_8))
              .toString();
      Finding finding =
          Finding.newBuilder()
              .setMetadata(
                  metadata.create(
                      EventMetadataFactory.correlation(null, f.jobId(), null, f.runnerId())))
              .setFindingId(findingId)
              .setRuleId(f.ruleId())
              .setTitle(f.title())
              .setDescription(f.description())
              .setSeverity(Severity.HIGH)
              .setRunnerId(f.runnerId())
              .setJobId(f.jobId())
              .setRepositoryFullName(f.repository())
              .setAction(FindingAction.ALERT)
              .setPolicyVersion(r.getPolicyVersion())
              .setAttributes(new HashMap<>(f.attributes()))
              .build();
      context.forward(new Record<>(f.runnerId(), finding, now));
      LOG.warnf(
          "[runner=%s job=%s] finding %s: %s",
          f.runnerId(), f.jobId(), f.ruleId(), f.description());
    } else if (emission instanceof Emission.RaiseSignal) {
      Emission.RaiseSignal s = (Emission.RaiseSignal) emission;
      SecuritySignal signal =
          SecuritySignal.newBuilder()
              .setMetadata(
                  metadata.create(
                      EventMetadataFactory.correlation(
                          null, r.getJobId(), r.getRunId(), s.runnerId())))
              .setSignalId(s.kind() + ":" + s.runnerId())
              .setSource(SignalSource.ORCHESTRATOR)
              .setKind(s.kind())
              .setObservedAt(Instant.ofEpochMilli(now))
              .setRunnerId(s.runnerId())
              .setSeverity(Severity.MEDIUM)
              .setAttributes(new HashMap<>(s.attributes()))
              .build();
      context.forward(new Record<>(s.runnerId(), signal, now));
    }
  }

  private static String describe(RunnerInput input) {
    Object p = input.getPayload();
    if (p instanceof dev.runnerguard.schemas.avro.WorkflowJobEvent) {
      return "workflow_job " + ((dev.runnerguard.schemas.avro.WorkflowJobEvent) p).getAction();
    } else if (p instanceof ProviderEvent) {
      return "provider " + ((ProviderEvent) p).getKind();
    } else if (p instanceof dev.runnerguard.schemas.avro.RunnerCommand) {
      return "command " + ((dev.runnerguard.schemas.avro.RunnerCommand) p).getCommand();
    }
    return "admission";
  }
}
