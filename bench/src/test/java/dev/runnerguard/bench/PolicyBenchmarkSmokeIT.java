package dev.runnerguard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The policy benchmark's machinery works end to end with tiny phases: broker and packaged
 * policy-service start, every job is decided, every signal gets its command, the restart check
 * passes and a report is produced. Asserts no speed and never writes BENCHMARKS.md. Needs {@code
 * policy-service} packaged (the reactor builds it before bench).
 */
class PolicyBenchmarkSmokeIT {

  @Test
  void runsEveryPhase() throws Exception {
    PolicyBenchmark.Options tiny =
        new PolicyBenchmark.Options(200, 20, 3, 0, null, "PolicyBenchmarkSmokeIT");

    PolicyBenchmark.Result r = PolicyBenchmark.run(tiny);

    assertThat(r.admission().received()).isEqualTo(200);
    assertThat(r.raw().received()).isEqualTo(60);
    assertThat(r.signal().received()).isEqualTo(60);
    assertThat(r.restart().error()).isNull();
    assertThat(r.restart().windowSurvived()).isTrue();
    assertThat(r.restart().findingsForDuplicate()).isEqualTo(1);
    assertThat(r.restart().commandsForDuplicate()).isEqualTo(1);
    assertThat(r.markdown()).startsWith("## policy-service").contains(r.machine());
  }

  @Test
  void replacesOnlyItsOwnSection(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("BENCHMARKS.md");
    Files.writeString(
        file,
        "# Benchmarks\n\n## Webhook gateway\n\ng\n\n## policy-service\n\nold\n\n## Other\n\nkept\n");
    PolicyBenchmark.writeSection(file, "## policy-service\n\nnew\n");
    assertThat(Files.readString(file))
        .isEqualTo(
            "# Benchmarks\n\n## Webhook gateway\n\ng\n\n## policy-service\n\nnew\n\n## Other\n\nkept\n");
  }
}
