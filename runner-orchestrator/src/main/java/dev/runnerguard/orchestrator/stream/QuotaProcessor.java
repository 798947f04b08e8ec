package dev.runnerguard.orchestrator.stream;

import dev.runnerguard.orchestrator.state.Quotas;
import dev.runnerguard.orchestrator.state.RunnerNames;
import dev.runnerguard.schemas.avro.AdmissionDecision;
import dev.runnerguard.schemas.avro.ProviderEvent;
import dev.runnerguard.schemas.avro.RunnerInput;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.jboss.logging.Logger;

/**
 * The quota gate, on a single-partition topic so it sees every admission and every runner end in
 * order: an admission that fits the quotas passes on (keyed by runner id) to the state machine; one
 * that does not waits in the {@code quota-waiting} store (ordered by arrival) until a runner ends.
 * Live runners are in {@code quota-active}; ended ones in {@code quota-done} for the terminal
 * retention, so a redelivered admission of a finished job is not counted again.
 */
final class QuotaProcessor implements Processor<String, RunnerInput, String, RunnerInput> {
  private static final Logger LOG = Logger.getLogger(QuotaProcessor.class);
  static final String ACTIVE = "quota-active";
  static final String WAITING = "quota-waiting";
  static final String DONE = "quota-done";

  private final Quotas quotas;
  private final Clock clock;
  private final Duration retention;
  private final IntConsumer waitingGauge;
  private ProcessorContext<String, RunnerInput> context;
  private KeyValueStore<String, AdmissionDecision> active;
  private KeyValueStore<String, AdmissionDecision> waiting;
  private KeyValueStore<String, Long> done;
  private int live;
  private int waitingCount;
  private long sequence;
  private final Map<String, Integer> perOrg = new HashMap<>();
  private final Map<String, Integer> perLabels = new HashMap<>();

  QuotaProcessor(Quotas quotas, Clock clock, Duration retention, IntConsumer waitingGauge) {
    this.quotas = quotas;
    this.clock = clock;
    this.retention = retention;
    this.waitingGauge = waitingGauge;
  }

  @Override
  public void init(ProcessorContext<String, RunnerInput> context) {
    this.context = context;
    this.active = context.getStateStore(ACTIVE);
    this.waiting = context.getStateStore(WAITING);
    this.done = context.getStateStore(DONE);
    try (KeyValueIterator<String, AdmissionDecision> it = active.all()) {
      while (it.hasNext()) {
        count(it.next().value, +1);
      }
    }
    try (KeyValueIterator<String, AdmissionDecision> it = waiting.all()) {
      while (it.hasNext()) {
        KeyValue<String, AdmissionDecision> kv = it.next();
        waitingCount++;
        sequence = Math.max(sequence, Long.parseLong(kv.key.substring(0, 19)) + 1);
      }
    }
    waitingGauge.accept(waitingCount);
    context.schedule(Duration.ofMinutes(1), PunctuationType.WALL_CLOCK_TIME, t -> expireDone());
  }

  @Override
  public void process(Record<String, RunnerInput> record) {
    Object payload = record.value() == null ? null : record.value().getPayload();
    if (payload instanceof AdmissionDecision) {
      admit((AdmissionDecision) payload, record);
    } else if (payload instanceof ProviderEvent) {
      ended(((ProviderEvent) payload).getRunnerId(), record);
    }
  }

  private void admit(AdmissionDecision d, Record<String, RunnerInput> record) {
    String runnerId = RunnerNames.runnerId(d.getJobId(), d.getRunAttempt());
    if (active.get(runnerId) != null || done.get(runnerId) != null || isWaiting(runnerId)) {
      return; // a redelivered admission
    }
    if (waitingCount == 0 && quotas.fits(d, live, perOrg, perLabels)) {
      pass(runnerId, d, record);
      return;
    }
    String key = String.format("%019d|%s", sequence++, runnerId);
    waiting.put(key, d);
    waitingCount++;
    waitingGauge.accept(waitingCount);
    LOG.infof(
        "[runner=%s job=%s] waits for a quota: %d live, %d waiting",
        runnerId, d.getJobId(), live, waitingCount);
    // Jobs of other orgs or label sets behind it may still fit.
    release(record);
  }

  private boolean isWaiting(String runnerId) {
    if (waitingCount == 0) {
      return false;
    }
    try (KeyValueIterator<String, AdmissionDecision> it = waiting.all()) {
      while (it.hasNext()) {
        if (it.next().key.endsWith("|" + runnerId)) {
          return true;
        }
      }
    }
    return false;
  }

  private void ended(String runnerId, Record<String, RunnerInput> record) {
    AdmissionDecision d = active.get(runnerId);
    if (d == null) {
      return;
    }
    active.delete(runnerId);
    count(d, -1);
    done.put(runnerId, clock.millis());
    release(record);
  }

  /** Passes every waiting admission that now fits, in arrival order. */
  private void release(Record<String, RunnerInput> record) {
    if (waitingCount == 0) {
      return;
    }
    List<KeyValue<String, AdmissionDecision>> fit = new ArrayList<>();
    try (KeyValueIterator<String, AdmissionDecision> it = waiting.all()) {
      while (it.hasNext()) {
        KeyValue<String, AdmissionDecision> kv = it.next();
        if (quotas.fits(
            kv.value, live + fit.size(), plus(perOrg, fit, true), plus(perLabels, fit, false))) {
          fit.add(kv);
        }
      }
    }
    for (KeyValue<String, AdmissionDecision> kv : fit) {
      waiting.delete(kv.key);
      waitingCount--;
      pass(kv.key.substring(20), kv.value, record);
    }
    waitingGauge.accept(waitingCount);
  }

  private static Map<String, Integer> plus(
      Map<String, Integer> counts, List<KeyValue<String, AdmissionDecision>> more, boolean org) {
    if (more.isEmpty()) {
      return counts;
    }
    Map<String, Integer> m = new HashMap<>(counts);
    for (KeyValue<String, AdmissionDecision> kv : more) {
      m.merge(org ? Quotas.org(kv.value) : Quotas.labelSet(kv.value), 1, Integer::sum);
    }
    return m;
  }

  private void pass(String runnerId, AdmissionDecision d, Record<String, RunnerInput> record) {
    active.put(runnerId, d);
    count(d, +1);
    context.forward(
        new Record<>(runnerId, RunnerInput.newBuilder().setPayload(d).build(), record.timestamp()));
  }

  private void count(AdmissionDecision d, int delta) {
    live += delta;
    perOrg.merge(Quotas.org(d), delta, Integer::sum);
    perLabels.merge(Quotas.labelSet(d), delta, Integer::sum);
  }

  private void expireDone() {
    long cutoff = clock.millis() - retention.toMillis();
    List<String> old = new ArrayList<>();
    try (KeyValueIterator<String, Long> it = done.all()) {
      while (it.hasNext()) {
        KeyValue<String, Long> kv = it.next();
        if (kv.value < cutoff) {
          old.add(kv.key);
        }
      }
    }
    old.forEach(done::delete);
  }
}
