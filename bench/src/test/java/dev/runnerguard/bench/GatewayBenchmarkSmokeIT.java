package dev.runnerguard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark's machinery works end to end with tiny steps: broker and gateway start, every phase
 * sends and gets answers, the restart check loses no acknowledged delivery and a report is
 * produced. It asserts no speed (benchmarks are never timed tests) and never writes BENCHMARKS.md.
 */
class GatewayBenchmarkSmokeIT {

  @Test
  void runsEveryPhaseAndLosesNoAcknowledgedDelivery() throws Exception {
    BenchOptions tiny =
        new BenchOptions(
            List.of(200), // one open-loop step: 200/s
            3, // for 3 s (the raw open loop too)
            2, // one 2 s warm-up round at 200/s (the JIT is not waited for: at most 2 s)
            200,
            2,
            2, // raw closed loop 2 s
            100_000,
            16, // closed loops: 16 in flight
            64,
            2, // HTTP closed loop 2 s
            25, // restart check: 25/s
            12, // for 12 s, about 300 deliveries, broker restarted after 4 s
            10 * 1024,
            250,
            "256m",
            BenchOptions.LAUNCHER_JVM_OPTIONS,
            null, // print only: the smoke test never writes BENCHMARKS.md
            "GatewayBenchmarkSmokeIT");

    GatewayBenchmark.Result result = GatewayBenchmark.run(tiny);

    assertThat(result.bodyBytes()).isEqualTo(10 * 1024);
    assertThat(result.warmup().seconds()).isEqualTo(2);
    assertThat(result.warmup().lastRoundJitPercent()).isNotNaN();
    assertThat(result.stepGatewayCpu()).hasSize(1);
    assertThat(result.stepGatewayCpu().get(0)[0]).as("gateway CPU during the step").isPositive();
    assertThat(result.markdown())
        .contains("**Warm-up** (not reported)")
        .contains("| gw CPU | gw JIT |");
    assertThat(result.rawClosed().ok()).isPositive();
    assertThat(result.rawOpen().ok()).isPositive();
    assertThat(result.steps()).hasSize(1);
    assertThat(result.steps().get(0).ok()).isPositive();
    assertThat(result.httpClosed().ok()).isPositive();

    GatewayBenchmark.LossCheck loss = result.loss();
    assertThat(loss.restartError()).isNull();
    assertThat(loss.brokerDownSeconds()).isPositive();
    assertThat(loss.acknowledged()).isPositive();
    assertThat(loss.found()).isEqualTo(loss.acknowledged());
    assertThat(loss.lost()).isZero();

    assertThat(result.markdown())
        .startsWith("## Webhook gateway")
        .contains("### Raw Kafka producer baseline", "lost 0", result.machine());
  }

  @Test
  void replacesOnlyItsOwnSectionOfBenchmarksMd(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("BENCHMARKS.md");
    Files.writeString(
        file, "# Benchmarks\n\nintro\n\n## Webhook gateway\n\nold\n\n## Other\n\nkept\n");

    GatewayBenchmark.writeSection(file, "## Webhook gateway\n\nnew\n");

    assertThat(Files.readString(file))
        .isEqualTo("# Benchmarks\n\nintro\n\n## Webhook gateway\n\nnew\n\n## Other\n\nkept\n");
  }
}
