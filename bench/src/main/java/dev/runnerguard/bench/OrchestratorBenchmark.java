package dev.runnerguard.bench;

import dev.runnerguard.testing.ServiceProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.ToLongFunction;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The runner-orchestrator benchmarks (see bench/README.md), over the real stack started with {@code
 * ./runnerguard up} on free ports:
 *
 * <ol>
 *   <li><b>security signal -> network cut</b> on the local sandbox: repeated runs, each a
 *       github-sim job with {@code misbehaviour: exfiltrate}; from the host sensor's {@code
 *       net.egress.denied} signal ({@code observedAt}) to the QUARANTINE command, the {@code
 *       network-cut} step and the end of the quarantine sequence;
 *   <li><b>webhook received -> provider create called</b> with the {@code dry-run} provider: an
 *       open loop of signed {@code queued} webhooks to the gateway at fixed rates, joined by job id
 *       to the PROVISIONED event's {@code createCalledAtMicros}; per hop (gateway answer, gateway
 *       record, admission, JIT mint); next to a raw 3-hop Kafka baseline at the same rate.
 * </ol>
 */
public final class OrchestratorBenchmark {
  static final String SECTION = "## runner-orchestrator";

  /**
   * Options.
   *
   * @param quarantine run the quarantine phase
   * @param webhook run the webhook phase
   * @param runs measured quarantine runs
   * @param warmupRuns unreported quarantine runs first
   * @param rates open-loop webhook rates, in order
   * @param stepSeconds length of each rate step (and of its raw baseline)
   * @param warmupSeconds unreported webhook warm-up (at the first rate)
   * @param bodyBytes webhook body size
   * @param rawValueBytes value size of the raw baseline's records
   * @param env extra environment of {@code ./runnerguard up} (e.g. a service setting to try)
   * @param write where the report section goes, null to print only
   * @param command the command line, for the report
   */
  public record Options(
      boolean quarantine,
      boolean webhook,
      int runs,
      int warmupRuns,
      List<Integer> rates,
      double stepSeconds,
      double warmupSeconds,
      int bodyBytes,
      int rawValueBytes,
      Map<String, String> env,
      Path write,
      String command) {
    static Options parse(String[] args, Path defaultWrite) {
      boolean q = true;
      boolean w = true;
      int runs = 40;
      int warmupRuns = 2;
      List<Integer> rates = List.of(100, 250, 500);
      double step = 15;
      double warmup = 8;
      int body = 10_240;
      int raw = 2_500;
      Map<String, String> env = new LinkedHashMap<>();
      Path write = defaultWrite;
      for (String a : args) {
        if (a.equals("--quick")) {
          runs = 5;
          warmupRuns = 1;
          rates = List.of(50, 100);
          step = 4;
          warmup = 2;
          write = null;
        } else if (a.startsWith("--phase=")) {
          String p = a.substring(8);
          q = p.equals("all") || p.equals("quarantine");
          w = p.equals("all") || p.equals("webhook");
          if (!q && !w) {
            throw new IllegalArgumentException("--phase=all|quarantine|webhook");
          }
        } else if (a.startsWith("--runs=")) {
          runs = Integer.parseInt(a.substring(7));
        } else if (a.startsWith("--warmup-runs=")) {
          warmupRuns = Integer.parseInt(a.substring(14));
        } else if (a.startsWith("--rates=")) {
          rates = Arrays.stream(a.substring(8).split(",")).map(Integer::parseInt).toList();
        } else if (a.startsWith("--step-seconds=")) {
          step = Double.parseDouble(a.substring(15));
        } else if (a.startsWith("--warmup-seconds=")) {
          warmup = Double.parseDouble(a.substring(17));
        } else if (a.startsWith("--body-bytes=")) {
          body = Integer.parseInt(a.substring(13));
        } else if (a.startsWith("--raw-value-bytes=")) {
          raw = Integer.parseInt(a.substring(18));
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
      if (runs < 1 || warmupRuns < 0 || rates.isEmpty() || step <= 0 || warmup < 0) {
        throw new IllegalArgumentException("counts, rates and lengths must be positive");
      }
      return new Options(
          q,
          w,
          runs,
          warmupRuns,
          rates,
          step,
          warmup,
          body,
          raw,
          env,
          write,
          System.getProperty("runnerguard.bench.command", "OrchestratorBenchmark"));
    }
  }

  /** p50/p90/p99/max of one measure; NaN when empty. */
  public record Pct(String name, int n, double p50, double p90, double p99, double max) {
    static Pct of(String name, List<Double> values) {
      double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      if (v.length == 0) {
        return new Pct(name, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
      }
      return new Pct(name, v.length, at(v, 50), at(v, 90), at(v, 99), v[v.length - 1]);
    }

    private static double at(double[] sorted, double p) {
      int rank = (int) Math.ceil(p / 100.0 * sorted.length);
      return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
  }

  /** The quarantine phase. */
  public record QuarantineResult(
      int runs, int complete, List<Pct> measures, List<String> problems, double cpu) {}

  /** One webhook rate step next to its raw baseline. */
  public record Step(
      int rate,
      long sent,
      long accepted,
      long provisioned,
      double seconds,
      List<Pct> hops,
      Pct raw,
      long rawSent,
      long rawReceived,
      double cpu,
      double rawCpu,
      Map<String, Long> notAccepted,
      Map<String, Double> cores) {}

  /** Everything one run measured. */
  public record Result(
      String machine,
      String date,
      String loadBefore,
      String loadAfter,
      QuarantineResult quarantine,
      List<Step> steps,
      Map<String, Long> provisionFailures,
      String markdown) {}

  private final LocalStack stack;
  private final PlatformTap tap;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private OrchestratorBenchmark(LocalStack stack, PlatformTap tap) {
    this.stack = stack;
    this.tap = tap;
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
    boolean ok = r.quarantine() == null || r.quarantine().complete() == r.quarantine().runs();
    System.exit(ok ? 0 : 2);
  }

  /**
   * The environment of {@code ./runnerguard up} besides ports and home: the dry-run provider on;
   * the reconciler's inventory pass slowed to once an hour (it would list every dry-run runner's
   * GitHub registration); the simulated GitHub's rate limit and the token-service's budgets for
   * GitHub's secondary limits raised, because the webhook phase mints a JIT config per job (GitHub
   * allows 80 content-creating calls per minute per App; see the report).
   */
  static Map<String, String> stackEnv(Map<String, String> extra) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("RUNNERGUARD_ORCHESTRATOR_DRY_RUN_PROVIDER", "true");
    env.put("RUNNERGUARD_ORCHESTRATOR_RECONCILE_INTERVAL", "1h");
    env.put("RUNNERGUARD_SIM_RATE_LIMIT_PER_HOUR", "100000000");
    env.put("RUNNERGUARD_TOKEN_BUDGET_CONTENT_PER_MINUTE", "10000000");
    env.put("RUNNERGUARD_TOKEN_BUDGET_CONTENT_PER_HOUR", "0");
    env.put("RUNNERGUARD_TOKEN_BUDGET_POINTS_PER_MINUTE", "100000000");
    env.putAll(extra);
    return env;
  }

  /** Starts the stack, runs the phases, stops the stack on every path. */
  public static Result run(Options o) throws Exception {
    String machine = Machine.describe();
    String date = LocalDate.now(ZoneOffset.UTC).toString();
    String loadBefore = loadAverage();
    Path logs = ServiceProcess.repoRoot().resolve("bench/target/orchestrator-bench-logs");
    try (LocalStack stack = LocalStack.start(stackEnv(o.env()), logs)) {
      log("stack up: kafka " + stack.bootstrap() + ", gateway " + stack.gatewayPort());
      try (PlatformTap tap = new PlatformTap(stack.bootstrap())) {
        OrchestratorBenchmark b = new OrchestratorBenchmark(stack, tap);
        QuarantineResult q = o.quarantine() ? b.quarantinePhase(o) : null;
        List<Step> steps = o.webhook() ? b.webhookPhase(o) : List.of();
        Map<String, Long> failures = new TreeMap<>();
        tap.provisionFailureDetails.forEach((k, v) -> failures.put(k, v.get()));
        String loadAfter = loadAverage();
        String md = markdown(o, machine, date, loadBefore, loadAfter, q, steps, failures);
        return new Result(machine, date, loadBefore, loadAfter, q, steps, failures, md);
      }
    }
  }

  // ------------------------------------------------------------------ quarantine

  QuarantineResult quarantinePhase(Options o) throws Exception {
    tap.trackQuarantines(true);
    for (int i = 0; i < o.warmupRuns(); i++) {
      String id = quarantineRun(Duration.ofSeconds(90));
      log("warm-up run " + (i + 1) + ": " + id + " " + describe(tap.quarantines.get(id)));
    }
    List<String> ids = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    long[] cpu = Machine.cpuTicks();
    for (int i = 0; i < o.runs(); i++) {
      String id = quarantineRun(Duration.ofSeconds(60));
      PlatformTap.Quarantine q = tap.quarantines.get(id);
      log("run " + (i + 1) + "/" + o.runs() + ": " + id + " " + describe(q));
      ids.add(id);
      if (q.destroyedTime < 0 || q.cutLifecycleTime < 0 || q.signalObservedAt < 0) {
        problems.add(id + ": incomplete (" + describe(q) + ")");
      } else if (q.cutOutcome != null && !"APPLIED".equals(q.cutOutcome)) {
        problems.add(id + ": network cut outcome " + q.cutOutcome);
      }
    }
    double busy = Machine.busyPercent(cpu, Machine.cpuTicks());
    List<PlatformTap.Quarantine> done = new ArrayList<>();
    for (String id : ids) {
      PlatformTap.Quarantine q = tap.quarantines.get(id);
      if (q.destroyedTime >= 0 && q.cutLifecycleTime >= 0 && q.signalObservedAt >= 0) {
        done.add(q);
      }
    }
    List<Pct> m = new ArrayList<>();
    m.add(
        pct(
            "signal observed -> network cut (lifecycle event)",
            done,
            q -> q.cutLifecycleTime - q.signalObservedAt));
    m.add(
        pct(
            "signal observed -> network cut (cut returned: provider event)",
            done,
            q -> q.cutProviderEventTime - q.signalObservedAt));
    m.add(
        pct(
            "signal observed -> signal record produced (sensor)",
            done,
            q -> q.signalTime - q.signalObservedAt));
    m.add(
        pct(
            "signal observed -> QUARANTINE command",
            done,
            q -> q.commandTime - q.signalObservedAt));
    m.add(
        pct(
            "QUARANTINE command -> network cut (lifecycle event)",
            done,
            q -> q.cutLifecycleTime - q.commandTime));
    m.add(
        pct(
            "QUARANTINE command -> incident opened (QUARANTINED)",
            done,
            q -> q.incidentTime - q.commandTime));
    m.add(pct("incident opened -> network cut (sinceQuarantine)", done, q -> q.cutSinceQuarantine));
    m.add(pct("isolateNetwork call itself (durations.networkCut)", done, q -> q.cutStepMillis));
    m.add(
        pct(
            "signal observed -> sequence end (DESTROYED)",
            done,
            q -> q.destroyedTime - q.signalObservedAt));
    m.add(
        pct(
            "whole sequence, QUARANTINED -> DESTROYED (quarantineTotal)",
            done,
            q -> q.quarantineTotal));
    tap.trackQuarantines(false);
    return new QuarantineResult(o.runs(), done.size(), m, problems, busy);
  }

  private static Pct pct(
      String name, List<PlatformTap.Quarantine> runs, ToLongFunction<PlatformTap.Quarantine> f) {
    List<Double> v = new ArrayList<>();
    for (PlatformTap.Quarantine q : runs) {
      long x = f.applyAsLong(q);
      if (x > -100_000 && x < 10_000_000) {
        v.add((double) x);
      }
    }
    return Pct.of(name, v);
  }

  private static String describe(PlatformTap.Quarantine q) {
    if (q == null) {
      return "(nothing seen)";
    }
    return String.format(
        Locale.ROOT,
        "signal->command %s ms, signal->cut %s ms, sequence %s ms, cut %s",
        diff(q.commandTime, q.signalObservedAt),
        diff(q.cutLifecycleTime, q.signalObservedAt),
        q.quarantineTotal < 0 ? "-" : Long.toString(q.quarantineTotal),
        q.cutOutcome);
  }

  private static String diff(long a, long b) {
    return a < 0 || b < 0 ? "-" : Long.toString(a - b);
  }

  /** One github-sim job that exfiltrates; waits until its quarantine ended (or the timeout). */
  private String quarantineRun(Duration timeout) throws Exception {
    String body =
        "{\"repository\":\"octo-org/bench-app\",\"visibility\":\"private\","
            + "\"labels\":[\"self-hosted\"],\"steps\":[\"echo bench\"],"
            + "\"misbehaviour\":\"exfiltrate\"}";
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + stack.simPort() + "/_sim/jobs"))
                .timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 201) {
      throw new IllegalStateException("POST /_sim/jobs: " + r.statusCode() + " " + r.body());
    }
    long jobId = number(r.body(), "id");
    long attempt = number(r.body(), "run_attempt");
    String runnerId = "rg-" + jobId + "-" + attempt;
    PlatformTap.Quarantine q = tap.quarantine(runnerId);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (q.destroyedTime < 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    Thread.sleep(300);
    return runnerId;
  }

  private static long number(String json, String field) {
    Matcher m = Pattern.compile("\"" + field + "\"\\s*:\\s*(\\d+)").matcher(json);
    if (!m.find()) {
      throw new IllegalStateException("no " + field + " in " + json);
    }
    return Long.parseLong(m.group(1));
  }

  // ------------------------------------------------------------------ webhook -> create

  List<Step> webhookPhase(Options o) throws Exception {
    long firstJobId = 7_000_000_000_000L + ThreadLocalRandom.current().nextLong(1_000_000_000L);
    List<Step> steps = new ArrayList<>();
    try (JobWebhookLoad load =
            new JobWebhookLoad(
                stack.gatewayPort(), stack.webhookSecret(), o.bodyBytes(), firstJobId);
        RawThreeHops raw = new RawThreeHops(stack.bootstrap(), o.rawValueBytes())) {
      if (o.warmupSeconds() > 0) {
        int rate = o.rates().get(0);
        webhookStep(load, rate, o.warmupSeconds());
        raw.openLoop(rate, o.warmupSeconds(), x -> {});
        log("warm-up done");
      }
      for (int rate : o.rates()) {
        List<Double> rawMs = new ArrayList<>();
        long[] c0 = Machine.cpuTicks();
        long[] rawCounts = raw.openLoop(rate, o.stepSeconds(), x -> rawMs.add(x / 1000.0));
        double rawCpu = Machine.busyPercent(c0, Machine.cpuTicks());
        Pct rawPct = Pct.of("raw Kafka, 3 hops", rawMs);
        Thread.sleep(1_000);
        Step s = webhookStep(load, rate, o.stepSeconds());
        Step full =
            new Step(
                s.rate(),
                s.sent(),
                s.accepted(),
                s.provisioned(),
                s.seconds(),
                s.hops(),
                rawPct,
                rawCounts[0],
                rawCounts[1],
                s.cpu(),
                rawCpu,
                s.notAccepted(),
                s.cores());
        log(
            String.format(
                Locale.ROOT,
                "%d/s: sent %d, provisioned %d, e2e p50 %s p99 %s ms; raw p50 %s p99 %s ms",
                rate,
                s.sent(),
                s.provisioned(),
                ms(s.hops().get(0).p50()),
                ms(s.hops().get(0).p99()),
                ms(rawPct.p50()),
                ms(rawPct.p99())));
        steps.add(full);
        Thread.sleep(2_000);
      }
    }
    return steps;
  }

  private Step webhookStep(JobWebhookLoad load, int rate, double seconds) throws Exception {
    List<Long> ids = new ArrayList<>();
    Map<String, Long> notAccepted = new TreeMap<>();
    JobWebhookLoad.Listener listener =
        new JobWebhookLoad.Listener() {
          @Override
          public void scheduled(long jobId, long scheduledMicros) {
            tap.job(jobId).scheduledMicros = scheduledMicros;
            ids.add(jobId);
          }

          @Override
          public void answered(long jobId, int status, long answeredMicros) {
            PlatformTap.Job j = tap.job(jobId);
            j.status = status;
            j.answeredMicros = answeredMicros;
          }

          @Override
          public void failed(long jobId, String error) {
            tap.job(jobId).status = -1;
          }
        };
    long[] cpu = Machine.cpuTicks();
    Map<String, Long> ticks0 = stack.cpuTicks();
    long t0 = System.nanoTime();
    long sent = load.openLoop(rate, seconds, listener);
    Map<String, Long> ticks1 = stack.cpuTicks();
    double sendSeconds = (System.nanoTime() - t0) / 1e9;
    Map<String, Double> cores = new TreeMap<>();
    ticks1.forEach(
        (k, v) -> {
          Long before = ticks0.get(k);
          if (before != null) {
            cores.put(k, (v - before) / 100.0 / sendSeconds);
          }
        });
    // wait until every accepted job was provisioned, or nothing moved for 20 s
    long lastProgress = System.nanoTime();
    long seen = -1;
    while (System.nanoTime() - lastProgress < 20_000_000_000L) {
      long provisioned = ids.stream().filter(id -> tap.job(id).createCalledMicros >= 0).count();
      long accepted = ids.stream().filter(id -> tap.job(id).status == 202).count();
      if (provisioned >= accepted) {
        break;
      }
      if (provisioned != seen) {
        seen = provisioned;
        lastProgress = System.nanoTime();
      }
      Thread.sleep(100);
    }
    double busy = Machine.busyPercent(cpu, Machine.cpuTicks());
    double elapsed = (System.nanoTime() - t0) / 1e9;
    List<Double> e2e = new ArrayList<>();
    List<Double> ack = new ArrayList<>();
    List<Double> gwRecord = new ArrayList<>();
    List<Double> admission = new ArrayList<>();
    List<Double> admissionToCreate = new ArrayList<>();
    List<Double> jit = new ArrayList<>();
    List<Double> orchestratorWithoutJit = new ArrayList<>();
    List<Double> gwToAdmission = new ArrayList<>();
    List<Double> admissionToStateMachine = new ArrayList<>();
    List<Double> stateMachineToMintStart = new ArrayList<>();
    long accepted = 0;
    long provisioned = 0;
    for (long id : ids) {
      PlatformTap.Job j = tap.job(id);
      if (j.status == 202) {
        accepted++;
      } else {
        notAccepted.merge(j.status == -1 ? "error" : "HTTP " + j.status, 1L, Long::sum);
      }
      if (j.answeredMicros >= 0) {
        ack.add((j.answeredMicros - j.scheduledMicros) / 1000.0);
      }
      if (j.gatewayRecordTime >= 0) {
        gwRecord.add(j.gatewayRecordTime - j.scheduledMicros / 1000.0);
      }
      if (j.admissionTime >= 0) {
        admission.add(j.admissionTime - j.scheduledMicros / 1000.0);
        if (j.firstLifecycleTime >= 0) {
          admissionToStateMachine.add((double) (j.firstLifecycleTime - j.admissionTime));
        }
        if (j.gatewayRecordTime >= 0) {
          gwToAdmission.add((double) (j.admissionTime - j.gatewayRecordTime));
        }
      }
      if (j.createCalledMicros >= 0) {
        provisioned++;
        e2e.add((j.createCalledMicros - j.scheduledMicros) / 1000.0);
        if (j.admissionTime >= 0) {
          double a2c = j.createCalledMicros / 1000.0 - j.admissionTime;
          admissionToCreate.add(a2c);
          if (j.jitMintMillis >= 0) {
            orchestratorWithoutJit.add(a2c - j.jitMintMillis);
          }
        }
        if (j.jitMintMillis >= 0) {
          jit.add((double) j.jitMintMillis);
        }
        if (j.firstLifecycleTime >= 0 && j.jitMintMillis >= 0 && j.providerCreateMillis >= 0) {
          // create called = mint start + jitMint (ms, truncated); so the mint started at about:
          double mintStart = j.createCalledMicros / 1000.0 - j.jitMintMillis;
          stateMachineToMintStart.add(mintStart - j.firstLifecycleTime);
        }
      }
    }
    List<Pct> hops = new ArrayList<>();
    hops.add(Pct.of("webhook sent -> provider create called (end to end)", e2e));
    hops.add(Pct.of("webhook sent -> gateway answered 202", ack));
    hops.add(Pct.of("webhook sent -> github.workflow-job record (gateway)", gwRecord));
    hops.add(
        Pct.of("github.workflow-job record -> runner.admission record (policy)", gwToAdmission));
    hops.add(Pct.of("webhook sent -> runner.admission record", admission));
    hops.add(
        Pct.of(
            "runner.admission record -> provider create called (orchestrator)", admissionToCreate));
    hops.add(
        Pct.of(
            "  of which admission record -> first runner.lifecycle event (stream: re-key,"
                + " repartition, state machine)",
            admissionToStateMachine));
    hops.add(
        Pct.of(
            "  of which first lifecycle event -> JIT mint started (executor queue)",
            stateMachineToMintStart));
    hops.add(Pct.of("  of which JIT mint via token-service (durations.jitMint)", jit));
    hops.add(Pct.of("  orchestrator without the JIT mint", orchestratorWithoutJit));
    return new Step(
        rate, sent, accepted, provisioned, elapsed, hops, null, 0, 0, busy, 0, notAccepted, cores);
  }

  // ------------------------------------------------------------------ report

  static String markdown(
      Options o,
      String machine,
      String date,
      String loadBefore,
      String loadAfter,
      QuarantineResult q,
      List<Step> steps,
      Map<String, Long> provisionFailures) {
    StringBuilder md = new StringBuilder();
    md.append(SECTION).append("\n\n");
    md.append("Measured ")
        .append(date)
        .append(" (UTC) with `")
        .append(o.command())
        .append("`.\n\n");
    md.append("**Machine:** ")
        .append(machine)
        .append(". Load average (1/5/15 min) before the run: ")
        .append(loadBefore)
        .append("; after: ")
        .append(loadAfter)
        .append(".\n");
    md.append(
        "Everything on this one machine at once, started by the real `./runnerguard up` on free ports with a"
            + " temporary `RUNNERGUARD_HOME`: the KRaft broker, PostgreSQL, webhook-gateway, policy-service,"
            + " runner-orchestrator (local-sandbox and dry-run providers), token-service and github-sim (each its"
            + " own JVM, `-Xmx256m`, as the launcher starts them; audit-ingest not started), plus the benchmark"
            + " JVM (load generator, raw baseline, a consumer of the platform topics). Policy directory: one rule"
            + " `[self-hosted]` -> local-sandbox with this stack's own ports allowlisted, one rule `[self-hosted,"
            + " rg-bench-dry-run]` -> dry-run; the shipped detection defaults (egress-outside-allowlist"
            + " threshold 1 -> quarantine). Stack settings besides ports: dry-run provider on, reconcile interval"
            + " 1 h, github-sim rate limit and the token-service's secondary-limit budgets raised (see below)"
            + (o.env().isEmpty() ? "" : "; added for this run: `" + o.env() + "`")
            + ".\n\n");
    if (q != null) {
      md.append("### Security signal -> network cut (local sandbox)\n\n");
      md.append(
          String.format(
              Locale.ROOT,
              "%d runs one after another (%d unreported warm-up runs first), each a github-sim job with"
                  + " `\"misbehaviour\":\"exfiltrate\"`: the real path webhook -> gateway -> admission ->"
                  + " orchestrator -> bubblewrap sandbox with nftables default-deny egress; the sim runner"
                  + " connects to the sim's exfiltration listener (not allowlisted); the host sensor reports"
                  + " `net.egress.denied`; the policy-service commands QUARANTINE; the orchestrator runs the"
                  + " sequence. Times are the records' own clocks (one machine): the signal's `observedAt`, the"
                  + " command's, the lifecycle events' `metadata.time`. %d of %d runs complete; machine CPU %.0f%%"
                  + " during the runs.\n\n",
              q.runs(),
              o.warmupRuns(),
              q.complete(),
              q.runs(),
              q.cpu()));
      md.append("| measure (ms) | n | p50 | p90 | p99 | max |\n|---|---:|---:|---:|---:|---:|\n");
      for (Pct p : q.measures()) {
        md.append(row(p)).append("\n");
      }
      md.append("\n");
      if (!q.problems().isEmpty()) {
        md.append("Runs with a problem: ").append(String.join("; ", q.problems())).append("\n\n");
      }
    }
    if (!steps.isEmpty()) {
      md.append("### Webhook received -> provider create called (dry-run provider)\n\n");
      md.append(
          String.format(
              Locale.ROOT,
              "Open loop of signed `workflow_job` `queued` webhooks (GitHub's real payload as a private"
                  + " `octo-org` job labelled `[self-hosted, rg-bench-dry-run]`, %d bytes, a unique job id"
                  + " each) posted to the gateway at fixed rates, %.0f s per step after %.0f s of warm-up;"
                  + " latency from each webhook's *scheduled* send time to the PROVISIONED event's"
                  + " `createCalledAtMicros` (the orchestrator's clock, same machine), joined by job id. The"
                  + " path: gateway -> `github.workflow-job` -> policy-service -> `runner.admission` ->"
                  + " orchestrator (re-key to runner id, repartition topic, state machine, changelog) -> action"
                  + " executor -> JIT config minted through the token-service (which calls github-sim) ->"
                  + " dry-run provider create. Raw baseline in the same run, just before each step at the same"
                  + " rate: 3 Kafka hops with plain clients (producer -> consume-and-forward -> consume-and-forward"
                  + " -> consumer, %d-byte values, `acks=all`, idempotent) on the same broker.\n\n",
              o.bodyBytes(),
              o.stepSeconds(),
              o.warmupSeconds(),
              o.rawValueBytes()));
      md.append(
          "| rate/s | sent | 202 | provisioned | e2e p50 | e2e p90 | e2e p99 | e2e max | raw 3 hops p50 | raw p99 | ratio p50 | ratio p99 | CPU e2e / raw |\n");
      md.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
      for (Step s : steps) {
        Pct e = s.hops().get(0);
        md.append(
            String.format(
                Locale.ROOT,
                "| %d | %d | %d | %d | %s | %s | %s | %s | %s | %s | %s | %s | %.0f%% / %.0f%% |\n",
                s.rate(),
                s.sent(),
                s.accepted(),
                s.provisioned(),
                ms(e.p50()),
                ms(e.p90()),
                ms(e.p99()),
                ms(e.max()),
                ms(s.raw().p50()),
                ms(s.raw().p99()),
                ratio(e.p50(), s.raw().p50()),
                ratio(e.p99(), s.raw().p99()),
                s.cpu(),
                s.rawCpu()));
      }
      md.append(
          "\nPer hop (ms; from the scheduled send unless named; Kafka record times are milliseconds):\n\n");
      for (Step s : steps) {
        md.append("At ")
            .append(s.rate())
            .append("/s")
            .append(s.notAccepted().isEmpty() ? "" : " (not answered 202: " + s.notAccepted() + ")")
            .append(
                String.format(
                    Locale.ROOT,
                    "; raw baseline %d sent, %d received",
                    s.rawSent(),
                    s.rawReceived()))
            .append(":\n\n");
        md.append("| hop | n | p50 | p90 | p99 | max |\n|---|---:|---:|---:|---:|---:|\n");
        for (Pct p : s.hops()) {
          md.append(row(p)).append("\n");
        }
        md.append(row(s.raw())).append("\n\n");
      }
      md.append("CPU used by each component while the webhooks were sent (cores; 2 in all):\n\n");
      md.append("| rate/s | ");
      List<String> names = new ArrayList<>(steps.get(0).cores().keySet());
      md.append(String.join(" | ", names)).append(" | machine |\n|---:|");
      md.append("---:|".repeat(names.size() + 1)).append("\n");
      for (Step s : steps) {
        md.append("| ").append(s.rate()).append(" | ");
        for (String n : names) {
          Double c = s.cores().get(n);
          md.append(c == null ? "-" : String.format(Locale.ROOT, "%.2f", c)).append(" | ");
        }
        md.append(String.format(Locale.ROOT, "%.0f%% |", s.cpu())).append("\n");
      }
      md.append("\n");
      if (!provisionFailures.isEmpty()) {
        md.append("PROVISION_FAILED events: ").append(provisionFailures).append("\n\n");
      }
    }
    return md.toString();
  }

  private static String row(Pct p) {
    return String.format(
        Locale.ROOT,
        "| %s | %d | %s | %s | %s | %s |",
        p.name().replace("  ", "&nbsp;&nbsp;"),
        p.n(),
        ms(p.p50()),
        ms(p.p90()),
        ms(p.p99()),
        ms(p.max()));
  }

  private static String ratio(double a, double b) {
    return Double.isNaN(a) || Double.isNaN(b) || b <= 0
        ? "-"
        : String.format(Locale.ROOT, "%.1f", a / b);
  }

  static String ms(double v) {
    if (Double.isNaN(v)) {
      return "-";
    }
    return Math.abs(v) < 10
        ? String.format(Locale.ROOT, "%.2f", v)
        : String.format(Locale.ROOT, "%.0f", v);
  }

  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " / " + f[1] + " / " + f[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  /** Replaces (or appends) the {@code ## runner-orchestrator} section; other sections untouched. */
  static void writeSection(Path file, String section) throws IOException {
    BenchReport.replaceSection(file, SECTION, section);
  }

  static void log(String message) {
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
