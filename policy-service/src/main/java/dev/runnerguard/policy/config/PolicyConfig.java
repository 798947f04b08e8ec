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
