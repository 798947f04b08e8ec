package dev.runnerguard.policy;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.runnerguard.policy.github.WorkflowJobPayloads;
import dev.runnerguard.policy.load.PolicyFile;
import dev.runnerguard.policy.load.PolicyLoader;
import dev.runnerguard.schemas.avro.AdmissionDecision;
import dev.runnerguard.schemas.avro.Decision;
import dev.runnerguard.schemas.avro.Isolation;
import dev.runnerguard.schemas.avro.WorkflowJobEvent;
import dev.runnerguard.schemas.serde.EventCodec;
import dev.runnerguard.testing.GitHubFixtures;
import dev.runnerguard.testing.KafkaTestBroker;
import dev.runnerguard.testing.KafkaTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Real broker: queued workflow_job records in, exactly one AdmissionDecision per (job, attempt)
 * out; a policy change on disk takes effect, a broken one does not.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@TestProfile(AdmissionIT.TempPolicies.class)
class AdmissionIT {
  static final Path DIR = Path.of("target/admission-it-policies").toAbsolutePath();

  static String policy(String egress) {
    return """
        apiVersion: runnerguard.dev/v1
        kind: AdmissionPolicy
        allow: {organizations: ["*"]}
        rules:
          - id: private-sandbox
            action: admit
            match: {labels: [self-hosted]}
            runner: {provider: local-sandbox, isolation: SANDBOX, egress: ["%s"]}
        """
        .formatted(egress);
  }

  /** Policies from a directory the test changes, polled every 200 ms. */
  public static class TempPolicies implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      try {
        Files.createDirectories(DIR);
        try (var s = Files.list(DIR)) {
          for (Path p : s.toList()) {
            Files.delete(p);
          }
        }
        Files.writeString(DIR.resolve("admission.yaml"), policy("localhost:8080"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return Map.of(
          "runnerguard.policy.directory",
          DIR.toString(),
          "runnerguard.policy.poll-interval",
          "200ms");
    }
  }

  final EventCodec<WorkflowJobEvent> jobs = EventCodec.of(WorkflowJobEvent.class);
  final EventCodec<AdmissionDecision> decisions = EventCodec.of(AdmissionDecision.class);

  @Test
  void decidesEachQueuedJobOnceAndFollowsPolicyChanges() throws Exception {
    String v1 = versionOnDisk();
    awaitActive(v1);

    // one queued job delivered three times, plus its in_progress event: one decision
    long jobId = ThreadLocalRandom.current().nextLong(1_000_000, Long.MAX_VALUE / 2);
    WorkflowJobEvent queued = job(jobId, "queued");
    for (int i = 0; i < 3; i++) {
      produce(queued);
    }
    produce(job(jobId, "in_progress"));
    List<ConsumerRecord<String, byte[]>> out = decisionsFor(jobId, Duration.ofSeconds(20), 1);
    Thread.sleep(2_000);
    out = decisionsFor(jobId, Duration.ofSeconds(3), 2);
    assertThat(out).hasSize(1);
    assertThat(out.get(0).key()).isEqualTo(Long.toString(jobId));
    assertThat(out.get(0).headers().lastHeader("rg-event-id")).isNotNull();
    AdmissionDecision d = decisions.decode(out.get(0).value());
    assertThat(d.getJobId()).isEqualTo(jobId);
    assertThat(d.getDecision()).isEqualTo(Decision.ADMIT);
    assertThat(d.getPolicyVersion()).isEqualTo(v1);
    assertThat(d.getRuleId()).isEqualTo("private-sandbox");
    assertThat(d.getRunnerSpec().getProvider()).isEqualTo("local-sandbox");
    assertThat(d.getRunnerSpec().getIsolation()).isEqualTo(Isolation.SANDBOX);
    assertThat(d.getRunnerSpec().getEgressAllowlist()).containsExactly("localhost:8080");
    assertThat(d.getMetadata().getCorrelation().getJobId()).isEqualTo(jobId);

    // a changed policy file takes effect without restart
    Files.writeString(DIR.resolve("admission.yaml"), policy("localhost:9999"));
    String v2 = versionOnDisk();
    awaitActive(v2);
    long job2 = jobId + 1;
    produce(job(job2, "queued"));
    AdmissionDecision d2 =
        decisions.decode(decisionsFor(job2, Duration.ofSeconds(20), 1).get(0).value());
    assertThat(d2.getPolicyVersion()).isEqualTo(v2);
    assertThat(d2.getRunnerSpec().getEgressAllowlist()).containsExactly("localhost:9999");

    // a broken file is rejected (counted) and the last good set stays active
    double rejectedBefore = rejectedReloads();
    Files.writeString(DIR.resolve("broken.yaml"), "rules: [unclosed\n");
    long deadline = System.currentTimeMillis() + 15_000;
    while (rejectedReloads() <= rejectedBefore && System.currentTimeMillis() < deadline) {
      Thread.sleep(100);
    }
    assertThat(rejectedReloads()).isGreaterThan(rejectedBefore);
    long job3 = jobId + 2;
    produce(job(job3, "queued"));
    AdmissionDecision d3 =
        decisions.decode(decisionsFor(job3, Duration.ofSeconds(20), 1).get(0).value());
    assertThat(d3.getPolicyVersion()).isEqualTo(v2);
    given().get("/q/health/ready").then().statusCode(200);
    Files.delete(DIR.resolve("broken.yaml"));
  }

  @Test
  void policyTestEndpointEvaluatesGivenFilesOrTheActiveSet() {
    String payload =
        new String(GitHubFixtures.payload("queued.payload.json"), StandardCharsets.UTF_8);
    given()
        .contentType(ContentType.JSON)
        .body("{\"payloads\": [" + payload + "]}")
        .post("/api/v1/policy/test")
        .then()
        .statusCode(200)
        .body("valid", org.hamcrest.Matchers.equalTo(true))
        .body("decisions[0].decision", org.hamcrest.Matchers.equalTo("DENY"))
        .body(
            "decisions[0].reason",
            org.hamcrest.Matchers.startsWith(
                "repository Codertocat/Hello-World is public and no rule allows public repositories"));
    given()
        .contentType(ContentType.JSON)
        .body(Map.of("files", Map.of("a.yaml", "rules: [x"), "payloads", List.of()))
        .post("/api/v1/policy/test")
        .then()
        .statusCode(422)
        .body("problems[0].file", org.hamcrest.Matchers.equalTo("a.yaml"))
        .body("problems[0].line", org.hamcrest.Matchers.equalTo(1));
  }

  static String versionOnDisk() throws IOException {
    List<PolicyFile> files = new ArrayList<>();
    try (var s = Files.list(DIR)) {
      for (Path p : s.sorted().toList()) {
        files.add(new PolicyFile(p.getFileName().toString(), Files.readAllBytes(p)));
      }
    }
    return PolicyLoader.version(files);
  }

  static void awaitActive(String version) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 15_000;
    String body = "";
    while (System.currentTimeMillis() < deadline) {
      body = given().get("/q/health/ready").asString();
      if (body.contains(version)) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("policy " + version + " never became active: " + body);
  }

  static double rejectedReloads() {
    for (String line : given().get("/q/metrics").asString().split("\n")) {
      if (line.startsWith("runnerguard_policy_reloads_total{")
          && line.contains("result=\"rejected\"")) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return 0;
  }

  static WorkflowJobEvent job(long jobId, String action) {
    WorkflowJobEvent parsed =
        WorkflowJobPayloads.parse(GitHubFixtures.payload("queued.payload.json"));
    parsed.setAction(action);
    parsed.setJobId(jobId);
    parsed.setRepositoryPrivate(true);
    parsed.setLabels(List.of("self-hosted"));
    return parsed;
  }

  void produce(WorkflowJobEvent event) throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestBroker.bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
      producer
          .send(
              new ProducerRecord<>(
                  "github.workflow-job", Long.toString(event.getJobId()), jobs.encode(event)))
          .get();
    }
  }

  /**
   * Reads runner.admission from the start until {@code atLeast} records of the job (or timeout).
   */
  static List<ConsumerRecord<String, byte[]>> decisionsFor(
      long jobId, Duration timeout, int atLeast) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestBroker.bootstrapServers());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    List<ConsumerRecord<String, byte[]>> found = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts =
          consumer.partitionsFor("runner.admission").stream()
              .map(i -> new TopicPartition(i.topic(), i.partition()))
              .toList();
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      long deadline = System.currentTimeMillis() + timeout.toMillis();
      while (System.currentTimeMillis() < deadline && found.size() < atLeast) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (Long.toString(jobId).equals(r.key())) {
            found.add(r);
          }
        }
      }
    }
    return found;
  }
}
