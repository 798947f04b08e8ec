package dev.runnerguard.systemtests.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The whole platform brought up by the real {@code ./runnerguard up} on free ports with a temporary
 * RUNNERGUARD_HOME, an admission policy whose egress allowlist names those ports, and a sandbox
 * name prefix and address pool of its own.
 *
 * <p>Why its own sandbox prefix and address pool: a developer stack may run on this machine with
 * the defaults ({@code rg}, {@code 10.213.0.0/16}). Address slots are allocated per sandbox state
 * directory, so two stacks with the default pool give two host veths the same address; and every
 * orchestrator lists {@code /run/netns/<prefix>-*} as its inventory, so with the same prefix each
 * stack would destroy the other's runners as orphans.
 *
 * <p>Why {@code up} runs in a mount namespace of its own: the orchestrator's cgroup parent ({@code
 * runnerguard-sandbox} in every cgroup v1 controller) is fixed, and its inventory pass lists every
 * cgroup below it and destroys those it does not know as orphans, so a developer stack on the same
 * host kills this stack's runners mid-provisioning (seen: "the sandbox failed to start (exit
 * 137)"). {@code up} therefore runs under {@code unshare --mount --propagation unchanged} with
 * {@code <controller>/runnerguard-sandbox} bind-mounted from {@code <controller>/rgt-<prefix>}:
 * every component of this stack shares that one mount namespace (as they would share the host's),
 * {@code /run/netns} stays shared with the host, and only the cgroup parent differs.
 */
final class PlatformStack {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String SIM_RUNNER = "github-sim/src/main/resources/runner/sim-runner.sh";
  static final List<String> SERVICES =
      List.of(
          "webhook-gateway",
          "token-service",
          "runner-orchestrator",
          "policy-service",
          "audit-ingest",
          "github-sim");

  /**
   * The orchestrator's inventory pass lists the cgroups under the fixed parent {@code
   * runnerguard-sandbox}, shared by every stack on the host, and destroys the runners it does not
   * know as orphans. A long interval keeps this test stack from killing a developer stack's runners
   * (it cannot keep a developer stack from killing this one's; see the report).
   */
  static final String RECONCILE_INTERVAL = "1h";

  /**
   * The orchestrator's lifecycle timings shortened to the tests' time scale (production defaults
   * are minutes): a provisioning an instance did not finish (it was killed) is re-driven after 20
   * s, and a runner left without a job (its job went to another runner) is destroyed after 45 s
   * idle.
   */
  static final java.util.Map<String, String> LIFECYCLE =
      java.util.Map.of(
          "RUNNERGUARD_ORCHESTRATOR_LIFECYCLE_PROVISION_TIMEOUT", "20s",
          "RUNNERGUARD_ORCHESTRATOR_LIFECYCLE_START_TIMEOUT", "20s",
          "RUNNERGUARD_ORCHESTRATOR_LIFECYCLE_IDLE_TIMEOUT", "45s",
          "RUNNERGUARD_ORCHESTRATOR_LIFECYCLE_EXITED_GRACE", "10s",
          "RUNNERGUARD_ORCHESTRATOR_LIFECYCLE_JOB_CHECK_INTERVAL", "20s",
          "RUNNERGUARD_ORCHESTRATOR_LIFECYCLE_DESTROY_RETRY", "20s");

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final Duration UP_TIMEOUT = Duration.ofMinutes(8);
  private static final Duration DOWN_TIMEOUT = Duration.ofMinutes(3);

  final Path root;
  final Path home;
  final String prefix;

  /** The host cgroup directory (in each controller) that this stack sees as runnerguard-sandbox. */
  final String cgroupDir;

  final int kafkaPort;
  final Map<String, String> env = new LinkedHashMap<>();
  final Map<String, Integer> ports = new LinkedHashMap<>();

  record Result(int exitCode, String output) {}

  /** Skips (assumption) unless this machine can run the local sandbox and the jars exist. */
  static void assumeRunnable() {
    assumeThat(System.getProperty("os.name")).as("Linux only").startsWith("Linux");
    assumeThat(uid()).as("the local sandbox provider needs root (uid 0)").isEqualTo(0L);
    for (String tool : List.of("bwrap", "nft", "ip", "nsenter", "setpriv", "unshare")) {
      assumeThat(which(tool))
          .as("'" + tool + "' on PATH (the local sandbox provider needs it)")
          .isTrue();
    }
    assumeThat(Path.of("/sys/fs/cgroup/freezer"))
        .as("cgroup v1 freezer (quarantine freezes the runner)")
        .isDirectory();
    Path root = findRoot();
    for (String m : SERVICES) {
      assumeThat(root.resolve(m + "/target/quarkus-app/quarkus-run.jar"))
          .as(m + " is not packaged (run ./mvnw -o -q install -DskipTests)")
          .isRegularFile();
    }
    assumeThat(root.resolve("launcher/target/runnerguard-launcher.jar"))
        .as("launcher is not packaged")
        .isRegularFile();
  }

  PlatformStack(String tag) throws IOException {
    root = findRoot();
    home = Files.createTempDirectory("runnerguard-" + tag + "-");
    SecureRandom rnd = new SecureRandom();
    String alnum = "abcdefghijklmnopqrstuvwxyz0123456789";
    prefix =
        "t"
            + alnum.charAt(rnd.nextInt(26))
            + alnum.charAt(rnd.nextInt(36))
            + alnum.charAt(rnd.nextInt(36));
    cgroupDir = "rgt-" + prefix;
    List<Integer> free = freePorts(3 + SERVICES.size());
    kafkaPort = free.get(0);
    env.put("RUNNERGUARD_HOME", home.toString());
    env.put("RUNNERGUARD_KAFKA_PORT", Integer.toString(kafkaPort));
    env.put("RUNNERGUARD_KAFKA_CONTROLLER_PORT", Integer.toString(free.get(1)));
    env.put("RUNNERGUARD_POSTGRES_PORT", Integer.toString(free.get(2)));
    env.put("RUNNERGUARD_START_TIMEOUT", "240");
    String[] portVars = {
      "RUNNERGUARD_GATEWAY_PORT",
      "RUNNERGUARD_TOKEN_PORT",
      "RUNNERGUARD_ORCHESTRATOR_PORT",
      "RUNNERGUARD_POLICY_PORT",
      "RUNNERGUARD_AUDIT_PORT",
      "RUNNERGUARD_SIM_PORT"
    };
    for (int i = 0; i < SERVICES.size(); i++) {
      ports.put(SERVICES.get(i), free.get(3 + i));
      env.put(portVars[i], Integer.toString(free.get(3 + i)));
    }
    env.put("RUNNERGUARD_SERVICES", String.join(",", SERVICES));
    env.put("RUNNERGUARD_POLICY_DIR", writePolicyDir().toString());
    env.put("RUNNERGUARD_ORCHESTRATOR_SANDBOX_NAME_PREFIX", prefix);
    env.put(
        "RUNNERGUARD_ORCHESTRATOR_SANDBOX_ADDRESS_POOL",
        "10." + (220 + rnd.nextInt(30)) + ".0.0/16");
    env.put("RUNNERGUARD_ORCHESTRATOR_RECONCILE_INTERVAL", RECONCILE_INTERVAL);
    LIFECYCLE.forEach(env::put);
  }

  /** The default policy files with the egress allowlist pointed at this stack's ports. */
  private Path writePolicyDir() throws IOException {
    Path src = root.resolve("policy-service/src/main/policies/default");
    Path dir = Files.createDirectories(home.resolve("policies"));
    try (Stream<Path> files = Files.list(src)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        String text = Files.readString(f);
        if (f.getFileName().toString().equals("admission.yaml")) {
          String before = text;
          text =
              text.replace("127.0.0.1:8090", "127.0.0.1:" + port("github-sim"))
                  .replace("localhost:8090", "localhost:" + port("github-sim"))
                  .replace("localhost:8080", "localhost:" + port("webhook-gateway"));
          assertThat(text).as("the default admission policy names 8090/8080").isNotEqualTo(before);
        }
        Files.writeString(dir.resolve(f.getFileName()), text);
      }
    }
    return dir;
  }

  int port(String module) {
    return ports.get(module);
  }

  String url(String module) {
    return "http://127.0.0.1:" + port(module);
  }

  /** The network namespace of a runner of this stack. */
  Path netns(String runnerId) {
    return Path.of("/run/netns", prefix + "-" + runnerId);
  }

  /** Network namespaces of this stack's runners that still exist. */
  List<String> leftoverNetns() throws IOException {
    Path dir = Path.of("/run/netns");
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString())
          .filter(n -> n.startsWith(prefix + "-"))
          .sorted()
          .toList();
    }
  }

  static final List<String> CGROUP_CONTROLLERS =
      List.of("cpu", "cpuacct", "memory", "pids", "freezer");

  private static final String ISOLATE_CGROUPS =
      "set -e\n"
          + "mount --make-rprivate /sys/fs/cgroup\n"
          + "cg=\"$1\"; shift\n"
          + "for c in "
          + String.join(" ", CGROUP_CONTROLLERS)
          + "; do\n"
          + "  d=/sys/fs/cgroup/$c\n"
          + "  [ -d \"$d\" ] || continue\n"
          + "  mkdir -p \"$d/runnerguard-sandbox\" \"$d/$cg\"\n"
          + "  mount --bind \"$d/$cg\" \"$d/runnerguard-sandbox\"\n"
          + "done\n"
          + "exec \"$@\"\n";

  /**
   * The command run in a new mount namespace with this stack's cgroup parent (see the class doc).
   */
  List<String> isolated(List<String> command) {
    List<String> out =
        new ArrayList<>(
            List.of(
                "unshare",
                "--mount",
                "--propagation",
                "unchanged",
                "--",
                "/bin/sh",
                "-c",
                ISOLATE_CGROUPS,
                "sh",
                cgroupDir));
    out.addAll(command);
    return out;
  }

  /** This stack's runner cgroup in the freezer hierarchy, as the host sees it. */
  Path freezerCgroup(String runnerId) {
    return Path.of("/sys/fs/cgroup/freezer", cgroupDir, runnerId);
  }

  /**
   * Removes this stack's cgroup directories (after down); answers runner cgroups that were left.
   */
  List<String> removeCgroups() throws IOException {
    List<String> left = new ArrayList<>();
    for (String c : CGROUP_CONTROLLERS) {
      Path dir = Path.of("/sys/fs/cgroup", c, cgroupDir);
      if (!Files.isDirectory(dir)) {
        continue;
      }
      List<Path> dirs;
      try (Stream<Path> s = Files.walk(dir)) {
        dirs = s.filter(Files::isDirectory).sorted(Comparator.reverseOrder()).toList();
      }
      for (Path d : dirs) {
        if (!d.equals(dir)) {
          left.add(c + "/" + dir.relativize(d));
        }
        try {
          Files.delete(d);
        } catch (IOException e) {
          System.err.println("PlatformStack: cannot remove cgroup " + d + ": " + e);
        }
      }
    }
    return left;
  }

  /**
   * {@code ./runnerguard up} in two steps: Kafka and PostgreSQL first ({@code
   * RUNNERGUARD_SERVICES=none}), then the services. In between the test creates policy-service's
   * compacted detection state topic, which the launcher's topic plan does not create and which
   * policy-service creates itself at start: its state follower checks for the topic right after the
   * create, can miss it (metadata not yet propagated), stops following for good and leaves the
   * service not ready forever (seen: "detection-state stopped following
   * policy-service.detection-state: ... does not exist"; see the report).
   */
  Result up() throws Exception {
    Map<String, String> all = new LinkedHashMap<>(env);
    env.put("RUNNERGUARD_SERVICES", "none");
    Result infra;
    try {
      infra = run(UP_TIMEOUT, "up");
    } finally {
      env.clear();
      env.putAll(all);
    }
    assertThat(infra.exitCode())
        .as("./runnerguard up (Kafka, PostgreSQL):\n" + infra.output())
        .isZero();
    createDetectionStateTopic();
    Result r = run(UP_TIMEOUT, "up");
    assertThat(r.exitCode()).as("./runnerguard up:\n" + r.output()).isZero();
    return r;
  }

  private void createDetectionStateTopic() throws Exception {
    java.util.Properties props = new java.util.Properties();
    props.put(
        org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
        "127.0.0.1:" + kafkaPort);
    try (org.apache.kafka.clients.admin.Admin admin =
        org.apache.kafka.clients.admin.Admin.create(props)) {
      admin
          .createTopics(
              List.of(
                  new org.apache.kafka.clients.admin.NewTopic(
                          "policy-service.detection-state", 6, (short) 1)
                      .configs(Map.of("cleanup.policy", "compact"))))
          .all()
          .get(30, TimeUnit.SECONDS);
      // Wait until the broker's metadata names it.
      await(
          "topic policy-service.detection-state in the metadata",
          Duration.ofSeconds(30),
          probe(
              () ->
                  admin
                          .listTopics()
                          .names()
                          .get(10, TimeUnit.SECONDS)
                          .contains("policy-service.detection-state")
                      ? Boolean.TRUE
                      : null));
    }
  }

  Result down() throws Exception {
    return run(DOWN_TIMEOUT, "down");
  }

  /** Best-effort removal of this stack's leftover network namespaces (after down). */
  void removeLeftoverNetns() throws Exception {
    for (String ns : leftoverNetns()) {
      System.err.println("PlatformStack: removing leftover network namespace " + ns);
      new ProcessBuilder("ip", "netns", "delete", ns)
          .inheritIO()
          .start()
          .waitFor(10, TimeUnit.SECONDS);
    }
  }

  void deleteHome() throws IOException {
    keepLogs();
    // PostgreSQL data is owned by 'nobody'; root deletes it anyway.
    try (Stream<Path> all = Files.walk(home)) {
      all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /**
   * Copies the stack's service logs to {@code system-tests/target/stack-logs/<home>/} so that a
   * failed run can be diagnosed after the home is gone (CI keeps {@code target/}).
   */
  void keepLogs() {
    Path logs = home.resolve("logs");
    if (!Files.isDirectory(logs)) {
      return;
    }
    Path kept = root.resolve("system-tests/target/stack-logs").resolve(home.getFileName());
    try (Stream<Path> files = Files.list(logs)) {
      Files.createDirectories(kept);
      for (Path f : (Iterable<Path>) files::iterator) {
        if (Files.isRegularFile(f)) {
          Files.copy(f, kept.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
      }
      System.out.println("PlatformStack: service logs kept in " + kept);
    } catch (IOException e) {
      System.err.println("PlatformStack: could not keep the logs: " + e);
    }
  }

  Result run(Duration timeout, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(root.resolve("runnerguard").toString());
    cmd.addAll(List.of(args));
    if (args.length > 0 && args[0].equals("up")) {
      cmd = isolated(cmd);
    }
    Path out = Files.createTempFile("runnerguard-platform-out-", ".txt");
    try {
      ProcessBuilder pb =
          new ProcessBuilder(cmd)
              .directory(root.toFile())
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      pb.environment().putAll(env);
      Process p = pb.start();
      if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        throw new AssertionError(
            "./runnerguard "
                + String.join(" ", args)
                + " did not finish within "
                + timeout
                + ":\n"
                + Files.readString(out));
      }
      String output = Files.readString(out);
      System.out.println("$ ./runnerguard " + String.join(" ", args) + "\n" + output);
      return new Result(p.exitValue(), output);
    } finally {
      Files.deleteIfExists(out);
    }
  }

  // ------------------------------------------------------------------------------- HTTP

  static HttpResponse<String> send(HttpRequest.Builder b) throws IOException, InterruptedException {
    return HTTP.send(
        b.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> get(String module, String path) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(url(module) + path)));
  }

  HttpResponse<String> post(String module, String path, String body, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url(module) + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i + 1 < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return send(b);
  }

  JsonNode getJson(String module, String path) throws IOException, InterruptedException {
    HttpResponse<String> r = get(module, path);
    assertThat(r.statusCode()).as("GET " + module + path + ": " + r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  /** Enqueues a job at github-sim; answers its id. */
  long enqueueJob(List<String> steps, String misbehaviour) throws Exception {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("repository", "octo-org/app");
    body.put("visibility", "private");
    body.put("labels", List.of("self-hosted"));
    body.put("steps", steps);
    if (misbehaviour != null) {
      body.put("misbehaviour", misbehaviour);
    }
    HttpResponse<String> r = post("github-sim", "/_sim/jobs", JSON.writeValueAsString(body));
    assertThat(r.statusCode()).as("enqueue: " + r.body()).isEqualTo(201);
    return JSON.readTree(r.body()).get("id").asLong();
  }

  JsonNode simJob(long id) throws Exception {
    return getJson("github-sim", "/_sim/jobs/" + id);
  }

  /** A runner as the orchestrator at the given port reports it, or null (404). */
  static JsonNode runnerAt(int orchestratorPort, String runnerId) throws Exception {
    HttpResponse<String> r =
        send(
            HttpRequest.newBuilder(
                URI.create(
                    "http://127.0.0.1:" + orchestratorPort + "/api/v1/runners/" + runnerId)));
    if (r.statusCode() == 404) {
      return null;
    }
    assertThat(r.statusCode()).as("runner " + runnerId + ": " + r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  static JsonNode runnersAt(int orchestratorPort) throws Exception {
    HttpResponse<String> r =
        send(
            HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + orchestratorPort + "/api/v1/runners")));
    assertThat(r.statusCode()).as("runners: " + r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  // ------------------------------------------------------------------------------- waiting

  /** Polls until the supplier answers non-null; fails with the last description otherwise. */
  static <T> T await(String what, Duration timeout, Supplier<T> probe) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    RuntimeException last = null;
    while (true) {
      try {
        T v = probe.get();
        if (v != null) {
          return v;
        }
      } catch (RuntimeException e) {
        last = e;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what, last);
      }
      Thread.sleep(250);
    }
  }

  /** Checked-exception friendly supplier for {@link #await}. */
  interface Probe<T> {
    T get() throws Exception;
  }

  static <T> Supplier<T> probe(Probe<T> p) {
    return () -> {
      try {
        return p.get();
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    };
  }

  // ------------------------------------------------------------------------------- misc

  static long uid() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) {
          return Long.parseLong(line.split("\\s+")[1]);
        }
      }
    } catch (IOException | RuntimeException e) {
      // fall through
    }
    return -1;
  }

  static boolean which(String tool) {
    String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin:/usr/bin:/bin";
    for (String dir : path.split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }

  static List<Integer> freePorts(int n) throws IOException {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        sockets.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
      }
      return sockets.stream().map(ServerSocket::getLocalPort).toList();
    } finally {
      for (ServerSocket s : sockets) {
        s.close();
      }
    }
  }

  static Path findRoot() {
    Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    for (Path d = dir; d != null; d = d.getParent()) {
      if (Files.isRegularFile(d.resolve("runnerguard"))
          && Files.isRegularFile(d.resolve("pom.xml"))) {
        return d;
      }
    }
    throw new IllegalStateException("no ./runnerguard above " + dir);
  }

  static String utf8(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
