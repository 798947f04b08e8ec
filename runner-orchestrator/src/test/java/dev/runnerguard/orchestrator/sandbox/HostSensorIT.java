package dev.runnerguard.orchestrator.sandbox;

import static dev.runnerguard.orchestrator.sandbox.SandboxTestSupport.await;
import static dev.runnerguard.orchestrator.sandbox.SandboxTestSupport.readOr;
import static dev.runnerguard.orchestrator.sandbox.SandboxTestSupport.request;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.runnerguard.orchestrator.spi.Observation;
import dev.runnerguard.orchestrator.spi.ProviderRunner;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The host sensor observes runners from outside: denied egress, survivors, nested runners, CPU. */
class HostSensorIT {

  static final String TARGET_NS = "rgtarget";
  static final String TARGET_ADDR = "10.215.0.2";

  static LocalSandboxConfig cfg;
  static LocalSandboxProvider provider;
  static final SandboxTestSupport.Collector observations = new SandboxTestSupport.Collector();
  static final List<String> jits = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws IOException {
    cfg =
        SandboxTestSupport.config("rgs", "10.214.1.0/24")
            .cpuBurnWindow(Duration.ofSeconds(2))
            .cpuBurnShare(0.25)
            .survivorGrace(Duration.ofMillis(300))
            .build();
    provider = new LocalSandboxProvider(cfg, observations);
    // a namespace the test owns, with an address the runners must not reach
    SandboxTestSupport.sh("ip netns del " + TARGET_NS + " 2>/dev/null; true");
    assertThat(
            SandboxTestSupport.sh(
                "set -e; ip netns add "
                    + TARGET_NS
                    + "; ip link add rgtgth type veth peer name rgtgtn; ip link set rgtgtn netns "
                    + TARGET_NS
                    + "; ip addr add 10.215.0.1/30 dev rgtgth; ip link set rgtgth up; ip -n "
                    + TARGET_NS
                    + " addr add "
                    + TARGET_ADDR
                    + "/30 dev rgtgtn; ip -n "
                    + TARGET_NS
                    + " link set rgtgtn up"))
        .isZero();
  }

  @AfterAll
  static void cleanUp() {
    SandboxTestSupport.cleanup(provider, cfg);
    SandboxTestSupport.assertNoLeftovers(cfg);
    SandboxTestSupport.sh("ip netns del " + TARGET_NS + "; ip link del rgtgth 2>/dev/null; true");
    for (Observation o : observations.seen) {
      for (String jit : jits) {
        assertThat(o.toString()).doesNotContain(jit);
      }
    }
  }

  private static String jit() {
    String j = SandboxTestSupport.newJit();
    jits.add(j);
    return j;
  }

  private static List<Observation> of(String runnerId, String kind) {
    return observations.matching(o -> o.runnerId().equals(runnerId) && o.kind().equals(kind));
  }

  @Test
  void deniedEgressIsObservedWithItsDestinationOncePerDestination() throws Exception {
    String id = "hs-egress";
    InetAddress lo = InetAddress.getByName("127.0.0.1");
    try (ServerSocket allowed = new ServerSocket(0, 10, lo);
        ServerSocket other = new ServerSocket(0, 10, lo)) {
      String loTarget = "127.0.0.1:" + other.getLocalPort();
      String nsTarget = TARGET_ADDR + ":7000";
      provider.provision(
          request(
              id,
              jit(),
              List.of("127.0.0.1:" + allowed.getLocalPort()),
              Map.of(
                  "PROBE",
                  "connect",
                  "ALLOWED_PORT",
                  Integer.toString(allowed.getLocalPort()),
                  "DENY_TARGETS",
                  loTarget + " " + nsTarget)));
      await(
          "denied loopback observed",
          () ->
              !observations
                  .matching(o -> matches(o, id, "127.0.0.1", other.getLocalPort()))
                  .isEmpty());
      await(
          "denied namespace address observed",
          () -> !observations.matching(o -> matches(o, id, TARGET_ADDR, 7000)).isEmpty());
      Path deny = cfg.stateDir().resolve(id).resolve("ws/work/deny.txt");
      await("both probes done", () -> readOr(deny, "").lines().count() == 2);
      assertThat(readOr(deny, "")).contains(loTarget + "=refused").contains(nsTarget + "=refused");
      // the SYN retries of one attempt are one act: one observation per destination
      assertThat(observations.matching(o -> matches(o, id, "127.0.0.1", other.getLocalPort())))
          .hasSize(1);
      assertThat(observations.matching(o -> matches(o, id, TARGET_ADDR, 7000))).hasSize(1);
      // the allowed destination is not reported
      assertThat(observations.matching(o -> matches(o, id, "127.0.0.1", allowed.getLocalPort())))
          .isEmpty();
    } finally {
      provider.destroy(id);
    }
  }

  private static boolean matches(Observation o, String id, String addr, int port) {
    return o.runnerId().equals(id)
        && o.kind().equals(Observation.EGRESS_DENIED)
        && addr.equals(o.destinationAddress())
        && Integer.valueOf(port).equals(o.destinationPort())
        && "tcp".equals(o.protocol());
  }

  @Test
  void aProcessSurvivingTheRunnerIsObservedAfterTheExit() throws Exception {
    String id = "hs-survivor";
    provider.provision(request(id, jit(), List.of(), Map.of("PROBE", "survivor")));
    await("runner.exited", () -> !of(id, Observation.RUNNER_EXITED).isEmpty());
    assertThat(of(id, Observation.RUNNER_EXITED).get(0).attributes())
        .containsEntry("exitCode", "0");
    await("process.survived", () -> !of(id, Observation.PROCESS_SURVIVED).isEmpty());
    Observation s = of(id, Observation.PROCESS_SURVIVED).get(0);
    assertThat(s.commandLine()).isEqualTo("sleep 300");
    assertThat(s.pid()).isPositive();
    assertThat(provider.status(id).status()).isEqualTo(ProviderRunner.Status.EXITED);
    provider.destroy(id);
    assertThat(of(id, Observation.PROCESS_SURVIVED)).hasSize(1);
    assertThat(of(id, Observation.RUNNER_EXITED)).hasSize(1);
  }

  @Test
  void aNestedRunnerAgentIsObserved() throws Exception {
    String id = "hs-nested";
    provider.provision(request(id, jit(), List.of(), Map.of("PROBE", "nested")));
    await("process.nested-runner", () -> !of(id, Observation.NESTED_RUNNER).isEmpty());
    Observation o = of(id, Observation.NESTED_RUNNER).get(0);
    assertThat(o.commandLine()).contains("Runner.Listener").contains("config.sh --url");
    assertThat(o.pid()).isPositive();
    provider.destroy(id);
    assertThat(of(id, Observation.NESTED_RUNNER)).hasSize(1);
  }

  @Test
  void sustainedCpuBurnIsObserved() throws Exception {
    String id = "hs-burn";
    provider.provision(
        new dev.runnerguard.orchestrator.spi.ProvisionRequest(
            id,
            42L,
            "linux-test",
            null,
            List.of(),
            null,
            null,
            Duration.ofHours(1),
            new dev.runnerguard.orchestrator.spi.Secret(jit()),
            Map.of("PROBE", "burn")));
    await("process.cpu-burn", () -> !of(id, Observation.CPU_BURN).isEmpty());
    Observation o = of(id, Observation.CPU_BURN).get(0);
    assertThat(Double.parseDouble(o.attributes().get("cpuPercent"))).isGreaterThanOrEqualTo(25.0);
    assertThat(o.attributes()).containsKey("windowSeconds");
    assertThat(o.commandLine()).contains("test-runner.sh");
    provider.destroy(id);
  }

  /**
   * The github-sim runner (sim-runner.sh) against a minimal simulator the test serves on the host's
   * loopback: it connects through the loopback forwarding, takes a job whose misbehaviour is an
   * exfiltration to a non-allowlisted loopback port, and reports the result.
   */
  @Test
  void simRunnerRunsItsJobAndItsExfiltrationIsDenied() throws Exception {
    Path sim =
        Path.of("../github-sim/src/main/resources/runner/sim-runner.sh")
            .toAbsolutePath()
            .normalize();
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(sim), "sim-runner.sh present");
    String id = "hs-sim";
    InetAddress lo = InetAddress.getByName("127.0.0.1");
    HttpServer server = HttpServer.create(new InetSocketAddress(lo, 0), 10);
    AtomicBoolean connected = new AtomicBoolean();
    List<String> completed = new CopyOnWriteArrayList<>();
    try (ServerSocket exfil = new ServerSocket(0, 10, lo)) {
      String step =
          Base64.getEncoder()
              .encodeToString("echo step-ran > step.txt".getBytes(StandardCharsets.UTF_8));
      String job =
          "job_id=77\nrepository=acme/app\nmisbehaviour=exfiltrate\nexfiltrate_host=127.0.0.1\n"
              + "exfiltrate_port="
              + exfil.getLocalPort()
              + "\nstep="
              + step
              + "\n";
      AtomicBoolean handedOut = new AtomicBoolean();
      server.createContext(
          "/_sim/runner/",
          ex -> {
            String path = ex.getRequestURI().getPath();
            boolean credOk =
                "cred-1".equals(ex.getRequestHeaders().getFirst("X-Sim-Runner-Credential"));
            byte[] body = new byte[0];
            int code = credOk ? 200 : 401;
            if (credOk && path.endsWith("/connect")) {
              connected.set(true);
              body = "{}".getBytes(StandardCharsets.UTF_8);
            } else if (credOk && path.endsWith("/job")) {
              body = handedOut.getAndSet(true) ? new byte[0] : job.getBytes(StandardCharsets.UTF_8);
            } else if (credOk && path.endsWith("/complete")) {
              completed.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
              body = "{}".getBytes(StandardCharsets.UTF_8);
            }
            ex.sendResponseHeaders(code, body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
              ex.getResponseBody().write(body);
            }
            ex.close();
          });
      server.start();
      int port = server.getAddress().getPort();
      String jitJson =
          "{\"url\":\"http://127.0.0.1:"
              + port
              + "\",\"runner_id\":\"5\",\"runner_name\":\""
              + id
              + "\",\"credential\":\"cred-1\",\"work_folder\":\"_work\"}";
      String jit = Base64.getEncoder().encodeToString(jitJson.getBytes(StandardCharsets.UTF_8));
      jits.add(jit);
      LocalSandboxProvider simProvider =
          new LocalSandboxProvider(cfg.toBuilder().runnerCommand(sim).build(), observations);
      try {
        simProvider.provision(
            request(id, jit, List.of("127.0.0.1:" + port), Map.of("SIM_RUNNER_HTTP", "curl")));
        await("job completed", () -> !completed.isEmpty());
        assertThat(connected).isTrue();
        assertThat(completed.get(0))
            .contains("\"job_id\":\"77\"")
            .contains("\"conclusion\":\"success\"");
        await(
            "exfiltration observed",
            () ->
                !observations
                    .matching(o -> matches(o, id, "127.0.0.1", exfil.getLocalPort()))
                    .isEmpty());
        await("runner.exited", () -> !of(id, Observation.RUNNER_EXITED).isEmpty());
        assertThat(of(id, Observation.RUNNER_EXITED).get(0).attributes())
            .containsEntry("exitCode", "0");
        exfil.setSoTimeout(200);
        org.assertj.core.api.Assertions.assertThatThrownBy(exfil::accept)
            .isInstanceOf(java.net.SocketTimeoutException.class);
        assertThat(SandboxTestSupport.cmdlinesContaining(jit)).isEmpty();
        assertThat(readOr(cfg.stateDir().resolve(id).resolve("runner.log"), ""))
            .doesNotContain(jit);
      } finally {
        simProvider.destroy(id);
        simProvider.close();
      }
    } finally {
      server.stop(0);
    }
  }
}
