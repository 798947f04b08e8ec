package dev.runnerguard.orchestrator.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import dev.runnerguard.schemas.Topics;
import dev.runnerguard.schemas.avro.AdmissionDecision;
import dev.runnerguard.schemas.avro.CommandType;
import dev.runnerguard.schemas.avro.RunnerCommand;
import dev.runnerguard.schemas.serde.EventCodec;
import dev.runnerguard.schemas.serde.EventMetadataFactory;
import dev.runnerguard.testing.KafkaTestBroker;
import dev.runnerguard.testing.KafkaTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
 * {@code /api/v1/runners} of the packaged-like Quarkus app against the real broker: listing and
 * filters, bad input (clear 4xx JSON, nothing produced), and an operator quarantine that becomes a
 * {@code runner.command}. Runners come from admissions for the {@code dry-run} provider; no
 * token-service runs here, so they end FAILED (JIT refused) — enough for the API.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@TestProfile(RunnersApiIT.DryRun.class)
class RunnersApiIT {

  /** The dry-run provider on; no internal secret (token-service calls fail clearly). */
  public static class DryRun implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "runnerguard.orchestrator.dry-run-provider", "true",
          "runnerguard.orchestrator.tick-interval", "200ms");
    }
  }

  static final EventMetadataFactory MD = new EventMetadataFactory("api-it", "1");

  @Test
  void listsFiltersAndAnswersBadInputClearly() throws Exception {
    awaitReady();
    long job = 8_100_000_000L + (System.nanoTime() % 1_000_000);
    String id = "rg-" + job + "-1";
    admit(job);
    awaitRunner(id);

    given().get("/api/v1/runners").then().statusCode(200).body("id", hasItem(id));
    given()
        .get("/api/v1/runners?job=" + job)
        .then()
        .statusCode(200)
        .body("size()", equalTo(1))
        .body("[0].id", equalTo(id))
        .body("[0].provider", equalTo("dry-run"))
        .body("[0].repository", equalTo("octo-org/app"))
        .body("[0].runnerClass", equalTo("private-sandbox"));
    given()
        .get("/api/v1/runners?repository=other/repo")
        .then()
        .statusCode(200)
        .body("size()", equalTo(0));
    given()
        .get("/api/v1/runners/" + id)
        .then()
        .statusCode(200)
        .body("state", not(equalTo("UNKNOWN")));

    given()
        .get("/api/v1/runners?state=bogus")
        .then()
        .statusCode(400)
        .body("error", equalTo("bad_request"))
        .body("message", containsString("REQUESTED"));
    given()
        .get("/api/v1/runners?job=abc")
        .then()
        .statusCode(400)
        .body("error", equalTo("bad_request"));
    given()
        .get("/api/v1/runners/rg-0-1")
        .then()
        .statusCode(404)
        .body("error", equalTo("not_found"));
    given()
        .get("/api/v1/runners/%3Cscript%3E")
        .then()
        .statusCode(404)
        .body("message", not(containsString("<script>")));

    int before = commandsFor(id).size();
    given()
        .contentType("application/json")
        .body("{}")
        .post("/api/v1/runners/" + id + "/quarantine")
        .then()
        .statusCode(400)
        .body("message", containsString("reason"));
    given()
        .contentType("application/json")
        .body("[1]")
        .post("/api/v1/runners/" + id + "/quarantine")
        .then()
        .statusCode(400);
    given()
        .contentType("application/json")
        .body("{\"reason\": \"   \"}")
        .post("/api/v1/runners/" + id + "/quarantine")
        .then()
        .statusCode(400);
    given()
        .contentType("application/json")
        .body("{\"reason\": \"" + "x".repeat(501) + "\"}")
        .post("/api/v1/runners/" + id + "/quarantine")
        .then()
        .statusCode(400);
    given()
        .contentType("application/json")
        .body("{\"reason\": \"x\"}")
        .post("/api/v1/runners/rg-0-1/quarantine")
        .then()
        .statusCode(404);
    int malformed =
        given()
            .contentType("application/json")
            .body("{not json")
            .post("/api/v1/runners/" + id + "/quarantine")
            .then()
            .extract()
            .statusCode();
    assertThat(malformed).isEqualTo(400);
    assertThat(commandsFor(id)).hasSize(before);

    String commandId =
        given()
            .contentType("application/json")
            .body("{\"reason\": \"operator saw something\"}")
            .post("/api/v1/runners/" + id + "/quarantine")
            .then()
            .statusCode(202)
            .body("runnerId", equalTo(id))
            .extract()
            .path("commandId");
    List<RunnerCommand> commands = commandsFor(id);
    assertThat(commands).hasSize(before + 1);
    RunnerCommand c = commands.get(commands.size() - 1);
    assertThat(c.getCommandId()).isEqualTo(commandId);
    assertThat(c.getCommand()).isEqualTo(CommandType.QUARANTINE);
    assertThat(c.getRequestedBy()).isEqualTo("api");
    assertThat(c.getReason()).isEqualTo("operator saw something");
  }

  static void awaitReady() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (given().get("/q/health/ready").statusCode() != 200) {
      assertThat(System.nanoTime()).as("readiness").isLessThan(deadline);
      Thread.sleep(200);
    }
  }

  static void awaitRunner(String id) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (given().get("/api/v1/runners/" + id).statusCode() != 200) {
      assertThat(System.nanoTime()).as("runner " + id + " in the view").isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  static void admit(long job) throws Exception {
    AdmissionDecision d =
        dev.runnerguard.orchestrator.state.Inputs.admission(job, "dry-run", List.of());
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestBroker.bootstrapServers());
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
      producer
          .send(
              new ProducerRecord<>(
                  Topics.RUNNER_ADMISSION.topicName(),
                  Long.toString(job),
                  EventCodec.of(AdmissionDecision.class).encode(d)))
          .get(10, TimeUnit.SECONDS);
    }
  }

  static List<RunnerCommand> commandsFor(String id) {
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestBroker.bootstrapServers());
    List<RunnerCommand> out = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer())) {
      String topic = Topics.RUNNER_COMMAND.topicName();
      List<TopicPartition> parts =
          consumer.partitionsFor(topic).stream()
              .map(i -> new TopicPartition(topic, i.partition()))
              .toList();
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      Map<TopicPartition, Long> end = consumer.endOffsets(parts);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))
          && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (id.equals(r.key())) {
            out.add(EventCodec.of(RunnerCommand.class).decode(r.value()));
          }
        }
      }
    }
    return out;
  }
}
