package dev.runnerguard.bench;

import dev.runnerguard.testing.ServiceProcess;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The platform started with the real {@code ./runnerguard up} on free ports, a temporary
 * RUNNERGUARD_HOME and a benchmark policy directory, so it never touches a developer's stack on the
 * default ports; {@link #close()} runs {@code ./runnerguard down} and checks that no network
 * namespace of this stack is left. The sandbox gets its own name prefix, address pool and state
 * directory so that it cannot collide with another stack's sandboxes on the same host.
 */
final class LocalStack implements AutoCloseable {
  /** The services the orchestrator benchmarks need (no audit-ingest). */
  static final String SERVICES =
      "webhook-gateway,token-service,runner-orchestrator,policy-service,github-sim";

  /** Sandbox name prefix of the benchmark's stack (netns {@code rgbq-<runner id>}). */
  static final String SANDBOX_PREFIX = "rgbq";

  private final Path root;
  private final Path home;
  private final Path policies;
  private final Map<String, String> env = new LinkedHashMap<>();
  private final Path logCopy;
  private final String services;
  private boolean up;

  private LocalStack(Path root, Path home, Path policies, Path logCopy, String services) {
    this.root = root;
    this.home = home;
    this.policies = policies;
    this.logCopy = logCopy;
    this.services = services;
  }

  /**
   * Starts the stack; {@code extraEnv} is added to the environment of {@code ./runnerguard up} (and
   * so of every service).
   */
  static LocalStack start(Map<String, String> extraEnv, Path logCopy)
      throws IOException, InterruptedException {
    return start(SERVICES, extraEnv, logCopy);
  }

  /**
   * Starts the stack with the given service modules ({@code RUNNERGUARD_SERVICES},
   * comma-separated); {@code extraEnv} is added to the environment of {@code ./runnerguard up}.
   */
  static LocalStack start(String services, Map<String, String> extraEnv, Path logCopy)
      throws IOException, InterruptedException {
    Path root = ServiceProcess.repoRoot();
    Path home = Files.createTempDirectory("runnerguard-bench-orch-");
    Path policies = Files.createTempDirectory("runnerguard-bench-orch-policies-");
    LocalStack s = new LocalStack(root, home, policies, logCopy, services);
    try {
      s.configure(extraEnv);
      s.up();
      return s;
    } catch (IOException | InterruptedException | RuntimeException e) {
      s.close();
      throw e;
    }
  }

  private void configure(Map<String, String> extraEnv) throws IOException {
    List<Integer> ports = freePorts(9);
    env.put("RUNNERGUARD_HOME", home.toString());
    env.put("RUNNERGUARD_KAFKA_PORT", Integer.toString(ports.get(0)));
    env.put("RUNNERGUARD_KAFKA_CONTROLLER_PORT", Integer.toString(ports.get(1)));
    env.put("RUNNERGUARD_POSTGRES_PORT", Integer.toString(ports.get(2)));
    env.put("RUNNERGUARD_GATEWAY_PORT", Integer.toString(ports.get(3)));
    env.put("RUNNERGUARD_TOKEN_PORT", Integer.toString(ports.get(4)));
    env.put("RUNNERGUARD_ORCHESTRATOR_PORT", Integer.toString(ports.get(5)));
    env.put("RUNNERGUARD_POLICY_PORT", Integer.toString(ports.get(6)));
    env.put("RUNNERGUARD_AUDIT_PORT", Integer.toString(ports.get(7)));
    env.put("RUNNERGUARD_SIM_PORT", Integer.toString(ports.get(8)));
    env.put("RUNNERGUARD_SERVICES", services);
    env.put("RUNNERGUARD_START_TIMEOUT", "240");
    env.put("RUNNERGUARD_POLICY_DIR", policies.toString());
    // this stack's sandboxes: own prefix, addresses and state, never another stack's
    env.put("RUNNERGUARD_ORCHESTRATOR_SANDBOX_NAME_PREFIX", SANDBOX_PREFIX);
    env.put("RUNNERGUARD_ORCHESTRATOR_SANDBOX_ADDRESS_POOL", "10.219.0.0/16");
    env.put("RUNNERGUARD_ORCHESTRATOR_SANDBOX_STATE_DIR", home.resolve("sandbox").toString());
    env.putAll(extraEnv);
    Files.writeString(policies.resolve("admission.yaml"), admission(), StandardCharsets.UTF_8);
    Path detection =
        root.resolve("policy-service/src/main/policies/default/detection.yaml").normalize();
    Files.copy(detection, policies.resolve("detection.yaml"));
  }

  /**
   * Two rules: jobs labelled exactly {@code [self-hosted]} run in the local sandbox with the
   * platform's own endpoints (this stack's ports) allowlisted; jobs labelled {@code [self-hosted,
   * rg-bench-dry-run]} go to the {@code dry-run} provider, in runner group {@code Default} (GitHub
   * must not route a job of one class to a runner of the other, which the policy-service checks).
   */
  private String admission() {
    String sim = env.get("RUNNERGUARD_SIM_PORT");
    String gw = env.get("RUNNERGUARD_GATEWAY_PORT");
    return """
        apiVersion: runnerguard.dev/v1
        kind: AdmissionPolicy
        allow:
          organizations: ["*"]
        defaults:
          runnerGroup: private-sandbox
          maxDurationSeconds: 3600
        rules:
          - id: bench-local-sandbox
            action: admit
            match: {labels: [self-hosted], labelMatch: exact, visibility: private}
            runner:
              provider: local-sandbox
              isolation: SANDBOX
              egress: ["127.0.0.1:%s", "localhost:%s", "localhost:%s"]
              maxDurationSeconds: 3600
          - id: bench-dry-run
            action: admit
            match: {labels: [self-hosted, %s], labelMatch: exact, visibility: private}
            runner:
              runnerGroup: Default
              provider: dry-run
              isolation: SANDBOX
              maxDurationSeconds: 3600
        """
        .formatted(sim, sim, gw, DRY_RUN_LABEL);
  }

  static final String DRY_RUN_LABEL = "rg-bench-dry-run";

  /**
   * {@code up} in two steps: broker and PostgreSQL first ({@code RUNNERGUARD_SERVICES=none}), then
   * the policy-service's detection state topic is created before the services start. On a fresh
   * broker the policy-service creates that topic itself and its follower, started right after, can
   * find no metadata for it yet and stop for good, which keeps the service unready (seen on this
   * machine; see the report).
   */
  private void up() throws IOException, InterruptedException {
    OrchestratorBenchmark.log("./runnerguard up (home " + home + ", services " + services + ")");
    up = true;
    env.put("RUNNERGUARD_SERVICES", "none");
    Result r = run(Duration.ofMinutes(6), "up");
    env.put("RUNNERGUARD_SERVICES", services);
    if (r.exit() != 0) {
      throw new IllegalStateException("./runnerguard up failed (" + r.exit() + "):\n" + r.output());
    }
    Properties a = new Properties();
    a.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
    try (Admin admin = Admin.create(a)) {
      admin
          .createTopics(
              List.of(
                  new NewTopic("policy-service.detection-state", 6, (short) 1)
                      .configs(Map.of("cleanup.policy", "compact"))))
          .all()
          .get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new IllegalStateException("cannot create the detection state topic", e);
      }
    } catch (TimeoutException e) {
      throw new IllegalStateException("cannot create the detection state topic", e);
    }
    r = run(Duration.ofMinutes(12), "up");
    if (r.exit() != 0) {
      throw new IllegalStateException("./runnerguard up failed (" + r.exit() + "):\n" + r.output());
    }
  }

  int port(String var) {
    return Integer.parseInt(env.get(var));
  }

  String bootstrap() {
    return "127.0.0.1:" + env.get("RUNNERGUARD_KAFKA_PORT");
  }

  int gatewayPort() {
    return port("RUNNERGUARD_GATEWAY_PORT");
  }

  int simPort() {
    return port("RUNNERGUARD_SIM_PORT");
  }

  Path home() {
    return home;
  }

  /** The pid of a running component ({@code <home>/run/<component>.pid}), or -1. */
  long pid(String component) {
    try {
      return Long.parseLong(
          Files.readString(home.resolve("run").resolve(component + ".pid")).trim());
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** The gateway's webhook secret ({@code ./runnerguard} generates it into the state dir). */
  byte[] webhookSecret() throws IOException {
    String s = Files.readString(home.resolve("webhook-secret"), StandardCharsets.UTF_8);
    if (s.endsWith("\n")) {
      s = s.substring(0, s.length() - 1);
    }
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** CPU time (clock ticks, user + system) used so far by each running component of this stack. */
  Map<String, Long> cpuTicks() {
    Map<String, Long> out = new TreeMap<>();
    Path run = home.resolve("run");
    try (Stream<Path> s = Files.list(run)) {
      for (Path p : s.filter(f -> f.toString().endsWith(".pid")).toList()) {
        String name = p.getFileName().toString().replace(".pid", "");
        try {
          String pid = Files.readString(p).trim();
          String stat = Files.readString(Path.of("/proc", pid, "stat"));
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          // fields after "(comm) ": state is index 0; utime 11, stime 12, cutime 13, cstime 14
          out.put(name, Long.parseLong(f[11]) + Long.parseLong(f[12]));
        } catch (IOException | RuntimeException e) {
          // not running
        }
      }
    } catch (IOException e) {
      // no run dir
    }
    try {
      String stat = Files.readString(Path.of("/proc/self/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      out.put("benchmark JVM", Long.parseLong(f[11]) + Long.parseLong(f[12]));
    } catch (IOException | RuntimeException e) {
      // no procfs
    }
    return out;
  }

  /** Network namespaces of this stack's sandboxes still present. */
  static List<String> leftoverNetns() {
    List<String> left = new ArrayList<>();
    Path dir = Path.of("/run/netns");
    if (Files.isDirectory(dir)) {
      try (Stream<Path> s = Files.list(dir)) {
        s.map(p -> p.getFileName().toString())
            .filter(n -> n.startsWith(SANDBOX_PREFIX + "-"))
            .forEach(left::add);
      } catch (IOException e) {
        // none readable
      }
    }
    return left;
  }

  @Override
  public void close() {
    try {
      if (up) {
        up = false;
        Result r = run(Duration.ofMinutes(3), "down");
        OrchestratorBenchmark.log("./runnerguard down: exit " + r.exit());
        List<String> left = leftoverNetns();
        if (!left.isEmpty()) {
          OrchestratorBenchmark.log("WARNING: network namespaces left behind: " + left);
        }
      }
    } catch (Exception e) {
      OrchestratorBenchmark.log("./runnerguard down failed: " + e);
    }
    copyLogs();
    deleteTree(home);
    deleteTree(policies);
  }

  private void copyLogs() {
    if (logCopy == null || !Files.isDirectory(home.resolve("logs"))) {
      return;
    }
    try {
      Files.createDirectories(logCopy);
      try (Stream<Path> s = Files.list(home.resolve("logs"))) {
        for (Path p : s.filter(Files::isRegularFile).toList()) {
          Files.copy(
              p,
              logCopy.resolve(p.getFileName()),
              java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      }
    } catch (IOException e) {
      OrchestratorBenchmark.log("could not keep the logs: " + e);
    }
  }

  private static void deleteTree(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | RuntimeException e) {
      // best effort: a temp dir
    }
  }

  record Result(int exit, String output) {}

  private Result run(Duration timeout, String command) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(root.resolve("runnerguard").toString(), command);
    pb.directory(root.toFile());
    pb.environment().putAll(env);
    pb.redirectErrorStream(true);
    Path out = Files.createTempFile("runnerguard-bench-" + command + "-", ".log");
    pb.redirectOutput(out.toFile());
    Process p = pb.start();
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroy();
        p.waitFor(20, TimeUnit.SECONDS);
        return new Result(-1, "timed out: " + Files.readString(out));
      }
      return new Result(p.exitValue(), Files.readString(out));
    } finally {
      Files.deleteIfExists(out);
    }
  }

  static List<Integer> freePorts(int n) throws IOException {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      List<Integer> ports = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        sockets.add(s);
        ports.add(s.getLocalPort());
      }
      return ports;
    } finally {
      for (ServerSocket s : sockets) {
        s.close();
      }
    }
  }
}
