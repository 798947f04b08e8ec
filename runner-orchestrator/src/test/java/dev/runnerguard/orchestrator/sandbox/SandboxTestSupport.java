package dev.runnerguard.orchestrator.sandbox;

import dev.runnerguard.orchestrator.spi.Observation;
import dev.runnerguard.orchestrator.spi.ObservationListener;
import dev.runnerguard.orchestrator.spi.ProvisionRequest;
import dev.runnerguard.orchestrator.spi.Secret;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/** Shared helpers of the sandbox ITs: config, requests, awaiting, and leftover-free cleanup. */
final class SandboxTestSupport {
  private SandboxTestSupport() {}

  static final Path TEST_RUNNER =
      Path.of("target/test-classes/sandbox/test-runner.sh").toAbsolutePath().normalize();

  /** A config isolated from any real provider on the host: own prefix, pool, cgroup, state. */
  static LocalSandboxConfig.Builder config(String prefix, String pool) throws IOException {
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    Path state = Files.createTempDirectory("rg-sandbox-it-");
    return LocalSandboxConfig.builder(TEST_RUNNER)
        .stateDir(state)
        .namePrefix(prefix)
        .addressPool(pool)
        .cgroupParent("runnerguard-it-" + suffix)
        .workspaceSizeMb(64)
        .sensorInterval(Duration.ofMillis(100));
  }

  static String newJit() {
    return "rgtest-jit-" + UUID.randomUUID();
  }

  static ProvisionRequest request(
      String id, String jit, List<String> allow, Map<String, String> env) {
    return new ProvisionRequest(
        id, 42L, "linux-test", null, allow, 500, 256, Duration.ofHours(1), new Secret(jit), env);
  }

  /** Collects observations. */
  static final class Collector implements ObservationListener {
    final List<Observation> seen = new CopyOnWriteArrayList<>();

    @Override
    public void observed(Observation o) {
      seen.add(o);
    }

    List<Observation> matching(Predicate<Observation> p) {
      List<Observation> out = new ArrayList<>();
      for (Observation o : seen) {
        if (p.test(o)) {
          out.add(o);
        }
      }
      return out;
    }
  }

  /** Waits (generously) for a condition; fails with the message when it never holds. */
  static void await(String what, BooleanSupplier cond) {
    long deadline = System.nanoTime() + Duration.ofSeconds(45).toNanos();
    while (!cond.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static String sha256(String s) {
    return sha256(s.getBytes(StandardCharsets.UTF_8));
  }

  static String readOr(Path p, String dflt) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      return dflt;
    }
  }

  /** Every host process command line containing the needle (should be none for secrets). */
  static List<String> cmdlinesContaining(String needle) {
    List<String> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path p : ds) {
        try {
          String c = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
          if (c.contains(needle)) {
            out.add(p.getFileName() + ": " + c.replace('\0', ' '));
          }
        } catch (IOException e) {
          // exited
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out;
  }

  static int sh(String script) {
    try {
      Process p = new ProcessBuilder("/bin/sh", "-c", script).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor();
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  static String shOut(String script) {
    try {
      Process p = new ProcessBuilder("/bin/sh", "-c", script).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor();
      return out;
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Removes everything a test config could have left: runners through the provider, then by name
   * (network namespaces, veths, nft tables, cgroups, mounts, the state directory).
   */
  static void cleanup(LocalSandboxProvider provider, LocalSandboxConfig cfg) {
    if (provider != null) {
      try {
        for (var r : provider.list()) {
          try {
            provider.destroy(r.runnerId());
          } catch (Exception e) {
            System.err.println("cleanup: destroy " + r.runnerId() + ": " + e.getMessage());
          }
        }
      } catch (Exception e) {
        System.err.println("cleanup: list: " + e.getMessage());
      }
      provider.close();
    }
    String p = cfg.namePrefix();
    String parent = cfg.cgroupParent();
    String root = cfg.cgroupRoot().toString();
    sh(
        "for c in freezer cpu cpuacct memory pids; do d="
            + root
            + "/$c/"
            + parent
            + "; [ -d $d ] || continue; for g in $d/*/; do [ -d \"$g\" ] || continue; "
            + "echo THAWED > $g/freezer.state 2>/dev/null; "
            + "for pid in $(cat $g/cgroup.procs); do kill -9 $pid; done; sleep 0.2; rmdir $g; done; "
            + "rmdir $d; done");
    sh("for n in $(ls /run/netns 2>/dev/null | grep '^" + p + "-'); do ip netns del $n; done");
    sh("for l in $(ls /sys/class/net | grep -E '^" + p + "[hn]'); do ip link del $l; done");
    sh(
        "for t in $(nft list tables ip | awk '{print $3}' | grep '^"
            + p
            + "_'); do nft delete table ip $t; done");
    String state = cfg.stateDir().toString();
    sh(
        "grep ' "
            + state
            + "/' /proc/self/mountinfo | awk '{print $5}' | sort -r | while read m; do umount -l $m; done; rm -rf "
            + state);
  }

  /** Fails when anything of the config is left on the host. */
  static void assertNoLeftovers(LocalSandboxConfig cfg) {
    String p = cfg.namePrefix();
    String left =
        shOut(
            "ls /run/netns 2>/dev/null | grep '^"
                + p
                + "-'; ls /sys/class/net | grep -E '^"
                + p
                + "[hn][0-9a-f]{10}$'; nft list tables ip | grep ' "
                + p
                + "_'; ls -d "
                + cfg.cgroupRoot()
                + "/*/"
                + cfg.cgroupParent()
                + " 2>/dev/null; ls -d "
                + cfg.stateDir()
                + " 2>/dev/null; grep ' "
                + cfg.stateDir()
                + "' /proc/self/mountinfo; true");
    if (!left.isBlank()) {
      throw new AssertionError("left on the host:\n" + left);
    }
  }
}
