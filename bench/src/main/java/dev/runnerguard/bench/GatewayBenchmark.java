package dev.runnerguard.bench;

import dev.runnerguard.schemas.RecordHeaders;
import dev.runnerguard.schemas.Topics;
import dev.runnerguard.testing.KafkaBrokerProcess;
import dev.runnerguard.testing.ServiceProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The webhook gateway benchmark: a real KRaft broker and the packaged gateway, each in its own JVM
 * on this machine; signed 10 KB {@code workflow_job} deliveries over HTTP at rising open-loop rates
 * and in a closed loop; the raw Kafka producer throughput of the same records measured in the same
 * run; and a loss check across a broker restart. Prints a Markdown report and, for a full run,
 * writes the "Webhook gateway" section of {@code BENCHMARKS.md}. See {@code bench/README.md}.
 */
public final class GatewayBenchmark {
  /** The SPEC target. */
  static final int TARGET_RATE = 5_000;

  static final double TARGET_P99_MS = 25;

  /**
   * Deliveries signed ahead per second of the HTTP closed loop: more than 2 cores can answer, so
   * the loop never signs while it is timed (it would if it outran them, and the log says so).
   */
  private static final int CLOSED_LOOP_SIGNED_PER_SECOND = 12_000;

  private static final String SECTION = "## Webhook gateway";

  /**
   * The warm-up goes on until the gateway's JIT compiler threads used less than this percent of one
   * core during a round: until then C2 is still compiling hot paths, a third of a core and more on
   * 2 cores (measured 2026-11-29: it took about 80 s of load at 3000/s), and the steps would
   * measure a JVM that is still warming up rather than the steady state of a long-running gateway.
   */
  static final double JIT_SETTLED_PERCENT = 3;

  /** Length of one warm-up round, after which the JIT's activity is checked. */
  static final int WARMUP_ROUND_SECONDS = 10;

  /**
   * How the warm-up went: its length, the gateway's JIT compiler CPU in its last round (percent of
   * one core) and whether that was below {@link #JIT_SETTLED_PERCENT} (false: it stopped at {@code
   * --warmup-max-seconds}).
   */
  public record Warmup(int seconds, double lastRoundJitPercent, boolean settled) {
    static Warmup none() {
      return new Warmup(0, Double.NaN, false);
    }
  }

  /** What the broker-restart phase found. */
  public record LossCheck(
      PhaseResult phase,
      long acknowledged,
      long found,
      long lost,
      long answered503,
      long recordsRead,
      long duplicates,
      double brokerDownSeconds,
      double[] failureWindowSeconds,
      String restartError) {}

  /** Everything one run measured, and its report. */
  public record Result(
      BenchOptions options,
      String date,
      String code,
      String machine,
      int bodyBytes,
      int rawValueBytes,
      PhaseResult rawClosed,
      PhaseResult rawOpen,
      List<PhaseResult> steps,
      List<double[]> stepGatewayProduceMs,
      List<double[]> stepGatewayCpu,
      String stopReason,
      PhaseResult httpClosed,
      double[] closedGatewayCpu,
      Warmup warmup,
      LossCheck loss,
      String markdown) {}

  private GatewayBenchmark() {}

  public static void main(String[] args) throws Exception {
    quietLogging();
    BenchOptions options =
        BenchOptions.parse(args, ServiceProcess.repoRoot().resolve("BENCHMARKS.md"));
    String command = System.getProperty("runnerguard.bench.command");
    if (command != null && !command.isBlank()) {
      options = withCommand(options, command);
    }
    Result result = run(options);
    System.out.println();
    System.out.println(result.markdown());
    if (options.write() != null) {
      writeSection(options.write(), result.markdown());
      System.out.println("(written to " + options.write() + ")");
    }
    // the Kafka client and Vert.x leave no non-daemon threads, but be sure the run ends here
    System.exit(result.loss().lost() == 0 ? 0 : 2);
  }

  /** Runs every phase; broker and gateway are stopped on every path. */
  public static Result run(BenchOptions o) throws Exception {
    String date = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_LOCAL_DATE);
    String machine = Machine.describe();
    // taken before anything runs: the gateway and load generator were built from this tree
    String code = Machine.codeVersion(ServiceProcess.repoRoot());
    byte[] secretBytes = new byte[32];
    new SecureRandom().nextBytes(secretBytes);
    String secret = HexFormat.of().formatHex(secretBytes);
    Deliveries deliveries = new Deliveries(secret.getBytes(StandardCharsets.UTF_8), o.bodyBytes());
    log("machine: " + machine);
    log("starting the broker");
    try (KafkaBrokerProcess broker = KafkaBrokerProcess.start()) {
      broker.createPlatformTopics();
      log("broker at " + broker.bootstrapServers() + "; starting the gateway");
      ServiceProcess gateway =
          ServiceProcess.builder("webhook-gateway")
              .systemProperty("kafka.bootstrap.servers", broker.bootstrapServers())
              .systemProperty("quarkus.log.level", "WARN")
              .env("RUNNERGUARD_WEBHOOK_SECRET", secret)
              .heap(o.gatewayHeap())
              .env("JDK_JAVA_OPTIONS", o.gatewayJvmOptions())
              .env("MALLOC_ARENA_MAX", "2")
              .readyTimeout(Duration.ofSeconds(90))
              .start();
      try (HttpLoad http = new HttpLoad(gateway.port(), o.connections(), deliveries);
          RawProducerLoad raw = new RawProducerLoad(broker.bootstrapServers(), deliveries)) {
        log("gateway on port " + gateway.port() + "; log " + gateway.log());
        return measure(o, date, code, machine, deliveries, broker, gateway, http, raw);
      } finally {
        gateway.close();
      }
    }
  }

  private static Result measure(
      BenchOptions o,
      String date,
      String code,
      String machine,
      Deliveries deliveries,
      KafkaBrokerProcess broker,
      ServiceProcess gateway,
      HttpLoad http,
      RawProducerLoad raw)
      throws Exception {
    long[] steal = Machine.stealTicks();
    int firstRate = o.rates().get(0);
    Warmup warmup = warmUp(o, deliveries, gateway, http, raw);

    log("raw Kafka producer, closed loop, " + o.concurrency() + " in flight");
    PhaseResult rawClosed =
        phase(
            "raw producer, closed loop, " + o.concurrency() + " in flight",
            Double.NaN,
            o.rawSeconds(),
            s -> raw.closedLoop(o.concurrency(), o.rawSeconds(), o.rawMaxRecords(), s));
    log(line(rawClosed));
    settle(o);
    log("raw Kafka producer, open loop at " + firstRate + "/s");
    PhaseResult rawOpen =
        phase(
            "raw producer, open loop",
            firstRate,
            o.stepSeconds(),
            s -> raw.openLoop(firstRate, o.stepSeconds(), s));
    log(line(rawOpen));
    settle(o);

    List<PhaseResult> steps = new ArrayList<>();
    List<double[]> stepGatewayMs = new ArrayList<>();
    List<double[]> stepGatewayCpu = new ArrayList<>();
    String stopReason = null;
    for (int rate : o.rates()) {
      log("HTTP open loop at " + rate + "/s for " + o.stepSeconds() + " s");
      deliveries.prepare((long) rate * o.stepSeconds());
      long signedBefore = deliveries.signedOnTheFly();
      GatewayMetricsScrape before = scrape(gateway);
      JvmCpu.Sample cpuBefore = JvmCpu.sample(gateway.pid());
      PhaseResult step =
          phase(
              "gateway, open loop",
              rate,
              o.stepSeconds(),
              s -> http.openLoop(rate, o.stepSeconds(), s));
      JvmCpu.Sample cpuAfter = JvmCpu.sample(gateway.pid());
      GatewayMetricsScrape after = scrape(gateway);
      double[] gatewayCpu = cpu(cpuBefore, cpuAfter);
      steps.add(step);
      stepGatewayCpu.add(gatewayCpu);
      stepGatewayMs.add(
          new double[] {after.quantileMsSince(before, 0.5), after.quantileMsSince(before, 0.99)});
      log(line(step) + gatewayCpuNote(gatewayCpu));
      logSignedOnTheFly(deliveries, signedBefore);
      settle(o);
      if (step.failureCount() > 0) {
        stopReason = "stopped after " + rate + "/s: " + step.failures();
        break;
      }
      if (step.p99Ms() > o.p99LimitMs()) {
        stopReason =
            "stopped after "
                + rate
                + "/s: p99 "
                + ms(step.p99Ms())
                + " > "
                + o.p99LimitMs()
                + " ms";
        break;
      }
    }

    log("HTTP closed loop, " + o.concurrency() + " connections, " + o.closedSeconds() + " s");
    deliveries.prepare((long) CLOSED_LOOP_SIGNED_PER_SECOND * o.closedSeconds());
    long signedBefore = deliveries.signedOnTheFly();
    JvmCpu.Sample closedBefore = JvmCpu.sample(gateway.pid());
    PhaseResult httpClosed =
        phase(
            "gateway, closed loop, " + o.concurrency() + " connections",
            Double.NaN,
            o.closedSeconds(),
            s -> http.closedLoop(o.concurrency(), o.closedSeconds(), 2_000_000L, s));
    double[] closedGatewayCpu = cpu(closedBefore, JvmCpu.sample(gateway.pid()));
    log(line(httpClosed) + gatewayCpuNote(closedGatewayCpu));
    logSignedOnTheFly(deliveries, signedBefore);
    settle(o);

    LossCheck loss = restartCheck(o, broker, http, deliveries);
    machine += "; " + Machine.stealNote(steal, Machine.stealTicks());
    log(machine);
    Result partial =
        new Result(
            o,
            date,
            code,
            machine,
            deliveries.bodyBytes(),
            raw.averageValueBytes(),
            rawClosed,
            rawOpen,
            steps,
            stepGatewayMs,
            stepGatewayCpu,
            stopReason,
            httpClosed,
            closedGatewayCpu,
            warmup,
            loss,
            "");
    return new Result(
        o,
        date,
        code,
        machine,
        deliveries.bodyBytes(),
        raw.averageValueBytes(),
        rawClosed,
        rawOpen,
        steps,
        stepGatewayMs,
        stepGatewayCpu,
        stopReason,
        httpClosed,
        closedGatewayCpu,
        warmup,
        loss,
        BenchReport.markdown(partial));
  }

  /**
   * One send on each pooled connection; then HTTP in rounds of {@link #WARMUP_ROUND_SECONDS}: at
   * {@code --warmup-rate} for at least {@code --warmup-seconds}, one round at each step rate, and
   * at {@code --warmup-rate} again until a round in which the gateway's JIT compiler threads were
   * nearly idle (at most {@code --warmup-max-seconds} in all); then the raw producer for a third of
   * the warm-up.
   */
  private static Warmup warmUp(
      BenchOptions o,
      Deliveries deliveries,
      ServiceProcess gateway,
      HttpLoad http,
      RawProducerLoad raw)
      throws Exception {
    if (o.warmupSeconds() == 0) {
      return Warmup.none();
    }
    log(
        String.format(
            "warm-up: HTTP at %d/s for at least %d s, a round at each step rate, then at %1$d/s"
                + " until the gateway's JIT compiler threads use < %.0f%% of a core in a %d s round"
                + " (at most %d s in all); then raw",
            o.warmupRate(),
            o.warmupSeconds(),
            JIT_SETTLED_PERCENT,
            WARMUP_ROUND_SECONDS,
            o.warmupMaxSeconds()));
    deliveries.prepare(http.connections());
    log(
        "warm-up: opened all "
            + http.connections()
            + " connections of the client's pool at once; failures "
            + http.openAll());
    // at --warmup-rate for --warmup-seconds; then one round at each step rate, lowest first, so
    // the JIT meets the higher rates' paths here and not in a measured step; then at
    // --warmup-rate until a round in which the JIT was nearly idle
    List<Integer> ladder = o.rates().stream().sorted().distinct().toList();
    int climbed = 0;
    int done = 0;
    double jit = Double.NaN;
    boolean settled = false;
    while (done < o.warmupMaxSeconds()) {
      boolean climbing = done >= o.warmupSeconds() && climbed < ladder.size();
      int rate = climbing ? ladder.get(climbed++) : o.warmupRate();
      int seconds = Math.min(WARMUP_ROUND_SECONDS, o.warmupMaxSeconds() - done);
      deliveries.prepare((long) rate * seconds);
      JvmCpu.Sample before = JvmCpu.sample(gateway.pid());
      PhaseStats stats = new PhaseStats(202, false);
      Thread scraper = scrapeMidway(gateway, seconds);
      http.openLoop(rate, seconds, stats);
      scraper.join();
      JvmCpu.Sample after = JvmCpu.sample(gateway.pid());
      done += seconds;
      jit = after.compilerPercent(before);
      PhaseResult round = stats.result("warm-up", rate, seconds, Double.NaN);
      log(
          String.format(
              "warm-up %d s (%d/s): gateway %.0f%% of a core, its JIT compiler threads %.1f%%; p99"
                  + " %s ms, failures %s",
              done, rate, after.processPercent(before), jit, ms(round.p99Ms()), round.failures()));
      // climbing starts only after --warmup-seconds, so a finished climb implies them
      if (!climbing && climbed == ladder.size() && jit < JIT_SETTLED_PERCENT) {
        settled = true;
        break;
      }
    }
    if (!settled) {
      log("warm-up: the gateway's JIT was still compiling after " + done + " s; measuring anyway");
    }
    raw.closedLoop(
        o.concurrency(),
        Math.max(1, Math.min(done, 30) / 3),
        o.rawMaxRecords(),
        new PhaseStats(202, false));
    settle(o);
    return new Warmup(done, jit, settled);
  }

  /**
   * Scrapes the gateway's metrics halfway through a warm-up round, under load, as Prometheus does
   * every 15-30 s in production. Without it the first scrape came with the first measured step (the
   * per-step produce latency) and, through code paths the JIT had never seen, made ~190 of the
   * gateway's C2-compiled methods (HTTP decoding, routing, flushing) not entrant at once
   * (2026-11-29, -XX:+PrintCompilation): the step then ran partly interpreted while C2 compiled
   * them again (JIT 17 % of a core, p99 ~200 ms at 2000/s against 14-18 ms in the warm-up).
   */
  private static Thread scrapeMidway(ServiceProcess gateway, int seconds) {
    Thread scraper =
        new Thread(
            () -> {
              try {
                Thread.sleep(TimeUnit.SECONDS.toMillis(seconds) / 2);
                scrape(gateway);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "bench-warmup-scrape");
    scraper.setDaemon(true);
    scraper.start();
    return scraper;
  }

  /** {gateway process, its JIT compiler threads} in percent of one core between two samples. */
  private static double[] cpu(JvmCpu.Sample before, JvmCpu.Sample after) {
    return new double[] {after.processPercent(before), after.compilerPercent(before)};
  }

  private static String gatewayCpuNote(double[] cpu) {
    return String.format("; gateway %.0f%% of a core (JIT %.1f%%)", cpu[0], cpu[1]);
  }

  private static LossCheck restartCheck(
      BenchOptions o, KafkaBrokerProcess broker, HttpLoad http, Deliveries deliveries)
      throws Exception {
    int rate = o.restartRate();
    int seconds = o.restartSeconds();
    deliveries.prepare((long) rate * seconds);
    log("loss check: " + rate + "/s for " + seconds + " s, broker restart after " + seconds / 3);
    PhaseStats stats = new PhaseStats(202, true);
    long[] window = new long[2];
    AtomicReference<String> restartError = new AtomicReference<>();
    Thread restarter =
        new Thread(
            () -> {
              try {
                Thread.sleep(TimeUnit.SECONDS.toMillis(seconds) / 3);
                window[0] = System.nanoTime();
                broker.stop();
                log("broker stopped");
                broker.startAgain();
                window[1] = System.nanoTime();
                log("broker ready again");
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                restartError.set("interrupted");
              } catch (RuntimeException e) {
                restartError.set(e.toString());
              }
            },
            "bench-broker-restart");
    long[] cpu = Machine.cpuTicks();
    restarter.start();
    http.openLoop(rate, seconds, stats);
    restarter.join(TimeUnit.SECONDS.toMillis(120));
    if (restarter.isAlive()) {
      restartError.set("the broker restart did not finish within 120 s");
      restarter.interrupt();
    }
    PhaseResult phase =
        stats.result(
            "gateway, broker restart", rate, seconds, Machine.busyPercent(cpu, Machine.cpuTicks()));
    log(line(phase));
    double down = window[1] > 0 ? (window[1] - window[0]) / 1e9 : Double.NaN;
    Set<String> acked = stats.acked();
    log("reading " + Topics.WORKFLOW_JOB.topicName() + " from the beginning");
    long[] readAndDupes = new long[2];
    Set<String> found = readDeliveryIds(broker.bootstrapServers(), acked, readAndDupes);
    long lost = acked.stream().filter(id -> !found.contains(id)).count();
    LossCheck loss =
        new LossCheck(
            phase,
            acked.size(),
            found.size(),
            lost,
            stats.count(503),
            readAndDupes[0],
            readAndDupes[1],
            down,
            stats.failureWindowSeconds(),
            restartError.get());
    log(
        "acknowledged "
            + loss.acknowledged()
            + ", found "
            + loss.found()
            + ", lost "
            + loss.lost()
            + "; 503s "
            + loss.answered503()
            + "; broker down "
            + String.format("%.1f s", down));
    return loss;
  }

  /**
   * Reads the whole workflow-job topic (bounded: 180 s) and returns which of the wanted delivery
   * ids it holds; out[0] = records read, out[1] = wanted ids seen more than once.
   */
  static Set<String> readDeliveryIds(String bootstrap, Set<String> wanted, long[] out) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "bench-loss-check");
    Map<String, Integer> seen = new HashMap<>();
    long read = 0;
    String topic = Topics.WORKFLOW_JOB.topicName();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
              .map(i -> new TopicPartition(topic, i.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
      while (!end.isEmpty() && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          read++;
          Header h = r.headers().lastHeader(RecordHeaders.DELIVERY_ID);
          if (h != null) {
            String id = new String(h.value(), StandardCharsets.UTF_8);
            if (wanted.contains(id)) {
              seen.merge(id, 1, Integer::sum);
            }
          }
        }
        end.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue());
      }
      if (!end.isEmpty()) {
        log("WARNING: the loss check did not reach the end of " + end.keySet() + " in 180 s");
      }
    }
    out[0] = read;
    out[1] = seen.values().stream().filter(n -> n > 1).count();
    return new HashSet<>(seen.keySet());
  }

  interface Load {
    void run(PhaseStats stats) throws Exception;
  }

  private static PhaseResult phase(String name, double offered, int seconds, Load load)
      throws Exception {
    PhaseStats stats = new PhaseStats(202, false);
    long[] cpu = Machine.cpuTicks();
    load.run(stats);
    log(
        name
            + " @"
            + Math.round(offered)
            + "/s, slowest answer of each second (ms): "
            + stats.slowestBySecond());
    return stats.result(name, offered, seconds, Machine.busyPercent(cpu, Machine.cpuTicks()));
  }

  private static GatewayMetricsScrape scrape(ServiceProcess gateway) {
    try {
      return GatewayMetricsScrape.parse(gateway.metrics());
    } catch (IOException | RuntimeException e) {
      return GatewayMetricsScrape.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return GatewayMetricsScrape.empty();
    }
  }

  private static void logSignedOnTheFly(Deliveries deliveries, long before) {
    long signed = deliveries.signedOnTheFly() - before;
    if (signed > 0) {
      log("note: " + signed + " deliveries were signed while the phase was timed (none prepared)");
    }
  }

  /** A short pause between phases, so one phase's tail does not land in the next. */
  private static void settle(BenchOptions o) throws InterruptedException {
    Thread.sleep(o.stepSeconds() >= 10 ? 2_000 : 300);
  }

  /** Replaces (or appends) the "Webhook gateway" section of the BENCHMARKS.md at {@code file}. */
  static void writeSection(Path file, String section) throws IOException {
    String body = section.strip() + "\n";
    String text;
    if (!Files.exists(file)) {
      text =
          "# Benchmarks\n\n"
              + "Measured speed of RunnerGuard, each with its machine, date and exact command. The"
              + " benchmarks live in\n`bench/` (see `bench/README.md`); they are never timed unit"
              + " tests. Medians and ratios are\nmeasured side by side in one run.\n\n"
              + body;
    } else {
      String old = Files.readString(file, StandardCharsets.UTF_8);
      int start = old.indexOf(SECTION + "\n");
      if (start < 0) {
        text = old.stripTrailing() + "\n\n" + body;
      } else {
        int next = old.indexOf("\n## ", start + SECTION.length());
        String tail = next < 0 ? "" : "\n" + old.substring(next + 1);
        text = old.substring(0, start) + body + tail;
      }
    }
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }

  static String line(PhaseResult r) {
    return String.format(
        "%s%s: %d ok of %d sent, %.0f/s, p50 %s p90 %s p99 %s max %s ms, failures %s, CPU %.0f%%",
        r.name(),
        Double.isNaN(r.offeredRate()) ? "" : " @" + (long) r.offeredRate() + "/s",
        r.ok(),
        r.sent(),
        r.achievedRate(),
        ms(r.p50Ms()),
        ms(r.p90Ms()),
        ms(r.p99Ms()),
        ms(r.maxMs()),
        r.failures(),
        r.cpuBusyPercent());
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

  private static BenchOptions withCommand(BenchOptions o, String command) {
    return new BenchOptions(
        o.rates(),
        o.stepSeconds(),
        o.warmupSeconds(),
        o.warmupRate(),
        o.warmupMaxSeconds(),
        o.rawSeconds(),
        o.rawMaxRecords(),
        o.concurrency(),
        o.connections(),
        o.closedSeconds(),
        o.restartRate(),
        o.restartSeconds(),
        o.bodyBytes(),
        o.p99LimitMs(),
        o.gatewayHeap(),
        o.gatewayJvmOptions(),
        o.write(),
        command);
  }

  private static void quietLogging() {
    Logger root = Logger.getLogger("");
    root.setLevel(Level.WARNING);
    for (var handler : root.getHandlers()) {
      handler.setLevel(Level.WARNING);
    }
  }
}
