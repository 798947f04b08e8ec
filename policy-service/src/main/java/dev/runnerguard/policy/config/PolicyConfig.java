package dev.runnerguard.policy.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** The policy-service's admission configuration ({@code runnerguard.policy.*}). */
@ConfigMapping(prefix = "runnerguard.policy")
public interface PolicyConfig {

  /**
   * The directory of admission policy YAML files (a Git checkout or a mounted ConfigMap). Env
   * {@code RUNNERGUARD_POLICY_DIR}. When empty, the default policy set packaged on the class path
   * ({@code policies/default/}) is used and the service logs so.
   */
  Optional<String> directory();

  /** How often the directory's files and content hash are checked for a change. */
  @WithDefault("2s")
  Duration pollInterval();

  /** Admission output and its deduplication. */
  Admission admission();

  /** Detection state, output and timers. */
  Detection detection();

  /** Detection settings ({@code runnerguard.policy.detection.*}). */
  interface Detection {
    /**
     * The compacted topic of detection state (key runner id, JSON value), created by the service on
     * start when missing: an internal changelog like a Kafka Streams store's, owned by this service
     * only.
     */
    @WithDefault("policy-service.detection-state")
    String stateTopic();

    /** Partitions of the state topic when the service creates it. */
    @WithDefault("6")
    int stateTopicPartitions();

    /** Replication factor of the state topic when the service creates it. */
    @WithDefault("1")
    short stateTopicReplicationFactor();

    /** The findings topic, read back on start to learn which finding ids were emitted. */
    @WithDefault("runner.finding")
    String findingTopic();

    /** How long one send (finding, command, state) may take before it fails the input. */
    @WithDefault("30s")
    Duration sendTimeout();

    /** How long intake waits for the state and findings to be read back before it processes. */
    @WithDefault("120s")
    Duration catchUpTimeout();

    /** How often time-based rules run (unknown-runner grace, max duration). */
    @WithDefault("1s")
    Duration tickInterval();

    /** How long the state of a destroyed (or never-seen-by-lifecycle) runner is kept. */
    @WithDefault("24h")
    Duration stateRetention();
  }

  /** Admission output settings. */
  interface Admission {
    /**
     * The topic of decisions, read back on start to learn which (job id, run attempt) pairs were
     * decided already. Must be the topic the {@code admission-out} channel writes.
     */
    @WithDefault("runner.admission")
    String topic();

    /** How long a decision may take to be acknowledged by the broker before it is retried. */
    @WithDefault("30s")
    Duration sendTimeout();

    /** How long intake waits for the decided-log to catch up before it processes a record. */
    @WithDefault("120s")
    Duration catchUpTimeout();
  }
}
