package dev.runnerguard.policy.admission;

import dev.runnerguard.policy.config.PolicyConfig;
import dev.runnerguard.policy.output.AdmissionPublisher;
import dev.runnerguard.policy.output.DecidedLog;
import dev.runnerguard.policy.reload.PolicyService;
import dev.runnerguard.schemas.avro.AdmissionDecision;
import dev.runnerguard.schemas.avro.WorkflowJobEvent;
import dev.runnerguard.schemas.serde.EventMetadataFactory;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Admission for each workflow job the intake decodes: only {@code queued} jobs are decided, each
 * (job id, run attempt) exactly once (see {@link DecidedLog}); the decision is produced to {@code
 * runner.admission} and only then remembered, so a failed send is retried by redelivery.
 *
 * <p>Metrics: {@code runnerguard_policy_admission_decisions_total{outcome,rule,audit}}, {@code
 * runnerguard_policy_admission_duplicates_total}, {@code
 * runnerguard_policy_admission_ignored_total{action}}.
 */
@ApplicationScoped
public class AdmissionService {
  private static final Logger LOG = Logger.getLogger(AdmissionService.class);
  private static final int SEND_ATTEMPTS = 3;

  private final AdmissionEngine engine = new AdmissionEngine();
  private final PolicyService policies;
  private final AdmissionPublisher publisher;
  private final PolicyConfig config;
  private final MeterRegistry registry;
  private final DecisionFactory factory;
  private final String bootstrapServers;

  /**
   * Set by {@link #onStart}; the intake's consumer may deliver its first record before that
   * observer ran, so readers wait for it ({@link #awaitDecidedLog}).
   */
  private volatile DecidedLog decided;

  public AdmissionService(
      PolicyService policies,
      AdmissionPublisher publisher,
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
    this.factory = new DecisionFactory(new EventMetadataFactory(service, version));
  }

  void onStart(@Observes StartupEvent ignored) {
    Properties props = new Properties();
    props.putAll(
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
            ConsumerConfig.CLIENT_ID_CONFIG, "policy-decided-log",
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
            ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"));
    decided =
        new DecidedLog(
            new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer()),
            config.admission().topic());
    decided.start();
  }

  void onStop(@Observes ShutdownEvent ignored) throws InterruptedException {
    if (decided != null) {
      decided.close();
    }
  }

  /** True once the decided log has read every decision that existed at start. */
  public boolean caughtUp() {
    return decided != null && decided.caughtUp();
  }

  /** Decides a job unless it is not queued or was decided already; returns what was produced. */
  public Optional<AdmissionDecision> onJob(WorkflowJobEvent job) {
    if (!"queued".equals(job.getAction())) {
      registry
          .counter("runnerguard.policy.admission.ignored", "action", job.getAction())
          .increment();
      return Optional.empty();
    }
    PolicySet set = awaitPolicy();
    DecidedLog decided = awaitDecidedLog();
    if (decided.isDecided(job.getJobId(), job.getRunAttempt())) {
      registry.counter("runnerguard.policy.admission.duplicates").increment();
      LOG.debugf("job %d attempt %d already decided", job.getJobId(), job.getRunAttempt());
      return Optional.empty();
    }
    Verdict verdict = engine.decide(set, job);
    AdmissionDecision decision = factory.build(job, set.version(), verdict);
    send(decision);
    decided.markDecided(job.getJobId(), job.getRunAttempt());
    registry
        .counter(
            "runnerguard.policy.admission.decisions",
            "outcome",
            verdict.decision().name(),
            "rule",
            verdict.ruleId(),
            "audit",
            Boolean.toString(verdict.auditMode()))
        .increment();
    LOG.infof(
        "job %d attempt %d (%s): %s by %s under %s: %s",
        job.getJobId(),
        job.getRunAttempt(),
        job.getRepositoryFullName(),
        verdict.decision(),
        verdict.ruleId(),
        set.version(),
        verdict.reason());
    return Optional.of(decision);
  }

  private void send(AdmissionDecision decision) {
    RuntimeException last = null;
    for (int attempt = 1; attempt <= SEND_ATTEMPTS; attempt++) {
      try {
        publisher.publish(decision, config.admission().sendTimeout());
        return;
      } catch (RuntimeException e) {
        last = e;
        LOG.warnf(
            "sending the decision of job %d failed (attempt %d of %d): %s",
            decision.getJobId(), attempt, SEND_ATTEMPTS, e.toString());
        sleep(Duration.ofMillis(200L * attempt));
      }
    }
    throw last;
  }

  private PolicySet awaitPolicy() {
    long warnAt = 0;
    while (true) {
      Optional<PolicySet> set = policies.active();
      if (set.isPresent()) {
        return set.get();
      }
      long now = System.currentTimeMillis();
      if (now >= warnAt) {
        LOG.warnf(
            "no valid admission policy loaded; admission waits: %s",
            policies.lastProblem().orElse("(no detail)"));
        warnAt = now + 10_000;
      }
      sleep(Duration.ofMillis(500));
    }
  }

  private DecidedLog awaitDecidedLog() {
    long deadline = System.currentTimeMillis() + config.admission().catchUpTimeout().toMillis();
    DecidedLog decided;
    while ((decided = this.decided) == null || !decided.caughtUp()) {
      if (decided != null && decided.failure() != null) {
        throw new IllegalStateException("decided log failed: " + decided.failure());
      }
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException(
            decided == null
                ? "decided log not started in time"
                : "decided log did not catch up with " + config.admission().topic() + " in time");
      }
      sleep(Duration.ofMillis(50));
    }
    return decided;
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
