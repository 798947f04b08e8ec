package dev.runnerguard.orchestrator.sandbox;

import static dev.runnerguard.orchestrator.sandbox.SandboxTestSupport.await;
import static dev.runnerguard.orchestrator.sandbox.SandboxTestSupport.cmdlinesContaining;
import static dev.runnerguard.orchestrator.sandbox.SandboxTestSupport.readOr;
import static dev.runnerguard.orchestrator.sandbox.SandboxTestSupport.request;
import static dev.runnerguard.orchestrator.sandbox.SandboxTestSupport.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.runnerguard.orchestrator.spi.ApplyResult;
import dev.runnerguard.orchestrator.spi.EvidenceManifest;
import dev.runnerguard.orchestrator.spi.ProviderException;
import dev.runnerguard.orchestrator.spi.ProviderRunner;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The local-sandbox provider against real namespaces, nftables and cgroups (runs as root). */
class LocalSandboxProviderIT {

  static LocalSandboxConfig cfg;
  static LocalSandboxProvider provider;
  static final SandboxTestSupport.Collector observations = new SandboxTestSupport.Collector();

  @BeforeAll
  static void start() throws IOException {
    cfg = SandboxTestSupport.config("rgt", "10.214.0.0/24").build();
    provider = new LocalSandboxProvider(cfg, observations);
  }

  @AfterAll
  static void cleanUp() {
    SandboxTestSupport.cleanup(provider, cfg);
    SandboxTestSupport.assertNoLeftovers(cfg);
    assertThat(Path.of("/run/netns/rgt-it-info")).doesNotExist();
  }

  private static Path ws(String id) {
    return cfg.stateDir().resolve(id).resolve("ws").resolve("work");
  }

  private static long runnerPid(String id) {
    CgroupV1 cg = new CgroupV1(cfg.cgroupRoot(), cfg.cgroupParent());
    for (long pid : cg.pids(id)) {
      ProcInfo p = ProcInfo.read(pid);
      if (p != null && p.uid() != 0) {
        return pid;
      }
    }
    return -1;
  }

  @Test
  void runnerRunsNonRootInItsOwnNamespacesWithTheJitInItsEnvironmentOnly() throws Exception {
    String jit = SandboxTestSupport.newJit();
    String id = "it-info";
    ProviderRunner r =
        provider.provision(
            request(
                id,
                jit,
                List.of(),
                Map.of("PROBE", "info", "STATE_DIR_PROBE", cfg.stateDir().toString())));
    assertThat(r.status()).isIn(ProviderRunner.Status.STARTING, ProviderRunner.Status.RUNNING);
    await("info.txt", () -> Files.exists(ws(id).resolve("jit.sha")));
    String info = Files.readString(ws(id).resolve("info.txt"));
    assertThat(info)
        .contains("uid=65534 gid=65534")
        .containsPattern("CapEff:\\s+0000000000000000")
        .containsPattern("CapBnd:\\s+0000000000000000")
        .containsPattern("NoNewPrivs:\\s+1")
        .contains("hostname=" + id)
        .contains("pwd=/home/runner")
        .contains("jit=present")
        .contains("rootfs=readonly")
        .contains("state=hidden")
        .contains("docker=absent")
        .contains("tmp=1777")
        .contains("ipv6off=1");
    assertThat(Files.readString(ws(id).resolve("jit.sha")).trim()).isEqualTo(sha256(jit));

    await("running", () -> status(id).status() == ProviderRunner.Status.RUNNING);
    long pid = runnerPid(id);
    assertThat(pid).isPositive();
    for (String ns : List.of("pid", "mnt", "net", "ipc", "uts")) {
      assertThat(Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "ns", ns)))
          .as(ns + " namespace")
          .isNotEqualTo(Files.readSymbolicLink(Path.of("/proc/self/ns", ns)));
    }
    Object netnsIno = Files.getAttribute(Path.of("/run/netns/rgt-" + id), "unix:ino");
    assertThat(Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "ns", "net")).toString())
        .isEqualTo("net:[" + netnsIno + "]");
    assertThat(Files.readString(Path.of("/proc", Long.toString(pid), "cgroup")))
        .contains("freezer:/" + cfg.cgroupParent() + "/" + id);
    assertThat(
            Files.readString(
                    cfg.cgroupRoot()
                        .resolve(
                            "memory/" + cfg.cgroupParent() + "/" + id + "/memory.limit_in_bytes"))
                .trim())
        .isEqualTo(Long.toString(256L * 1024 * 1024));
    assertThat(
            Files.readString(
                    cfg.cgroupRoot()
                        .resolve("cpu/" + cfg.cgroupParent() + "/" + id + "/cpu.cfs_quota_us"))
                .trim())
        .isEqualTo("50000");

    // the JIT config is nowhere in argv, logs or state
    assertThat(cmdlinesContaining(jit)).isEmpty();
    assertThat(readOr(cfg.stateDir().resolve(id).resolve("runner.log"), "")).doesNotContain(jit);
    assertThat(readOr(cfg.stateDir().resolve(id).resolve("state.json"), "")).doesNotContain(jit);
    assertThat(readOr(cfg.stateDir().resolve(id).resolve("launch.sh"), "")).doesNotContain(jit);

    // idempotent: a second provision answers the same runner
    ProviderRunner again = provider.provision(request(id, jit, List.of(), Map.of("PROBE", "info")));
    assertThat(again.createdAt()).isEqualTo(status(id).createdAt());
    assertThat(again.status()).isEqualTo(ProviderRunner.Status.RUNNING);

    // evidence: the workspace listing carries the right hashes, /tmp lives in the workspace
    Path ev = Files.createTempDirectory("rg-evidence-");
    try {
      EvidenceManifest m = provider.captureEvidence(id, ev);
      String listing = Files.readString(ev.resolve("workspace.txt"));
      assertThat(listing)
          .contains(sha256("abc") + "\t/home/runner/sub/abc.txt")
          .contains(sha256("hello evidence\n") + "\t/tmp/tmpfile.txt");
      assertEvidence(m, ev, jit);
    } finally {
      SandboxTestSupport.sh("rm -rf " + ev);
    }
    assertThat(provider.destroy(id)).isEqualTo(ApplyResult.APPLIED);
    assertGone(id);
  }

  @Test
  void allowlistedLoopbackPortIsReachableOthersAreDeniedAndIsolationCutsTheConnection()
      throws Exception {
    String id = "it-net";
    InetAddress lo = InetAddress.getByName("127.0.0.1");
    try (ServerSocket allowed = new ServerSocket(0, 10, lo);
        ServerSocket other = new ServerSocket(0, 10, lo)) {
      String jit = SandboxTestSupport.newJit();
      provider.provision(
          request(
              id,
              jit,
              List.of("127.0.0.1:" + allowed.getLocalPort()),
              Map.of(
                  "PROBE",
                  "connect",
                  "ALLOWED_PORT",
                  Integer.toString(allowed.getLocalPort()),
                  "DENY_TARGETS",
                  "127.0.0.1:" + other.getLocalPort())));
      allowed.setSoTimeout(45_000);
      try (Socket s = allowed.accept()) {
        // the runner connected through the loopback forwarding; the host sees its veth address
        assertThat(s.getInetAddress().getHostAddress()).startsWith("10.214.0.");
        assertThat(readOr(ws(id).resolve("deny.txt"), ""))
            .contains("127.0.0.1:" + other.getLocalPort() + "=refused");
        other.setSoTimeout(200);
        assertThatThrownBy(other::accept).isInstanceOf(SocketTimeoutException.class);

        BufferedReader in =
            new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
        OutputStream out = s.getOutputStream();
        out.write("ping1\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
        s.setSoTimeout(45_000);
        assertThat(in.readLine()).isEqualTo("echo:ping1");

        assertThat(provider.isolateNetwork(id)).isEqualTo(ApplyResult.APPLIED);
        assertThat(provider.isolateNetwork(id)).isEqualTo(ApplyResult.NOOP);
        assertThat(status(id).detail()).contains("network isolated");

        // the established connection is cut: reset/EOF, or at least nothing comes back
        String answer;
        try {
          out.write("ping2\n".getBytes(StandardCharsets.UTF_8));
          out.flush();
          s.setSoTimeout(3_000);
          answer = in.readLine();
        } catch (IOException e) {
          answer = "cut: " + e.getClass().getSimpleName();
        }
        assertThat(answer).isNotEqualTo("echo:ping2");
        assertThat(readOr(ws(id).resolve("received.txt"), "")).doesNotContain("ping2");
      }
      assertThat(cmdlinesContaining(jit)).isEmpty();
    } finally {
      provider.destroy(id);
    }
    assertGone(id);
  }

  @Test
  void freezeStopsTheRunnerAndEvidenceWorksOnAFrozenRunner() throws Exception {
    String id = "it-count";
    String jit = SandboxTestSupport.newJit();
    provider.provision(request(id, jit, List.of(), Map.of("PROBE", "count")));
    await("counting", () -> counter(id) > 5);
    assertThat(provider.freeze(id)).isEqualTo(ApplyResult.APPLIED);
    assertThat(provider.freeze(id)).isEqualTo(ApplyResult.NOOP);
    assertThat(status(id).status()).isEqualTo(ProviderRunner.Status.FROZEN);
    long frozenAt = counter(id);
    Thread.sleep(800);
    assertThat(counter(id)).isEqualTo(frozenAt);

    Path ev = Files.createTempDirectory("rg-evidence-");
    try {
      EvidenceManifest m = provider.captureEvidence(id, ev);
      assertThat(m.files())
          .extracting(EvidenceManifest.Item::kind)
          .contains("processes", "connections", "workspace", "logs");
      String procs = Files.readString(ev.resolve("processes.txt"));
      assertThat(procs).contains("freezer=FROZEN").contains("\t65534\t").contains("test-runner.sh");
      String listing = Files.readString(ev.resolve("workspace.txt"));
      assertThat(listing)
          .contains(
              sha256(Files.readAllBytes(ws(id).resolve("counter"))) + "\t/home/runner/counter");
      assertThat(Files.readString(ev.resolve("connections.txt"))).contains("ss -tanup");
      assertEvidence(m, ev, jit);
    } finally {
      SandboxTestSupport.sh("rm -rf " + ev);
    }

    assertThat(provider.destroy(id)).isEqualTo(ApplyResult.APPLIED);
    assertGone(id);
    assertThat(provider.destroy(id)).isEqualTo(ApplyResult.NOOP);
    assertThat(provider.freeze(id)).isEqualTo(ApplyResult.NOOP);
    assertThat(provider.isolateNetwork(id)).isEqualTo(ApplyResult.NOOP);
  }

  @Test
  void aFreshProviderInstanceAdoptsAnExistingRunner() throws Exception {
    String id = "it-adopt";
    provider.provision(
        request(id, SandboxTestSupport.newJit(), List.of(), Map.of("PROBE", "count")));
    await("counting", () -> counter(id) > 0);
    LocalSandboxProvider fresh =
        new LocalSandboxProvider(cfg.toBuilder().sensorEnabled(false).build(), null);
    try {
      assertThat(fresh.status(id).status()).isEqualTo(ProviderRunner.Status.RUNNING);
      assertThat(fresh.list()).extracting(ProviderRunner::runnerId).contains(id);
      assertThat(fresh.destroy(id)).isEqualTo(ApplyResult.APPLIED);
      assertThat(provider.status(id).status()).isEqualTo(ProviderRunner.Status.NOT_FOUND);
      assertThat(fresh.list()).extracting(ProviderRunner::runnerId).doesNotContain(id);
    } finally {
      fresh.close();
      provider.destroy(id);
    }
    assertGone(id);
  }

  @Test
  void exitedRunnerReportsItsExitCode() throws Exception {
    String id = "it-exit";
    provider.provision(
        request(
            id, SandboxTestSupport.newJit(), List.of(), Map.of("PROBE", "exit", "EXIT_CODE", "7")));
    await("exited", () -> status(id).status() == ProviderRunner.Status.EXITED);
    assertThat(status(id).exitCode()).isEqualTo(7);
    assertThat(provider.destroy(id)).isEqualTo(ApplyResult.APPLIED);
    assertGone(id);
  }

  @Test
  void provisioningFailsPermanentlyForAMissingRunnerCommandAndLeavesNothing() {
    String jit = SandboxTestSupport.newJit();
    LocalSandboxProvider bad =
        new LocalSandboxProvider(
            cfg.toBuilder()
                .runnerCommand(Path.of("/nonexistent/run.sh"))
                .sensorEnabled(false)
                .build(),
            null);
    try {
      assertThatThrownBy(() -> bad.provision(request("it-bad", jit, List.of(), Map.of())))
          .isInstanceOfSatisfying(
              ProviderException.class,
              e -> {
                assertThat(e.retriable()).isFalse();
                assertThat(e.getMessage())
                    .contains("it-bad")
                    .contains("/nonexistent/run.sh")
                    .doesNotContain(jit);
              });
      assertThatThrownBy(
              () -> bad.provision(request("it-bad", jit, List.of("not a host!"), Map.of())))
          .isInstanceOf(ProviderException.class);
    } finally {
      bad.close();
    }
    assertGone("it-bad");
  }

  @Test
  void aMalformedAllowlistIsAPermanentFailure() {
    assertThatThrownBy(
            () ->
                provider.provision(
                    request(
                        "it-badallow",
                        SandboxTestSupport.newJit(),
                        List.of("10.0.0.1:99999"),
                        Map.of())))
        .isInstanceOfSatisfying(ProviderException.class, e -> assertThat(e.retriable()).isFalse());
    assertGone("it-badallow");
  }

  @Test
  void concurrentProvisioningOfOneRunnerIdMakesOneRunner() throws Exception {
    String id = "it-race";
    String jit = SandboxTestSupport.newJit();
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(3);
    try {
      List<java.util.concurrent.Future<ProviderRunner>> fs = new java.util.ArrayList<>();
      for (int i = 0; i < 3; i++) {
        fs.add(
            pool.submit(
                () -> provider.provision(request(id, jit, List.of(), Map.of("PROBE", "count")))));
      }
      java.util.Set<java.time.Instant> created = new java.util.HashSet<>();
      for (var f : fs) {
        created.add(f.get().createdAt());
      }
      assertThat(created).hasSize(1);
      await("counting", () -> counter(id) > 0);
      CgroupV1 cg = new CgroupV1(cfg.cgroupRoot(), cfg.cgroupParent());
      List<ProcInfo> scripts =
          cg.pids(id).stream()
              .map(ProcInfo::read)
              .filter(p -> p != null && p.uid() != 0 && p.commandLine().contains("test-runner.sh"))
              .toList();
      // the script forks mv and sleep every 50 ms, and a child shows the script's command line
      // until it execs: count only runner scripts whose parent is not one
      java.util.Set<Long> scriptPids =
          scripts.stream().map(ProcInfo::pid).collect(java.util.stream.Collectors.toSet());
      long runners = scripts.stream().filter(p -> !scriptPids.contains(p.ppid())).count();
      assertThat(runners).isEqualTo(1);
    } finally {
      pool.shutdownNow();
      provider.destroy(id);
    }
    assertGone(id);
  }

  @Test
  void orphanResourcesAreListedAndDestroyed() throws Exception {
    String id = "it-orphan";
    assertThat(SandboxTestSupport.sh("ip netns add rgt-" + id)).isZero();
    Files.createDirectories(
        cfg.cgroupRoot().resolve("pids").resolve(cfg.cgroupParent()).resolve(id));
    ProviderRunner r = provider.status(id);
    assertThat(r.status()).isEqualTo(ProviderRunner.Status.EXITED);
    assertThat(r.detail()).startsWith("orphan");
    assertThat(provider.list()).extracting(ProviderRunner::runnerId).contains(id);
    assertThat(provider.destroy(id)).isEqualTo(ApplyResult.APPLIED);
    assertThat(provider.destroy(id)).isEqualTo(ApplyResult.NOOP);
    assertGone(id);
  }

  @Test
  void anActionsRunnerInstallationGetsAWritableRootWithItsBinariesReadOnly() throws Exception {
    Path dir =
        Files.createTempDirectory(Path.of("target").toAbsolutePath(), "fake-actions-runner-");
    Files.setPosixFilePermissions(
        dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.createDirectories(dir.resolve("bin"));
    Files.createDirectories(dir.resolve("_diag"));
    Files.writeString(dir.resolve(".credentials"), "host-runner-credentials");
    Files.writeString(
        dir.resolve("run.sh"),
        "#!/bin/bash\nd=$(cd \"$(dirname \"$0\")\" && pwd)\n"
            + "[ -n \"$ACTIONS_RUNNER_INPUT_JITCONFIG\" ] && echo jit-config-applied > \"$d/.runner\"\n"
            + "mkdir -p \"$d/_diag\"\n"
            + "exec \"$d/bin/Runner.Listener\" run >> \"$d/_diag/listener.log\" 2>&1\n");
    Path listener = dir.resolve("bin/Runner.Listener");
    Files.writeString(
        listener,
        "#!/bin/sh\necho \"listener uid $(id -u)\"\nls -a \"$(dirname \"$0\")/..\"\n"
            + "touch \"$(dirname \"$0\")/x\" 2>/dev/null && echo bin-writable || echo bin-readonly\n"
            + "echo done\nexec sleep 300\n");
    Files.setPosixFilePermissions(
        listener, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    String id = "it-actions";
    LocalSandboxProvider real =
        new LocalSandboxProvider(
            cfg.toBuilder().runnerCommand(dir.resolve("run.sh")).sensorEnabled(false).build(),
            null);
    try {
      real.provision(request(id, SandboxTestSupport.newJit(), List.of(), Map.of()));
      Path root = cfg.stateDir().resolve(id).resolve("ws/runner");
      await("listener ran", () -> readOr(root.resolve("_diag/listener.log"), "").contains("done"));
      String log = Files.readString(root.resolve("_diag/listener.log"));
      assertThat(log)
          .contains("listener uid 65534")
          .contains("bin-readonly")
          .doesNotContain(".credentials");
      assertThat(Files.readString(root.resolve(".runner"))).contains("jit-config-applied");
      assertThat(dir.resolve(".runner")).doesNotExist();
      assertThat(dir.resolve("bin/x")).doesNotExist();
      Thread.sleep(
          1000); // a few sensor polls: the installation's own Runner.Listener is no nested runner
      assertThat(
              observations.matching(
                  o -> o.runnerId().equals(id) && o.kind().equals("process.nested-runner")))
          .isEmpty();
      assertThat(real.destroy(id)).isEqualTo(ApplyResult.APPLIED);
    } finally {
      real.destroy(id);
      real.close();
      SandboxTestSupport.sh("rm -rf " + dir);
    }
    assertGone(id);
  }

  // ------------------------------------------------------------------ helpers

  private static ProviderRunner status(String id) {
    try {
      return provider.status(id);
    } catch (ProviderException e) {
      throw new AssertionError(e);
    }
  }

  private static long counter(String id) {
    String s = readOr(ws(id).resolve("counter"), "0").trim();
    return s.isEmpty() ? 0 : Long.parseLong(s);
  }

  static void assertEvidence(EvidenceManifest m, Path dir, String jit) throws IOException {
    assertThat(m.directory()).isEqualTo(dir);
    for (EvidenceManifest.Item it : m.files()) {
      byte[] b = Files.readAllBytes(dir.resolve(it.name()));
      assertThat(sha256(b)).as(it.name()).isEqualTo(it.sha256());
      assertThat((long) b.length).as(it.name()).isEqualTo(it.bytes());
      assertThat(new String(b, StandardCharsets.UTF_8)).as(it.name()).doesNotContain(jit);
    }
  }

  static void assertGone(String id) {
    assertThat(Path.of("/run/netns/rgt-" + id)).doesNotExist();
    assertThat(cfg.stateDir().resolve(id)).doesNotExist();
    for (String c : CgroupV1.CONTROLLERS) {
      assertThat(cfg.cgroupRoot().resolve(c).resolve(cfg.cgroupParent()).resolve(id))
          .doesNotExist();
    }
    SandboxNames n = SandboxNames.of("rgt", id);
    assertThat(Path.of("/sys/class/net", n.hostVeth())).doesNotExist();
    assertThat(SandboxTestSupport.shOut("nft list tables ip")).doesNotContain(n.hostTable());
    assertThat(SandboxTestSupport.shOut("cat /proc/self/mountinfo"))
        .doesNotContain(cfg.stateDir().resolve(id).toString());
    try {
      assertThat(provider.status(id).status()).isEqualTo(ProviderRunner.Status.NOT_FOUND);
    } catch (ProviderException e) {
      throw new AssertionError(e);
    }
  }
}
