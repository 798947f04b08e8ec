package dev.runnerguard.bench;

import static dev.runnerguard.bench.GatewayBenchmark.ms;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The Markdown report of one {@link GatewayBenchmark} run. */
final class BenchReport {

  /**
   * Replaces the section that starts with the line {@code heading} (up to the next {@code ## }
   * heading) in a Markdown file with {@code section}, or appends it; other sections are untouched.
   */
  static void replaceSection(Path file, String heading, String section) throws IOException {
    String body = section.strip() + "\n";
    String old =
        Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "# Benchmarks\n";
    int start = old.startsWith(heading + "\n") ? 0 : old.indexOf("\n" + heading + "\n");
    String text;
    if (start < 0) {
      text = old.stripTrailing() + "\n\n" + body;
    } else {
      if (start > 0) {
        start++;
      }
      int next = old.indexOf("\n## ", start + heading.length());
      String tail = next < 0 ? "" : "\n" + old.substring(next + 1);
      text = old.substring(0, start) + body + tail;
    }
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }

  private BenchReport() {}

  static String markdown(GatewayBenchmark.Result r) {
    BenchOptions o = r.options();
    int cores = Runtime.getRuntime().availableProcessors();
    StringBuilder md = new StringBuilder();
    md.append("## Webhook gateway\n\n");
    md.append("Measured ").append(r.date()).append(" (UTC) with `").append(o.command());
    md.append("`, ").append(r.code()).append(".\n\n");
    md.append("**Machine:** ").append(r.machine()).append(".\n");
    md.append("Everything runs on this one ").append(cores).append("-core machine at once: ");
    md.append(
        "the single-node KRaft broker (own JVM, `-Xmx512m`, G1 aiming at 20 ms pauses as `./runnerguard` starts it), the packaged gateway ");
    md.append("(own JVM, `-Xmx").append(o.gatewayHeap());
    if (!o.gatewayJvmOptions().isBlank()) {
      md.append(" ").append(o.gatewayJvmOptions());
    }
    md.append("`");
    if (o.gatewayJvmOptions().equals(BenchOptions.LAUNCHER_JVM_OPTIONS)) {
      md.append(", the flags `./runnerguard` starts it with");
    }
    md.append(") and the load generator ");
    md.append("with the raw producer (a third JVM); all traffic on 127.0.0.1. The CPU column is ");
    md.append("the whole machine's use during the phase, all three JVMs together.\n\n");
    md.append("**Workload:** signed `workflow_job` deliveries of exactly ").append(r.bodyBytes());
    md.append(" bytes (GitHub's real `queued` payload, a unique `workflow_job.id` per delivery, ");
    md.append("a `steps` array and padding), each with a fresh `X-GitHub-Delivery` GUID and its ");
    md.append(
        "`X-Hub-Signature-256` (made before each phase's clock starts); HTTP/1.1 keep-alive ");
    md.append("(Vert.x client on one event loop; in open loops it sends all that are due ");
    md.append("every 1 ms). The gateway verifies, ");
    md.append("parses, writes the record to `github.workflow-job` and answers 202 only after the ");
    md.append(
        "broker acknowledged it (`acks=all`, idempotent, no batch compression: the body is already an LZ4 frame), then adds its receipt ");
    md.append(
        "to the next `github.delivery` record (one record per 5 ms of deliveries). The raw baseline sends the same `github.workflow-job` records ");
    md.append("(built by the gateway's own `WorkflowJobParser` and `DeliveryPublisher`, ");
    md.append(r.rawValueBytes())
        .append(" bytes of Avro each, raw body an LZ4 frame inside) with the ");
    md.append("same producer settings straight from the load generator's JVM, no HTTP, no ");
    md.append("receipt. Latency is in milliseconds; in open loops it is measured from each ");
    md.append("send's *scheduled* time (no coordinated omission), in closed loops from the send.");
    md.append("\n\n");
    md.append(warmup(r.warmup(), o)).append("\n\n");

    md.append("### Raw Kafka producer baseline (same run)\n\n");
    table(md, List.of(r.rawClosed(), r.rawOpen()), null, null);

    md.append("\n### Gateway over HTTP, open loop at rising rates\n\n");
    md.append("Each step ").append(o.stepSeconds()).append(" s, up to ").append(o.connections());
    md.append(" connections; stepping stops when a step has any non-202 answer or error, or ");
    md.append("p99 > ").append(o.p99LimitMs()).append(" ms. `gw CPU` is the gateway JVM's ");
    md.append("own CPU use in percent of one core and `gw JIT` the part of it its JIT compiler ");
    md.append("threads used (near 0: the steady state); the last two columns are the gateway's ");
    md.append("own `runnerguard_gateway_produce_latency_seconds` (send to broker ack, histogram ");
    md.append("bucket bounds).\n\n");
    table(md, r.steps(), r.stepGatewayCpu(), r.stepGatewayProduceMs());
    if (r.stopReason() != null) {
      md.append("\nStepping ").append(r.stopReason()).append(".\n");
    }

    md.append("\n### Gateway, closed loop (maximum throughput)\n\n");
    table(md, List.of(r.httpClosed()), List.of(r.closedGatewayCpu()), null);

    md.append("\n### Ratios (same run)\n\n");
    PhaseResult best = bestWithinTarget(r.steps());
    md.append("| what | gateway | raw producer | gateway / raw |\n|---|---:|---:|---:|\n");
    ratio(
        md,
        "max throughput, closed loop (" + o.concurrency() + " in flight), deliveries/s",
        r.httpClosed().achievedRate(),
        r.rawClosed().achievedRate(),
        true);
    ratio(md, "p50 latency, closed loop, ms", r.httpClosed().p50Ms(), r.rawClosed().p50Ms(), false);
    ratio(
        md,
        "p50 latency, open loop at " + (long) r.rawOpen().offeredRate() + "/s, ms",
        r.steps().get(0).p50Ms(),
        r.rawOpen().p50Ms(),
        false);
    ratio(
        md,
        "p99 latency, open loop at " + (long) r.rawOpen().offeredRate() + "/s, ms",
        r.steps().get(0).p99Ms(),
        r.rawOpen().p99Ms(),
        false);
    md.append("\nHighest open-loop step with p99 <= ")
        .append(ms(GatewayBenchmark.TARGET_P99_MS))
        .append(" ms and no failure: ")
        .append(
            best == null
                ? "none"
                : (long) best.offeredRate()
                    + "/s offered, "
                    + String.format("%.0f", best.achievedRate())
                    + "/s achieved, p99 "
                    + ms(best.p99Ms())
                    + " ms")
        .append(".\n");

    GatewayBenchmark.LossCheck loss = r.loss();
    md.append("\n### Zero loss across a broker restart\n\n");
    md.append("Open loop at ").append(o.restartRate()).append("/s for ");
    md.append(o.restartSeconds()).append(" s; after ").append(o.restartSeconds() / 3);
    md.append(" s the broker is stopped (SIGTERM) and started again on the same ports and data. ");
    md.append("Every delivery id answered 202 is kept; afterwards `github.workflow-job` is read ");
    md.append("from the beginning and each must be there (header `rg-delivery-id`).\n\n");
    md.append("- **acknowledged ").append(loss.acknowledged()).append(", found ");
    md.append(loss.found()).append(", lost ").append(loss.lost()).append("**");
    md.append(" (").append(loss.recordsRead()).append(" records read; ");
    md.append(loss.duplicates()).append(" acknowledged ids stored more than once)\n");
    md.append("- broker down (stop called until it answered again): ");
    md.append(Double.isNaN(loss.brokerDownSeconds()) ? "-" : secs(loss.brokerDownSeconds()));
    md.append("\n- answered 503 during the outage: ").append(loss.answered503());
    md.append("; other failures: ").append(failuresWithout503(loss.phase().failures()));
    double[] w = loss.failureWindowSeconds();
    md.append("\n- deliveries not answered 202 were scheduled between ");
    md.append(w == null ? "- (none)" : secs(w[0]) + " and " + secs(w[1]) + " into the phase");
    md.append("\n- the whole phase: ").append(GatewayBenchmark.line(loss.phase()));
    if (loss.restartError() != null) {
      md.append("\n- restart error: ").append(loss.restartError());
    }
    md.append("\n\n### Against the SPEC target\n\n");
    md.append(verdict(r, best));
    md.append("\n");
    return md.toString();
  }

  private static String verdict(GatewayBenchmark.Result r, PhaseResult best) {
    boolean rateOk = best != null && best.achievedRate() >= GatewayBenchmark.TARGET_RATE * 0.99;
    boolean lossOk = r.loss().lost() == 0 && r.loss().acknowledged() > 0;
    StringBuilder v = new StringBuilder();
    v.append("Target: >= ").append(GatewayBenchmark.TARGET_RATE);
    v.append(" signed 10 KB deliveries/s with p99 ack <= ");
    v.append(ms(GatewayBenchmark.TARGET_P99_MS)).append(" ms on 2 cores, zero loss across a ");
    v.append("broker restart. ");
    if (rateOk) {
      v.append("**Throughput and latency: met** (").append((long) best.offeredRate());
      v.append("/s sustained with p99 ").append(ms(best.p99Ms())).append(" ms). ");
    } else {
      v.append("**Throughput and latency: not met** on this machine: the highest step within ");
      v.append("p99 <= ").append(ms(GatewayBenchmark.TARGET_P99_MS)).append(" ms was ");
      v.append(best == null ? "none" : (long) best.offeredRate() + "/s");
      v.append(", and the closed loop peaked at ");
      v.append(String.format("%.0f", r.httpClosed().achievedRate())).append("/s (p99 ");
      v.append(ms(r.httpClosed().p99Ms())).append(" ms), with the broker, the gateway and the ");
      v.append("load generator sharing the same cores. ");
    }
    v.append(lossOk ? "**Zero loss: met** (" : "**Zero loss: NOT met** (");
    v.append(r.loss().lost()).append(" of ").append(r.loss().acknowledged());
    v.append(" acknowledged deliveries missing).");
    return v.toString();
  }

  private static PhaseResult bestWithinTarget(List<PhaseResult> steps) {
    PhaseResult best = null;
    for (PhaseResult s : steps) {
      if (s.failureCount() == 0
          && s.p99Ms() <= GatewayBenchmark.TARGET_P99_MS
          && (best == null || s.achievedRate() > best.achievedRate())) {
        best = s;
      }
    }
    return best;
  }

  private static void table(
      StringBuilder md,
      List<PhaseResult> rows,
      List<double[]> gatewayCpu,
      List<double[]> gatewayMs) {
    md.append("| phase | offered/s | achieved/s | ok | p50 | p90 | p99 | max | not ok | CPU |");
    md.append(gatewayCpu == null ? "" : " gw CPU | gw JIT |");
    md.append(gatewayMs == null ? "\n" : " gw p50 | gw p99 |\n");
    md.append("|---|---:|---:|---:|---:|---:|---:|---:|---|---:|");
    md.append(gatewayCpu == null ? "" : "---:|---:|");
    md.append(gatewayMs == null ? "\n" : "---:|---:|\n");
    for (int i = 0; i < rows.size(); i++) {
      PhaseResult p = rows.get(i);
      md.append("| ").append(p.name());
      md.append(" | ").append(Double.isNaN(p.offeredRate()) ? "max" : (long) p.offeredRate());
      md.append(" | ").append(String.format("%.0f", p.achievedRate()));
      md.append(" | ").append(p.ok());
      md.append(" | ").append(ms(p.p50Ms()));
      md.append(" | ").append(ms(p.p90Ms()));
      md.append(" | ").append(ms(p.p99Ms()));
      md.append(" | ").append(ms(p.maxMs()));
      md.append(" | ").append(p.failures().isEmpty() ? "0" : describe(p.failures()));
      md.append(" | ").append(String.format("%.0f%%", p.cpuBusyPercent()));
      if (gatewayCpu != null) {
        double[] c = gatewayCpu.get(i);
        md.append(" | ").append(String.format("%.0f%%", c[0]));
        md.append(" | ").append(String.format("%.1f%%", c[1]));
      }
      if (gatewayMs != null) {
        double[] g = gatewayMs.get(i);
        md.append(" | <= ").append(ms(g[0])).append(" | <= ").append(ms(g[1]));
      }
      md.append(" |\n");
    }
  }

  private static String warmup(GatewayBenchmark.Warmup w, BenchOptions o) {
    if (w.seconds() == 0) {
      return "**Warm-up:** none.";
    }
    String text =
        "**Warm-up** (not reported): one send on each of the client's "
            + o.connections()
            + " connections at once (so no measured phase opens a connection), then HTTP at "
            + o.warmupRate()
            + "/s in "
            + GatewayBenchmark.WARMUP_ROUND_SECONDS
            + " s rounds for at least "
            + o.warmupSeconds()
            + " s, one round at each step rate (so the JIT meets their paths before they are"
            + " measured), then again until the gateway's JIT compiler threads used less than "
            + String.format("%.0f", GatewayBenchmark.JIT_SETTLED_PERCENT)
            + " % of a core in a round, then the raw producer. ";
    return text
        + (w.settled()
            ? String.format(
                "It took %d s (last round: JIT %.1f %% of a core).",
                w.seconds(), w.lastRoundJitPercent())
            : String.format(
                "**The JIT had not settled** after the %d s allowed (`--warmup-max-seconds`; last"
                    + " round: JIT %.1f %% of a core): the steps below include compilation.",
                w.seconds(), w.lastRoundJitPercent()));
  }

  private static void ratio(
      StringBuilder md, String what, double gateway, double raw, boolean rate) {
    md.append("| ").append(what).append(" | ");
    md.append(rate ? String.format("%.0f", gateway) : ms(gateway)).append(" | ");
    md.append(rate ? String.format("%.0f", raw) : ms(raw)).append(" | ");
    md.append(raw > 0 ? String.format("%.2f", gateway / raw) : "-").append(" |\n");
  }

  private static String describe(Map<String, Long> failures) {
    return failures.entrySet().stream()
        .map(e -> e.getKey() + ": " + e.getValue())
        .collect(Collectors.joining(", "));
  }

  private static String failuresWithout503(Map<String, Long> failures) {
    String s =
        failures.entrySet().stream()
            .filter(e -> !e.getKey().equals("HTTP 503"))
            .map(e -> e.getKey() + ": " + e.getValue())
            .collect(Collectors.joining(", "));
    return s.isEmpty() ? "none" : s;
  }

  private static String secs(double s) {
    return String.format("%.1f s", s);
  }
}
