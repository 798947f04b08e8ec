package dev.runnerguard.policy.detection;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runnerguard.policy.detection.falco.FalcoFixtures;
import dev.runnerguard.policy.load.PolicyFile;
import dev.runnerguard.policy.load.PolicyLoader;
import dev.runnerguard.schemas.avro.CommandType;
import dev.runnerguard.schemas.avro.Finding;
import dev.runnerguard.schemas.avro.FindingAction;
import dev.runnerguard.schemas.avro.NetworkInfo;
import dev.runnerguard.schemas.avro.RunnerCommand;
import dev.runnerguard.schemas.avro.SecuritySignal;
import dev.runnerguard.schemas.serde.EventCodec;
import dev.runnerguard.testing.KafkaTestBroker;
import dev.runnerguard.testing.KafkaTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
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
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
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
 * Real broker: signals and falcosidekick JSON in, findings and quarantine commands out, each once;
 * poison records dead-lettered while consumption goes on; a detection policy change on disk takes
 * effect, a broken one does not. Completion is observed through a later input of the same runner
 * (same partition, processed in order), never through a timed assertion.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@TestProfile(DetectionIT.TempPolicies.class)
class DetectionIT {
  static final Path DIR = Path.of("target/detection-it-policies").toAbsolutePath();
  static final Duration WAIT = Duration.ofSeconds(30);
  static final String ADMISSION =
      """
      apiVersion: runnerguard.dev/v1
      kind: AdmissionPolicy
      allow: {organizations: ["*"]}
      rules:
        - id: private-sandbox
          action: admit
          match: {labels: [self-hosted]}
          runner: {provider: local-sandbox, isolation: SANDBOX, egress: ["localhost:8080"]}
      """;

  static String detection(boolean survivedAudit) {
    return """
        apiVersion: runnerguard.dev/v1
        kind: DetectionPolicy
        detection:
          rules:
            - {id: process-survived-job, response: quarantine, audit: %s}
            - {id: egress-outside-allowlist, threshold: 3, windowSeconds: 60}
        """
        .formatted(survivedAudit);
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
        Files.writeString(DIR.resolve("admission.yaml"), ADMISSION);
        Files.writeString(DIR.resolve("detection.yaml"), detection(false));
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

  final EventCodec<SecuritySignal> signals = EventCodec.of(SecuritySignal.class);
  final EventCodec<Finding> findings = EventCodec.of(Finding.class);
  final EventCodec<RunnerCommand> commands = EventCodec.of(RunnerCommand.class);

  static String runner() {
    return "rg-" + ThreadLocalRandom.current().nextLong(1_000_000, 9_000_000_000L) + "-1";
  }

  @Test
  void signalInQuarantineCommandOutAndDuplicatesGiveNothingNew() throws Exception {
    String runner = runner();
    SecuritySignal nested =
        Inputs.signal(UUID.randomUUID().toString(), "process.nested-runner", runner, 0)
            .setProcess(Inputs.process("/tmp/r/bin/Runner.Listener", "./bin/Runner.Listener run"))
            .build();
    produce("runner.signal", runner, signals.encode(nested));
    produce("runner.signal", runner, signals.encode(nested)); // delivered twice
    // a later signal of the same runner (same partition, processed after both copies)
    SecuritySignal sentinel =
        Inputs.signal(UUID.randomUUID().toString(), "file.read", runner, 10)
            .setFilePath("/etc/shadow")
            .build();
    produce("runner.signal", runner, signals.encode(sentinel));

    List<Finding> found =
        decode(findings, read("runner.finding", runner, recs -> recs.size() >= 2));
    assertThat(found)
        .extracting(Finding::getRuleId)
        .containsExactly("nested-runner-agent", "credential-harvesting");
    Finding f = found.get(0);
    assertThat(f.getSignalIds()).containsExactly(nested.getSignalId());
    assertThat(f.getAction()).isEqualTo(FindingAction.QUARANTINE);
    assertThat(f.getAuditMode()).isFalse();
    assertThat(f.getPolicyVersion()).isEqualTo(versionOnDisk());
    assertThat(f.getAttributes()).containsEntry("process.commandLine", "./bin/Runner.Listener run");
    assertThat(found.get(1).getAction()).isEqualTo(FindingAction.ALERT);

    List<RunnerCommand> cmds =
        decode(commands, read("runner.command", runner, recs -> recs.size() >= 1));
    assertThat(cmds).hasSize(1);
    RunnerCommand c = cmds.get(0);
    assertThat(c.getCommand()).isEqualTo(CommandType.QUARANTINE);
    assertThat(c.getRunnerId()).isEqualTo(runner);
    assertThat(c.getFindingId()).isEqualTo(f.getFindingId());
    assertThat(c.getRequestedBy()).isEqualTo("policy-service");
    assertThat(c.getCommandId()).isEqualTo(Ids.commandId(f.getFindingId()));
  }

  @Test
  void egressDenialsInAWindowQuarantineAndTheWindowIsInTheStateTopic() throws Exception {
    String runner = runner();
    for (int i = 0; i < 2; i++) {
      produce("runner.signal", runner, signals.encode(denial(runner, i)));
    }
    // two denials: state on the compacted topic, no finding yet
    List<ConsumerRecord<String, byte[]>> state =
        read(
            "policy-service.detection-state",
            runner,
            recs ->
                !recs.isEmpty()
                    && json(recs.get(recs.size() - 1)).path("egressDenials").size() == 2);
    assertThat(json(state.get(state.size() - 1)).path("egressDenials")).hasSize(2);
    produce("runner.signal", runner, signals.encode(denial(runner, 2)));
    List<RunnerCommand> cmds = decode(commands, read("runner.command", runner, r -> !r.isEmpty()));
    assertThat(cmds).hasSize(1);
    Finding f = decode(findings, read("runner.finding", runner, r -> !r.isEmpty())).get(0);
    assertThat(f.getRuleId()).isEqualTo("egress-outside-allowlist");
    assertThat(f.getSignalIds()).hasSize(3);
    assertThat(f.getAttributes()).containsEntry("count", "3").containsKey("destinations");
  }

  @Test
  void falcosidekickJsonInFindingsOutPoisonDeadLettered() throws Exception {
    // everything on partition 0, so the poison record comes before the valid ones
    produce("falco.events", 0, null, "{not json".getBytes(StandardCharsets.UTF_8));
    for (String fixture : FalcoFixtures.ALL) {
      produce("falco.events", 0, null, FalcoFixtures.bytes(fixture));
    }
    produce(
        "falco.events", 0, null, FalcoFixtures.bytes("miner-pool-port.json")); // same uuid again
    String sentinel = UUID.randomUUID().toString();
    produce(
        "falco.events",
        0,
        null,
        new String(FalcoFixtures.bytes("syscall-drops.json"), StandardCharsets.UTF_8)
            .replace("d7d7d7d7-1111-4222-8333-444455556666", sentinel)
            .getBytes(StandardCharsets.UTF_8));
    // the sentinel's finding means everything before it on partition 0 was judged
    read(
        "runner.finding",
        "-",
        r -> decode(findings, r).stream().anyMatch(f -> f.getSignalIds().contains(sentinel)));
    Finding shadow =
        decode(findings, read("runner.finding", "rg-9003-1", r -> !r.isEmpty())).get(0);
    assertThat(shadow.getRuleId()).isEqualTo("credential-harvesting");
    assertThat(shadow.getSignalIds()).containsExactly("0c9b8a7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d");
    assertThat(shadow.getAttributes()).containsEntry("filePath", "/etc/shadow");
    List<ConsumerRecord<String, byte[]>> dlt =
        read("falco.events.dlt.detection-falco", null, r -> !r.isEmpty());
    assertThat(new String(dlt.get(0).value(), StandardCharsets.UTF_8)).isEqualTo("{not json");

    assertThat(decode(findings, read("runner.finding", "rg-9001-1", r -> !r.isEmpty())))
        .extracting(Finding::getRuleId)
        .containsExactly("crypto-miner");
    assertThat(decode(commands, read("runner.command", "rg-9001-1", r -> !r.isEmpty()))).hasSize(1);
    Finding nested =
        decode(findings, read("runner.finding", "rg-9002-1", r -> !r.isEmpty())).get(0);
    assertThat(nested.getRuleId()).isEqualTo("nested-runner-agent");
    assertThat(nested.toString()).doesNotContain("AAAABBBBCCCCDDDD");
    assertThat(decode(findings, read("runner.finding", "rg-9004-1", r -> !r.isEmpty())))
        .extracting(Finding::getRuleId)
        .containsExactly("cloud-metadata-access");
    assertThat(decode(findings, read("runner.finding", "rg-9005-1", r -> !r.isEmpty())))
        .extracting(Finding::getRuleId)
        .contains("reverse-shell"); // port 4444 is also a mining pool port: crypto-miner too
    assertThat(decode(findings, read("runner.finding", "-", r -> r.size() >= 2)))
        .extracting(Finding::getRuleId)
        .containsOnly("telemetry-gap");
  }

  @Test
  void poisonSignalIsDeadLetteredAndTheNextIsJudged() throws Exception {
    String runner = runner();
    produce("runner.signal", runner, new byte[] {1, 2, 3});
    produce(
        "runner.signal",
        runner,
        signals.encode(
            Inputs.signal(UUID.randomUUID().toString(), "process.survived", runner, 0).build()));
    assertThat(decode(commands, read("runner.command", runner, r -> !r.isEmpty()))).hasSize(1);
    assertThat(read("runner.signal.dlt.detection-signal", runner, r -> !r.isEmpty()))
        .first()
        .satisfies(r -> assertThat(r.value()).containsExactly(1, 2, 3));
  }

  @Test
  void detectionPolicyChangeTakesEffectBrokenOneDoesNot() throws Exception {
    try {
      Files.writeString(DIR.resolve("detection.yaml"), detection(true));
      awaitActive(versionOnDisk());
      String runner = runner();
      SecuritySignal survived =
          Inputs.signal(UUID.randomUUID().toString(), "process.survived", runner, 0).build();
      produce("runner.signal", runner, signals.encode(survived));
      produce("runner.signal", runner, signals.encode(nestedSignal(runner)));
      List<Finding> found = decode(findings, read("runner.finding", runner, r -> r.size() >= 2));
      assertThat(found.get(0).getRuleId()).isEqualTo("process-survived-job");
      assertThat(found.get(0).getAuditMode()).isTrue();
      List<RunnerCommand> cmds =
          decode(commands, read("runner.command", runner, r -> !r.isEmpty()));
      assertThat(cmds).hasSize(1);
      assertThat(cmds.get(0).getFindingId()).isEqualTo(found.get(1).getFindingId());

      // a broken detection file is rejected, the audit-mode version stays active
      String good = versionOnDisk();
      double rejected = rejectedReloads();
      Files.writeString(
          DIR.resolve("detection.yaml"), detection(false).replace("threshold: 3", "threshold: 0"));
      long deadline = System.currentTimeMillis() + WAIT.toMillis();
      while (rejectedReloads() <= rejected && System.currentTimeMillis() < deadline) {
        Thread.sleep(100);
      }
      assertThat(rejectedReloads()).isGreaterThan(rejected);
      String runner2 = runner();
      produce(
          "runner.signal",
          runner2,
          signals.encode(
              Inputs.signal(UUID.randomUUID().toString(), "process.survived", runner2, 0).build()));
      produce("runner.signal", runner2, signals.encode(nestedSignal(runner2)));
      List<Finding> found2 = decode(findings, read("runner.finding", runner2, r -> r.size() >= 2));
      assertThat(found2.get(0).getAuditMode()).isTrue();
      assertThat(found2.get(0).getPolicyVersion()).isEqualTo(good);
      assertThat(given().get("/q/health/ready").asString()).contains(good);
    } finally {
      Files.writeString(DIR.resolve("detection.yaml"), detection(false));
      awaitActive(versionOnDisk());
    }
  }

  static SecuritySignal nestedSignal(String runner) {
    return Inputs.signal(UUID.randomUUID().toString(), "process.nested-runner", runner, 5)
        .setProcess(Inputs.process("/tmp/Runner.Listener", "Runner.Listener run"))
        .build();
  }

  static SecuritySignal denial(String runner, int i) {
    return Inputs.signal(UUID.randomUUID().toString(), "net.egress.denied", runner, i * 1000L)
        .setNetwork(
            NetworkInfo.newBuilder()
                .setProtocol("tcp")
                .setDestinationAddress("203.0.113." + (10 + i))
                .setDestinationPort(443)
                .build())
        .build();
  }

  static JsonNode json(ConsumerRecord<String, byte[]> r) {
    try {
      return new ObjectMapper().readTree(r.value());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
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
    long deadline = System.currentTimeMillis() + WAIT.toMillis();
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

  <T extends org.apache.avro.specific.SpecificRecord> List<T> decode(
      EventCodec<T> codec, List<ConsumerRecord<String, byte[]>> records) {
    return records.stream().map(r -> codec.decode(r.value())).toList();
  }

  static void produce(String topic, String key, byte[] value) throws Exception {
    produce(topic, null, key, value);
  }

  static void produce(String topic, Integer partition, String key, byte[] value) throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestBroker.bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(topic, partition, key, value)).get();
    }
  }

  /**
   * Reads a topic from the beginning: the records with the key (any key when null), until {@code
   * done} holds for them or the wait ends (then returns what it found).
   */
  static List<ConsumerRecord<String, byte[]>> read(
      String topic, String key, Predicate<List<ConsumerRecord<String, byte[]>>> done) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestBroker.bootstrapServers());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    List<ConsumerRecord<String, byte[]>> found = new ArrayList<>();
    long deadline = System.currentTimeMillis() + WAIT.toMillis();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts = List.of();
      while (parts.isEmpty() && System.currentTimeMillis() < deadline) {
        var infos = consumer.partitionsFor(topic);
        parts =
            infos == null
                ? List.of()
                : infos.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
      }
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      while (System.currentTimeMillis() < deadline && !done.test(found)) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (key == null || key.equals(r.key())) {
            found.add(r);
          }
        }
      }
      if (done.test(found)) {
        // anything already written after what we waited for is read too
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          if (key == null || key.equals(r.key())) {
            found.add(r);
          }
        }
      }
    }
    return found;
  }
}
