package dev.runnerguard.systemtests.platform;

import static dev.runnerguard.systemtests.platform.PlatformStack.await;
import static dev.runnerguard.systemtests.platform.PlatformStack.probe;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Two runner-orchestrator instances share the partitions (same Kafka Streams application id, same
 * sandbox state directory); one is SIGKILLed while the first wave of jobs runs. No job is lost, no
 * job gets a second runner, every runner ends DESTROYED in the survivor's view, and no sandbox is
 * left.
 *
 * <p>Instance A is the launcher's (started by {@code ./runnerguard up}); instance B is a second JVM
 * with the same environment as the launcher gives A, its own HTTP port and Kafka Streams state
 * directory, and {@code sandbox.destroy-on-shutdown=false}. A is killed (its shutdown hook would
 * not run anyway under SIGKILL), B survives and must adopt A's runners.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OrchestratorScaleOutE2E {
  private static final int WAVE_1 = 5;
  private static final int WAVE_2 = 3;
  private static final Duration TIMEOUT = Duration.ofMinutes(3);
  private static final Pattern GENERATED =
      Pattern.compile(
          "runnerguard_sim_requests_total\\{endpoint=\"POST generate_jitconfig\",status=\"201\"[^}]*}\\s+([0-9.]+)");

  private PlatformStack stack;
  private Process second;
  private int portB;
  private Path logB;
  private volatile boolean watching = true;
  private Thread watcher;

  /** Every runner registration ever seen at the sim: sim runner id -> name. */
  private final Map<Long, String> simRegistrations = new TreeMap<>();

  @BeforeAll
  void up() throws Exception {
    PlatformStack.assumeRunnable();
    stack = new PlatformStack("scaleout-e2e");
    stack.up();
    Map<String, String> env = new LinkedHashMap<>();
    // What ./runnerguard gives its runner-orchestrator (the `runner-orchestrator)` case), with
    // destroy-on-shutdown off so that runners outlive the instance.
    env.put("RUNNERGUARD_HOME", stack.home.toString());
    env.put("KAFKA_BOOTSTRAP_SERVERS", "localhost:" + stack.kafkaPort);
    env.put(
        "RUNNERGUARD_POSTGRES_URL",
        "jdbc:postgresql://localhost:"
            + stack.env.get("RUNNERGUARD_POSTGRES_PORT")
            + "/runnerguard");
    env.put("RUNNERGUARD_POSTGRES_USER", "runnerguard");
    env.put("RUNNERGUARD_POSTGRES_PASSWORD", "runnerguard");
    env.put("RUNNERGUARD_INTERNAL_SECRET_FILE", stack.home.resolve("internal-secret").toString());
    env.put(
        "RUNNERGUARD_ORCHESTRATOR_SANDBOX_RUNNER_COMMAND",
        stack.root.resolve(PlatformStack.SIM_RUNNER).toString());
    env.put("RUNNERGUARD_ORCHESTRATOR_TOKEN_SERVICE_URL", stack.url("token-service"));
    env.put("RUNNERGUARD_ORCHESTRATOR_SANDBOX_DESTROY_ON_SHUTDOWN", "false");
    env.put("RUNNERGUARD_ORCHESTRATOR_RECONCILE_ORGS", "octo-org");
    PlatformStack.LIFECYCLE.forEach(env::put);
    env.put("RUNNERGUARD_ORCHESTRATOR_SANDBOX_NAME_PREFIX", stack.prefix);
    env.put(
        "RUNNERGUARD_ORCHESTRATOR_SANDBOX_ADDRESS_POOL",
        stack.env.get("RUNNERGUARD_ORCHESTRATOR_SANDBOX_ADDRESS_POOL"));
    env.put("RUNNERGUARD_ORCHESTRATOR_RECONCILE_INTERVAL", PlatformStack.RECONCILE_INTERVAL);
    env.put(
        "RUNNERGUARD_ORCHESTRATOR_STATE_DIR",
        Files.createDirectories(stack.home.resolve("orchestrator-b-streams")).toString());
    // B joins A's mount namespace (see PlatformStack: the stack's cgroup parent is bind-mounted
    // there), as two instances on one host share the host's.
    long pidA = pidOfA();
    int portB = PlatformStack.freePorts(1).get(0);
    Path jar = stack.root.resolve("runner-orchestrator/target/quarkus-app/quarkus-run.jar");
    logB = stack.home.resolve("logs/runner-orchestrator-b.log");
    ProcessBuilder pb =
        new ProcessBuilder(
                "nsenter",
                "--mount=/proc/" + pidA + "/ns/mnt",
                "--",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-Dquarkus.http.port=" + portB,
                "-Dquarkus.http.host=127.0.0.1",
                "-jar",
                jar.toString())
            .directory(stack.home.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logB.toFile()));
    pb.environment().putAll(env);
    second = pb.start();
    this.portB = portB;
    await(
        "second orchestrator ready on port " + portB,
        Duration.ofMinutes(3),
        probe(
            () -> {
              if (!second.isAlive()) {
                throw new AssertionError("second orchestrator exited; see " + logB);
              }
              try {
                return PlatformStack.send(
                                java.net.http.HttpRequest.newBuilder(
                                    java.net.URI.create(
                                        "http://127.0.0.1:" + portB + "/q/health/ready")))
                            .statusCode()
                        == 200
                    ? Boolean.TRUE
                    : null;
              } catch (java.io.IOException e) {
                return null;
              }
            }));
    System.out.println(
        "OrchestratorScaleOutE2E: second orchestrator on port " + portB + ", log " + logB);
    watcher = new Thread(this::watchSimRunners, "sim-runner-watcher");
    watcher.setDaemon(true);
    watcher.start();
  }

  @AfterAll
  void down() throws Exception {
    watching = false;
    if (watcher != null) {
      watcher.join(5000);
    }
    if (second != null) {
      second.destroy(); // SIGTERM: graceful; destroy-on-shutdown is off, runners are all gone
      if (!second.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
        second.destroyForcibly().waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
      }
    }
    if (stack != null) {
      stack.down();
      List<String> left = stack.leftoverNetns();
      stack.removeLeftoverNetns();
      List<String> cgroups = stack.removeCgroups();
      stack.deleteHome();
      assertThat(left).as("network namespaces of this stack left after down").isEmpty();
      assertThat(cgroups).as("runner cgroups of this stack left after down").isEmpty();
    }
  }

  @Test
  void killingOneOfTwoOrchestratorsLosesNoJobAndDuplicatesNoRunner() throws Exception {
    int portA = stack.port("runner-orchestrator");
    List<Long> jobs = new ArrayList<>();
    for (int i = 0; i < WAVE_1; i++) {
      jobs.add(stack.enqueueJob(List.of("sleep 5"), null));
    }
    // Wave 1 provisioned: every job's runner is up (IDLE or later) or its job already taken.
    await(
        "wave 1 provisioned",
        TIMEOUT,
        probe(
            () -> {
              for (long job : jobs) {
                JsonNode j = stack.simJob(job);
                if ("queued".equals(j.path("status").asText())) {
                  return null;
                }
              }
              return Boolean.TRUE;
            }));

    // Kill instance A (the launcher's) like a crash.
    long pidA = pidOfA();
    ProcessHandle a =
        ProcessHandle.of(pidA)
            .orElseThrow(() -> new AssertionError("orchestrator A is not running"));
    System.out.println("OrchestratorScaleOutE2E: SIGKILL orchestrator A (pid " + pidA + ")");
    new ProcessBuilder("kill", "-KILL", Long.toString(pidA)).inheritIO().start().waitFor();
    a.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);

    for (int i = 0; i < WAVE_2; i++) {
      jobs.add(stack.enqueueJob(List.of("sleep 5"), null));
    }

    // Every job completes success at the sim.
    Map<Long, JsonNode> done = new LinkedHashMap<>();
    for (long job : jobs) {
      done.put(
          job,
          await(
              "job " + job + " completed at the sim",
              TIMEOUT,
              probe(
                  () -> {
                    JsonNode j = stack.simJob(job);
                    return "completed".equals(j.path("status").asText()) ? j : null;
                  })));
    }
    Set<String> runnerNames = new LinkedHashSet<>();
    for (Map.Entry<Long, JsonNode> e : done.entrySet()) {
      assertThat(e.getValue().path("conclusion").asText())
          .as(e.getValue().toString())
          .isEqualTo("success");
      String name = e.getValue().path("runner_name").asText();
      assertThat(name).as(e.getValue().toString()).startsWith("rg-");
      assertThat(runnerNames.add(name)).as("runner " + name + " ran a second job").isTrue();
    }

    // Every runner the survivor knows for these jobs ends DESTROYED; one runner per job.
    Map<String, JsonNode> runners;
    try {
      runners = awaitAllDestroyed(jobs);
    } catch (AssertionError e) {
      List<String> notDestroyed = new ArrayList<>();
      for (JsonNode r : PlatformStack.runnersAt(portB)) {
        if (!"DESTROYED".equals(r.path("state").asText())) {
          notDestroyed.add(r.toString());
        }
      }
      throw new AssertionError(
          e.getMessage() + "; runners not DESTROYED in the survivor: " + notDestroyed, e);
    }
    assertThat(runners).as("runners known to the survivor").hasSize(jobs.size());
    for (JsonNode r : runners.values()) {
      assertThat(r.path("state").asText()).as(r.toString()).isEqualTo("DESTROYED");
      assertThat(r.path("findingId").isNull()).as(r.toString()).isTrue();
      assertThat(r.path("timestamps").has("COMPLETED")).as(r.toString()).isTrue();
    }
    Set<Long> servedJobs = new LinkedHashSet<>();
    for (JsonNode r : runners.values()) {
      assertThat(servedJobs.add(r.path("jobId").asLong())).as("job served twice: " + r).isTrue();
    }
    assertThat(servedJobs).containsExactlyInAnyOrderElementsOf(jobs);

    // The sim saw exactly one registration per job: JIT configs issued and distinct runners.
    Matcher m = GENERATED.matcher(stack.get("github-sim", "/q/metrics").body());
    assertThat(m.find()).as("github-sim counts generate_jitconfig").isTrue();
    assertThat((long) Double.parseDouble(m.group(1)))
        .as("JIT configs issued by the sim")
        .isEqualTo(jobs.size());
    synchronized (simRegistrations) {
      // One registration per runner name (a second one would be a duplicate runner) and the
      // registered runners are exactly those that ran the jobs.
      assertThat(simRegistrations.values())
          .as("registrations seen at the sim (id -> name) " + simRegistrations)
          .doesNotHaveDuplicates();
      assertThat(new LinkedHashSet<>(simRegistrations.values()))
          .as("registrations seen at the sim " + simRegistrations)
          .containsExactlyInAnyOrderElementsOf(runnerNames);
    }
    JsonNode stillRegistered = stack.getJson("github-sim", "/_sim/runners");
    assertThat(stillRegistered.size())
        .as("runners still registered at the sim: " + stillRegistered)
        .isZero();

    // No sandbox left, before any shutdown could clean up.
    assertThat(stack.leftoverNetns()).as("network namespaces left").isEmpty();
    Path sandboxes = stack.home.resolve("sandbox");
    if (Files.isDirectory(sandboxes)) {
      try (var s = Files.list(sandboxes)) {
        assertThat(s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).toList())
            .as("sandbox state directories left")
            .isEmpty();
      }
    }
    Path cgroups = Path.of("/sys/fs/cgroup/freezer", stack.cgroupDir);
    if (Files.isDirectory(cgroups)) {
      try (var s = Files.list(cgroups)) {
        assertThat(s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).toList())
            .as("runner cgroups left")
            .isEmpty();
      }
    }
    assertThat(a.isAlive()).isFalse();
    System.out.println(
        "OrchestratorScaleOutE2E: "
            + jobs.size()
            + " jobs on "
            + runnerNames.size()
            + " runners; portA "
            + portA);
  }

  private Map<String, JsonNode> awaitAllDestroyed(List<Long> jobs) throws Exception {
    return await(
        "every runner DESTROYED in the surviving orchestrator",
        TIMEOUT,
        probe(
            () -> {
              Map<String, JsonNode> byId = new HashMap<>();
              for (JsonNode r : PlatformStack.runnersAt(portB)) {
                byId.put(r.path("id").asText(), r);
              }
              for (long job : jobs) {
                JsonNode r = byId.get("rg-" + job + "-1");
                if (r == null || !"DESTROYED".equals(r.path("state").asText())) {
                  return null;
                }
              }
              return byId;
            }));
  }

  private long pidOfA() throws java.io.IOException {
    return Long.parseLong(
        Files.readString(stack.home.resolve("run/runner-orchestrator.pid")).trim());
  }

  /** Polls the sim's runner list so that short-lived registrations are seen too. */
  private void watchSimRunners() {
    while (watching) {
      try {
        for (JsonNode r : stack.getJson("github-sim", "/_sim/runners")) {
          synchronized (simRegistrations) {
            simRegistrations.put(r.path("id").asLong(), r.path("name").asText());
          }
        }
        Thread.sleep(100);
      } catch (InterruptedException e) {
        return;
      } catch (Exception | AssertionError e) {
        // the sim is stopping
      }
    }
  }
}
