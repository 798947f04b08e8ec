package dev.runnerguard.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Settings of one {@link GatewayBenchmark} run. Every load phase is bounded in time and in count.
 *
 * @param rates open-loop target rates (deliveries/s), stepped up in order
 * @param stepSeconds length of each open-loop step
 * @param warmupSeconds shortest unreported warm-up (HTTP at {@code warmupRate}, then the raw
 *     producer); 0: none
 * @param warmupRate the warm-up's HTTP rate
 * @param warmupMaxSeconds longest warm-up: it goes on in rounds while the gateway's JIT compiler
 *     threads are busy (see {@link GatewayBenchmark#JIT_SETTLED_PERCENT}), up to this
 * @param rawSeconds raw producer closed-loop phase length
 * @param rawMaxRecords raw producer closed-loop record cap
 * @param concurrency in-flight bound of both closed loops (HTTP connections and raw producer sends)
 * @param connections HTTP connection pool size of the open-loop generator
 * @param closedSeconds HTTP closed-loop phase length
 * @param restartRate rate of the broker-restart loss check
 * @param restartSeconds length of the broker-restart loss check
 * @param bodyBytes exact size of each delivery body
 * @param p99LimitMs stop stepping up when a step's p99 exceeds this
 * @param gatewayHeap the gateway JVM's -Xmx
 * @param gatewayJvmOptions further options of the gateway JVM (given to it as {@code
 *     JDK_JAVA_OPTIONS}); by default the options {@code ./runnerguard} starts every service with
 * @param write where to write the report section ({@code null}: print only)
 * @param command the command line quoted in the report
 */
public record BenchOptions(
    List<Integer> rates,
    int stepSeconds,
    int warmupSeconds,
    int warmupRate,
    int warmupMaxSeconds,
    int rawSeconds,
    int rawMaxRecords,
    int concurrency,
    int connections,
    int closedSeconds,
    int restartRate,
    int restartSeconds,
    int bodyBytes,
    int p99LimitMs,
    String gatewayHeap,
    String gatewayJvmOptions,
    Path write,
    String command) {

  /**
   * The JVM options {@code ./runnerguard} gives every service besides {@code -Xmx}, before its own
   * tuning (see {@code start_service} in the script; {@code BenchOptionsTest} keeps the two the
   * same).
   */
  public static final String LAUNCHER_SERVICE_JVM_OPTIONS =
      "-Xms32m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=20"
          + " -Djdk.nio.maxCachedBufferSize=262144 -XX:+UseSerialGC -Xss512k";

  /**
   * The JVM options {@code ./runnerguard} gives the gateway besides {@code -Xmx} (see {@code
   * start_service} in the script: every service's options, then the gateway's own tuning instead of
   * the C1-only flag the other services get; {@code BenchOptionsTest} keeps the two the same), so
   * the benchmark measures the gateway as the launcher runs it.
   */
  public static final String LAUNCHER_JVM_OPTIONS =
      LAUNCHER_SERVICE_JVM_OPTIONS + " -Xms96m -Xmn64m";

  /** The default run: about 5 minutes. */
  public static BenchOptions defaults() {
    return new BenchOptions(
        List.of(1000, 2000, 3000, 4000, 5000, 6000),
        15,
        // warm-up: at least 30 s, and until the gateway's JIT has compiled its hot paths (C2)
        30,
        2000,
        300,
        15,
        1_000_000,
        64,
        256,
        15,
        1000,
        30,
        10 * 1024,
        250,
        "256m",
        LAUNCHER_JVM_OPTIONS,
        null,
        "bench/run-gateway.sh");
  }

  /** {@code --quick}: a smoke run of about 40 s. */
  public static BenchOptions quick() {
    return new BenchOptions(
        List.of(500, 1000),
        4,
        3,
        500,
        3,
        4,
        200_000,
        32,
        128,
        4,
        500,
        12,
        10 * 1024,
        250,
        "256m",
        LAUNCHER_JVM_OPTIONS,
        null,
        "bench/run-gateway.sh --quick");
  }

  /**
   * Parses {@code --quick}, {@code --rates=1000,2000}, {@code --step-seconds=N}, {@code
   * --warmup-seconds=N}, {@code --warmup-rate=N}, {@code --warmup-max-seconds=N}, {@code
   * --raw-seconds=N}, {@code --raw-max-records=N}, {@code --concurrency=N}, {@code
   * --connections=N}, {@code --closed-seconds=N}, {@code --restart-rate=N}, {@code
   * --restart-seconds=N}, {@code --body-bytes=N}, {@code --p99-limit-ms=N}, {@code
   * --gateway-heap=256m}, {@code --gateway-jvm-options="-X.. -X.."}, {@code --write=PATH}, {@code
   * --no-write}.
   *
   * @param defaultWrite the BENCHMARKS.md to write unless {@code --quick} or {@code --no-write}
   */
  public static BenchOptions parse(String[] args, Path defaultWrite) {
    List<String> list = Arrays.asList(args);
    boolean quick = list.contains("--quick");
    BenchOptions o = quick ? quick() : defaults();
    List<Integer> rates = o.rates;
    int stepSeconds = o.stepSeconds;
    int warmup = o.warmupSeconds;
    int warmupRate = o.warmupRate;
    int warmupMax = o.warmupMaxSeconds;
    boolean maxGiven = false;
    int rawSeconds = o.rawSeconds;
    int rawMax = o.rawMaxRecords;
    int concurrency = o.concurrency;
    int connections = o.connections;
    int closedSeconds = o.closedSeconds;
    int restartRate = o.restartRate;
    int restartSeconds = o.restartSeconds;
    int bodyBytes = o.bodyBytes;
    int p99Limit = o.p99LimitMs;
    String heap = o.gatewayHeap;
    String jvmOptions = o.gatewayJvmOptions;
    Path write = quick ? null : defaultWrite;
    for (String arg : args) {
      String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
      String value = arg.contains("=") ? arg.substring(arg.indexOf('=') + 1) : "";
      switch (name) {
        case "--quick" -> {}
        case "--rates" -> {
          List<Integer> parsed = new ArrayList<>();
          for (String r : value.split(",")) {
            parsed.add(positive(name, r.trim()));
          }
          rates = List.copyOf(parsed);
        }
        case "--step-seconds" -> stepSeconds = positive(name, value);
        case "--warmup-seconds" -> warmup = nonNegative(name, value);
        case "--warmup-rate" -> warmupRate = positive(name, value);
        case "--warmup-max-seconds" -> {
          warmupMax = nonNegative(name, value);
          maxGiven = true;
        }
        case "--raw-seconds" -> rawSeconds = positive(name, value);
        case "--raw-max-records" -> rawMax = positive(name, value);
        case "--concurrency" -> concurrency = positive(name, value);
        case "--connections" -> connections = positive(name, value);
        case "--closed-seconds" -> closedSeconds = positive(name, value);
        case "--restart-rate" -> restartRate = positive(name, value);
        case "--restart-seconds" -> restartSeconds = positive(name, value);
        case "--body-bytes" -> bodyBytes = positive(name, value);
        case "--p99-limit-ms" -> p99Limit = positive(name, value);
        case "--gateway-heap" -> heap = value;
        case "--gateway-jvm-options" -> jvmOptions = value;
        case "--write" -> write = Path.of(value);
        case "--no-write" -> write = null;
        default -> throw new IllegalArgumentException("unknown option " + arg + "; see README.md");
      }
    }
    if (rates.isEmpty()) {
      throw new IllegalArgumentException("--rates needs at least one rate");
    }
    if (warmupMax < warmup && !maxGiven) {
      warmupMax = warmup;
    } else if (warmupMax < warmup) {
      throw new IllegalArgumentException(
          "--warmup-max-seconds ("
              + warmupMax
              + ") must be at least --warmup-seconds ("
              + warmup
              + ")");
    }
    String command =
        "bench/run-gateway.sh" + (args.length == 0 ? "" : " " + String.join(" ", args));
    return new BenchOptions(
        rates,
        stepSeconds,
        warmup,
        warmupRate,
        warmupMax,
        rawSeconds,
        rawMax,
        concurrency,
        connections,
        closedSeconds,
        restartRate,
        restartSeconds,
        bodyBytes,
        p99Limit,
        heap,
        jvmOptions,
        write,
        command);
  }

  private static int positive(String name, String value) {
    int v = nonNegative(name, value);
    if (v == 0) {
      throw new IllegalArgumentException(name + " must be positive");
    }
    return v;
  }

  private static int nonNegative(String name, String value) {
    try {
      int v = Integer.parseInt(value);
      if (v < 0) {
        throw new IllegalArgumentException(name + " must not be negative");
      }
      return v;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " needs a whole number, got '" + value + "'");
    }
  }
}
