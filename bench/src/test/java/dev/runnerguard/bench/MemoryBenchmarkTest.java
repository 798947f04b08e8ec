package dev.runnerguard.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The memory benchmark's reading of {@code /proc/<pid>/status} and of a service's Prometheus
 * metrics, and its section of BENCHMARKS.md. The whole-stack run itself is {@code
 * bench/run-memory.sh} (minutes; no IT).
 */
class MemoryBenchmarkTest {

  @Test
  void readsRssAndPeakFromProcStatus() {
    String status =
        "Name:\tjava\nState:\tS (sleeping)\nPid:\t4242\nVmPeak:\t 3512340 kB\n"
            + "VmHWM:\t  281234 kB\nVmRSS:\t  250111 kB\nRssAnon:\t  230000 kB\n"
            + "RssFile:\t   20111 kB\nThreads:\t41\nCpus_allowed_list:\t0-1\n";

    Map<String, Long> m = MemoryBenchmark.parseStatus(status);

    assertThat(m)
        .containsEntry("VmRSS", 250_111L)
        .containsEntry("VmHWM", 281_234L)
        .containsEntry("RssAnon", 230_000L)
        .containsEntry("Threads", 41L)
        .doesNotContainKey("Cpus_allowed_list");
  }

  @Test
  void readsItsOwnProcessStatus() {
    Map<String, Long> m = MemoryBenchmark.procStatus(ProcessHandle.current().pid());

    assertThat(m.get("VmRSS")).isPositive();
    assertThat(m.get("VmHWM")).isGreaterThanOrEqualTo(m.get("VmRSS"));
  }

  @Test
  void sumsHeapAndNonHeapPoolsFromPrometheusText() {
    String text =
        """
        # HELP jvm_memory_used_bytes The amount of used memory
        # TYPE jvm_memory_used_bytes gauge
        jvm_memory_used_bytes{area="heap",id="Eden Space"} 1.048576E7
        jvm_memory_used_bytes{area="heap",id="Tenured Gen"} 3.145728E7
        jvm_memory_used_bytes{area="nonheap",id="Metaspace"} 5.0E7
        jvm_memory_used_bytes{area="nonheap",id="CodeHeap 'non-nmethods'"} 1048576.0
        jvm_memory_committed_bytes{area="heap",id="Eden Space"} 2.097152E7
        jvm_memory_committed_bytes{area="heap",id="Tenured Gen"} 6.291456E7
        jvm_memory_max_bytes{area="heap",id="Eden Space"} 7.1565312E7
        jvm_memory_max_bytes{area="heap",id="Tenured Gen"} 1.78978816E8
        jvm_memory_max_bytes{area="nonheap",id="Metaspace"} -1.0
        jvm_buffer_memory_used_bytes{id="direct"} 2097152.0
        jvm_buffer_memory_used_bytes{id="mapped"} 0.0
        jvm_gc_live_data_size_bytes 3.0E7
        jvm_gc_pause_seconds_count{action="end of minor GC",cause="Allocation Failure",gc="Copy"} 40.0
        jvm_gc_pause_seconds_sum{action="end of minor GC",cause="Allocation Failure",gc="Copy"} 0.5
        jvm_gc_pause_seconds_count{action="end of major GC",cause="Allocation Failure",gc="MarkSweepCompact"} 3.0
        jvm_gc_pause_seconds_sum{action="end of major GC",cause="Allocation Failure",gc="MarkSweepCompact"} 0.25
        runnerguard_orchestrator_runners{state="IDLE"} 10000.0
        """;

    List<MemoryBenchmark.Metric> metrics = MemoryBenchmark.Metric.parse(text);
    MemoryBenchmark.JvmMemory jvm = MemoryBenchmark.JvmMemory.of(metrics);

    assertThat(jvm.heapUsed()).isCloseTo(41_943_040, within(1.0));
    assertThat(jvm.heapCommitted()).isCloseTo(83_886_080, within(1.0));
    assertThat(jvm.heapMax()).isCloseTo(250_544_128, within(1.0));
    assertThat(jvm.nonHeapUsed()).isCloseTo(51_048_576, within(1.0));
    assertThat(jvm.directUsed()).isCloseTo(2_097_152, within(1.0));
    assertThat(jvm.liveData()).isCloseTo(30_000_000, within(1.0));
    assertThat(jvm.minorGcs()).isEqualTo(40.0);
    assertThat(jvm.majorGcs()).isEqualTo(3.0);
    assertThat(jvm.gcSeconds()).isCloseTo(0.75, within(1e-9));
    assertThat(metrics)
        .anySatisfy(
            m -> {
              assertThat(m.name()).isEqualTo("runnerguard_orchestrator_runners");
              assertThat(m.labels()).containsEntry("state", "IDLE");
              assertThat(m.value()).isEqualTo(10_000.0);
            });
  }

  @Test
  void readsTheHistogramTotal() {
    List<String> lines =
        List.of(
            "4242:",
            " num     #instances         #bytes  class name (module)",
            "-------------------------------------------------------",
            "   1:        120000       9600000  [B (java.base@17.0.15)",
            "Total        812345      52428800");

    assertThat(MemoryBenchmark.histogramTotal(lines)).isEqualTo(52_428_800L);
    assertThat(MemoryBenchmark.histogramTotal(List.of("4242:", "error"))).isEqualTo(-1L);
  }

  @Test
  void noMetricsMeansUnknownNotZero() {
    MemoryBenchmark.JvmMemory jvm = MemoryBenchmark.JvmMemory.of(List.of());

    assertThat(jvm.heapUsed()).isNaN();
    assertThat(MemoryBenchmark.mibBytes(jvm.heapUsed())).isEqualTo("-");
    assertThat(MemoryBenchmark.mib(-1)).isEqualTo("-");
    assertThat(MemoryBenchmark.mib(262_144)).isEqualTo("256");
  }

  @Test
  void appendsThenReplacesOnlyItsOwnSection(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("BENCHMARKS.md");
    Files.writeString(file, "# Benchmarks\n\n## runner-orchestrator\n\nkept\n");

    MemoryBenchmark.writeSection(file, "## Memory\n\nfirst\n");
    assertThat(Files.readString(file))
        .isEqualTo("# Benchmarks\n\n## runner-orchestrator\n\nkept\n\n## Memory\n\nfirst\n");

    Files.writeString(file, Files.readString(file) + "\n## Later\n\nalso kept\n");
    MemoryBenchmark.writeSection(file, "## Memory\n\nsecond\n");
    assertThat(Files.readString(file))
        .isEqualTo(
            "# Benchmarks\n\n## runner-orchestrator\n\nkept\n\n## Memory\n\nsecond\n\n"
                + "## Later\n\nalso kept\n");
  }
}
