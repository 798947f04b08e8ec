package dev.runnerguard.orchestrator.runtime;

import dev.runnerguard.orchestrator.config.OrchestratorConfig;
import dev.runnerguard.orchestrator.execute.ActionExecutor;
import dev.runnerguard.orchestrator.execute.ExecutorSettings;
import dev.runnerguard.orchestrator.execute.ProviderRegistry;
import dev.runnerguard.orchestrator.execute.Reconciler;
import dev.runnerguard.orchestrator.kafka.PlatformPublisher;
import dev.runnerguard.orchestrator.kafka.SignalBridge;
import dev.runnerguard.orchestrator.sandbox.LocalSandboxConfig;
import dev.runnerguard.orchestrator.sandbox.LocalSandboxProvider;
import dev.runnerguard.orchestrator.spi.CredentialsClient;
import dev.runnerguard.orchestrator.spi.RunnerProvider;
import dev.runnerguard.orchestrator.state.Quotas;
import dev.runnerguard.orchestrator.state.RunnerStateMachine;
import dev.runnerguard.orchestrator.state.Settings;
import dev.runnerguard.orchestrator.state.WarmPools;
import dev.runnerguard.orchestrator.stream.DeadLetterDeserializationHandler;
import dev.runnerguard.orchestrator.stream.OrchestratorTopology;
import dev.runnerguard.orchestrator.token.TokenServiceCredentialsClient;
import dev.runnerguard.schemas.serde.EventMetadataFactory;
import dev.runnerguard.support.SecretSettings;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Wires the orchestrator (ARC's "main only wires"): providers, the token-service client, the
 * executor, the Kafka Streams topology, the read model and the reconciler, started at startup and
 * stopped at shutdown. Runners outlive the process; another instance adopts them.
 */
@ApplicationScoped
public class OrchestratorRuntime {
  private static final Logger LOG = Logger.getLogger(OrchestratorRuntime.class);
  static final String INTERNAL_SECRET = "runnerguard.internal.secret";
  static final String INTERNAL_SECRET_FILE = "runnerguard.internal.secret-file";

  private final OrchestratorConfig config;
  private final String bootstrapServers;
  private final MeterRegistry registry;
  private final String version;

  private PlatformPublisher publisher;
  private ProviderRegistry providers;
  private ActionExecutor executor;
  private KafkaStreams streams;
  private RunnerView view;
  private ScheduledExecutorService scheduler;
  private OrchestratorMetrics metrics;
  private String notReady = "starting";

  OrchestratorRuntime(
      OrchestratorConfig config,
      @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
      @ConfigProperty(name = "quarkus.application.version", defaultValue = "dev") String version,
      MeterRegistry registry) {
    this.config = config;
    this.bootstrapServers = bootstrapServers;
    this.registry = registry;
    this.version = version;
  }

  void start(@Observes StartupEvent event) {
    EventMetadataFactory metadata = new EventMetadataFactory("runner-orchestrator", version);
    Clock clock = Clock.systemUTC();
    publisher = PlatformPublisher.connect(bootstrapServers, "runner-orchestrator");
    view =
        new RunnerView(
            bootstrapServers, OrchestratorTopology.changelogTopic(config.applicationId()));
    metrics = new OrchestratorMetrics(registry, s -> view.count(s));

    List<RunnerProvider> list = new ArrayList<>();
    Optional<String> command = config.sandbox().runnerCommand().filter(s -> !s.isBlank());
    if (command.isPresent()) {
      SignalBridge bridge =
          new SignalBridge(publisher, metadata, LocalSandboxProvider.NAME, metrics::signal);
      list.add(new LocalSandboxProvider(sandboxConfig(command.get(), evidenceDir()), bridge));
    } else {
      LOG.warn(
          "no sandbox runner command configured (runnerguard.orchestrator.sandbox.runner-command):"
              + " the local-sandbox provider is off and admitted jobs fail provisioning");
    }
    if (config.dryRunProvider()) {
      list.add(new dev.runnerguard.orchestrator.dryrun.DryRunProvider(clock));
    }
    providers = new ProviderRegistry(list);

    CredentialsClient github = credentials(clock);
    Path evidence = evidenceDir();
    executor =
        new ActionExecutor(
            providers,
            github,
            publisher,
            metadata,
            new ExecutorSettings(
                config.workers(),
                evidence.toAbsolutePath(),
                groupIds(),
                config.workFolder(),
                config.platformLabels()),
            clock,
            metrics);

    OrchestratorConfig.Lifecycle l = config.lifecycle();
    Settings settings =
        new Settings(
            l.provisionTimeout(),
            l.maxProvisionAttempts(),
            l.backoffBase(),
            l.backoffMax(),
            l.startTimeout(),
            l.idleTimeout(),
            l.jobCheckInterval(),
            l.exitedGrace(),
            l.destroyRetry(),
            l.quarantineRetry(),
            l.terminalRetention(),
            l.defaultMaxDuration());
    streams =
        new KafkaStreams(
            OrchestratorTopology.build(
                new OrchestratorTopology.Parts(
                    new RunnerStateMachine(settings),
                    executor,
                    metadata,
                    clock,
                    config.tickInterval(),
                    config.partitions(),
                    metrics,
                    new Quotas(
                        config.quota().maxRunners(),
                        config.quota().maxPerOrg(),
                        config.quota().maxPerLabelSet()),
                    new WarmPools(config.warmPool().minIdle(), config.warmPool().classes()),
                    l.terminalRetention(),
                    metrics::waiting)),
            streamsProperties());
    streams.setStateListener(
        (now, before) -> {
          LOG.infof("kafka streams %s -> %s", before, now);
          if (now == KafkaStreams.State.RUNNING && !viewStarted) {
            viewStarted = true;
            view.start();
          }
        });
    streams.setUncaughtExceptionHandler(
        e -> {
          LOG.errorf("stream thread failed, replacing it: %s", e.toString());
          return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler
              .StreamThreadExceptionResponse.REPLACE_THREAD;
        });
    streams.start();

    Reconciler reconciler =
        new Reconciler(
            providers, github, config.reconcile().orgs().orElse(List.of()), publisher, metadata);
    scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "orchestrator-reconcile");
              t.setDaemon(true);
              return t;
            });
    long every = config.reconcile().interval().toMillis();
    scheduler.scheduleWithFixedDelay(
        () -> {
          try {
            if (streams.state() == KafkaStreams.State.RUNNING) {
              reconciler.reconcileOnce();
            }
          } catch (RuntimeException e) {
            LOG.warnf("[reconcile] pass failed: %s", e.toString());
          }
        },
        every,
        every,
        TimeUnit.MILLISECONDS);
    notReady = null;
    LOG.infof(
        "runner-orchestrator started: providers [%s], token-service %s, evidence in %s",
        providers.names(), config.tokenService().url(), evidence.toAbsolutePath());
  }

  private volatile boolean viewStarted;

  private Map<String, Long> groupIds() {
    Map<String, Long> ids = new java.util.HashMap<>(Map.of("Default", 1L));
    ids.putAll(config.runnerGroupIds());
    return ids;
  }

  private CredentialsClient credentials(Clock clock) {
    SecretSettings.Source source =
        SecretSettings.Source.of(
            name -> ConfigProvider.getConfig().getOptionalValue(name, String.class));
    Optional<String> secret = SecretSettings.load(source, INTERNAL_SECRET, INTERNAL_SECRET_FILE);
    if (secret.isEmpty()) {
      LOG.warnf(
          "no internal service secret (%s or %s): calls to the token-service will be refused",
          SecretSettings.envName(INTERNAL_SECRET), SecretSettings.envName(INTERNAL_SECRET_FILE));
      return new UnconfiguredCredentialsClient();
    }
    return new TokenServiceCredentialsClient(
        URI.create(config.tokenService().url()),
        secret.get().getBytes(StandardCharsets.UTF_8),
        config.tokenService().timeout(),
        clock);
  }

  private Path evidenceDir() {
    return Path.of(
            config
                .evidenceDir()
                .orElse(
                    Optional.ofNullable(System.getenv("RUNNERGUARD_HOME")).orElse(".")
                        + "/evidence"))
        .toAbsolutePath()
        .normalize();
  }

  private LocalSandboxConfig sandboxConfig(String command, Path evidence) {
    OrchestratorConfig.Sandbox s = config.sandbox();
    List<Path> hide = new ArrayList<>();
    s.hidePaths().orElse(List.of()).forEach(p -> hide.add(Path.of(p).toAbsolutePath().normalize()));
    String home = System.getenv("RUNNERGUARD_HOME");
    if (home != null && !home.isBlank()) {
      hide.add(Path.of(home).toAbsolutePath().normalize());
    }
    try {
      Files.createDirectories(evidence);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot create the evidence directory " + evidence, e);
    }
    hide.add(evidence);
    Path runner = Path.of(command).toAbsolutePath().normalize();
    hide.removeIf(runner::startsWith);
    LocalSandboxConfig.Builder b =
        LocalSandboxConfig.builder(Path.of(command).toAbsolutePath())
            .addressPool(s.addressPool())
            .namePrefix(s.namePrefix())
            .cgroupParent(s.cgroupParent())
            .runnerUid(s.runnerUid())
            .runnerGid(s.runnerGid())
            .workspaceSizeMb(s.workspaceSizeMb())
            .cpuBurnShare(s.cpuBurnShare())
            .cpuBurnWindow(s.cpuBurnWindow())
            .sensorInterval(s.sensorInterval())
            .hidePaths(hide);
    s.stateDir().ifPresent(d -> b.stateDir(Path.of(d)));
    return b.build();
  }

  private Properties streamsProperties() {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.streamThreads());
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 1000);
    p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
    p.put(
        StreamsConfig.DEFAULT_DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
        DeadLetterDeserializationHandler.class);
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir());
    p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 0);
    p.put(StreamsConfig.producerPrefix(ProducerConfig.ACKS_CONFIG), "all");
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), 500);
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    p.put(StreamsConfig.POLL_MS_CONFIG, 10);
    long failover = config.failoverTimeout().toMillis();
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), (int) failover);
    p.put(
        StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG),
        (int) Math.max(500, failover / 5));
    return p;
  }

  private String stateDir() {
    if (config.stateDir().isPresent()) {
      return config.stateDir().get();
    }
    try {
      return Files.createTempDirectory("runnerguard-orchestrator-streams").toString();
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot create a Kafka Streams state directory", e);
    }
  }

  void stop(@Observes ShutdownEvent event) {
    if (scheduler != null) {
      scheduler.shutdownNow();
    }
    if (streams != null) {
      streams.close(java.time.Duration.ofSeconds(20));
    }
    if (executor != null) {
      executor.close();
    }
    if (view != null) {
      try {
        view.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (providers != null) {
      if (config.sandbox().destroyOnShutdown()) {
        for (RunnerProvider p : providers.all()) {
          try {
            for (var r : p.list()) {
              p.destroy(r.runnerId());
              LOG.infof("[runner=%s] destroyed at shutdown", r.runnerId());
            }
          } catch (Exception e) {
            LOG.warnf("destroying %s runners at shutdown: %s", p.name(), e.getMessage());
          }
        }
      }
      providers.close();
    }
    if (publisher != null) {
      publisher.close();
    }
  }

  /** Why the orchestrator is not ready, or null when it is. */
  public String notReadyReason() {
    if (notReady != null) {
      return notReady;
    }
    KafkaStreams.State s = streams.state();
    if (s != KafkaStreams.State.RUNNING && s != KafkaStreams.State.REBALANCING) {
      return "kafka streams is " + s;
    }
    if (view.failure() != null) {
      return "runner view stopped: " + view.failure();
    }
    if (!view.caughtUp()) {
      return "runner view catching up";
    }
    return null;
  }

  public RunnerView view() {
    return view;
  }

  public PlatformPublisher publisher() {
    return publisher;
  }

  public KafkaStreams streams() {
    return streams;
  }

  /** Used when no internal secret is configured: every call fails with a clear message. */
  static final class UnconfiguredCredentialsClient implements CredentialsClient {
    private static CredentialsException refused() {
      return new CredentialsException(
          "no internal service secret configured ("
              + SecretSettings.envName(INTERNAL_SECRET)
              + "): the token-service cannot be called",
          false,
          0);
    }

    @Override
    public MintedJit mintJit(JitRequest request) throws CredentialsException {
      throw refused();
    }

    @Override
    public void deleteRunner(String org, long githubRunnerId) throws CredentialsException {
      throw refused();
    }

    @Override
    public JobStatus jobStatus(String repository, long jobId) throws CredentialsException {
      throw refused();
    }

    @Override
    public void cancelRun(String repository, long runId, boolean force)
        throws CredentialsException {
      throw refused();
    }

    @Override
    public List<RegisteredRunner> listRunners(String org) throws CredentialsException {
      throw refused();
    }
  }
}
