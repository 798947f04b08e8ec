package dev.runnerguard.orchestrator.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The runner-orchestrator's one typed configuration ({@code runnerguard.orchestrator.*}; env {@code
 * RUNNERGUARD_ORCHESTRATOR_*}). Every setting is documented in the module README.
 */
@ConfigMapping(prefix = "runnerguard.orchestrator")
public interface OrchestratorConfig {

  /** Kafka Streams application id: the consumer group every instance shares. */
  @WithDefault("runner-orchestrator")
  String applicationId();

  /** Kafka Streams local state directory (checkpoints only; the store is in memory). */
  Optional<String> stateDir();

  /** Partitions of the internal repartition topic (= runner.command and runner.provider-event). */
  @WithDefault("12")
  int partitions();

  /** Stream threads per instance. */
  @WithDefault("1")
  int streamThreads();

  /**
   * How long the group waits for a silent instance before its partitions move to the others (the
   * Kafka consumer session timeout; heartbeats every fifth of it). Inputs of a crashed instance's
   * runners wait this long. The broker's {@code group.min.session.timeout.ms} (6 s by default)
   * bounds it from below.
   */
  @WithDefault("15s")
  Duration failoverTimeout();

  /** How often every runner is checked for due retries and timeouts. */
  @WithDefault("1s")
  Duration tickInterval();

  /**
   * Worker threads for provider and GitHub calls. They mostly wait (a JIT mint through the
   * token-service is a GitHub round trip), so there are many; the token-service bounds what reaches
   * GitHub.
   */
  @WithDefault("32")
  int workers();

  /** Where quarantine evidence is written (one directory per runner and quarantine). */
  Optional<String> evidenceDir();

  /** GitHub runner group ids by the group names admission decisions use. */
  Map<String, Long> runnerGroupIds();

  /** Also offer the {@code dry-run} provider (records runners, starts nothing). */
  @WithDefault("false")
  boolean dryRunProvider();

  /** Labels every runner registers with besides its class's labels. */
  @WithDefault("runnerguard")
  List<String> platformLabels();

  /** Work folder of the runner. */
  @WithDefault("_work")
  String workFolder();

  Lifecycle lifecycle();

  Quota quota();

  WarmPool warmPool();

  /** Warm pools: idle runners kept ready per runner class (0 = none, the default). */
  interface WarmPool {
    /** Idle runners per class, for every class admitted at least once. */
    @WithDefault("0")
    int minIdle();

    /** Per-class overrides, by runner class name. */
    Map<String, Integer> classes();
  }

  /** Runner quotas (0 = unlimited); jobs beyond a quota wait in admission order. */
  interface Quota {
    @WithDefault("0")
    int maxRunners();

    @WithDefault("0")
    int maxPerOrg();

    @WithDefault("0")
    int maxPerLabelSet();
  }

  Reconcile reconcile();

  TokenService tokenService();

  Sandbox sandbox();

  /** State machine timings. */
  interface Lifecycle {
    @WithDefault("2m")
    Duration provisionTimeout();

    @WithDefault("5")
    int maxProvisionAttempts();

    @WithDefault("1s")
    Duration backoffBase();

    @WithDefault("30s")
    Duration backoffMax();

    @WithDefault("2m")
    Duration startTimeout();

    @WithDefault("15m")
    Duration idleTimeout();

    @WithDefault("2m")
    Duration jobCheckInterval();

    @WithDefault("30s")
    Duration exitedGrace();

    @WithDefault("1m")
    Duration destroyRetry();

    @WithDefault("1m")
    Duration quarantineRetry();

    @WithDefault("1h")
    Duration terminalRetention();

    @WithDefault("6h")
    Duration defaultMaxDuration();
  }

  /** The outer reconciliation loop. */
  interface Reconcile {
    @WithDefault("30s")
    Duration interval();

    /** Organisations whose GitHub runner list is compared (empty: providers only). */
    Optional<List<String>> orgs();
  }

  /** The token-service's internal API; the shared secret comes from env or file only. */
  interface TokenService {
    @WithDefault("http://127.0.0.1:8081")
    String url();

    @WithDefault("15s")
    Duration timeout();
  }

  /** The local-sandbox provider (enabled when a runner command is configured). */
  interface Sandbox {
    /** Runner program: the real run.sh of actions/runner, or github-sim's sim-runner.sh. */
    Optional<String> runnerCommand();

    /**
     * Per-runner state directory (default $RUNNERGUARD_HOME/sandbox or /run/runnerguard/sandbox).
     */
    Optional<String> stateDir();

    @WithDefault("10.213.0.0/16")
    String addressPool();

    @WithDefault("rg")
    String namePrefix();

    /**
     * cgroup (in every v1 controller) holding one cgroup per runner. Runners under it that this
     * provider's state does not know are orphans it destroys: two orchestrator deployments on one
     * host need distinct cgroup parents, name prefixes and address pools.
     */
    @WithDefault("runnerguard-sandbox")
    String cgroupParent();

    @WithDefault("65534")
    int runnerUid();

    @WithDefault("65534")
    int runnerGid();

    @WithDefault("2048")
    int workspaceSizeMb();

    @WithDefault("0.9")
    double cpuBurnShare();

    @WithDefault("10s")
    Duration cpuBurnWindow();

    @WithDefault("150ms")
    Duration sensorInterval();

    /**
     * Host paths hidden inside every sandbox besides /run, /home and the state dir; the
     * orchestrator always adds $RUNNERGUARD_HOME and the evidence dir, so one job never reads
     * another's evidence.
     */
    Optional<List<String>> hidePaths();

    /**
     * Destroy every sandbox runner when the orchestrator stops (the one-machine local stack, whose
     * {@code ./runnerguard down} must leave nothing running). Off by default: runners outlive an
     * instance and another instance adopts them.
     */
    @WithDefault("false")
    boolean destroyOnShutdown();
  }
}
