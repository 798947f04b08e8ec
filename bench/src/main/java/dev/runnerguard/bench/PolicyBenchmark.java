package dev.runnerguard.bench;

import dev.runnerguard.schemas.avro.AdmissionDecision;
import dev.runnerguard.schemas.avro.Finding;
import dev.runnerguard.schemas.avro.NetworkInfo;
import dev.runnerguard.schemas.avro.ProcessInfo;
import dev.runnerguard.schemas.avro.RunnerCommand;
import dev.runnerguard.schemas.avro.SecuritySignal;
import dev.runnerguard.schemas.avro.Severity;
import dev.runnerguard.schemas.avro.SignalSource;
import dev.runnerguard.schemas.avro.WorkflowJobEvent;
import dev.runnerguard.schemas.serde.EventCodec;
import dev.runnerguard.schemas.serde.EventMetadataFactory;
import dev.runnerguard.testing.KafkaBrokerProcess;
import dev.runnerguard.testing.ServiceProcess;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.zip.GZIPOutputStream;
import org.HdrHistogram.Histogram;
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

/**
 * Benchmarks the policy-service over a real broker (see bench/README.md): admission decisions per
 * second (a burst of queued jobs, each decided exactly once) and signal-to-command latency (an open
 * loop of nested-runner signals, each on its own runner, to the QUARANTINE command on {@code
 * runner.command}), next to a raw Kafka one-hop baseline of the same signals in the same run; then
 * a restart check (detection state and dedupe survive a service restart).
 */
public final class PolicyBenchmark {
  static final String SECTION = "## policy-service";
  static final String RAW_TOPIC = "bench.raw-signal";

  /**
   * Options.
   *
   * @param jobs queued jobs in the admission burst
   * @param signalRate signals per second in the open loop
   * @param signalSeconds length of the open loop (and of the raw baseline)
   * @param warmupSeconds unreported warm-up of the signal path
   * @param write where the report section goes, null to print only
   * @param command the command line, for the report
   */
  public record Options(
      int jobs, int signalRate, int signalSeconds, int warmupSeconds, Path write, String command) {
    static Options parse(String[] args, Path defaultWrite) {
      int jobs = 5_000;
      int rate = 50;
      int seconds = 30;
      int warmup = 15;
      Path write = defaultWrite;
      for (String a : args) {
        if (a.equals("--quick")) {
          jobs = 2_000;
          rate = 50;
          seconds = 10;
          warmup = 3;
          write = null;
        } else if (a.startsWith("--jobs=")) {
          jobs = Integer.parseInt(a.substring(7));
        } else if (a.startsWith("--signal-rate=")) {
          rate = Integer.parseInt(a.substring(14));
        } else if (a.startsWith("--signal-seconds=")) {
          seconds = Integer.parseInt(a.substring(17));
        } else if (a.startsWith("--warmup-seconds=")) {
          warmup = Integer.parseInt(a.substring(17));
        } else if (a.equals("--no-write")) {
          write = null;
        } else if (a.startsWith("--write=")) {
          write = Path.of(a.substring(8));
        } else {
          throw new IllegalArgumentException("unknown option " + a + " (see bench/README.md)");
        }
      }
      if (jobs < 1 || rate < 1 || seconds < 1 || warmup < 0) {
        throw new IllegalArgumentException("counts, rates and lengths must be positive");
      }
      return new Options(
          jobs,
          rate,
          seconds,
          warmup,
          write,
          System.getProperty("runnerguard.bench.command", "PolicyBenchmark"));
    }
  }

  /** Latency percentiles (ms) and counts of one phase. */
  public record Latency(
      String name,
      long sent,
      long received,
      double seconds,
      double p50,
      double p90,
      double p99,
      double max,
      double cpu) {
    double rate() {
      return received / seconds;
    }
  }

  /** The restart check: state and dedupe survive a restart of the service. */
  public record RestartCheck(
      boolean windowSurvived, long commandsForDuplicate, long findingsForDuplicate, String error) {}

  /** Everything one run measured. */
  public record Result(
      String machine,
      String date,
      Latency admission,
      Latency signal,
      Latency raw,
      RestartCheck restart,
      String markdown) {}

  private final EventMetadataFactory meta = new EventMetadataFactory("bench", "1");
  private final EventCodec<WorkflowJobEvent> jobs = EventCodec.of(WorkflowJobEvent.class);
  private final EventCodec<SecuritySignal> signals = EventCodec.of(SecuritySignal.class);
  private final EventCodec<AdmissionDecision> decisions = EventCodec.of(AdmissionDecision.class);
  private final EventCodec<RunnerCommand> commands = EventCodec.of(RunnerCommand.class);
  private final EventCodec<Finding> findings = EventCodec.of(Finding.class);
  private final String bootstrap;

  private PolicyBenchmark(String bootstrap) {
    this.bootstrap = bootstrap;
  }

  public static void main(String[] args) throws Exception {
    quietLogging();
    Options o = Options.parse(args, ServiceProcess.repoRoot().resolve("BENCHMARKS.md"));
    Result r = run(o);
    System.out.println(r.markdown());
    if (o.write() != null) {
      writeSection(o.write(), r.markdown());
      log("wrote the " + SECTION + " section of " + o.write());
    }
    System.exit(r.restart().error() == null && r.restart().windowSurvived() ? 0 : 2);
  }

  /** Runs every phase against a fresh broker and service. */
  public static Result run(Options o) throws Exception {
    String machine = Machine.describe();
    String date = LocalDate.now(ZoneOffset.UTC).toString();
    Path policies = Files.createTempDirectory("runnerguard-bench-policies-");
    Files.writeString(policies.resolve("admission.yaml"), ADMISSION);
    Files.writeString(policies.resolve("detection.yaml"), DETECTION);
    try (KafkaBrokerProcess broker = KafkaBrokerProcess.start()) {
      broker.createPlatformTopics();
      broker.createTopics(Map.of(RAW_TOPIC, 12));
      log("broker at " + broker.bootstrapServers());
      try (ServiceProcess service =
          ServiceProcess.builder("policy-service")
              .systemProperty("kafka.bootstrap.servers", broker.bootstrapServers())
              .systemProperty("runnerguard.policy.directory", policies.toString())
              .systemProperty("quarkus.log.level", "WARN")
              .heap("256m")
              .start()) {
        log("policy-service ready on port " + service.port());
        PolicyBenchmark b = new PolicyBenchmark(broker.bootstrapServers());
        if (o.warmupSeconds() > 0) {
          b.admission("warm-up", Math.min(2_000, o.jobs()));
          b.signals("warm-up", o.signalRate(), o.warmupSeconds(), false);
        }
        Latency admission = b.admission("admission burst", o.jobs());
        Latency raw = b.signals("raw Kafka, one hop", o.signalRate(), o.signalSeconds(), true);
        Latency signal =
            b.signals("signal -> QUARANTINE command", o.signalRate(), o.signalSeconds(), false);
        RestartCheck restart = b.restartCheck(service);
        String md = markdown(o, machine, date, admission, signal, raw, restart);
        return new Result(machine, date, admission, signal, raw, restart, md);
      }
    } finally {
      try (var s = Files.list(policies)) {
        for (Path p : s.toList()) {
          Files.deleteIfExists(p);
        }
      }
      Files.deleteIfExists(policies);
    }
  }

  static final String ADMISSION =
      """
      apiVersion: runnerguard.dev/v1
      kind: AdmissionPolicy
      allow: {organizations: ["*"]}
      rules:
        - id: private-sandbox
          action: admit
          match: {labels: [self-hosted]}
          runner: {provider: local-sandbox, isolation: SANDBOX, egress: ["localhost:8080"]}
      """;

  /** The shipped defaults, but two egress denials per window, for the restart check. */
  static final String DETECTION =
      """
      apiVersion: runnerguard.dev/v1
      kind: DetectionPolicy
      detection:
        rules:
          - {id: egress-outside-allowlist, threshold: 2, windowSeconds: 600}
      """;

  // ------------------------------------------------------------------ admission

  /** Sends n queued jobs as fast as the producer takes them; waits for n decisions. */
  Latency admission(String name, int n) throws Exception {
    long base = System.nanoTime() % 1_000_000_000L * 1000 + 10_000_000_000L;
    Map<String, Long> sentAt = new ConcurrentHashMap<>();
    Histogram h = new Histogram(3_600_000_000L, 3);
    try (KafkaConsumer<String, byte[]> consumer = consumerAtEnd("runner.admission");
        KafkaProducer<String, byte[]> producer = producer()) {
      long[] cpu = Machine.cpuTicks();
      long start = System.nanoTime();
      byte[] body = gzip("{}");
      for (int i = 0; i < n; i++) {
        long jobId = base + i;
        WorkflowJobEvent e = job(jobId, body);
        String key = Long.toString(jobId);
        sentAt.put(key, System.nanoTime());
        producer.send(new ProducerRecord<>("github.workflow-job", key, jobs.encode(e)));
      }
      producer.flush();
      long received =
          drain(
              consumer,
              n,
              Duration.ofSeconds(Math.max(120, n / 50)),
              (r, now) -> {
                Long t = sentAt.remove(r.key());
                if (t != null) {
                  decisions.decode(r.value());
                  h.recordValue(Math.max(1, (now - t) / 1000));
                }
              },
              () -> sentAt.isEmpty());
      double seconds = (System.nanoTime() - start) / 1e9;
      double busy = Machine.busyPercent(cpu, Machine.cpuTicks());
      Latency l = latency(name, n, n - sentAt.size(), seconds, h, busy);
      log(line(l));
      return l;
    }
  }

  private WorkflowJobEvent job(long jobId, byte[] body) {
    return WorkflowJobEvent.newBuilder()
        .setMetadata(
            meta.create(EventMetadataFactory.correlation("bench-" + jobId, jobId, jobId, null)))
        .setAction("queued")
        .setJobId(jobId)
        .setRunId(jobId)
        .setRunAttempt(1)
        .setRepositoryFullName("acme/app")
        .setRepositoryPrivate(true)
        .setRepositoryFork(false)
        .setOrganization("acme")
        .setLabels(List.of("self-hosted", "linux"))
        .setRawBody(ByteBuffer.wrap(body))
        .build();
  }

  // ------------------------------------------------------------------ signals

  /**
   * Open loop at {@code rate}/s for {@code seconds}: one nested-runner signal per new runner; with
   * {@code raw} to the scratch topic and read back (one Kafka hop), else to {@code runner.signal}
   * and the QUARANTINE command awaited on {@code runner.command}. Latency from the scheduled send.
   */
  Latency signals(String name, int rate, int seconds, boolean raw) throws Exception {
    int n = rate * seconds;
    String prefix = "rg-" + (System.nanoTime() % 1_000_000_000L) + "";
    Map<String, Long> scheduled = new ConcurrentHashMap<>();
    Histogram h = new Histogram(3_600_000_000L, 3);
    String outTopic = raw ? RAW_TOPIC : "runner.command";
    try (KafkaConsumer<String, byte[]> consumer = consumerAtEnd(outTopic);
        KafkaProducer<String, byte[]> producer = producer()) {
      AtomicLong received = new AtomicLong();
      Thread reader =
          new Thread(
              () ->
                  drain(
                      consumer,
                      n,
                      Duration.ofSeconds(seconds + 60L),
                      (r, now) -> {
                        Long t = scheduled.remove(r.key());
                        if (t != null) {
                          if (!raw) {
                            commands.decode(r.value());
                          }
                          h.recordValue(Math.max(1, (now - t) / 1000));
                          received.incrementAndGet();
                        }
                      },
                      () -> received.get() >= n),
              "bench-reader");
      reader.start();
      long[] cpu = Machine.cpuTicks();
      long start = System.nanoTime();
      long interval = 1_000_000_000L / rate;
      for (int i = 0; i < n; i++) {
        long at = start + i * interval;
        long wait = at - System.nanoTime();
        if (wait > 0) {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
        String runner = prefix + "-" + i + "-1";
        scheduled.put(runner, at);
        producer.send(
            new ProducerRecord<>(
                raw ? RAW_TOPIC : "runner.signal", runner, signals.encode(nested(runner))));
      }
      producer.flush();
      reader.join();
      double elapsed = (System.nanoTime() - start) / 1e9;
      Latency l =
          latency(
              name, n, received.get(), elapsed, h, Machine.busyPercent(cpu, Machine.cpuTicks()));
      log(line(l));
      return l;
    }
  }

  private SecuritySignal nested(String runner) {
    return SecuritySignal.newBuilder()
        .setMetadata(meta.create(EventMetadataFactory.correlation(null, null, null, runner)))
        .setSignalId(UUID.randomUUID().toString())
        .setSource(SignalSource.HOST_SENSOR)
        .setKind("process.nested-runner")
        .setObservedAt(Instant.now())
        .setRunnerId(runner)
        .setSeverity(Severity.HIGH)
        .setProcess(
            ProcessInfo.newBuilder()
                .setPid(4242L)
                .setExecutable("/tmp/r/bin/Runner.Listener")
                .setCommandLine("./bin/Runner.Listener run")
                .build())
        .setAttributes(new HashMap<>())
        .build();
  }

  private SecuritySignal denial(String runner, int i) {
    return SecuritySignal.newBuilder(nested(runner))
        .setSignalId(UUID.randomUUID().toString())
        .setKind("net.egress.denied")
        .setProcess(null)
        .setNetwork(
            NetworkInfo.newBuilder()
                .setProtocol("tcp")
                .setDestinationAddress("203.0.113." + (i + 1))
                .setDestinationPort(443)
                .build())
        .build();
  }

  // ------------------------------------------------------------------ restart

  /**
   * One egress denial (threshold 2) and a nested-runner signal; the service is restarted; then the
   * second denial must quarantine (the window survived) and the nested signal delivered again must
   * produce nothing new (a later signal of the same runner marks when it was judged).
   */
  RestartCheck restartCheck(ServiceProcess service) {
    try (KafkaProducer<String, byte[]> producer = producer()) {
      String egressRunner = "rg-" + (System.nanoTime() % 1_000_000_000L) + "-9-1";
      String dupRunner = "rg-" + (System.nanoTime() % 1_000_000_000L) + "-8-1";
      SecuritySignal dup = nested(dupRunner);
      try (KafkaConsumer<String, byte[]> c = consumerAtEnd("runner.command")) {
        producer.send(
            new ProducerRecord<>(
                "runner.signal", egressRunner, signals.encode(denial(egressRunner, 0))));
        producer.send(new ProducerRecord<>("runner.signal", dupRunner, signals.encode(dup)));
        producer.flush();
        // the nested signal's command proves the service judged it (and, in its partition order,
        // nothing says the denial was; wait for its state record too)
        awaitKey(c, dupRunner, Duration.ofSeconds(60));
      }
      try (KafkaConsumer<String, byte[]> c =
          consumerAtBeginning("policy-service.detection-state")) {
        awaitKey(c, egressRunner, Duration.ofSeconds(60));
      }
      log("restarting policy-service");
      service.restart();
      try (KafkaConsumer<String, byte[]> c = consumerAtEnd("runner.command")) {
        producer.send(
            new ProducerRecord<>(
                "runner.signal", egressRunner, signals.encode(denial(egressRunner, 1))));
        producer.send(new ProducerRecord<>("runner.signal", dupRunner, signals.encode(dup)));
        SecuritySignal later =
            SecuritySignal.newBuilder(nested(dupRunner)).setKind("process.survived").build();
        producer.send(new ProducerRecord<>("runner.signal", dupRunner, signals.encode(later)));
        producer.flush();
        boolean window = awaitKey(c, egressRunner, Duration.ofSeconds(60)) != null;
        long dupCommands;
        long dupFindings;
        try (KafkaConsumer<String, byte[]> f = consumerAtBeginning("runner.finding")) {
          List<Finding> forRunner = new ArrayList<>();
          long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
          while (System.nanoTime() < deadline
              && forRunner.stream()
                  .noneMatch(x -> x.getSignalIds().contains(later.getSignalId()))) {
            for (ConsumerRecord<String, byte[]> r : f.poll(Duration.ofMillis(200))) {
              if (dupRunner.equals(r.key())) {
                forRunner.add(findings.decode(r.value()));
              }
            }
          }
          dupFindings =
              forRunner.stream().filter(x -> x.getSignalIds().contains(dup.getSignalId())).count();
        }
        try (KafkaConsumer<String, byte[]> all = consumerAtBeginning("runner.command")) {
          dupCommands = countKey(all, dupRunner);
        }
        RestartCheck rc = new RestartCheck(window, dupCommands, dupFindings, null);
        log("restart check: " + rc);
        return rc;
      }
    } catch (Exception e) {
      return new RestartCheck(false, -1, -1, e.toString());
    }
  }

  // ------------------------------------------------------------------ Kafka helpers

  private KafkaProducer<String, byte[]> producer() {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "1");
    return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }

  private KafkaConsumer<String, byte[]> consumer() {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
    return new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
  }

  private KafkaConsumer<String, byte[]> consumerAtEnd(String topic) {
    KafkaConsumer<String, byte[]> c = consumer();
    List<TopicPartition> parts = partitions(c, topic);
    c.assign(parts);
    c.seekToEnd(parts);
    parts.forEach(c::position); // resolve now, before anything is sent
    return c;
  }

  private KafkaConsumer<String, byte[]> consumerAtBeginning(String topic) {
    KafkaConsumer<String, byte[]> c = consumer();
    List<TopicPartition> parts = partitions(c, topic);
    c.assign(parts);
    c.seekToBeginning(parts);
    return c;
  }

  private static List<TopicPartition> partitions(KafkaConsumer<String, byte[]> c, String topic) {
    return c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
        .map(i -> new TopicPartition(topic, i.partition()))
        .toList();
  }

  private static long drain(
      KafkaConsumer<String, byte[]> c,
      int n,
      Duration timeout,
      BiConsumer<ConsumerRecord<String, byte[]>, Long> onRecord,
      java.util.function.BooleanSupplier done) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long count = 0;
    while (!done.getAsBoolean() && System.nanoTime() < deadline) {
      for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(100))) {
        onRecord.accept(r, System.nanoTime());
        count++;
      }
    }
    return count;
  }

  private static ConsumerRecord<String, byte[]> awaitKey(
      KafkaConsumer<String, byte[]> c, String key, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(100))) {
        if (key.equals(r.key())) {
          return r;
        }
      }
    }
    return null;
  }

  private static long countKey(KafkaConsumer<String, byte[]> c, String key) {
    Map<TopicPartition, Long> end = c.endOffsets(c.assignment());
    long count = 0;
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline
        && end.entrySet().stream().anyMatch(e -> c.position(e.getKey()) < e.getValue())) {
      for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(100))) {
        if (key.equals(r.key())) {
          count++;
        }
      }
    }
    return count;
  }

  private static byte[] gzip(String s) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(s.getBytes(StandardCharsets.UTF_8));
    }
    return out.toByteArray();
  }

  // ------------------------------------------------------------------ report

  private static Latency latency(
      String name, long sent, long received, double seconds, Histogram h, double cpu) {
    return new Latency(
        name,
        sent,
        received,
        seconds,
        h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(50) / 1000.0,
        h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(90) / 1000.0,
        h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(99) / 1000.0,
        h.getTotalCount() == 0 ? Double.NaN : h.getMaxValue() / 1000.0,
        cpu);
  }

  static String line(Latency l) {
    return String.format(
        "%s: %d of %d, %.0f/s over %.1f s, p50 %s p90 %s p99 %s max %s ms, CPU %.0f%%",
        l.name(),
        l.received(),
        l.sent(),
        l.rate(),
        l.seconds(),
        ms(l.p50()),
        ms(l.p90()),
        ms(l.p99()),
        ms(l.max()),
        l.cpu());
  }

  static String markdown(
      Options o,
      String machine,
      String date,
      Latency admission,
      Latency signal,
      Latency raw,
      RestartCheck restart) {
    StringBuilder md = new StringBuilder();
    md.append(SECTION).append("\n\n");
    md.append("Measured ")
        .append(date)
        .append(" (UTC) with `")
        .append(o.command())
        .append("`.\n\n");
    md.append("**Machine:** ").append(machine).append(".\n");
    md.append(
        "Everything on this one machine at once: the single-node KRaft broker (own JVM), the packaged"
            + " policy-service (own JVM, `-Xmx256m`, policies from a directory: one admission rule,"
            + " the detection defaults with egress threshold 2) and the load generator (a third"
            + " JVM); all traffic on 127.0.0.1. CPU is the whole machine's use during the phase.\n\n");
    md.append("| phase | sent | received | rate/s | p50 ms | p90 ms | p99 ms | max ms | CPU |\n");
    md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Latency l : List.of(admission, raw, signal)) {
      md.append(
          String.format(
              "| %s | %d | %d | %.0f | %s | %s | %s | %s | %.0f%% |%n",
              l.name(),
              l.sent(),
              l.received(),
              l.rate(),
              ms(l.p50()),
              ms(l.p90()),
              ms(l.p99()),
              ms(l.max()),
              l.cpu()));
    }
    md.append("\n- **Admission:** ")
        .append(admission.received())
        .append(" queued jobs produced in one burst (`acks=all`, idempotent), ")
        .append(String.format("%.0f decisions/s", admission.rate()))
        .append(
            " from the first send to the last decision read from `runner.admission` (each job"
                + " decided once: input to `github.workflow-job`, decision back, two Kafka hops plus"
                + " the decided-log bookkeeping). Latency per job from its send, so it includes"
                + " the queue the burst builds.\n");
    md.append("- **Signal to command:** open loop at ")
        .append(o.signalRate())
        .append("/s for ")
        .append(o.signalSeconds())
        .append(
            " s, one `process.nested-runner` signal per new runner on `runner.signal`, latency from"
                + " the scheduled send to the QUARANTINE command read from `runner.command` (two"
                + " hops; the service produces the command before the finding and the state, all"
                + " `acks=all`).\n");
    md.append(
        String.format(
            "- **Raw Kafka, same run:** the same signals to a scratch topic, read back: one hop."
                + " Ratio p50 signal-to-command / one raw hop: %.1f; p99: %.1f.%n",
            signal.p50() / raw.p50(), signal.p99() / raw.p99()));
    md.append("- **Restart check:** ")
        .append(
            restart.error() != null
                ? "failed: " + restart.error()
                : (restart.windowSurvived()
                        ? "one egress denial before a service restart and one after quarantined the runner (the window survived in the state topic)"
                        : "the egress window did NOT survive the restart")
                    + "; a signal delivered again after the restart gave "
                    + restart.findingsForDuplicate()
                    + " finding(s) and "
                    + restart.commandsForDuplicate()
                    + " command(s) in total (1 and 1 expected)")
        .append(".\n");
    md.append(
        String.format(
            "%nAgainst the SPEC target (security signal -> network cut p99 <= 1 s on the local"
                + " sandbox): the policy-service's share, signal to QUARANTINE command, is p99 %s ms"
                + " here; the orchestrator's network cut comes after it and is not measured here.%n",
            ms(signal.p99())));
    return md.toString();
  }

  static void writeSection(Path file, String section) throws IOException {
    BenchReport.replaceSection(file, SECTION, section);
  }

  static String ms(double v) {
    if (Double.isNaN(v)) {
      return "-";
    }
    return v < 10 ? String.format("%.2f", v) : String.format("%.0f", v);
  }

  private static void log(String message) {
    System.out.println(
        "[bench "
            + ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_LOCAL_TIME)
            + "] "
            + message);
  }

  private static void quietLogging() {
    Logger root = Logger.getLogger("");
    root.setLevel(Level.WARNING);
    for (var handler : root.getHandlers()) {
      handler.setLevel(Level.WARNING);
    }
  }
}
