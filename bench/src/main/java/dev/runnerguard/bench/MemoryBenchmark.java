package dev.runnerguard.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runnerguard.testing.ServiceProcess;
import java.io.IOException;
import java.net.URI;
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
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;

/**
 * The SPEC memory target, "each service <= 256 MB RSS with 10,000 tracked runners" (see
 * bench/README.md): the whole platform started with the real {@code ./runnerguard up} (each service
 * its own JVM with the launcher's flags), N signed {@code queued} webhooks posted to the gateway so
 * that the orchestrator tracks N dry-run runners (IDLE), then every service JVM's {@code VmRSS} and
 * {@code VmHWM} from {@code /proc/<pid>/status} and its heap from {@code /q/metrics}.
 */
public final class MemoryBenchmark {
  static final String SECTION = "## Memory";

  /** The target: 256 MiB of resident memory per service. */
  static final long TARGET_KB = 256L * 1024;

  /** The service modules the target is about, in the launcher's order. */
  static final List<String> TARGETS =
      List.of(
          "webhook-gateway",
          "token-service",
          "runner-orchestrator",
          "policy-service",
          "audit-ingest");

  /** Everything the benchmark starts: the targets plus github-sim (a test double, reported). */
  static final String SERVICES = String.join(",", TARGETS) + ",github-sim";

  /** Reported for context, never a target: the broker and PostgreSQL's launcher JVM. */
  static final List<String> OTHERS = List.of("github-sim", "kafka", "postgres");

  /**
   * Options.
   *
   * @param runners jobs posted, one runner each
   * @param rate webhooks per second (open loop)
   * @param settleSeconds wait after everything arrived, before the measurement
   * @param env extra environment of {@code ./runnerguard up} (e.g. a JVM flag to try)
   * @param write where the report section goes, null to print only
   * @param command the command line, for the report
   */
  public record Options(
      int runners,
      int rate,
      double settleSeconds,
      Map<String, String> env,
      Path write,
      String command) {
    static Options parse(String[] args, Path defaultWrite) {
      int runners = 10_000;
      int rate = 100;
      double settle = 30;
      Map<String, String> env = new LinkedHashMap<>();
      Path write = defaultWrite;
      for (String a : args) {
        if (a.equals("--quick")) {
          runners = 500;
          settle = 5;
          write = null;
        } else if (a.startsWith("--runners=")) {
          runners = Integer.parseInt(a.substring(10));
        } else if (a.startsWith("--rate=")) {
          rate = Integer.parseInt(a.substring(7));
        } else if (a.startsWith("--settle-seconds=")) {
          settle = Double.parseDouble(a.substring(17));
        } else if (a.startsWith("--env=") && a.indexOf('=', 6) > 6) {
          int eq = a.indexOf('=', 6);
          env.put(a.substring(6, eq), a.substring(eq + 1));
        } else if (a.equals("--no-write")) {
          write = null;
        } else if (a.startsWith("--write=")) {
          write = Path.of(a.substring(8));
        } else {
          throw new IllegalArgumentException("unknown option " + a + " (see bench/README.md)");
        }
      }
      if (runners < 1 || rate < 1 || settle < 0) {
        throw new IllegalArgumentException("--runners and --rate must be positive");
      }
      return new Options(
          runners,
          rate,
          settle,
          env,
          write,
          System.getProperty("runnerguard.bench.command", "MemoryBenchmark"));
    }
  }

  /**
   * One process's memory at one moment; kB from {@code /proc/<pid>/status}, bytes from the JVM's
   * own metrics (NaN where the process serves none).
   */
  public record Sample(
      String component,
      long pid,
      long rssKb,
      long hwmKb,
      long rssAnonKb,
      long rssFileKb,
      long threads,
      double heapUsed,
      double heapCommitted,
      double heapMax,
      double nonHeapUsed,
      double directUsed,
      double liveData,
      double minorGcs,
      double majorGcs,
      double gcSeconds) {
    boolean running() {
      return rssKb >= 0;
    }
  }

  /** What one run measured. */
  public record Result(
      String machine,
      String date,
      String loadBefore,
      String loadAfter,
      long sent,
      long accepted,
      Map<String, Long> notAccepted,
      double sendSeconds,
      double trackSeconds,
      Map<String, Long> runnersByState,
      long listedIdle,
      Map<String, Long> topicRecords,
      long auditRows,
      Map<String, Sample> before,
      Map<String, Sample> after,
      Map<String, Long> liveAfterFullGc) {
    /** Every target service's RSS and peak RSS within the target (and every one measured). */
    boolean met() {
      for (String s : TARGETS) {
        Sample a = after.get(s);
        if (a == null || !a.running() || a.rssKb() > TARGET_KB || a.hwmKb() > TARGET_KB) {
          return false;
        }
      }
      return true;
    }
  }

  private final LocalStack stack;
  private final Path logs;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private MemoryBenchmark(LocalStack stack, Path logs) {
    this.stack = stack;
    this.logs = logs;
  }

  public static void main(String[] args) throws Exception {
    Options o = Options.parse(args, ServiceProcess.repoRoot().resolve("BENCHMARKS.md"));
    Result r = run(o);
    String md = markdown(o, r);
    System.out.println(md);
    if (o.write() != null) {
      writeSection(o.write(), md);
      OrchestratorBenchmark.log("wrote the " + SECTION + " section of " + o.write());
    }
    boolean tracked = r.runnersByState().getOrDefault("IDLE", 0L) >= o.runners();
    System.exit(tracked ? 0 : 2);
  }

  /**
   * The stack's environment: the orchestrator benchmark's (dry-run provider, reconcile once an
   * hour, github-sim and token-service budgets raised for one JIT mint per job) plus an idle
   * timeout of 2 h, so that no runner is retired (the default is 15 min) while the load runs and
   * the measurement is taken.
   */
  static Map<String, String> stackEnv(Map<String, String> extra) {
    Map<String, String> env = OrchestratorBenchmark.stackEnv(Map.of());
    env.put("RUNNERGUARD_ORCHESTRATOR_LIFECYCLE_IDLE_TIMEOUT", "2h");
    env.putAll(extra);
    return env;
  }

  /** Starts the stack, loads it, measures, stops the stack on every path. */
  public static Result run(Options o) throws Exception {
    String machine = Machine.describe();
    String date = LocalDate.now(ZoneOffset.UTC).toString();
    String loadBefore = OrchestratorBenchmark.loadAverage();
    Path logs = ServiceProcess.repoRoot().resolve("bench/target/memory-bench-logs");
    try (LocalStack stack = LocalStack.start(SERVICES, stackEnv(o.env()), logs)) {
      OrchestratorBenchmark.log(
          "stack up: kafka " + stack.bootstrap() + ", gateway " + stack.gatewayPort());
      return new MemoryBenchmark(stack, logs).measure(o, machine, date, loadBefore);
    }
  }

  private Result measure(Options o, String machine, String date, String loadBefore)
      throws Exception {
    Thread.sleep(5_000);
    Map<String, Sample> before = sampleAll();
    log("before the load", before);

    // the load: N signed queued webhooks at a fixed rate, open loop
    long firstJobId = 7_000_000_000_000L + ThreadLocalRandom.current().nextLong(1_000_000_000L);
    AtomicLong accepted = new AtomicLong();
    Map<String, Long> notAccepted = new ConcurrentHashMap<>();
    long t0 = System.nanoTime();
    long sent;
    try (JobWebhookLoad load =
        new JobWebhookLoad(stack.gatewayPort(), stack.webhookSecret(), 10_240, firstJobId)) {
      sent =
          load.openLoop(
              o.rate(),
              o.runners() / (double) o.rate(),
              new JobWebhookLoad.Listener() {
                @Override
                public void scheduled(long jobId, long scheduledMicros) {}

                @Override
                public void answered(long jobId, int status, long answeredMicros) {
                  if (status == 202) {
                    accepted.incrementAndGet();
                  } else {
                    notAccepted.merge("HTTP " + status, 1L, Long::sum);
                  }
                }

                @Override
                public void failed(long jobId, String error) {
                  notAccepted.merge("error", 1L, Long::sum);
                }
              });
    }
    double sendSeconds = (System.nanoTime() - t0) / 1e9;
    OrchestratorBenchmark.log(
        String.format(
            Locale.ROOT,
            "sent %d webhooks in %.0f s, %d answered 202, not 202: %s",
            sent,
            sendSeconds,
            accepted.get(),
            notAccepted));

    // until the orchestrator tracks every accepted job's runner as IDLE (or nothing moves for 90 s)
    Map<String, Long> states = waitForRunners(accepted.get(), Duration.ofSeconds(90));
    double trackSeconds = (System.nanoTime() - t0) / 1e9;
    long auditRows = waitForAudit(Duration.ofSeconds(20), Duration.ofMinutes(10));
    long listed = listIdle();
    OrchestratorBenchmark.log(
        "GET /api/v1/runners?state=IDLE: " + listed + " runners; audit rows " + auditRows);
    Map<String, Long> topics = topicRecords();
    if (o.settleSeconds() > 0) {
      Thread.sleep((long) (o.settleSeconds() * 1000));
    }
    states = runnersByState();
    Map<String, Sample> after = sampleAll();
    log("with the runners tracked", after);
    String loadAfter = OrchestratorBenchmark.loadAverage();
    // after the measurement (it forces a full collection): each target's live heap, by class
    Map<String, Long> live = new LinkedHashMap<>();
    for (String c : TARGETS) {
      live.put(c, histogram(c));
    }
    OrchestratorBenchmark.log("live heap after a full GC (bytes): " + live);
    return new Result(
        machine,
        date,
        loadBefore,
        loadAfter,
        sent,
        accepted.get(),
        new TreeMap<>(notAccepted),
        sendSeconds,
        trackSeconds,
        states,
        listed,
        topics,
        auditRows,
        before,
        after,
        live);
  }

  /**
   * {@code jcmd <pid> GC.class_histogram} (a full collection first): keeps the top of the histogram
   * in the logs directory and returns the total bytes, -1 when it could not run.
   */
  private long histogram(String component) {
    long pid = stack.pid(component);
    if (pid < 0) {
      return -1;
    }
    try {
      Path out = logs.resolve(component + ".histogram.txt");
      Files.createDirectories(logs);
      Process p =
          new ProcessBuilder("jcmd", Long.toString(pid), "GC.class_histogram")
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return -1;
      }
      List<String> lines = Files.readAllLines(out);
      if (lines.size() > 60) {
        List<String> top = new ArrayList<>(lines.subList(0, 45));
        top.add(lines.get(lines.size() - 1));
        Files.write(out, top);
      }
      return histogramTotal(lines);
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** The bytes of the histogram's {@code Total} line, -1 when there is none. */
  static long histogramTotal(List<String> lines) {
    for (int i = lines.size() - 1; i >= 0; i--) {
      String[] f = lines.get(i).trim().split("\\s+");
      if (f.length >= 3 && f[0].equals("Total")) {
        return Long.parseLong(f[2]);
      }
    }
    return -1;
  }

  // ------------------------------------------------------------------ waiting

  private Map<String, Long> waitForRunners(long wanted, Duration noProgress)
      throws InterruptedException {
    long last = -1;
    long lastProgress = System.nanoTime();
    long lastLog = 0;
    Map<String, Long> states = Map.of();
    while (true) {
      states = runnersByState();
      long idle = states.getOrDefault("IDLE", 0L);
      if (idle != last) {
        last = idle;
        lastProgress = System.nanoTime();
      }
      if (System.nanoTime() - lastLog > 10_000_000_000L) {
        lastLog = System.nanoTime();
        OrchestratorBenchmark.log("orchestrator runners by state: " + states);
      }
      if (idle >= wanted || System.nanoTime() - lastProgress > noProgress.toNanos()) {
        OrchestratorBenchmark.log("orchestrator runners by state: " + states);
        return states;
      }
      Thread.sleep(2_000);
    }
  }

  /** The orchestrator's {@code runnerguard_orchestrator_runners} gauge, by state (non-zero). */
  private Map<String, Long> runnersByState() {
    Map<String, Long> out = new TreeMap<>();
    String text = get(port("runner-orchestrator"), "/q/metrics");
    if (text == null) {
      return out;
    }
    for (Metric m : Metric.parse(text)) {
      if (m.name().equals("runnerguard_orchestrator_runners") && m.value() > 0) {
        out.put(m.labels().getOrDefault("state", "?"), (long) m.value());
      }
    }
    return out;
  }

  /** Runners the orchestrator's API lists as IDLE. */
  private long listIdle() {
    String body = get(port("runner-orchestrator"), "/api/v1/runners?state=IDLE");
    if (body == null) {
      return -1;
    }
    try {
      JsonNode n = new ObjectMapper().readTree(body);
      return n.isArray() ? n.size() : -1;
    } catch (IOException e) {
      return -1;
    }
  }

  /**
   * Rows in audit-ingest's {@code audit_event} once the count stopped growing for {@code quiet}.
   */
  private long waitForAudit(Duration quiet, Duration max) throws InterruptedException {
    String url =
        "jdbc:postgresql://127.0.0.1:" + stack.port("RUNNERGUARD_POSTGRES_PORT") + "/runnerguard";
    long deadline = System.nanoTime() + max.toNanos();
    long last = -1;
    long since = System.nanoTime();
    try (Connection c = DriverManager.getConnection(url, "runnerguard", "runnerguard")) {
      while (System.nanoTime() < deadline) {
        long n;
        try (Statement s = c.createStatement();
            ResultSet rs = s.executeQuery("SELECT count(*) FROM audit_event")) {
          rs.next();
          n = rs.getLong(1);
        }
        if (n != last) {
          last = n;
          since = System.nanoTime();
        } else if (System.nanoTime() - since >= quiet.toNanos()) {
          return n;
        }
        Thread.sleep(2_000);
      }
      return last;
    } catch (SQLException e) {
      OrchestratorBenchmark.log("cannot count audit rows: " + e.getMessage());
      return -1;
    }
  }

  /** Records on the platform topics the load went through (sum of the partitions' end offsets). */
  private Map<String, Long> topicRecords() {
    List<String> names =
        List.of("github.workflow-job", "runner.admission", "runner.lifecycle", "audit.ocsf");
    Map<String, Long> out = new LinkedHashMap<>();
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrap());
    try (Admin admin = Admin.create(p)) {
      Map<String, TopicDescription> d =
          admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS);
      Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
      d.values()
          .forEach(
              t ->
                  t.partitions()
                      .forEach(
                          pi ->
                              specs.put(
                                  new TopicPartition(t.name(), pi.partition()),
                                  OffsetSpec.latest())));
      var offsets = admin.listOffsets(specs).all().get(30, TimeUnit.SECONDS);
      for (String n : names) {
        long sum = 0;
        for (var e : offsets.entrySet()) {
          if (e.getKey().topic().equals(n)) {
            sum += e.getValue().offset();
          }
        }
        out.put(n, sum);
      }
    } catch (Exception e) {
      OrchestratorBenchmark.log("cannot read topic offsets: " + e);
    }
    return out;
  }

  // ------------------------------------------------------------------ sampling

  private int port(String component) {
    return switch (component) {
      case "webhook-gateway" -> stack.port("RUNNERGUARD_GATEWAY_PORT");
      case "token-service" -> stack.port("RUNNERGUARD_TOKEN_PORT");
      case "runner-orchestrator" -> stack.port("RUNNERGUARD_ORCHESTRATOR_PORT");
      case "policy-service" -> stack.port("RUNNERGUARD_POLICY_PORT");
      case "audit-ingest" -> stack.port("RUNNERGUARD_AUDIT_PORT");
      case "github-sim" -> stack.port("RUNNERGUARD_SIM_PORT");
      default -> -1;
    };
  }

  private Map<String, Sample> sampleAll() {
    Map<String, Sample> out = new LinkedHashMap<>();
    List<String> all = new ArrayList<>(TARGETS);
    all.addAll(OTHERS);
    for (String c : all) {
      out.put(c, sample(c));
    }
    return out;
  }

  private Sample sample(String component) {
    long pid = stack.pid(component);
    Map<String, Long> status = pid < 0 ? Map.of() : procStatus(pid);
    int port = port(component);
    String metrics = port < 0 ? null : get(port, "/q/metrics");
    JvmMemory jvm = metrics == null ? JvmMemory.NONE : JvmMemory.of(Metric.parse(metrics));
    return new Sample(
        component,
        pid,
        status.getOrDefault("VmRSS", -1L),
        status.getOrDefault("VmHWM", -1L),
        status.getOrDefault("RssAnon", -1L),
        status.getOrDefault("RssFile", -1L),
        status.getOrDefault("Threads", -1L),
        jvm.heapUsed(),
        jvm.heapCommitted(),
        jvm.heapMax(),
        jvm.nonHeapUsed(),
        jvm.directUsed(),
        jvm.liveData(),
        jvm.minorGcs(),
        jvm.majorGcs(),
        jvm.gcSeconds());
  }

  /** The numeric fields of {@code /proc/<pid>/status} (kB fields in kB). */
  static Map<String, Long> procStatus(long pid) {
    try {
      return parseStatus(Files.readString(Path.of("/proc", Long.toString(pid), "status")));
    } catch (IOException | RuntimeException e) {
      return Map.of();
    }
  }

  private static final Pattern STATUS_LINE = Pattern.compile("^(\\w+):\\s+(\\d+)(?:\\s+kB)?\\s*$");

  static Map<String, Long> parseStatus(String text) {
    Map<String, Long> out = new HashMap<>();
    for (String line : text.split("\n")) {
      Matcher m = STATUS_LINE.matcher(line);
      if (m.matches()) {
        out.put(m.group(1), Long.parseLong(m.group(2)));
      }
    }
    return out;
  }

  /** One sample of a Prometheus text exposition. */
  record Metric(String name, Map<String, String> labels, double value) {
    private static final Pattern LINE =
        Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})?\\s+(\\S+)(?:\\s+\\d+)?$");
    private static final Pattern LABEL = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    static List<Metric> parse(String text) {
      List<Metric> out = new ArrayList<>();
      for (String line : text.split("\n")) {
        if (line.isEmpty() || line.startsWith("#")) {
          continue;
        }
        Matcher m = LINE.matcher(line.trim());
        if (!m.matches()) {
          continue;
        }
        Map<String, String> labels = new HashMap<>();
        if (m.group(2) != null) {
          Matcher l = LABEL.matcher(m.group(2));
          while (l.find()) {
            labels.put(l.group(1), l.group(2));
          }
        }
        try {
          out.add(new Metric(m.group(1), labels, Double.parseDouble(m.group(3))));
        } catch (NumberFormatException e) {
          // NaN/Inf spelled otherwise: not a memory figure
        }
      }
      return out;
    }
  }

  /**
   * The JVM memory gauges of Micrometer's JVM binder, summed over pools; NaN when absent. {@code
   * liveData}: the old generation after the last full collection ({@code
   * jvm_gc_live_data_size_bytes}).
   */
  record JvmMemory(
      double heapUsed,
      double heapCommitted,
      double heapMax,
      double nonHeapUsed,
      double directUsed,
      double liveData,
      double minorGcs,
      double majorGcs,
      double gcSeconds) {
    static final JvmMemory NONE = of(List.of());

    static JvmMemory of(List<Metric> metrics) {
      double[] v = new double[9];
      java.util.Arrays.fill(v, Double.NaN);
      for (Metric m : metrics) {
        String area = m.labels().get("area");
        int i = -1;
        if (m.name().equals("jvm_memory_used_bytes") && "heap".equals(area)) {
          i = 0;
        } else if (m.name().equals("jvm_memory_committed_bytes") && "heap".equals(area)) {
          i = 1;
        } else if (m.name().equals("jvm_memory_max_bytes") && "heap".equals(area)) {
          i = 2;
        } else if (m.name().equals("jvm_memory_used_bytes") && "nonheap".equals(area)) {
          i = 3;
        } else if (m.name().equals("jvm_buffer_memory_used_bytes")
            && "direct".equals(m.labels().get("id"))) {
          i = 4;
        } else if (m.name().equals("jvm_gc_live_data_size_bytes")) {
          i = 5;
        } else if (m.name().equals("jvm_gc_pause_seconds_count")) {
          i = String.valueOf(m.labels().get("action")).contains("major") ? 7 : 6;
        } else if (m.name().equals("jvm_gc_pause_seconds_sum")) {
          i = 8;
        }
        if (i >= 0 && m.value() >= 0) {
          v[i] = (Double.isNaN(v[i]) ? 0 : v[i]) + m.value();
        }
      }
      return new JvmMemory(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8]);
    }
  }

  private String get(int port, String path) {
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                  .timeout(Duration.ofSeconds(30))
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? r.body() : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private static void log(String when, Map<String, Sample> samples) {
    StringBuilder b = new StringBuilder("RSS " + when + ":");
    samples.forEach(
        (c, s) ->
            b.append(' ')
                .append(c)
                .append(' ')
                .append(mib(s.rssKb()))
                .append(" (peak ")
                .append(mib(s.hwmKb()))
                .append(')'));
    OrchestratorBenchmark.log(b.toString());
  }

  // ------------------------------------------------------------------ report

  static String mib(long kb) {
    return kb < 0 ? "-" : String.format(Locale.ROOT, "%.0f", kb / 1024.0);
  }

  static String mibBytes(double bytes) {
    return Double.isNaN(bytes) ? "-" : String.format(Locale.ROOT, "%.0f", bytes / 1024.0 / 1024.0);
  }

  static String markdown(Options o, Result r) {
    StringBuilder md = new StringBuilder();
    md.append(SECTION).append("\n\n");
    md.append("Measured ")
        .append(r.date())
        .append(" (UTC) with `")
        .append(o.command())
        .append("`.\n\n");
    md.append("**Machine:** ")
        .append(r.machine())
        .append(". Load average (1/5/15 min) before the run: ")
        .append(r.loadBefore())
        .append("; at the measurement: ")
        .append(r.loadAfter())
        .append(".\n\n");
    md.append(
        String.format(
            Locale.ROOT,
            "**Workload:** the whole platform started by the real `./runnerguard up` (free ports, a"
                + " temporary `RUNNERGUARD_HOME`; services `%s`, each its own JVM with the launcher's"
                + " flags), the orchestrator with its `dry-run` provider (records runners, starts"
                + " nothing). %d signed `workflow_job` `queued` webhooks (GitHub's real payload, 10,240"
                + " bytes, a private `octo-org` job labelled `[self-hosted, rg-bench-dry-run]`, a"
                + " unique job id each) posted to the gateway at %d/s (open loop, %.0f s): the real path"
                + " gateway -> `github.workflow-job` -> policy-service -> `runner.admission` ->"
                + " orchestrator -> JIT config minted by the token-service at github-sim -> dry-run"
                + " create -> runner IDLE; audit-ingest chains and stores what the platform topics"
                + " carry. Stack settings as in the orchestrator benchmark (reconcile interval 1 h,"
                + " github-sim and token-service budgets raised) plus `lifecycle.idle-timeout=2h` so"
                + " that no runner is retired before the measurement%s. %.0f s after the last webhook"
                + " every runner was tracked; then a wait until audit-ingest stored nothing new for"
                + " 20 s, one `GET /api/v1/runners?state=IDLE`, %.0f s of settling, and the"
                + " measurement.\n\n",
            SERVICES,
            o.runners(),
            o.rate(),
            r.sendSeconds(),
            o.env().isEmpty() ? "" : "; added for this run: `" + o.env() + "`",
            r.trackSeconds() - r.sendSeconds(),
            o.settleSeconds()));
    md.append("**Tracked:** ")
        .append(r.accepted())
        .append(" of ")
        .append(r.sent())
        .append(" webhooks answered 202")
        .append(r.notAccepted().isEmpty() ? "" : " (not 202: " + r.notAccepted() + ")")
        .append("; orchestrator runners by state (`runnerguard_orchestrator_runners`) ")
        .append(r.runnersByState())
        .append("; `GET /api/v1/runners?state=IDLE` listed ")
        .append(r.listedIdle())
        .append("; records on the topics ")
        .append(r.topicRecords())
        .append("; audit-ingest stored ")
        .append(r.auditRows())
        .append(" events.\n\n");
    md.append(
        "RSS and peak RSS are `VmRSS` and `VmHWM` of the service's JVM from `/proc/<pid>/status`"
            + " (peak: the highest since the JVM started, so it includes start-up and the load);"
            + " heap and non-heap from the service's own `/q/metrics` (Micrometer's JVM gauges,"
            + " summed over pools; non-heap = metaspace, compressed class space and code cache;"
            + " live = the old generation after the last full collection,"
            + " `jvm_gc_live_data_size_bytes`, 0 when none ran yet; live after full GC = the total"
            + " of `jcmd <pid> GC.class_histogram`, taken after the measurement since it forces a"
            + " full collection; direct = NIO direct buffers counted by the JVM, not Netty's own;"
            + " GCs = collections since start, minor / full, and their total pause in seconds)."
            + " MiB (1 MiB = 1,048,576 bytes); the target is 256 MiB per service: met? says it for"
            + " the RSS with the runners tracked (the target's wording) and for the peak (which a"
            + " container's memory limit would have to hold, load included).\n\n");
    md.append(
        "| service | RSS before load | RSS with the runners | peak RSS | of which anon / file |"
            + " heap used | live | live after full GC | heap committed | heap max | non-heap used |"
            + " direct | threads | GCs minor / full (s) | target | met? (with the runners / peak) |\n");
    md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
    List<String> rows = new ArrayList<>(TARGETS);
    rows.addAll(OTHERS);
    for (String c : rows) {
      Sample b = r.before().get(c);
      Sample a = r.after().get(c);
      if (a == null || !a.running()) {
        md.append("| ").append(c).append(" | not running |||||||||||||||\n");
        continue;
      }
      boolean target = TARGETS.contains(c);
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %s | %s | %s / %s | %s | %s | %s | %s | %s | %s | %s | %d | %s | %s | %s |\n",
              target ? c : c + " (not a target)",
              b == null ? "-" : mib(b.rssKb()),
              mib(a.rssKb()),
              mib(a.hwmKb()),
              mib(a.rssAnonKb()),
              mib(a.rssFileKb()),
              mibBytes(a.heapUsed()),
              mibBytes(a.liveData()),
              mibBytes(
                  r.liveAfterFullGc().getOrDefault(c, -1L) < 0
                      ? Double.NaN
                      : r.liveAfterFullGc().get(c)),
              mibBytes(a.heapCommitted()),
              mibBytes(a.heapMax()),
              mibBytes(a.nonHeapUsed()),
              mibBytes(a.directUsed()),
              a.threads(),
              Double.isNaN(a.minorGcs()) && Double.isNaN(a.majorGcs())
                  ? "-"
                  : String.format(
                      Locale.ROOT,
                      "%.0f / %.0f (%.1f)",
                      Double.isNaN(a.minorGcs()) ? 0 : a.minorGcs(),
                      Double.isNaN(a.majorGcs()) ? 0 : a.majorGcs(),
                      Double.isNaN(a.gcSeconds()) ? 0 : a.gcSeconds()),
              target ? "256" : "-",
              !target
                  ? "-"
                  : (a.rssKb() <= TARGET_KB ? "yes" : "**no**")
                      + " / "
                      + (a.hwmKb() <= TARGET_KB ? "yes" : "**no**")));
    }
    md.append("\n");
    return md.toString();
  }

  /** Replaces (or appends) the {@code ## Memory} section; other sections untouched. */
  static void writeSection(Path file, String section) throws IOException {
    BenchReport.replaceSection(file, SECTION, section);
  }
}
