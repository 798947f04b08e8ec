package dev.runnerguard.orchestrator.dryrun;

import dev.runnerguard.orchestrator.spi.ApplyResult;
import dev.runnerguard.orchestrator.spi.EvidenceManifest;
import dev.runnerguard.orchestrator.spi.ProviderCapabilities;
import dev.runnerguard.orchestrator.spi.ProviderRunner;
import dev.runnerguard.orchestrator.spi.ProvisionRequest;
import dev.runnerguard.orchestrator.spi.RunnerProvider;
import dev.runnerguard.schemas.avro.Isolation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code dry-run} provider: records runners without starting anything. For shadow mode (trying
 * policies and the pipeline next to another runner fleet) and for measuring the platform's own
 * overhead without a machine's boot time. It holds no JIT config (the request's secret is dropped),
 * cannot isolate anything, and says so in its capabilities.
 */
public final class DryRunProvider implements RunnerProvider {
  public static final String NAME = "dry-run";

  private final Clock clock;
  private final Map<String, ProviderRunner> runners = new ConcurrentHashMap<>();

  public DryRunProvider(Clock clock) {
    this.clock = clock;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public ProviderCapabilities capabilities() {
    return new ProviderCapabilities(Isolation.UNKNOWN, false, false, false);
  }

  @Override
  public ProviderRunner provision(ProvisionRequest request) {
    return runners.computeIfAbsent(
        request.runnerId(),
        id ->
            new ProviderRunner(
                id, ProviderRunner.Status.RUNNING, Instant.now(clock), null, "dry run"));
  }

  @Override
  public ProviderRunner status(String runnerId) {
    ProviderRunner r = runners.get(runnerId);
    return r == null ? ProviderRunner.notFound(runnerId) : r;
  }

  @Override
  public ApplyResult isolateNetwork(String runnerId) {
    return runners.containsKey(runnerId) ? ApplyResult.APPLIED : ApplyResult.NOOP;
  }

  @Override
  public ApplyResult freeze(String runnerId) {
    return runners.containsKey(runnerId) ? ApplyResult.APPLIED : ApplyResult.NOOP;
  }

  @Override
  public EvidenceManifest captureEvidence(String runnerId, Path directory) {
    try {
      byte[] note =
          ("dry-run provider: runner " + runnerId + " had no workload\n")
              .getBytes(StandardCharsets.UTF_8);
      Files.write(directory.resolve("dry-run.txt"), note);
      String sha =
          HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(note));
      return new EvidenceManifest(
          directory, List.of(new EvidenceManifest.Item("dry-run.txt", "logs", sha, note.length)));
    } catch (Exception e) {
      return new EvidenceManifest(directory, List.of());
    }
  }

  @Override
  public ApplyResult destroy(String runnerId) {
    return runners.remove(runnerId) != null ? ApplyResult.APPLIED : ApplyResult.NOOP;
  }

  @Override
  public List<ProviderRunner> list() {
    return new ArrayList<>(runners.values());
  }

  @Override
  public void close() {}
}
