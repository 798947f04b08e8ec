package dev.runnerguard.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runnerguard.testing.KafkaBrokerProcess;
import dev.runnerguard.testing.PostgresTestDatabase;
import dev.runnerguard.testing.ServiceProcess;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * The audit-ingest benchmark (SPEC: ">= 20,000 events/s normalised, chained and stored; within 2x a
 * plain COPY of the same rows"). In one run on this machine:
 *
 * <ol>
 *   <li>a real KRaft broker (own JVM) and an embedded PostgreSQL 17 (own processes) start;
 *   <li>N platform records ({@link AuditEvents}: signals, lifecycle, findings) are produced to
 *       their topics before the service starts (not measured);
 *   <li>the packaged audit-ingest starts (own JVM, its SIEM sinks off) and consumes them: decode,
 *       OCSF normalisation, canonical JSON, SHA-256 chain, batch insert, as in production. The
 *       chain head's seq is sampled every 100 ms; reported: the rate between 10 % and 90 % of N and
 *       the median of the per-second rates in that window; then {@code /api/v1/audit/verify};
 *   <li>with the service stopped, the stored rows are exported ({@code COPY ... TO STDOUT}) and
 *       loaded with a plain {@code COPY ... FROM STDIN} into a table created {@code LIKE
 *       audit_event INCLUDING ALL} (same columns, indexes and constraints; no triggers), R times;
 *       the median is the baseline;
 *   <li>ratio = COPY rows/s / ingest events/s.
 * </ol>
 */
public final class AuditBenchmark {
  static final String SECTION = "## audit-ingest";
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Options: N events, COPY repeats, service heap, the service's JVM options besides {@code -Xmx}
   * (default: the launcher's, {@link #LAUNCHER_JVM_OPTIONS}), report destination.
   */
  public record Options(
      int events,
      int warmupEvents,
      int copyRepeats,
      String serviceHeap,
      String serviceJvmOptions,
      Path write,
      String command) {

    /** Records produced and stored in all: the warm-up's, then the measured ones. */
    int total() {
      return warmupEvents + events;
    }

    /** The whole number after {@code --name=}, at least {@code min}; else a clear error. */
    private static int number(String arg, int min) {
      String name = arg.substring(0, arg.indexOf('='));
      String value = arg.substring(arg.indexOf('=') + 1);
      try {
        int n = Integer.parseInt(value.strip());
        if (n >= min) {
          return n;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw new IllegalArgumentException(
          name + " needs a whole number >= " + min + ", got '" + value + "'");
    }

    static Options parse(String[] args, Path defaultWrite) {
      int events = 400_000;
      int warmup = 200_000;
      int repeats = 3;
      String heap = "256m";
      String jvmOptions = LAUNCHER_JVM_OPTIONS;
      Path write = defaultWrite;
      for (String a : args) {
        if (a.equals("--quick")) {
          events = 20_000;
          warmup = 0;
          write = null;
        } else if (a.startsWith("--events=")) {
          events = number(a, 1);
        } else if (a.startsWith("--warmup-events=")) {
          warmup = number(a, 0);
        } else if (a.startsWith("--copy-repeats=")) {
          repeats = number(a, 1);
        } else if (a.startsWith("--service-heap=")) {
          heap = a.substring(15);
        } else if (a.startsWith("--service-jvm-options=")) {
          jvmOptions = a.substring("--service-jvm-options=".length()).strip();
          if (jvmOptions.isEmpty()) {
            throw new IllegalArgumentException(
                "--service-jvm-options needs options (leave it out for the launcher's)");
          }
        } else if (a.startsWith("--write=")) {
          write = Path.of(a.substring(8));
        } else if (a.equals("--no-write")) {
          write = null;
        } else {
          throw new IllegalArgumentException("unknown option " + a);
        }
      }
      return new Options(
          events,
          warmup,
          repeats,
          heap,
          jvmOptions,
          write,
          "bench/run-audit.sh " + String.join(" ", args));
    }
  }

  /** What one run measured, and its report. */
  public record Result(
      int events,
      double produceSeconds,
      double ingestRate1090,
      double ingestMedianPerSecond,
      double ingestSeconds,
      double ingestCpuPercent,
      long stored,
      boolean verifyOk,
      long verifyChecked,
      long avgRowBytes,
      double[] copyRates,
      double copyMedian,
      double ratio,
      String markdown) {}

  private AuditBenchmark() {}

  public static void main(String[] args) throws Exception {
    Logger.getLogger("").setLevel(Level.WARNING);
    Options o = Options.parse(args, ServiceProcess.repoRoot().resolve("BENCHMARKS.md"));
    String command = System.getProperty("runnerguard.bench.command");
    if (command != null && !command.isBlank()) {
      o =
          new Options(
              o.events(),
              o.warmupEvents(),
              o.copyRepeats(),
              o.serviceHeap(),
              o.serviceJvmOptions(),
              o.write(),
              command);
    }
    Result r = run(o);
    System.out.println();
    System.out.println(r.markdown());
    if (o.write() != null) {
      writeSection(o.write(), r.markdown());
      System.out.println("(written to " + o.write() + ")");
    }
    System.exit(r.stored() == r.events() && r.verifyOk() ? 0 : 2);
  }

  /** Runs the benchmark; broker, PostgreSQL and the service are stopped on every path. */
  public static Result run(Options o) throws Exception {
    String date = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_LOCAL_DATE);
    String machine = Machine.describe();
    String load = loadAverage();
    log("machine: " + machine + "; load average " + load);
    String db = "audit_bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    String url = PostgresTestDatabase.jdbcUrl(db);
    log("PostgreSQL " + url);
    try (KafkaBrokerProcess broker = KafkaBrokerProcess.start()) {
      broker.createPlatformTopics();
      log(
          "broker at "
              + broker.bootstrapServers()
              + "; producing "
              + o.total()
              + " records ("
              + o.warmupEvents()
              + " warm-up, then "
              + o.events()
              + " measured)");
      long p0 = System.nanoTime();
      produce(broker.bootstrapServers(), o.total());
      double produceSeconds = (System.nanoTime() - p0) / 1e9;
      log(String.format("produced in %.1f s", produceSeconds));

      List<long[]> samples = new ArrayList<>();
      AtomicBoolean sampling = new AtomicBoolean(true);
      int pgPort = java.net.URI.create(url.substring(5)).getPort();
      // CPU per process between the samples at 10 % and 90 % of N (the window the rate covers)
      java.util.concurrent.atomic.AtomicReference<ProcessCpu.Snapshot> at10 =
          new java.util.concurrent.atomic.AtomicReference<>();
      java.util.concurrent.atomic.AtomicReference<ProcessCpu.Snapshot> at90 =
          new java.util.concurrent.atomic.AtomicReference<>();
      Thread sampler =
          new Thread(
              () ->
                  sample(
                      url,
                      samples,
                      sampling,
                      seq -> {
                        if (at10.get() == null && seq >= o.warmupEvents() + o.events() / 10) {
                          at10.set(ProcessCpu.snapshot(p -> roles(p, pgPort)));
                        } else if (at90.get() == null
                            && seq >= o.warmupEvents() + o.events() * 9L / 10) {
                          at90.set(ProcessCpu.snapshot(p -> roles(p, pgPort)));
                        }
                      }),
              "audit-bench-sampler");
      long[] cpu0 = Machine.cpuTicks();
      sampler.start();
      ServiceProcess service =
          ServiceProcess.builder("audit-ingest")
              .systemProperty("kafka.bootstrap.servers", broker.bootstrapServers())
              .systemProperty("quarkus.log.level", "WARN")
              .env("RUNNERGUARD_POSTGRES_URL", url)
              .env("RUNNERGUARD_POSTGRES_USER", "postgres")
              .env("RUNNERGUARD_POSTGRES_PASSWORD", "postgres")
              .env("RUNNERGUARD_AUDIT_SINK_KAFKA_ENABLED", "false")
              .heap(o.serviceHeap())
              .env("JDK_JAVA_OPTIONS", o.serviceJvmOptions())
              .env("MALLOC_ARENA_MAX", "2")
              .readyTimeout(Duration.ofSeconds(120))
              .start();
      boolean verifyOk;
      long verifyChecked;
      long stored;
      long[] cpu1;
      try {
        log("audit-ingest on port " + service.port() + "; log " + service.log());
        long deadline = System.nanoTime() + Duration.ofSeconds(120 + o.total() / 500).toNanos();
        long lastLog = System.nanoTime();
        while (System.nanoTime() < deadline && service.isAlive()) {
          if (headSeq(url) >= o.total() && count(url) >= o.total()) {
            break;
          }
          if (System.nanoTime() - lastLog > 10_000_000_000L) {
            log("chain head at seq " + headSeq(url));
            lastLog = System.nanoTime();
          }
          Thread.sleep(200);
        }
        cpu1 = Machine.cpuTicks();
        sampling.set(false);
        sampler.join();
        stored = count(url);
        log("stored " + stored + " of " + o.total() + " (chain head seq " + headSeq(url) + ")");
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> verify =
            http.send(
                HttpRequest.newBuilder(service.baseUri().resolve("/api/v1/audit/verify"))
                    .timeout(Duration.ofMinutes(10))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode v = JSON.readTree(verify.body());
        verifyOk = v.path("ok").asBoolean(false);
        verifyChecked = v.path("checked").asLong();
        log("verify: " + v);
      } finally {
        try {
          Path kept = ServiceProcess.repoRoot().resolve("bench/target/audit-ingest-bench.log");
          Files.createDirectories(kept.getParent());
          Files.copy(service.log(), kept, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
          log("could not keep the service log: " + e);
        }
        service.close();
      }

      double[] ingest = rates(samples, o.warmupEvents(), o.events());
      double ingestSeconds = ingest[2];
      double cpu = Machine.busyPercent(cpu0, cpu1);
      java.util.Map<String, Double> cpuSplit =
          at10.get() == null || at90.get() == null
              ? java.util.Map.of()
              : ProcessCpu.percentOfCore(at10.get(), at90.get());
      log("CPU during the ingest, % of one core: " + cpuSplit);

      log("COPY baseline, " + o.copyRepeats() + " times");
      double[] copy = new double[o.copyRepeats()];
      List<java.util.Map<String, Double>> copyCpu = new ArrayList<>();
      long avgRowBytes;
      try (Connection c = DriverManager.getConnection(url, "postgres", "postgres")) {
        CopyManager cm = c.unwrap(PGConnection.class).getCopyAPI();
        // the stored rows, in COPY text form, in a file (hundreds of MB: not on the heap)
        Path rowsFile = Files.createTempFile("audit-bench-rows-", ".copy");
        try (java.io.OutputStream rows =
            new java.io.BufferedOutputStream(Files.newOutputStream(rowsFile), 1 << 20)) {
          cm.copyOut(
              "COPY (SELECT seq, event_id, topic, kafka_partition, kafka_offset, occurred_at,"
                  + " stored_at, class_uid, runner_id, job_id, severity_id, dead_lettered, ocsf,"
                  + " prev_hash, hash FROM audit_event ORDER BY seq) TO STDOUT",
              rows);
        }
        long dataBytes = Files.size(rowsFile);
        avgRowBytes = stored == 0 ? 0 : dataBytes / stored;
        try (Statement s = c.createStatement()) {
          s.execute("CREATE TABLE audit_event_copy (LIKE audit_event INCLUDING ALL)");
        }
        for (int i = 0; i < copy.length; i++) {
          try (Statement s = c.createStatement()) {
            s.execute("TRUNCATE audit_event_copy");
            s.execute("CHECKPOINT");
          }
          ProcessCpu.Snapshot before = ProcessCpu.snapshot(p -> roles(p, pgPort));
          long t0 = System.nanoTime();
          long n;
          try (java.io.InputStream in =
              new java.io.BufferedInputStream(Files.newInputStream(rowsFile), 1 << 20)) {
            n =
                cm.copyIn(
                    "COPY audit_event_copy (seq, event_id, topic, kafka_partition, kafka_offset,"
                        + " occurred_at, stored_at, class_uid, runner_id, job_id, severity_id,"
                        + " dead_lettered, ocsf, prev_hash, hash) FROM STDIN",
                    in);
          }
          double secs = (System.nanoTime() - t0) / 1e9;
          copy[i] = n / secs;
          copyCpu.add(ProcessCpu.percentOfCore(before, ProcessCpu.snapshot(p -> roles(p, pgPort))));
          log(
              String.format(
                  "COPY %d rows in %.2f s: %.0f rows/s; CPU, %% of one core: %s",
                  n, secs, copy[i], copyCpu.get(i)));
        }
        Files.deleteIfExists(rowsFile);
      }
      double copyMedian = median(copy);
      double ingestRate = ingest[1];
      double ratio = copyMedian / ingestRate;
      String md =
          markdown(
              o,
              date,
              machine,
              load,
              produceSeconds,
              ingest,
              cpu,
              cpuSplit,
              copyCpu,
              stored,
              verifyOk,
              verifyChecked,
              avgRowBytes,
              copy,
              copyMedian,
              ratio);
      return new Result(
          o.events(),
          produceSeconds,
          ingest[0],
          ingest[1],
          ingestSeconds,
          cpu,
          stored,
          verifyOk,
          verifyChecked,
          avgRowBytes,
          copy,
          copyMedian,
          ratio,
          md);
    }
  }

  /**
   * The JVM options {@code ./runnerguard} starts audit-ingest with besides {@code -Xmx} (see {@code
   * start_service}; {@code BenchOptionsTest} keeps the two the same), so the benchmark measures the
   * service as the launcher runs it.
   */
  static final String LAUNCHER_JVM_OPTIONS =
      BenchOptions.LAUNCHER_SERVICE_JVM_OPTIONS + " " + AuditBenchmark.LAUNCHER_TUNING;

  /** audit-ingest's own options in {@code start_service}: C2 only, the native heap trimmed. */
  static final String LAUNCHER_TUNING = "-XX:-TieredCompilation -XX:TrimNativeHeapInterval=5000";

  private static void produce(String bootstrap, int n) throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "10");
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
    // right after the topics are created a few batches can fail with OutOfOrderSequenceException
    // and are only reported at the delivery timeout (2 min by default); they are resent below,
    // so a short timeout only shortens that stall
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "15000");
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
      for (String topic : List.of("runner.signal", "runner.lifecycle", "runner.finding")) {
        long t0 = System.nanoTime();
        producer.partitionsFor(topic);
        log(String.format("metadata of %s in %.1f s", topic, (System.nanoTime() - t0) / 1e9));
      }
      // a failed record is resent as it was (same event id): building it again would give it a
      // new id, and if the first send had arrived after all, the event would be stored twice
      java.util.concurrent.ConcurrentLinkedQueue<AuditEvents.Encoded> failed =
          new java.util.concurrent.ConcurrentLinkedQueue<>();
      for (long i = 0; i < n; i++) {
        AuditEvents.Encoded e = AuditEvents.record(i);
        producer.send(
            new ProducerRecord<>(e.topic(), e.key(), e.value()),
            (md, ex) -> {
              if (ex != null) {
                failed.add(e);
              }
            });
      }
      producer.flush();
      // every record must be there: resend the failed ones, waiting for each
      for (int round = 0; !failed.isEmpty(); round++) {
        if (round == 5) {
          throw new IllegalStateException(failed.size() + " records could not be produced");
        }
        List<AuditEvents.Encoded> again = new ArrayList<>(failed);
        failed.clear();
        log("resending " + again.size() + " records that failed");
        for (AuditEvents.Encoded e : again) {
          try {
            producer.send(new ProducerRecord<>(e.topic(), e.key(), e.value())).get();
          } catch (java.util.concurrent.ExecutionException ex) {
            failed.add(e);
          }
        }
      }
    }
  }

  /**
   * The processes of this run: this JVM, its child JVMs (the service: {@code quarkus-run.jar}; the
   * broker: any other), and the PostgreSQL listening on {@code pgPort} (the postmaster, with its
   * reaped children, and every process it started: backends, checkpointer, WAL writer, ...).
   */
  static java.util.Map<Long, ProcessCpu.Role> roles(
      java.util.Map<Long, ProcessCpu.Proc> procs, int pgPort) {
    java.util.Map<Long, ProcessCpu.Role> out = new java.util.LinkedHashMap<>();
    long self = ProcessHandle.current().pid();
    out.put(self, new ProcessCpu.Role("benchmark JVM", false));
    long postmaster = -1;
    for (ProcessCpu.Proc p : procs.values()) {
      if (p.comm().equals("postgres") && p.cmdline().contains(" -p " + pgPort + " ")) {
        postmaster = p.pid();
        out.put(p.pid(), new ProcessCpu.Role("PostgreSQL", true));
      }
    }
    for (ProcessCpu.Proc p : procs.values()) {
      if (p.ppid() == self && p.comm().equals("java")) {
        out.put(
            p.pid(),
            new ProcessCpu.Role(
                p.cmdline().contains("quarkus-run.jar")
                    ? "audit-ingest JVM"
                    : p.cmdline().contains("kafka.Kafka") ? "Kafka broker JVM" : "other child JVM",
                false));
      } else if (postmaster > 0 && p.ppid() == postmaster) {
        out.put(p.pid(), new ProcessCpu.Role("PostgreSQL", false));
      }
    }
    return out;
  }

  private static long headSeq(String url) {
    try (Connection c = DriverManager.getConnection(url, "postgres", "postgres");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT seq FROM chain_head WHERE id = 1")) {
      return rs.next() ? rs.getLong(1) : 0;
    } catch (SQLException e) {
      return 0; // not migrated yet
    }
  }

  private static long count(String url) {
    try (Connection c = DriverManager.getConnection(url, "postgres", "postgres");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM audit_event")) {
      return rs.next() ? rs.getLong(1) : 0;
    } catch (SQLException e) {
      return 0;
    }
  }

  /** Samples {nanoTime, chain head seq} every 100 ms on one connection. */
  private static void sample(
      String url,
      List<long[]> out,
      AtomicBoolean running,
      java.util.function.LongConsumer onSample) {
    while (running.get()) {
      try (Connection c = DriverManager.getConnection(url, "postgres", "postgres");
          Statement s = c.createStatement()) {
        while (running.get()) {
          long seq = 0;
          try (ResultSet rs = s.executeQuery("SELECT seq FROM chain_head WHERE id = 1")) {
            if (rs.next()) {
              seq = rs.getLong(1);
            }
          } catch (SQLException notYet) {
            // the service has not migrated the database yet
          }
          synchronized (out) {
            out.add(new long[] {System.nanoTime(), seq});
          }
          onSample.accept(seq);
          Thread.sleep(100);
        }
      } catch (SQLException | InterruptedException e) {
        if (e instanceof InterruptedException) {
          return;
        }
      }
    }
  }

  /**
   * {rate between 10 % and 90 % of the n measured rows (after the warm-up's), median of the
   * per-second rates in that window, seconds from the first measured row to the last}.
   */
  static double[] rates(List<long[]> samples, long warmup, long n) {
    List<long[]> s;
    synchronized (samples) {
      s = new ArrayList<>(samples);
    }
    long[] first = null;
    long[] at10 = null;
    long[] at90 = null;
    long[] done = null;
    for (long[] x : s) {
      if (first == null && x[1] > warmup) {
        first = x;
      }
      if (at10 == null && x[1] >= warmup + n / 10) {
        at10 = x;
      }
      if (at90 == null && x[1] >= warmup + n * 9 / 10) {
        at90 = x;
      }
      if (done == null && x[1] >= warmup + n) {
        done = x;
      }
    }
    if (at10 == null || at90 == null || at90[0] <= at10[0]) {
      return new double[] {Double.NaN, Double.NaN, Double.NaN};
    }
    double rate = (at90[1] - at10[1]) / ((at90[0] - at10[0]) / 1e9);
    List<Double> perSecond = new ArrayList<>();
    long[] from = at10;
    for (long[] x : s) {
      if (x[0] <= at10[0] || x[0] > at90[0]) {
        continue;
      }
      if (x[0] - from[0] >= 1_000_000_000L) {
        perSecond.add((x[1] - from[1]) / ((x[0] - from[0]) / 1e9));
        from = x;
      }
    }
    double med =
        perSecond.isEmpty()
            ? rate
            : median(perSecond.stream().mapToDouble(Double::doubleValue).toArray());
    double total = done == null || first == null ? Double.NaN : (done[0] - first[0]) / 1e9;
    return new double[] {rate, med, total};
  }

  static double median(double[] v) {
    double[] c = v.clone();
    Arrays.sort(c);
    if (c.length == 0) {
      return Double.NaN;
    }
    return c.length % 2 == 1 ? c[c.length / 2] : (c[c.length / 2 - 1] + c[c.length / 2]) / 2;
  }

  private static String markdown(
      Options o,
      String date,
      String machine,
      String load,
      double produceSeconds,
      double[] ingest,
      double cpu,
      java.util.Map<String, Double> cpuSplit,
      List<java.util.Map<String, Double>> copyCpu,
      long stored,
      boolean verifyOk,
      long verifyChecked,
      long avgRowBytes,
      double[] copy,
      double copyMedian,
      double ratio) {
    StringBuilder md = new StringBuilder();
    md.append(SECTION).append("\n\n");
    md.append("Measured ")
        .append(date)
        .append(" (UTC) with `")
        .append(o.command().strip())
        .append("`.\n\n");
    md.append("**Machine:** ")
        .append(machine)
        .append(". Load average before the run: ")
        .append(load)
        .append(
            ". Everything on this one machine at once: the KRaft broker (own JVM), PostgreSQL 17"
                + " (zonky embedded binaries, started with fsync off and synchronous_commit=off, as for"
                + " the tests; the same for both sides), the packaged"
                + " audit-ingest (own JVM, "
                + (o.serviceJvmOptions().equals(LAUNCHER_JVM_OPTIONS)
                    ? "the launcher's options"
                    : "JVM options `" + o.serviceJvmOptions() + "`")
                + ", `-Xmx")
        .append(o.serviceHeap())
        .append("`, SIEM sinks off) and the benchmark JVM (sampling, then COPY).\n\n");
    md.append("**Workload:** ")
        .append(o.total())
        .append(
            " Avro platform records (per 10: 6 `runner.signal` net/process/file, 3"
                + " `runner.lifecycle`, 1 `runner.finding`; 1,000 runners), produced before the"
                + " service starts: the first ")
        .append(o.warmupEvents())
        .append(
            " are the JIT's warm-up (stored like the others, not in the measured window), the"
                + " rate is measured over the next ")
        .append(o.events())
        .append(
            ". The service consumes them from the broker, decodes,"
                + " normalises to OCSF 1.1.0, writes canonical JSON, chains SHA-256 and stores"
                + " them in chunks of 1,000 records (one transaction per chunk, chain head locked). Average"
                + " stored row: ")
        .append(avgRowBytes)
        .append(" bytes in COPY text form. The COPY baseline loads exactly those stored rows")
        .append(" into `audit_event_copy (LIKE audit_event INCLUDING ALL)` (same indexes and")
        .append(" constraints, no triggers) with one `COPY ... FROM STDIN`, ")
        .append(o.copyRepeats())
        .append(" times (table truncated between).\n\n");
    md.append("| what | rows | rows/s | note |\n|---|---:|---:|---|\n");
    md.append(
        String.format(
            "| audit-ingest: consume, normalise, chain, store (10 %%–90 %% of the measured rows) | %d | %.0f | median of per-second rates %.0f; %.1f s from the first measured row to the last; machine CPU %.0f%% |%n",
            stored, ingest[0], ingest[1], ingest[2], cpu));
    md.append(
        String.format(
            "| plain COPY of the same rows, median of %d | %d | %.0f | runs: %s |%n",
            copy.length, stored, copyMedian, formatRates(copy)));
    md.append("\n");
    if (!cpuSplit.isEmpty()) {
      md.append("**CPU during the ingest** (10 %–90 % of the run, % of one core; the machine has ")
          .append(Runtime.getRuntime().availableProcessors())
          .append(" cores): ");
      StringBuilder parts = new StringBuilder();
      cpuSplit.forEach(
          (k, v) ->
              parts
                  .append(parts.length() > 0 ? ", " : "")
                  .append(k.equals("other") ? "other processes on the machine" : k)
                  .append(String.format(" %.0f %%", v)));
      md.append(parts).append(".");
      if (!copyCpu.isEmpty()) {
        md.append(" During the COPY runs: PostgreSQL ");
        StringBuilder pg = new StringBuilder();
        StringBuilder other = new StringBuilder();
        for (java.util.Map<String, Double> m : copyCpu) {
          pg.append(pg.length() > 0 ? ", " : "")
              .append(String.format("%.0f", m.getOrDefault("PostgreSQL", Double.NaN)));
          other
              .append(other.length() > 0 ? ", " : "")
              .append(String.format("%.0f", m.getOrDefault("other", Double.NaN)));
        }
        md.append(pg).append(" %, other processes on the machine ").append(other).append(" %.");
      }
      md.append("\n\n");
    }
    md.append(
        String.format(
            "**Ratio (COPY rows/s ÷ ingest events/s, medians):** %.2f (target ≤ 2). **Throughput"
                + " target (≥ 20,000 events/s):** %s (%.0f/s). Chain verified after the run: %s"
                + " (%d rows checked). Producing the records beforehand took %.1f s (not"
                + " measured).%n",
            ratio,
            ingest[1] >= 20_000 ? "met" : "not met",
            ingest[1],
            verifyOk ? "ok" : "BROKEN",
            verifyChecked,
            produceSeconds));
    return md.toString();
  }

  private static String formatRates(double[] v) {
    StringBuilder sb = new StringBuilder();
    for (double d : v) {
      if (sb.length() > 0) {
        sb.append(", ");
      }
      sb.append(String.format("%.0f", d));
    }
    return sb.toString();
  }

  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " / " + f[1] + " / " + f[2] + " (1/5/15 min)";
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  /** Replaces (or appends) the {@code ## audit-ingest} section; other sections stay as they are. */
  static void writeSection(Path file, String section) throws IOException {
    BenchReport.replaceSection(file, SECTION, section);
  }

  private static void log(String message) {
    System.out.println(
        "[audit-bench "
            + ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_LOCAL_TIME)
            + "] "
            + message);
  }
}
