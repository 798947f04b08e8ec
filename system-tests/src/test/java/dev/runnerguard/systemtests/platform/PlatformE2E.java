package dev.runnerguard.systemtests.platform;

import static dev.runnerguard.systemtests.platform.PlatformStack.JSON;
import static dev.runnerguard.systemtests.platform.PlatformStack.await;
import static dev.runnerguard.systemtests.platform.PlatformStack.probe;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The whole platform through the real {@code ./runnerguard up} (free ports, a temporary
 * RUNNERGUARD_HOME, the real local sandbox): a normal job runs on a fresh runner that is then
 * destroyed; an exfiltrating job is quarantined with evidence and a finding; the audit chain
 * verifies; and after the scenario no secret is in any log, topic record, metrics output or error
 * body. Needs root, bwrap, nft and cgroup v1 (skipped otherwise).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PlatformE2E {
  private static final Duration JOB_TIMEOUT = Duration.ofSeconds(90);

  /**
   * The states every normal runner passes through. STARTING and IDLE are there too unless the
   * runner took its job before the provider's create had returned (the sandbox starts the runner
   * program before it answers): then in_progress makes it BUSY straight from PROVISIONING, which
   * the lifecycle allows (order-tolerant state machine).
   */
  private static final List<String> NORMAL_LIFECYCLE =
      List.of("REQUESTED", "PROVISIONING", "BUSY", "COMPLETED", "DESTROYED");

  private PlatformStack stack;
  private LeakScan.JitCollector jits;
  private final List<String> runnerIds = new ArrayList<>();

  @BeforeAll
  void up() throws Exception {
    PlatformStack.assumeRunnable();
    stack = new PlatformStack("platform-e2e");
    jits = new LeakScan.JitCollector();
    stack.up();
  }

  @AfterAll
  void down() throws Exception {
    if (jits != null) {
      jits.close();
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
  @Order(1)
  void aNormalJobRunsOnAFreshRunnerThatIsDestroyedAfterwards() throws Exception {
    long jobId = stack.enqueueJob(List.of("echo hi"), null);

    JsonNode job =
        await(
            "job " + jobId + " completed at the sim",
            JOB_TIMEOUT,
            probe(
                () -> {
                  JsonNode j = stack.simJob(jobId);
                  return "completed".equals(j.path("status").asText()) ? j : null;
                }));
    assertThat(job.path("conclusion").asText()).as(job.toString()).isEqualTo("success");
    String runnerId = job.path("runner_name").asText();
    assertThat(runnerId).as("the runner that took the job: " + job).isEqualTo("rg-" + jobId + "-1");
    runnerIds.add(runnerId);

    JsonNode runner = awaitRunnerState(runnerId, "DESTROYED");
    assertThat(runner.path("jobId").asLong()).isEqualTo(jobId);
    assertThat(runner.path("provider").asText()).isEqualTo("local-sandbox");
    assertThat(runner.path("findingId").isNull()).as(runner.toString()).isTrue();
    assertThat(timestamps(runner).keySet())
        .as("lifecycle of " + runnerId + ": " + runner)
        .containsAll(NORMAL_LIFECYCLE);
    assertInOrder(runner, NORMAL_LIFECYCLE);
    if (timestamps(runner).containsKey("IDLE")) {
      assertInOrder(
          runner,
          List.of(
              "REQUESTED", "PROVISIONING", "STARTING", "IDLE", "BUSY", "COMPLETED", "DESTROYED"));
    }

    assertThat(stack.netns(runnerId)).as("network namespace of " + runnerId).doesNotExist();
    assertThat(stack.home.resolve("sandbox").resolve(runnerId))
        .as("sandbox state directory (and workspace mount) of " + runnerId)
        .doesNotExist();
    assertThat(stack.freezerCgroup(runnerId)).as("freezer cgroup of " + runnerId).doesNotExist();
  }

  @Test
  @Order(2)
  void anExfiltratingJobIsQuarantinedWithEvidenceAndAFinding() throws Exception {
    long jobId = stack.enqueueJob(List.of("echo hi"), "exfiltrate");
    // The runner that took the job (GitHub routes a job to any fitting idle runner).
    String runnerId =
        await(
            "job " + jobId + " taken by a runner",
            JOB_TIMEOUT,
            probe(
                () -> {
                  String name = stack.simJob(jobId).path("runner_name").asText("");
                  return name.isEmpty() || name.equals("null") ? null : name;
                }));
    runnerIds.add(runnerId);

    JsonNode runner = awaitRunnerState(runnerId, "DESTROYED");
    Map<String, String> ts = timestamps(runner);
    assertThat(ts.keySet())
        .as(runner.toString())
        .contains("QUARANTINED", "EVIDENCE_CAPTURED", "DESTROYED")
        .doesNotContain("COMPLETED");
    assertInOrder(runner, List.of("QUARANTINED", "EVIDENCE_CAPTURED", "DESTROYED"));
    String findingId = runner.path("findingId").asText(null);
    assertThat(findingId).as(runner.toString()).isNotBlank();
    assertThat(runner.path("reason").asText()).contains("egress-outside-allowlist");

    // The finding reached audit-ingest (OCSF Detection Finding naming the runner).
    JsonNode finding =
        await(
            "finding of " + runnerId + " at audit-ingest",
            JOB_TIMEOUT,
            probe(
                () -> {
                  for (JsonNode f :
                      stack
                          .getJson("audit-ingest", "/api/v1/findings?limit=500")
                          .path("findings")) {
                    if (f.toString().contains(runnerId)) {
                      return f;
                    }
                  }
                  return null;
                }));
    assertThat(finding.path("topic").asText()).isEqualTo("runner.finding");
    assertThat(finding.path("classUid").asInt()).isEqualTo(2004);
    assertThat(finding.toString())
        .as("the finding names the rule")
        .contains("egress-outside-allowlist");

    // Evidence manifest on disk.
    Path evidenceRoot = stack.home.resolve("evidence").resolve(runnerId);
    List<Path> manifests;
    try (Stream<Path> s = Files.walk(evidenceRoot)) {
      manifests = s.filter(p -> p.getFileName().toString().equals("manifest.json")).toList();
    }
    assertThat(manifests).as("evidence manifests under " + evidenceRoot).hasSize(1);
    JsonNode manifest = JSON.readTree(Files.readString(manifests.get(0)));
    assertThat(manifest.toString()).as("manifest names the runner").contains(runnerId);
    String evidenceDir = runner.path("attributes").path("evidenceDir").asText(null);
    if (evidenceDir != null) {
      assertThat(manifests.get(0).getParent()).isEqualTo(Path.of(evidenceDir));
    }
    for (String f : List.of("processes.txt", "connections.txt", "workspace.txt", "runner.log")) {
      assertThat(manifests.get(0).getParent().resolve(f)).as("evidence file " + f).isRegularFile();
    }

    // The exfiltration never got through.
    JsonNode exfil = stack.getJson("github-sim", "/_sim/exfil");
    assertThat(exfil.path("connections").asInt()).as(exfil.toString()).isZero();

    // The job ends at the sim (run cancelled by the quarantine) and its sandbox is gone.
    JsonNode job =
        await(
            "job " + jobId + " ended at the sim",
            JOB_TIMEOUT,
            probe(
                () -> {
                  JsonNode j = stack.simJob(jobId);
                  return "completed".equals(j.path("status").asText()) ? j : null;
                }));
    System.out.println("PlatformE2E: exfiltrating job ended " + job.path("conclusion").asText());
    assertThat(job.path("conclusion").asText()).as(job.toString()).isNotEqualTo("success");
    assertThat(stack.netns(runnerId)).doesNotExist();
  }

  @Test
  @Order(3)
  void theAuditChainVerifies() throws Exception {
    JsonNode verify = stack.getJson("audit-ingest", "/api/v1/audit/verify");
    assertThat(verify.path("ok").asBoolean()).as(verify.toString()).isTrue();
    assertThat(verify.path("checked").asLong()).as(verify.toString()).isPositive();
    assertThat(verify.path("firstBroken").isNull()).as(verify.toString()).isTrue();
  }

  @Test
  @Order(4)
  void noSecretLeaksIntoLogsTopicsMetricsOrErrorBodies() throws Exception {
    Path home = stack.home;
    String appKey = Files.readString(home.resolve("github-sim/app-private-key.pem"));
    String internalSecret = Files.readString(home.resolve("internal-secret")).trim();
    String webhookSecret = Files.readString(home.resolve("webhook-secret")).trim();

    LeakScan scan = new LeakScan();
    scan.pem("App private key", appKey);
    scan.secret("internal service secret", internalSecret);
    scan.secret("webhook secret", webhookSecret);
    List<String> collected = new ArrayList<>(jits.configs());
    collected.forEach(scan::jitConfig);
    System.out.println(
        "PlatformE2E: leak scan with "
            + scan.exactCount()
            + " exact secrets ("
            + collected.size()
            + " JIT configs captured from sandbox environments) plus credential shapes");

    Map<String, String> errorBodies = provokeErrors(internalSecret, webhookSecret);

    List<String> leaks = new ArrayList<>();
    leaks.addAll(scan.scanFiles(home.resolve("logs")));
    Map<String, Long> counts = new TreeMap<>();
    leaks.addAll(scan.scanTopics("127.0.0.1:" + stack.kafkaPort, counts));
    System.out.println("PlatformE2E: records read per topic " + counts);
    assertThat(counts)
        .as("records read")
        .containsKeys("runner.lifecycle", "credential.audit", "github.workflow-job");
    for (String module : PlatformStack.SERVICES) {
      HttpResponse<String> m = stack.get(module, "/q/metrics");
      assertThat(m.statusCode()).as(module + " /q/metrics").isEqualTo(200);
      leaks.addAll(scan.scan(module + " /q/metrics", m.body()));
    }
    for (Map.Entry<String, String> e : errorBodies.entrySet()) {
      leaks.addAll(scan.scan("error body of " + e.getKey(), e.getValue()));
    }
    // The logs once more: the provoked errors may have logged something.
    leaks.addAll(scan.scanFiles(home.resolve("logs")));
    assertThat(leaks).as("secrets found").isEmpty();
  }

  // ----------------------------------------------------------------------------- errors

  /**
   * Bad requests to every service that takes input; answers "request -> body". Each must be a 4xx.
   * Some carry secrets themselves (a raw secret as a bearer token) to catch an echo.
   */
  private Map<String, String> provokeErrors(String internalSecret, String webhookSecret)
      throws Exception {
    Map<String, String> bodies = new LinkedHashMap<>();
    String existingRunner = runnerIds.isEmpty() ? "rg-1-1" : runnerIds.get(0);
    String workflowJob =
        "{\"action\":\"queued\",\"workflow_job\":{\"id\":1,\"run_id\":1,\"labels\":[\"self-hosted\"]},"
            + "\"repository\":{\"full_name\":\"octo-org/app\",\"private\":true}}";

    // webhook-gateway
    expect4xx(
        bodies,
        "gateway bad signature",
        stack.post(
            "webhook-gateway",
            "/webhook",
            workflowJob,
            "X-GitHub-Event",
            "workflow_job",
            "X-GitHub-Delivery",
            "11111111-1111-1111-1111-111111111111",
            "X-Hub-Signature-256",
            "sha256=" + "0".repeat(64)));
    expect4xx(
        bodies,
        "gateway no signature",
        stack.post(
            "webhook-gateway",
            "/webhook",
            workflowJob,
            "X-GitHub-Event",
            "workflow_job",
            "X-GitHub-Delivery",
            "22222222-2222-2222-2222-222222222222"));
    expect4xx(
        bodies,
        "gateway secret as signature",
        stack.post(
            "webhook-gateway",
            "/webhook",
            workflowJob,
            "X-GitHub-Event",
            "workflow_job",
            "X-GitHub-Delivery",
            "33333333-3333-3333-3333-333333333333",
            "X-Hub-Signature-256",
            "sha256=" + webhookSecret));
    String garbage = "{\"action\":\"queued\",\"workflow_job\":";
    expect4xx(
        bodies,
        "gateway signed malformed JSON",
        stack.post(
            "webhook-gateway",
            "/webhook",
            garbage,
            "X-GitHub-Event",
            "workflow_job",
            "X-GitHub-Delivery",
            "44444444-4444-4444-4444-444444444444",
            "X-Hub-Signature-256",
            "sha256=" + hmacHex(webhookSecret, garbage)));

    // runner-orchestrator
    expect4xx(
        bodies,
        "orchestrator unknown runner",
        stack.get("runner-orchestrator", "/api/v1/runners/rg-0-0"));
    expect4xx(
        bodies,
        "orchestrator bad state",
        stack.get("runner-orchestrator", "/api/v1/runners?state=BOGUS"));
    expect4xx(
        bodies,
        "orchestrator bad job",
        stack.get("runner-orchestrator", "/api/v1/runners?job=abc"));
    expect4xx(
        bodies,
        "orchestrator quarantine without reason",
        stack.post(
            "runner-orchestrator", "/api/v1/runners/" + existingRunner + "/quarantine", "{}"));
    expect4xx(
        bodies,
        "orchestrator quarantine not JSON",
        stack.post(
            "runner-orchestrator",
            "/api/v1/runners/" + existingRunner + "/quarantine",
            "not json"));
    expect4xx(
        bodies,
        "orchestrator quarantine unknown runner",
        stack.post(
            "runner-orchestrator", "/api/v1/runners/rg-0-0/quarantine", "{\"reason\":\"test\"}"));

    // token-service: unauthenticated, the raw secret as a token, a token signed with another
    // secret, and authenticated bad input.
    String jit =
        "{\"org\":\"octo-org\",\"runnerName\":\"leak-probe\",\"runnerGroupId\":2,\"labels\":[\"self-hosted\"]}";
    expect4xx(
        bodies, "token-service no auth", stack.post("token-service", "/internal/v1/jit", jit));
    expect4xx(
        bodies,
        "token-service raw secret as bearer",
        stack.post(
            "token-service", "/internal/v1/jit", jit, "Authorization", "Bearer " + internalSecret));
    expect4xx(
        bodies,
        "token-service token of another secret",
        stack.post(
            "token-service",
            "/internal/v1/jit",
            jit,
            "Authorization",
            "Bearer " + serviceToken("x".repeat(40) + internalSecret.substring(0, 8))));
    String token = "Bearer " + serviceToken(internalSecret);
    expect4xx(
        bodies,
        "token-service unknown org",
        stack.post(
            "token-service",
            "/internal/v1/jit",
            "{\"org\":\"no-such-org\",\"runnerName\":\"leak-probe\",\"runnerGroupId\":2,\"labels\":[\"self-hosted\"]}",
            "Authorization",
            token));
    expect4xx(
        bodies,
        "token-service empty labels",
        stack.post(
            "token-service",
            "/internal/v1/jit",
            "{\"org\":\"octo-org\",\"runnerName\":\"leak-probe\",\"runnerGroupId\":2,\"labels\":[]}",
            "Authorization",
            token));
    expect4xx(
        bodies,
        "token-service bad runner name",
        stack.post(
            "token-service",
            "/internal/v1/jit",
            "{\"org\":\"octo-org\",\"runnerName\":\"bad name/..\",\"runnerGroupId\":2,\"labels\":[\"self-hosted\"]}",
            "Authorization",
            token));
    expect4xx(
        bodies,
        "token-service delete unknown registration",
        PlatformStack.send(
            HttpRequest.newBuilder(
                    URI.create(
                        stack.url("token-service")
                            + "/internal/v1/orgs/octo-org/runners/999999999"))
                .header("Authorization", token)
                .DELETE()));
    expect4xx(
        bodies,
        "token-service job status of unknown job",
        PlatformStack.send(
            HttpRequest.newBuilder(
                    URI.create(
                        stack.url("token-service") + "/internal/v1/repos/octo-org/app/jobs/1"))
                .header("Authorization", token)));

    // audit-ingest and policy-service
    expect4xx(
        bodies, "audit bad severity", stack.get("audit-ingest", "/api/v1/findings?severity=bogus"));
    expect4xx(bodies, "audit bad job id", stack.get("audit-ingest", "/api/v1/jobs/abc"));
    expect4xx(
        bodies,
        "policy test garbage",
        stack.post("policy-service", "/api/v1/policy/test", "{\"nope\":"));
    System.out.println("PlatformE2E: provoked " + bodies.size() + " error answers");
    return bodies;
  }

  private static void expect4xx(Map<String, String> bodies, String what, HttpResponse<String> r) {
    bodies.put(what + " (" + r.statusCode() + ")", r.body() + "\n" + r.headers().map());
    assertThat(r.statusCode()).as(what + ": " + r.body()).isBetween(400, 499);
  }

  private static String hmacHex(String secret, String body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
  }

  /** An HS256 service token as the orchestrator makes them (token-service README). */
  private static String serviceToken(String secret) throws Exception {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    long now = Instant.now().getEpochSecond();
    String header =
        b64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
    String claims =
        b64.encodeToString(
            ("{\"iss\":\"runner-orchestrator\",\"aud\":\"token-service\",\"iat\":"
                    + now
                    + ",\"exp\":"
                    + (now + 120)
                    + "}")
                .getBytes(StandardCharsets.UTF_8));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    String sig =
        b64.encodeToString(
            mac.doFinal((header + "." + claims).getBytes(StandardCharsets.US_ASCII)));
    return header + "." + claims + "." + sig;
  }

  // ----------------------------------------------------------------------------- helpers

  private JsonNode awaitRunnerState(String runnerId, String state) throws InterruptedException {
    return await(
        runnerId + " " + state + " in the orchestrator",
        JOB_TIMEOUT,
        probe(
            () -> {
              JsonNode r = PlatformStack.runnerAt(stack.port("runner-orchestrator"), runnerId);
              return r != null && state.equals(r.path("state").asText()) ? r : null;
            }));
  }

  private static Map<String, String> timestamps(JsonNode runner) {
    Map<String, String> out = new LinkedHashMap<>();
    runner
        .path("timestamps")
        .fields()
        .forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
    return out;
  }

  private static void assertInOrder(JsonNode runner, List<String> states) {
    Map<String, String> ts = timestamps(runner);
    Instant previous = Instant.EPOCH;
    for (String s : states) {
      Instant t = Instant.parse(ts.get(s));
      assertThat(t).as(s + " not before the state it follows: " + ts).isAfterOrEqualTo(previous);
      previous = t;
    }
  }
}
