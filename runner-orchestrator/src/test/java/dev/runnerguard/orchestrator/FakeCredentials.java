package dev.runnerguard.orchestrator;

import dev.runnerguard.orchestrator.spi.CredentialsClient;
import dev.runnerguard.orchestrator.spi.Secret;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An in-memory stand-in for the token-service with its contract: JIT configs are single-use secrets
 * tied to a registration; deleting a registration twice answers 404; a busy runner's registration
 * cannot be deleted (422) until its run is cancelled. Records every call. (The real token-service
 * and github-sim are used by the whole-stack tests in system-tests.)
 */
public final class FakeCredentials implements CredentialsClient {
  public final Map<Long, String> registrations = new ConcurrentHashMap<>();
  final Map<Long, String> jobStatus = new ConcurrentHashMap<>();
  public final List<String> calls = new CopyOnWriteArrayList<>();
  final List<String> minted = new CopyOnWriteArrayList<>();
  private final AtomicLong ids = new AtomicLong(1000);
  public volatile int failNextMints;

  /** Every JIT config handed out (to scan for leaks). */
  public List<String> minted() {
    return minted;
  }

  @Override
  public MintedJit mintJit(JitRequest request) throws CredentialsException {
    calls.add("mint " + request.runnerName());
    if (failNextMints > 0) {
      failNextMints--;
      throw new CredentialsException("mint JIT config: token-service answered 503", true, 503);
    }
    long id = ids.incrementAndGet();
    registrations.put(id, request.runnerName());
    String jit = "fake-jit-" + java.util.UUID.randomUUID();
    minted.add(jit);
    return new MintedJit(id, request.runnerName(), new Secret(jit));
  }

  @Override
  public void deleteRunner(String org, long githubRunnerId) throws CredentialsException {
    calls.add("delete " + githubRunnerId);
    if (registrations.remove(githubRunnerId) == null) {
      throw new CredentialsException("delete runner registration: 404", false, 404);
    }
  }

  @Override
  public JobStatus jobStatus(String repository, long jobId) {
    calls.add("status " + jobId);
    return new JobStatus(jobId, jobStatus.getOrDefault(jobId, "in_progress"), null, null);
  }

  @Override
  public void cancelRun(String repository, long runId, boolean force) {
    calls.add("cancel " + runId + (force ? " force" : ""));
  }

  @Override
  public List<RegisteredRunner> listRunners(String org) {
    List<RegisteredRunner> out = new ArrayList<>();
    registrations.forEach((id, name) -> out.add(new RegisteredRunner(id, name, "online", false)));
    return out;
  }
}
