package dev.runnerguard.orchestrator.stream;

import dev.runnerguard.orchestrator.state.Quotas;
import dev.runnerguard.orchestrator.state.RunnerNames;
import dev.runnerguard.orchestrator.state.WarmPools;
import dev.runnerguard.schemas.avro.AdmissionDecision;
import dev.runnerguard.schemas.avro.ProviderEvent;
import dev.runnerguard.schemas.avro.ProviderEventKind;
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
 * The admission gate, on a single-partition topic so it sees every admission and every runner's
 * start and end in order. Two class-level concerns live here:
 *
 * <ul>
 *   <li><b>Quotas:</b> an admission that fits passes on (keyed by runner id) to the state machine;
 *       one that does not waits in {@code gate-waiting} (ordered by arrival) until a runner ends.
 *       Live runners are in {@code gate-active}; ended ones in {@code gate-done} for the terminal
 *       retention, so a redelivered admission of a finished job is not counted again.
 *   <li><b>Warm pools:</b> per runner class, {@code min-idle} runners {@code rg-0-<seq>} are kept
 *       provisioned for no job ({@code gate-pool}: the idle ones). A job of a class with an idle
 *       pool runner gets no runner of its own (GitHub routes it to the idle one) and the pool is
 *       refilled; a pool runner that GitHub gave a job (its BUSY transition) leaves the pool and is
 *       replaced. The class's spec is the last admission of that class ({@code gate-classes}).
 * </ul>
 */
final class AdmissionGate implements Processor<String, RunnerInput, String, RunnerInput> {
  private static final Logger LOG = Logger.getLogger(AdmissionGate.class);
  static final String ACTIVE = "gate-active";
  static final String WAITING = "gate-waiting";
  static final String DONE = "gate-done";
  static final String POOL = "gate-pool";
  static final String CLASSES = "gate-classes";

  private final Quotas quotas;
  private final WarmPools pools;
  private final Clock clock;
  private final Duration retention;
  private final IntConsumer waitingGauge;
  private ProcessorContext<String, RunnerInput> context;
  private KeyValueStore<String, AdmissionDecision> active;
  private KeyValueStore<String, AdmissionDecision> waiting;
  private KeyValueStore<String, Long> done;
  private KeyValueStore<String, AdmissionDecision> pool;
  private KeyValueStore<String, AdmissionDecision> classes;
  private int live;
  private int waitingCount;
  private long sequence;
  private long poolSequence;
  private final Map<String, Integer> perOrg = new HashMap<>();
  private final Map<String, Integer> perLabels = new HashMap<>();

  AdmissionGate(
      Quotas quotas, WarmPools pools, Clock clock, Duration retention, IntConsumer waitingGauge) {
    this.quotas = quotas;
    this.pools = pools;
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
    this.pool = context.getStateStore(POOL);
    this.classes = context.getStateStore(CLASSES);
    try (KeyValueIterator<String, AdmissionDecision> it = active.all()) {
      while (it.hasNext()) {
        KeyValue<String, AdmissionDecision> kv = it.next();
        count(kv.value, +1);
        if (RunnerNames.isPoolRunner(kv.key)) {
          poolSequence = Math.max(poolSequence, kv.value.getRunAttempt());
        }
      }
    }
    try (KeyValueIterator<String, Long> it = done.all()) {
      while (it.hasNext()) {
        String id = it.next().key;
        if (RunnerNames.isPoolRunner(id)) {
          poolSequence = Math.max(poolSequence, Long.parseLong(id.substring(5)));
        }
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
      ProviderEvent e = (ProviderEvent) payload;
      if (e.getKind() == ProviderEventKind.JOB_TAKEN) {
        poolRunnerTookAJob(e.getRunnerId(), record);
      } else {
        ended(e.getRunnerId(), "FAILED".equals(e.getDetail()), record);
      }
    }
  }

  // ---------------------------------------------------------------- admissions

  private void admit(AdmissionDecision d, Record<String, RunnerInput> record) {
    String runnerId = RunnerNames.runnerId(d.getJobId(), d.getRunAttempt());
    if (active.get(runnerId) != null || done.get(runnerId) != null || isWaiting(runnerId)) {
      return; // a redelivered admission
    }
    String runnerClass = d.getRunnerSpec().getRunnerClass();
    if (pools.minIdle(runnerClass) > 0) {
      classes.put(runnerClass, d);
      String idle = idlePoolRunner(runnerClass);
      if (idle != null) {
        // GitHub will route the job to the idle runner of its class: no runner of its own.
        pool.delete(idle);
        done.put(runnerId, clock.millis());
        LOG.infof(
            "[runner=%s job=%s] served by warm runner %s of class %s",
            runnerId, d.getJobId(), idle, runnerClass);
        refill(runnerClass, record);
        return;
      }
    }
    if (waitingCount == 0 && quotas.fits(d, live, perOrg, perLabels)) {
      pass(runnerId, d, record);
    } else {
      String key = String.format("%019d|%s", sequence++, runnerId);
      waiting.put(key, d);
      waitingCount++;
      waitingGauge.accept(waitingCount);
      LOG.infof(
          "[runner=%s job=%s] waits for a quota: %d live, %d waiting",
          runnerId, d.getJobId(), live, waitingCount);
      release(record);
    }
    refill(runnerClass, record);
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

  // ---------------------------------------------------------------- runner starts and ends

  private void poolRunnerTookAJob(String runnerId, Record<String, RunnerInput> record) {
    AdmissionDecision d = pool.get(runnerId);
    if (d == null) {
      return;
    }
    pool.delete(runnerId);
    refill(d.getRunnerSpec().getRunnerClass(), record);
  }

  private void ended(String runnerId, boolean failed, Record<String, RunnerInput> record) {
    AdmissionDecision d = active.get(runnerId);
    if (d == null) {
      return;
    }
    active.delete(runnerId);
    count(d, -1);
    done.put(runnerId, clock.millis());
    boolean idlePoolRunner = pool.get(runnerId) != null;
    if (idlePoolRunner) {
      pool.delete(runnerId);
    }
    release(record);
    if (idlePoolRunner && !failed) {
      // A pool runner that failed to provision is replaced on the class's next admission, not in a
      // loop here.
      refill(d.getRunnerSpec().getRunnerClass(), record);
    }
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

  // ---------------------------------------------------------------- warm pools

  private String idlePoolRunner(String runnerClass) {
    try (KeyValueIterator<String, AdmissionDecision> it = pool.all()) {
      while (it.hasNext()) {
        KeyValue<String, AdmissionDecision> kv = it.next();
        if (runnerClass.equals(kv.value.getRunnerSpec().getRunnerClass())) {
          return kv.key;
        }
      }
    }
    return null;
  }

  private int idleCount(String runnerClass) {
    int n = 0;
    try (KeyValueIterator<String, AdmissionDecision> it = pool.all()) {
      while (it.hasNext()) {
        if (runnerClass.equals(it.next().value.getRunnerSpec().getRunnerClass())) {
          n++;
        }
      }
    }
    return n;
  }

  /** Provisions pool runners until the class has its minimum of idle ones (within the quotas). */
  private void refill(String runnerClass, Record<String, RunnerInput> record) {
    int want = pools.minIdle(runnerClass);
    AdmissionDecision template = classes.get(runnerClass);
    if (want <= 0 || template == null) {
      return;
    }
    int idle = idleCount(runnerClass);
    while (idle < want && waitingCount == 0 && quotas.fits(template, live, perOrg, perLabels)) {
      long seq = ++poolSequence;
      String id = RunnerNames.poolRunnerId(seq);
      AdmissionDecision d = new AdmissionDecision();
      for (int i = 0; i < AdmissionDecision.getClassSchema().getFields().size(); i++) {
        d.put(i, template.get(i));
      }
      d.setJobId(0L);
      d.setRunAttempt((int) seq);
      d.setReason("warm pool of class " + runnerClass);
      pool.put(id, d);
      pass(id, d, record);
      idle++;
      LOG.infof("[runner=%s] warm pool runner for class %s (%d idle)", id, runnerClass, idle);
    }
  }

  // ---------------------------------------------------------------- helpers

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
