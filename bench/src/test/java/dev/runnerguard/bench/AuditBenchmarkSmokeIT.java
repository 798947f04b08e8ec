package dev.runnerguard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit benchmark's machinery works end to end with a tiny run: broker, PostgreSQL and the
 * packaged audit-ingest start, every produced record is stored and the chain verifies, the COPY
 * baseline runs and a report is produced. It asserts no speed (benchmarks are never timed tests)
 * and never writes BENCHMARKS.md.
 */
class AuditBenchmarkSmokeIT {

  @Test
  void storesEveryRecordVerifiesAndRunsTheCopyBaseline() throws Exception {
    AuditBenchmark.Result r =
        AuditBenchmark.run(
            new AuditBenchmark.Options(
                3_000,
                1_000,
                1,
                "256m",
                AuditBenchmark.LAUNCHER_JVM_OPTIONS,
                null,
                "AuditBenchmarkSmokeIT"));
    // the warm-up's records are stored (and chained) like the measured ones
    assertThat(r.stored()).isEqualTo(4_000);
    assertThat(r.verifyOk()).isTrue();
    assertThat(r.verifyChecked()).isEqualTo(4_000);
    assertThat(r.ingestRate1090()).isPositive();
    assertThat(r.copyRates()).hasSize(1);
    assertThat(r.copyMedian()).isPositive();
    assertThat(r.markdown()).startsWith("## audit-ingest").contains("plain COPY", "Ratio");
  }

  @Test
  void replacesOnlyItsOwnSectionOfBenchmarksMd(@TempDir Path dir) throws Exception {
    Path md = dir.resolve("BENCHMARKS.md");
    Files.writeString(
        md,
        "# Benchmarks\n\nintro\n\n## Webhook gateway\n\ngw\n\n## audit-ingest\n\nold\n\n## Other\n\nx\n");
    AuditBenchmark.writeSection(md, "## audit-ingest\n\nnew numbers\n");
    assertThat(Files.readString(md))
        .isEqualTo(
            "# Benchmarks\n\nintro\n\n## Webhook gateway\n\ngw\n\n## audit-ingest\n\nnew numbers\n\n## Other\n\nx\n");

    Path fresh = dir.resolve("B2.md");
    Files.writeString(fresh, "# Benchmarks\n\n## Webhook gateway\n\ngw\n");
    AuditBenchmark.writeSection(fresh, "## audit-ingest\n\nn\n");
    assertThat(Files.readString(fresh))
        .isEqualTo("# Benchmarks\n\n## Webhook gateway\n\ngw\n\n## audit-ingest\n\nn\n");
  }
}
