package dev.runnerguard.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.runnerguard.testing.ServiceProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The orchestrator benchmark's machinery works end to end with a tiny load: the stack starts with
 * {@code ./runnerguard up} on free ports, one exfiltrating job is quarantined and measured, a few
 * webhooks at 20/s reach the dry-run provider's create, the raw 3-hop baseline runs, a report is
 * produced and the stack is stopped. Asserts no speed and never writes BENCHMARKS.md. Needs root
 * (the local sandbox) and the services and launcher packaged; skipped otherwise.
 */
class OrchestratorBenchmarkSmokeIT {

  @Test
  void runsEveryPhase() throws Exception {
    assumeThat(System.getProperty("user.name")).as("needs root (local sandbox)").isEqualTo("root");
    Path root = ServiceProcess.repoRoot();
    for (String m :
        List.of(
            "webhook-gateway",
            "token-service",
            "runner-orchestrator",
            "policy-service",
            "github-sim")) {
      assumeThat(root.resolve(m + "/target/quarkus-app/quarkus-run.jar"))
          .as(m + " is packaged")
          .isRegularFile();
    }
    assumeThat(root.resolve("launcher/target/runnerguard-launcher.jar"))
        .as("launcher is packaged")
        .isRegularFile();
    OrchestratorBenchmark.Options tiny =
        new OrchestratorBenchmark.Options(
            true,
            true,
            1,
            0,
            List.of(20),
            2,
            0,
            10_240,
            2_500,
            java.util.Map.of(),
            null,
            "OrchestratorBenchmarkSmokeIT");

    OrchestratorBenchmark.Result r = OrchestratorBenchmark.run(tiny);

    assertThat(r.quarantine().complete()).as(r.markdown()).isEqualTo(1);
    assertThat(r.steps()).hasSize(1);
    OrchestratorBenchmark.Step s = r.steps().get(0);
    assertThat(s.sent()).isEqualTo(40);
    assertThat(s.accepted()).as(r.markdown()).isEqualTo(40);
    assertThat(s.provisioned()).as(r.markdown()).isEqualTo(40);
    assertThat(s.rawReceived()).isEqualTo(40);
    assertThat(r.markdown()).startsWith("## runner-orchestrator").contains(r.machine());
    assertThat(LocalStack.leftoverNetns()).isEmpty();
  }

  @Test
  void replacesOnlyItsOwnSection(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("BENCHMARKS.md");
    Files.writeString(
        file,
        "# Benchmarks\n\n## policy-service\n\np\n\n## runner-orchestrator\n\nold\n\n## Other\n\nkept\n");
    OrchestratorBenchmark.writeSection(file, "## runner-orchestrator\n\nnew\n");
    assertThat(Files.readString(file))
        .isEqualTo(
            "# Benchmarks\n\n## policy-service\n\np\n\n## runner-orchestrator\n\nnew\n\n## Other\n\nkept\n");
  }
}
