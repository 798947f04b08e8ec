package dev.runnerguard.orchestrator.spi;

import java.nio.file.Path;
import java.util.List;

/**
 * The provider SPI: how the orchestrator makes, watches, isolates and removes runners. One
 * implementation per runtime ({@code local-sandbox}, {@code container}, {@code pod}, {@code vm});
 * the admission decision's {@code RunnerSpec.provider} names which one serves a job.
 *
 * <p>Contract for every implementation:
 *
 * <ul>
 *   <li>Every operation is idempotent and keyed by {@link ProvisionRequest#runnerId()}:
 *       provisioning a runner that exists is a no-op that answers its status; destroying one that
 *       is gone answers {@link ApplyResult#NOOP}. The orchestrator retries freely.
 *   <li>Runners outlive the orchestrator process that created them (another instance on the same
 *       provider adopts them through {@link #status} and {@link #list}).
 *   <li>Secrets ({@link Secret}) reach the runner through its environment or a file readable only
 *       by it, never argv; they never appear in a log line, an exception message or evidence.
 *   <li>Failures are {@link ProviderException}s classified retriable or permanent.
 *   <li>Calls may block (processes, I/O); the orchestrator calls them from its own worker pool.
 * </ul>
 */
public interface RunnerProvider extends AutoCloseable {

  /** The name admission decisions use to select this provider, e.g. {@code local-sandbox}. */
  String name();

  /** What this provider can do: isolation level, freeze, network cut. */
  ProviderCapabilities capabilities();

  /**
   * Creates and starts the runner (idempotent on the runner id). Returns once the runner process
   * has been started; the runner then connects to GitHub by itself.
   */
  ProviderRunner provision(ProvisionRequest request) throws ProviderException;

  /**
   * The runner's current status; {@link ProviderRunner.Status#NOT_FOUND} when it does not exist.
   */
  ProviderRunner status(String runnerId) throws ProviderException;

  /**
   * Cuts the runner's network: deny everything, both directions, and drop existing connections.
   * Idempotent. Must complete well inside a second on the local sandbox.
   */
  ApplyResult isolateNetwork(String runnerId) throws ProviderException;

  /** Freezes every process of the runner (cgroup freezer, pause, stop VM). Idempotent. */
  ApplyResult freeze(String runnerId) throws ProviderException;

  /**
   * Writes evidence (process list, network connections, workspace listing with SHA-256s, runner
   * logs) into {@code directory} (created by the caller, empty) and answers a manifest of what was
   * written. Works on a frozen runner.
   */
  EvidenceManifest captureEvidence(String runnerId, Path directory) throws ProviderException;

  /** Destroys the runner and wipes its workspace. Idempotent: a missing runner answers NOOP. */
  ApplyResult destroy(String runnerId) throws ProviderException;

  /** Every runner this provider currently has, for reconciliation. */
  List<ProviderRunner> list() throws ProviderException;

  /** Releases the provider's own resources (sensors, threads); runners are left running. */
  @Override
  void close();
}
