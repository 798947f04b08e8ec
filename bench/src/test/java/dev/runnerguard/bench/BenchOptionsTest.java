package dev.runnerguard.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.runnerguard.testing.ServiceProcess;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchOptionsTest {
  @Test
  void theGatewayRunsWithTheLaunchersServiceJvmOptionsByDefault() throws Exception {
    String script = Files.readString(ServiceProcess.repoRoot().resolve("runnerguard"));
    int start = script.indexOf("start_service() {");
    String startService = script.substring(start, script.indexOf("\n}\n", start));

    for (String option : BenchOptions.LAUNCHER_JVM_OPTIONS.split(" ")) {
      assertThat(startService).as("./runnerguard start_service").contains(option);
    }
    // the per-service differences: C1 only for all services but the gateway and audit-ingest,
    // which have their own
    assertThat(startService)
        .contains("webhook-gateway) tuning=(-Xms96m -Xmn64m) ;;")
        .contains(
            "audit-ingest) tuning=(" + AuditBenchmark.LAUNCHER_TUNING.replace("'", "") + ") ;;")
        .contains("*) tuning=(-XX:TieredStopAtLevel=1) ;;")
        .contains("-Xss512k \"${tuning[@]}\"");
    assertThat(AuditBenchmark.LAUNCHER_JVM_OPTIONS)
        .isEqualTo(
            BenchOptions.LAUNCHER_JVM_OPTIONS.replace(
                " -Xms96m -Xmn64m", " " + AuditBenchmark.LAUNCHER_TUNING));
    assertThat(BenchOptions.LAUNCHER_JVM_OPTIONS).endsWith("-Xss512k -Xms96m -Xmn64m");
    assertThat(BenchOptions.LAUNCHER_JVM_OPTIONS).doesNotContain("TieredStopAtLevel");
    assertThat(BenchOptions.defaults().gatewayJvmOptions())
        .isEqualTo(BenchOptions.LAUNCHER_JVM_OPTIONS);
    assertThat(BenchOptions.parse(new String[] {"--quick"}, null).gatewayJvmOptions())
        .isEqualTo(BenchOptions.LAUNCHER_JVM_OPTIONS);
  }

  @Test
  void otherGatewayJvmOptionsCanBeGiven() {
    BenchOptions o = BenchOptions.parse(new String[] {"--gateway-jvm-options=-XX:+UseG1GC"}, null);

    assertThat(o.gatewayJvmOptions()).isEqualTo("-XX:+UseG1GC");
  }

  @Test
  void theWarmUpRunsUntilTheJitSettlesWithinBounds() {
    BenchOptions defaults = BenchOptions.parse(new String[0], null);
    assertThat(defaults.warmupSeconds()).isEqualTo(30);
    assertThat(defaults.warmupRate()).isEqualTo(2000);
    assertThat(defaults.warmupMaxSeconds()).isEqualTo(300);

    BenchOptions o =
        BenchOptions.parse(
            new String[] {"--warmup-seconds=20", "--warmup-rate=500", "--warmup-max-seconds=60"},
            null);
    assertThat(o.warmupSeconds()).isEqualTo(20);
    assertThat(o.warmupRate()).isEqualTo(500);
    assertThat(o.warmupMaxSeconds()).isEqualTo(60);

    // a longer minimum than the default maximum raises the maximum with it
    assertThat(BenchOptions.parse(new String[] {"--warmup-seconds=400"}, null).warmupMaxSeconds())
        .isEqualTo(400);
    assertThatThrownBy(
            () ->
                BenchOptions.parse(
                    new String[] {"--warmup-seconds=60", "--warmup-max-seconds=30"}, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--warmup-max-seconds");
  }

  @Test
  void compilerThreadsAreRecognisedByTheirKernelNames() {
    assertThat(JvmCpu.isCompilerThread("C2 CompilerThre")).isTrue();
    assertThat(JvmCpu.isCompilerThread("C1 CompilerThre")).isTrue();
    assertThat(JvmCpu.isCompilerThread("vert.x-eventloo")).isFalse();
    assertThat(JvmCpu.isCompilerThread("VM Thread")).isFalse();
  }

  @Test
  void aJvmSampleCountsItsCompilerThreads() {
    JvmCpu.Sample before = JvmCpu.sample(ProcessHandle.current().pid());
    long end = System.nanoTime() + 300_000_000L;
    long x = 0;
    while (System.nanoTime() < end) {
      x += Long.numberOfTrailingZeros(x + System.nanoTime());
    }
    JvmCpu.Sample after = JvmCpu.sample(ProcessHandle.current().pid());

    assertThat(x).isNotNegative();
    assertThat(after.processTicks()).isGreaterThan(before.processTicks());
    assertThat(after.processPercent(before)).isBetween(10.0, 400.0);
    assertThat(after.compilerTicks()).isBetween(0L, after.processTicks());
    assertThat(JvmCpu.sample(-1).processTicks()).isZero();
  }

  @Test
  void badOptionsAreRefusedWithTheirName() {
    for (List<String> bad :
        List.of(
            List.of("--rates=0"),
            List.of("--step-seconds=x"),
            List.of("--warmup-rate=0"),
            List.of("--nonsense"))) {
      assertThatThrownBy(() -> BenchOptions.parse(bad.toArray(String[]::new), null))
          .as(bad.toString())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(Arrays.asList(bad.get(0).split("=")).get(0));
    }
  }
}
