package dev.runnerguard.policy.detection.kafka;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runnerguard.policy.admission.PolicySet;
import dev.runnerguard.policy.config.PolicyConfig;
import dev.runnerguard.policy.detection.Detection;
import dev.runnerguard.policy.detection.DetectionEngine;
import dev.runnerguard.policy.detection.DetectionState;
import dev.runnerguard.policy.detection.FindingFactory;
import dev.runnerguard.policy.detection.RunnerState;
import dev.runnerguard.policy.detection.falco.FalcoEvent;
import dev.runnerguard.policy.detection.falco.FalcoMapper;
import dev.runnerguard.policy.detection.rules.DetectionConfig;
import dev.runnerguard.policy.reload.PolicyService;
import dev.runnerguard.schemas.avro.Finding;
import dev.runnerguard.schemas.avro.RunnerLifecycleEvent;
import dev.runnerguard.schemas.avro.SecuritySignal;
import dev.runnerguard.schemas.avro.TraceContext;
import dev.runnerguard.schemas.avro.WorkflowJobEvent;
import dev.runnerguard.schemas.kafka.TopicFollower;
import dev.runnerguard.schemas.serde.EventCodec;
import dev.runnerguard.schemas.serde.EventMetadataFactory;
import dev.runnerguard.schemas.serde.UndecodableRecordException;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Detection: feeds decoded inputs to the {@link DetectionEngine} under one lock, produces what
 * fired (command first, then finding, then the changed runner states) and only then returns, so the
 * input offset is committed after the output is durable.
 *
 * <p><b>State in Kafka.</b> Runner states are snapshots on a compacted topic ({@code
 * runnerguard.policy.detection.state-topic}, key runner id, JSON), created on start when missing.
 * On start a {@link TopicFollower} reads it from the beginning into memory, and a second one reads
 * {@code runner.finding} into the set of emitted finding ids; inputs wait until both caught up.
 * After catching up, state records written by other instances (header {@code rg-instance}) are
 * still applied; our own are not (memory is newer).
 *
 * <p><b>Idempotence.</b> Finding ids are sha256(rule, runner, triggering input id); command ids
 * derive from the finding id. A redelivered input is recognised by its id in the runner's state,
 * and a finding id already emitted (state or findings topic) is never produced again. Crash window:
 * a command acknowledged but its finding not yet, redelivered, is sent again with the same command
 * id (the orchestrator dedupes on it); never the other way round.
 */
@ApplicationScoped
public class DetectionService {
  private static final Logger LOG = Logger.getLogger(DetectionService.class);
  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private final PolicyService policies;
  private final DetectionPublisher publisher;
  private final PolicyConfig config;
  private final MeterRegistry registry;
  private final String bootstrapServers;
  private final FindingFactory factory;
  private final Clock clock = Clock.systemUTC();
  private final EventMetadataFactory falcoMetadata =
      new EventMetadataFactory("falcosidekick", "n/a");
  private final String instance = UUID.randomUUID().toString();
  private final Object lock = new Object();
  private final DetectionState state = new DetectionState();
  private final Set<String> emittedFindings = ConcurrentHashMap.newKeySet();
  private final DetectionEngine engine = new DetectionEngine(state, emittedFindings::contains);
  private final EventCodec<Finding> findingCodec = EventCodec.of(Finding.class);
  private TopicFollower stateFollower;
  private TopicFollower findingFollower;
  private ScheduledExecutorService ticker;
  private volatile boolean warnedNoPolicy;

  public DetectionService(
      PolicyService policies,
      DetectionPublisher publisher,
      PolicyConfig config,
      MeterRegistry registry,
      @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
      @ConfigProperty(name = "quarkus.application.name") String service,
      @ConfigProperty(name = "quarkus.application.version", defaultValue = "dev") String version) {
    this.policies = policies;
    this.publisher = publisher;
    this.config = config;
    this.registry = registry;
    this.bootstrapServers = bootstrapServers;
    this.factory = new FindingFactory(new EventMetadataFactory(service, version));
  }

  void onStart(@Observes StartupEvent ignored) {
    PolicyConfig.Detection d = config.detection();
    createStateTopic(d);
    stateFollower =
        new TopicFollower(
            "detection-state",
            consumer("policy-detection-state"),
            d.stateTopic(),
            this::restore,
            () -> {});
    findingFollower =
        new TopicFollower(
            "detection-findings",
            consumer("policy-detection-findings"),
            d.findingTopic(),
            this::rememberFinding,
            () -> {});
    stateFollower.start();
    findingFollower.start();
    Gauge.builder("runnerguard.policy.detection.runners", state, s -> s.size())
        .description("runners whose detection state is kept")
        .register(registry);
    long every = Math.max(50, d.tickInterval().toMillis());
    ticker =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "detection-tick");
              t.setDaemon(true);
              return t;
            });
    ticker.scheduleWithFixedDelay(this::tickQuietly, every, every, TimeUnit.MILLISECONDS);
  }

  void onStop(@Observes ShutdownEvent ignored) throws InterruptedException {
    if (ticker != null) {
      ticker.shutdownNow();
    }
    if (stateFollower != null) {
      stateFollower.close();
    }
    if (findingFollower != null) {
      findingFollower.close();
    }
  }

  /** True once the state topic and the findings topic have been read up to their end at start. */
  public boolean caughtUp() {
    return stateFollower != null
        && stateFollower.caughtUp()
        && findingFollower != null
        && findingFollower.caughtUp();
  }

  /** Why a follower stopped, if one did. */
  public Optional<String> failure() {
    if (stateFollower != null && stateFollower.failure() != null) {
      return Optional.of(stateFollower.failure());
    }
    if (findingFollower != null && findingFollower.failure() != null) {
      return Optional.of(findingFollower.failure());
    }
    return Optional.empty();
  }

  /** Number of runners with state. */
  public int runners() {
    synchronized (lock) {
      return state.size();
    }
  }

  // ------------------------------------------------------------------ inputs

  /** A security signal from {@code runner.signal}. */
  public List<Detection> onSignal(SecuritySignal s) {
    awaitCaughtUp();
    synchronized (lock) {
      Active a = active();
      return publish(a, engine.onSignal(a.config, s, clock.millis()), s.getMetadata().getTrace());
    }
  }

  /** A falcosidekick event from {@code falco.events}, already parsed. */
  public List<Detection> onFalco(FalcoEvent e) {
    awaitCaughtUp();
    synchronized (lock) {
      Active a = active();
      SecuritySignal s = FalcoMapper.toSignal(a.config, e, falcoMetadata.create());
      if (s.getRunnerId() == null) {
        registry.counter("runnerguard.policy.detection.falco.unmapped").increment();
        LOG.debugf("Falco event %s (%s) maps to no runner", e.uuid(), e.rule());
      }
      return publish(a, engine.onSignal(a.config, s, clock.millis()), s.getMetadata().getTrace());
    }
  }

  /** A workflow_job webhook from {@code github.workflow-job}. */
  public List<Detection> onWorkflowJob(WorkflowJobEvent e) {
    awaitCaughtUp();
    synchronized (lock) {
      Active a = active();
      return publish(
          a, engine.onWorkflowJob(a.config, e, clock.millis()), e.getMetadata().getTrace());
    }
  }

  /** A runner lifecycle event from {@code runner.lifecycle}. */
  public List<Detection> onLifecycle(RunnerLifecycleEvent e) {
    awaitCaughtUp();
    synchronized (lock) {
      Active a = active();
      return publish(
          a, engine.onLifecycle(a.config, e, clock.millis()), e.getMetadata().getTrace());
    }
  }

  /** Runs the time-based rules now (what the ticker does). */
  public List<Detection> tick() {
    if (!caughtUp()) {
      return List.of();
    }
    synchronized (lock) {
      Active a = active();
      return publish(
          a,
          engine.tick(a.config, clock.millis(), config.detection().stateRetention().toMillis()),
          null);
    }
  }

  private void tickQuietly() {
    try {
      tick();
    } catch (RuntimeException e) {
      LOG.errorf("detection tick failed (retried at the next tick): %s", e.toString());
    }
  }

  // ------------------------------------------------------------------ output

  private record Active(DetectionConfig config, String version) {}

  private Active active() {
    Optional<PolicySet> set = policies.active();
    if (set.isPresent()) {
      return new Active(set.get().detection(), set.get().version());
    }
    if (!warnedNoPolicy) {
      warnedNoPolicy = true;
      LOG.warnf(
          "no valid policy loaded: detection uses the built-in rule defaults (%s)",
          policies.lastProblem().orElse("no detail"));
    }
    return new Active(DetectionConfig.defaults(), "built-in");
  }

  private List<Detection> publish(Active a, List<Detection> detections, TraceContext trace) {
    Duration timeout = config.detection().sendTimeout();
    long now = clock.millis();
    for (Detection d : detections) {
      var command = d.quarantine() ? factory.command(d, trace) : null;
      Finding f = factory.finding(d, a.version(), trace);
      // the command first (the signal-to-command path), acknowledged before the finding: a
      // finding on the topic is never without its command, so reading the findings back for
      // dedupe can never suppress a command that was not sent
      if (command != null) {
        retry("command " + command.getCommandId(), () -> publisher.command(command, timeout));
        registry
            .counter("runnerguard.policy.detection.commands", "rule", d.rule().id())
            .increment();
      }
      retry("finding " + f.getFindingId(), () -> publisher.finding(f, timeout));
      emittedFindings.add(d.findingId());
      engine.emitted(d, now);
      registry
          .counter(
              "runnerguard.policy.detection.findings",
              "rule",
              d.rule().id(),
              "action",
              f.getAction().name(),
              "audit",
              Boolean.toString(d.rule().audit()))
          .increment();
      LOG.infof(
          "finding %s rule=%s runner=%s severity=%s action=%s audit=%s command=%s: %s",
          d.findingId(),
          d.rule().id(),
          d.runnerId(),
          d.rule().severity(),
          f.getAction(),
          d.rule().audit(),
          d.quarantine(),
          d.summary());
    }
    flushState(timeout);
    return detections;
  }

  private void flushState(Duration timeout) {
    for (Map.Entry<String, Optional<RunnerState>> change : state.drainChanges()) {
      byte[] json = change.getValue().map(DetectionService::toJson).orElse(null);
      retry(
          "state of " + change.getKey(),
          () -> publisher.state(change.getKey(), json, instance, timeout));
    }
  }

  private static void retry(String what, Runnable send) {
    RuntimeException last = null;
    for (int attempt = 1; attempt <= 3; attempt++) {
      try {
        send.run();
        return;
      } catch (RuntimeException e) {
        last = e;
        LOG.warnf("sending %s failed (attempt %d of 3): %s", what, attempt, e.toString());
        try {
          Thread.sleep(200L * attempt);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
    throw last;
  }

  // ------------------------------------------------------------------ rebuild

  private void restore(ConsumerRecord<String, byte[]> r) {
    if (r.key() == null) {
      return;
    }
    if (stateFollower != null && stateFollower.caughtUp() && instance.equals(header(r))) {
      return; // our own write, memory is at least as new
    }
    synchronized (lock) {
      if (r.value() == null) {
        state.forget(r.key());
        return;
      }
      try {
        RunnerState s = JSON.readValue(r.value(), RunnerState.class);
        s.runnerId = r.key();
        state.restore(s);
      } catch (IOException e) {
        LOG.warnf(
            "skipping unreadable detection state %s-%d@%d: %s",
            r.topic(), r.partition(), r.offset(), e.getClass().getSimpleName());
      }
    }
  }

  private void rememberFinding(ConsumerRecord<String, byte[]> r) {
    if (r.value() == null) {
      return;
    }
    try {
      emittedFindings.add(
          findingCodec.decode(r.topic(), r.partition(), r.offset(), r.value()).getFindingId());
    } catch (UndecodableRecordException e) {
      LOG.warnf("skipping undecodable finding: %s", e.getMessage());
    }
  }

  private static String header(ConsumerRecord<String, byte[]> r) {
    Header h = r.headers().lastHeader(DetectionPublisher.INSTANCE_HEADER);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  static byte[] toJson(RunnerState s) {
    try {
      return JSON.writeValueAsBytes(s);
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialise detection state of " + s.runnerId, e);
    }
  }

  private KafkaConsumer<String, byte[]> consumer(String clientId) {
    Properties props = new Properties();
    props.putAll(
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrapServers,
            ConsumerConfig.CLIENT_ID_CONFIG,
            clientId + "-" + instance.substring(0, 8),
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
            "false",
            ConsumerConfig.ISOLATION_LEVEL_CONFIG,
            "read_committed"));
    return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
  }

  /**
   * Waits until the new topic has a leader for every partition, so the state follower started next
   * finds it (creation returns before every broker's metadata has it).
   */
  private static void awaitLeaders(Admin admin, String topic)
      throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      try {
        var description =
            admin
                .describeTopics(List.of(topic))
                .allTopicNames()
                .get(5, TimeUnit.SECONDS)
                .get(topic);
        if (description != null
            && !description.partitions().isEmpty()
            && description.partitions().stream().allMatch(p -> p.leader() != null)) {
          return;
        }
      } catch (ExecutionException e) {
        // not known yet
      }
      Thread.sleep(100);
    }
    throw new TimeoutException("topic " + topic + " has no leader after 30 s");
  }

  private void createStateTopic(PolicyConfig.Detection d) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
    try (Admin admin = Admin.create(props)) {
      if (admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(d.stateTopic())) {
        return;
      }
      admin
          .createTopics(
              List.of(
                  new NewTopic(
                          d.stateTopic(), d.stateTopicPartitions(), d.stateTopicReplicationFactor())
                      .configs(Map.of("cleanup.policy", "compact"))))
          .all()
          .get(30, TimeUnit.SECONDS);
      LOG.infof("created the compacted detection state topic %s", d.stateTopic());
      awaitLeaders(admin, d.stateTopic());
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        LOG.errorf("cannot create the detection state topic %s: %s", d.stateTopic(), e.getCause());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (TimeoutException | RuntimeException e) {
      LOG.errorf("cannot create the detection state topic %s: %s", d.stateTopic(), e);
    }
  }

  /**
   * Waits (logging every catch-up timeout) until the state is read back: an input must never be
   * judged, nor dead-lettered, without its runner's state.
   */
  private void awaitCaughtUp() {
    long warnAt = System.currentTimeMillis() + config.detection().catchUpTimeout().toMillis();
    while (!caughtUp()) {
      Optional<String> failed = failure();
      if (failed.isPresent()) {
        throw new IllegalStateException("detection state could not be read: " + failed.get());
      }
      if (System.currentTimeMillis() > warnAt) {
        LOG.warnf(
            "detection state (%s, %s) not read back yet; detection waits",
            config.detection().stateTopic(), config.detection().findingTopic());
        warnAt = System.currentTimeMillis() + config.detection().catchUpTimeout().toMillis();
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
  }
}
