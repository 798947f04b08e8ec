package dev.runnerguard.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runnerguard.orchestrator.execute.ActionExecutor;
import dev.runnerguard.orchestrator.execute.ExecutorSettings;
import dev.runnerguard.orchestrator.execute.ProviderRegistry;
import dev.runnerguard.orchestrator.kafka.PlatformPublisher;
import dev.runnerguard.orchestrator.kafka.SignalBridge;
import dev.runnerguard.orchestrator.sandbox.LocalSandboxConfig;
import dev.runnerguard.orchestrator.sandbox.LocalSandboxProvider;
import dev.runnerguard.orchestrator.spi.ProviderRunner;
import dev.runnerguard.orchestrator.state.RunnerStateMachine;
import dev.runnerguard.orchestrator.state.Settings;
import dev.runnerguard.orchestrator.stream.DeadLetterDeserializationHandler;
import dev.runnerguard.orchestrator.stream.OrchestratorTopology;
import dev.runnerguard.orchestrator.stream.TransitionListener;
import dev.runnerguard.schemas.ConsumingChannel;
import dev.runnerguard.schemas.Topics;
import dev.runnerguard.schemas.avro.AdmissionDecision;
import dev.runnerguard.schemas.avro.CommandType;
import dev.runnerguard.schemas.avro.RunnerCommand;
import dev.runnerguard.schemas.avro.RunnerLifecycleEvent;
import dev.runnerguard.schemas.avro.RunnerState;
import dev.runnerguard.schemas.avro.SecuritySignal;
import dev.runnerguard.schemas.avro.WorkflowJobEvent;
import dev.runnerguard.schemas.serde.EventCodec;
import dev.runnerguard.schemas.serde.EventMetadataFactory;
import dev.runnerguard.testing.KafkaTestBroker;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The orchestrator's engine end to end on a real KRaft broker and the real local sandbox (Linux
 * namespaces, nftables, cgroups; runs as root): admission in, runner up, job runs, runner
 * destroyed, workspace gone; a job connecting outside its allowlist is observed by the host sensor,
 * quarantined (network cut, evidence, destroyed) with every step an event; poison records are
 * dead-lettered. The token-service is the in-memory {@link FakeCredentials}; system-tests run the
 * real one.
 */
class OrchestratorStreamsIT {
  static final EventMetadataFactory MD = new EventMetadataFactory("orchestrator-it", "1");
  static final Path SCRIPT =
      Path.of("target/test-classes/orchestrator/job-runner.sh").toAbsolutePath().normalize();
  static final Path JOBS = SCRIPT.getParent().resolve("jobs");
  static final AtomicInteger JOB = new AtomicInteger((int) (System.currentTimeMillis() % 100_000));

  static FakeCredentials github;
  static PlatformPublisher publisher;
  static LocalSandboxConfig cfg;
  static LocalSandboxProvider provider;
  static ActionExecutor executor;
  static KafkaStreams streams;
  static Path evidence;
  static KafkaProducer<String, byte[]> producer;
  static final List<RunnerLifecycleEvent> lifecycle = new CopyOnWriteArrayList<>();
  static final List<SecuritySignal> signals = new CopyOnWriteArrayList<>();
  static Thread reader;
  static volatile boolean reading = true;

  @BeforeAll
  static void start() throws Exception {
    KafkaTestBroker.createPlatformTopics();
    String bootstrap = KafkaTestBroker.bootstrapServers();
    github = new FakeCredentials();
    publisher = PlatformPublisher.connect(bootstrap, "orchestrator-it");
    evidence = Files.createTempDirectory("rg-evidence-it-");
    cfg =
        LocalSandboxConfig.builder(SCRIPT)
            .stateDir(Files.createTempDirectory("rg-orch-it-"))
            .namePrefix("rgo")
            .addressPool("10.215.0.0/24")
            .cgroupParent("runnerguard-oit-" + UUID.randomUUID().toString().substring(0, 8))
            .workspaceSizeMb(64)
            .sensorInterval(Duration.ofMillis(100))
            .build();
    provider =
        new LocalSandboxProvider(
            cfg, new SignalBridge(publisher, MD, LocalSandboxProvider.NAME, kind -> {}));
    executor =
        new ActionExecutor(
            new ProviderRegistry(List.of(provider)),
            github,
            publisher,
            MD,
            new ExecutorSettings(
                4, evidence, Map.of("private-sandbox", 2L), "_work", List.of("runnerguard")),
            Clock.systemUTC(),
            ActionExecutor.ActionListener.NONE);
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "orchestrator-it-" + UUID.randomUUID());
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("rg-streams-it-").toString());
    p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 500);
    p.put(StreamsConfig.POLL_MS_CONFIG, 10);
    p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 0);
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "latest");
    p.put(
        StreamsConfig.DEFAULT_DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
        DeadLetterDeserializationHandler.class);
    streams =
        new KafkaStreams(
            OrchestratorTopology.build(
                new OrchestratorTopology.Parts(
                    new RunnerStateMachine(Settings.defaults()),
                    executor,
                    MD,
                    Clock.systemUTC(),
                    Duration.ofMillis(500),
                    Topics.RUNNER_COMMAND.partitions(),
                    TransitionListener.NONE)),
            p);
    streams.start();
    Map<String, Object> pc = new HashMap<>();
    pc.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    pc.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    producer = new KafkaProducer<>(pc, new StringSerializer(), new ByteArraySerializer());
    startReader(bootstrap);
    await("kafka streams running", () -> streams.state() == KafkaStreams.State.RUNNING);
  }

  static void startReader(String bootstrap) {
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> parts = new ArrayList<>();
    for (String topic :
        List.of(Topics.RUNNER_LIFECYCLE.topicName(), Topics.RUNNER_SIGNAL.topicName())) {
      consumer
          .partitionsFor(topic)
          .forEach(i -> parts.add(new TopicPartition(topic, i.partition())));
    }
    consumer.assign(parts);
    consumer.seekToEnd(parts);
    parts.forEach(consumer::position);
    reader =
        new Thread(
            () -> {
              try (consumer) {
                while (reading) {
                  for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    if (r.topic().equals(Topics.RUNNER_LIFECYCLE.topicName())) {
                      lifecycle.add(EventCodec.of(RunnerLifecycleEvent.class).decode(r.value()));
                    } else {
                      signals.add(EventCodec.of(SecuritySignal.class).decode(r.value()));
                    }
                  }
                }
              }
            },
            "it-reader");
    reader.setDaemon(true);
    reader.start();
  }

  @AfterAll
  static void stop() throws Exception {
    reading = false;
    if (streams != null) {
      streams.close(Duration.ofSeconds(10));
    }
    if (executor != null) {
      executor.close();
    }
    if (provider != null) {
      for (ProviderRunner r : provider.list()) {
        provider.destroy(r.runnerId());
      }
      provider.close();
    }
    if (publisher != null) {
      publisher.close();
    }
    if (producer != null) {
      producer.close();
    }
    try (Stream<Path> s = Files.list(JOBS)) {
      s.filter(f -> f.toString().endsWith(".env")).forEach(f -> f.toFile().delete());
    }
    if (cfg != null) {
      // The test's cgroup parent, empty once its runners are destroyed: leave no trace on the host.
      try (Stream<Path> controllers = Files.list(cfg.cgroupRoot())) {
        controllers.map(c -> c.resolve(cfg.cgroupParent())).forEach(d -> d.toFile().delete());
      }
    }
  }

  @Test
  void jobInRunnerUpJobRunsRunnerDestroyedWorkspaceGone() throws Exception {
    long job = nextJob();
    String id = "rg-" + job + "-1";
    admit(job, List.of("127.0.0.1:8090"));

    await("runner " + id + " idle", () -> reached(id, RunnerState.IDLE));
    await("the job wrote its workspace", () -> workspaceFile(id, "job.txt") != null);
    String written = Files.readString(workspaceFile(id, "job.txt"));
    assertThat(written).startsWith("job " + job + " as 65534 ");
    assertThat(github.calls).contains("mint " + id);

    webhook("in_progress", job, id);
    await("runner busy", () -> reached(id, RunnerState.BUSY));
    webhook("completed", job, id);
    await("runner destroyed", () -> reached(id, RunnerState.DESTROYED));

    assertThat(states(id))
        .containsSubsequence(
            RunnerState.REQUESTED,
            RunnerState.PROVISIONING,
            RunnerState.STARTING,
            RunnerState.IDLE,
            RunnerState.BUSY,
            RunnerState.COMPLETED,
            RunnerState.DESTROYED);
    assertThat(provider.status(id).status()).isEqualTo(ProviderRunner.Status.NOT_FOUND);
    assertThat(cfg.stateDir().resolve(id)).doesNotExist();
    assertThat(Path.of("/run/netns/rgo-" + id)).doesNotExist();
    assertThat(github.registrations).doesNotContainValue(id);
    // Every transition carries its timings and the job.
    RunnerLifecycleEvent destroyed = last(id, RunnerState.DESTROYED);
    assertThat(destroyed.getDurations()).containsKey("lifetime");
    assertThat(destroyed.getJobId()).isEqualTo(job);
    // A redelivered admission does not make a second runner.
    admit(job, List.of("127.0.0.1:8090"));
    webhook("completed", job, id);
    Thread.sleep(1500);
    assertThat(github.calls.stream().filter(c -> c.equals("mint " + id))).hasSize(1);
  }

  @Test
  void aJobConnectingOutsideItsAllowlistIsQuarantined() throws Exception {
    long job = nextJob();
    String id = "rg-" + job + "-1";
    AtomicInteger accepted = new AtomicInteger();
    try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread acceptor =
          new Thread(
              () -> {
                while (!listener.isClosed()) {
                  try (Socket s = listener.accept()) {
                    accepted.incrementAndGet();
                  } catch (IOException e) {
                    return;
                  }
                }
              });
      acceptor.setDaemon(true);
      acceptor.start();
      int port = listener.getLocalPort();
      Files.writeString(JOBS.resolve(job + ".env"), "MODE=exfiltrate\nPORT=" + port + "\n");
      admit(job, List.of("127.0.0.1:" + (port == 65535 ? port - 1 : port + 1)));
      await("runner running", () -> reached(id, RunnerState.IDLE));
      webhook("in_progress", job, id);

      // The host sensor reports the attempt with its destination.
      await(
          "egress signal",
          () ->
              signals.stream()
                  .anyMatch(
                      s ->
                          id.equals(s.getRunnerId())
                              && "net.egress.denied".equals(s.getKind())
                              && s.getNetwork() != null
                              && Integer.valueOf(port)
                                  .equals(s.getNetwork().getDestinationPort())));
      SecuritySignal signal =
          signals.stream()
              .filter(s -> id.equals(s.getRunnerId()) && "net.egress.denied".equals(s.getKind()))
              .findFirst()
              .orElseThrow();
      assertThat(signal.getNetwork().getDestinationAddress()).isEqualTo("127.0.0.1");

      // Detection's part (policy-service, tested there): a quarantine command.
      RunnerCommand command =
          RunnerCommand.newBuilder()
              .setMetadata(MD.create())
              .setCommandId("it-" + UUID.randomUUID())
              .setCommand(CommandType.QUARANTINE)
              .setRunnerId(id)
              .setJobId(job)
              .setFindingId("finding-" + job)
              .setReason("egress to 127.0.0.1:" + port + " outside the allowlist")
              .setRequestedBy("orchestrator-it")
              .build();
      producer
          .send(
              new ProducerRecord<>(
                  Topics.RUNNER_COMMAND.topicName(),
                  id,
                  EventCodec.of(RunnerCommand.class).encode(command)))
          .get(10, TimeUnit.SECONDS);
      // The same command twice is one quarantine.
      producer
          .send(
              new ProducerRecord<>(
                  Topics.RUNNER_COMMAND.topicName(),
                  id,
                  EventCodec.of(RunnerCommand.class).encode(command)))
          .get(10, TimeUnit.SECONDS);

      await("quarantine complete", () -> reached(id, RunnerState.DESTROYED));
      assertThat(accepted.get()).as("connections the listener accepted").isZero();
    }
    List<RunnerLifecycleEvent> events = events(id);
    List<String> steps =
        events.stream()
            .filter(e -> e.getAttributes().containsKey("step"))
            .map(e -> e.getAttributes().get("step"))
            .toList();
    assertThat(steps)
        .containsSubsequence(
            "incident-opened",
            "network-cut",
            "frozen",
            "evidence-captured",
            "deregistered",
            "credentials-revoked",
            "destroyed");
    assertThat(states(id).stream().filter(s -> s == RunnerState.QUARANTINED).count())
        .as("one incident")
        .isGreaterThanOrEqualTo(1);
    assertThat(events.stream().filter(e -> "incident-opened".equals(e.getAttributes().get("step"))))
        .hasSize(1);
    RunnerLifecycleEvent done = last(id, RunnerState.DESTROYED);
    assertThat(done.getDurations())
        .containsKeys("networkCut", "evidenceCaptured", "quarantineTotal");
    RunnerLifecycleEvent captured =
        events.stream()
            .filter(e -> "evidence-captured".equals(e.getAttributes().get("step")))
            .findFirst()
            .orElseThrow();
    assertThat(captured.getState()).isEqualTo(RunnerState.EVIDENCE_CAPTURED);
    assertThat(captured.getAttributes()).containsKeys("evidenceManifestSha256", "evidenceFiles");
    Path dir = Path.of(captured.getAttributes().get("evidenceDir"));
    String manifest = Files.readString(dir.resolve("manifest.json"));
    assertThat(manifest).contains("\"runnerId\": \"" + id + "\"").contains("sha256");
    assertThat(manifest).doesNotContain("fake-jit-");
    assertThat(github.calls).anyMatch(c -> c.startsWith("cancel " + job * 10 + " force"));
    assertThat(github.registrations).doesNotContainValue(id);
    assertThat(cfg.stateDir().resolve(id)).doesNotExist();
    // No JIT config in evidence files.
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
        for (String jit : github.minted) {
          assertThat(text).as(f.toString()).doesNotContain(jit);
        }
      }
    }
  }

  @Test
  void poisonRecordsAreDeadLetteredAndTheNextJobIsServed() throws Exception {
    String dlt = ConsumingChannel.ORCHESTRATOR_ADMISSION.deadLetterTopic();
    producer
        .send(
            new ProducerRecord<>(
                Topics.RUNNER_ADMISSION.topicName(),
                "1",
                "not avro".getBytes(StandardCharsets.UTF_8)))
        .get(10, TimeUnit.SECONDS);
    long job = nextJob();
    String id = "rg-" + job + "-1";
    admit(job, List.of());
    await("the next job's runner", () -> reached(id, RunnerState.IDLE));
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestBroker.bootstrapServers());
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts =
          consumer.partitionsFor(dlt).stream()
              .map(i -> new TopicPartition(dlt, i.partition()))
              .toList();
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      List<ConsumerRecord<String, byte[]>> got = new ArrayList<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (got.isEmpty() && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(got::add);
      }
      assertThat(got).isNotEmpty();
      assertThat(new String(got.get(0).value(), StandardCharsets.UTF_8)).isEqualTo("not avro");
      assertThat(got.get(0).headers().lastHeader("rg-dlt-origin")).isNotNull();
    }
    webhook("completed", job, null);
    await("destroyed after its job was cancelled", () -> reached(id, RunnerState.DESTROYED));
  }

  // ---------------------------------------------------------------- helpers

  static long nextJob() {
    return 7_000_000_000L + JOB.incrementAndGet();
  }

  static void admit(long job, List<String> egress) throws Exception {
    AdmissionDecision d =
        dev.runnerguard.orchestrator.state.Inputs.admission(job, LocalSandboxProvider.NAME, egress);
    producer
        .send(
            new ProducerRecord<>(
                Topics.RUNNER_ADMISSION.topicName(),
                Long.toString(job),
                EventCodec.of(AdmissionDecision.class).encode(d)))
        .get(10, TimeUnit.SECONDS);
  }

  static void webhook(String action, long job, String runnerName) throws Exception {
    WorkflowJobEvent e =
        WorkflowJobEvent.newBuilder()
            .setMetadata(MD.create())
            .setAction(action)
            .setJobId(job)
            .setRunId(job * 10)
            .setRunAttempt(1)
            .setRepositoryFullName("octo-org/app")
            .setOrganization("octo-org")
            .setLabels(List.of("self-hosted"))
            .setRunnerName(runnerName)
            .setConclusion("completed".equals(action) ? "success" : null)
            .setRawBody(ByteBuffer.allocate(0))
            .build();
    producer
        .send(
            new ProducerRecord<>(
                Topics.WORKFLOW_JOB.topicName(),
                Long.toString(job),
                EventCodec.of(WorkflowJobEvent.class).encode(e)))
        .get(10, TimeUnit.SECONDS);
  }

  static List<RunnerLifecycleEvent> events(String id) {
    return lifecycle.stream()
        .filter(e -> id.equals(e.getRunnerId()))
        .filter(e -> "orchestrator-it".equals(e.getMetadata().getProducer().getService()))
        .toList();
  }

  static List<RunnerState> states(String id) {
    return events(id).stream().map(RunnerLifecycleEvent::getState).toList();
  }

  static boolean reached(String id, RunnerState s) {
    return states(id).contains(s);
  }

  static RunnerLifecycleEvent last(String id, RunnerState s) {
    List<RunnerLifecycleEvent> e = events(id).stream().filter(x -> x.getState() == s).toList();
    return e.get(e.size() - 1);
  }

  static Path workspaceFile(String id, String name) {
    Path root = cfg.stateDir().resolve(id);
    if (!Files.isDirectory(root)) {
      return null;
    }
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(p -> p.getFileName().toString().equals(name)).findFirst().orElse(null);
    } catch (IOException | java.io.UncheckedIOException e) {
      return null;
    }
  }

  static void await(String what, BooleanSupplier cond) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!cond.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "timed out waiting for "
                + what
                + "; lifecycle: "
                + lifecycle.stream()
                    .map(e -> e.getRunnerId() + ":" + e.getState() + ":" + e.getReason())
                    .toList());
      }
      Thread.sleep(50);
    }
  }
}
