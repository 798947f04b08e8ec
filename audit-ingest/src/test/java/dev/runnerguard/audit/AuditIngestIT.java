package dev.runnerguard.audit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.notNullValue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runnerguard.audit.ocsf.OcsfDefinitions;
import dev.runnerguard.schemas.ConsumingChannel;
import dev.runnerguard.schemas.Topics;
import dev.runnerguard.schemas.serde.EventCodec;
import dev.runnerguard.testing.KafkaTestResource;
import dev.runnerguard.testing.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * audit-ingest against the real broker and real PostgreSQL: every record type stored, normalised,
 * chained and forwarded to audit.ocsf; redeliveries stored once; poison records dead-lettered (and
 * stored as dead-lettered events) while consumption goes on; the API; tampering found.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(PostgresTestResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AuditIngestIT {

  private static final String RUNNER = "r-it-" + UUID.randomUUID().toString().substring(0, 8);
  private static final long JOB = 900_000L + (System.nanoTime() % 100_000);
  private static final Samples SAMPLES = new Samples(RUNNER, JOB);
  private static final List<Samples.Sample> RECORDS = SAMPLES.all();

  /** Provider events that are consumed but not stored (periodic): counted only. */
  private static final List<dev.runnerguard.schemas.avro.ProviderEvent> NOT_STORED =
      List.of(
          SAMPLES.providerEvent(dev.runnerguard.schemas.avro.ProviderEventKind.INVENTORY),
          SAMPLES.providerEvent(dev.runnerguard.schemas.avro.ProviderEventKind.TICK));

  private static final String FALCO_UUID = UUID.randomUUID().toString();
  private static final ObjectMapper JSON = new ObjectMapper();

  @Inject DataSource dataSource;

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrap;

  private KafkaProducer<String, byte[]> producer() {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static byte[] encode(SpecificRecord r) {
    return ((EventCodec) EventCodec.of(r.getClass())).encode(r);
  }

  private static String eventId(SpecificRecord r) {
    return ((dev.runnerguard.schemas.avro.EventMetadata)
            ((org.apache.avro.generic.GenericRecord) r).get("metadata"))
        .getEventId();
  }

  private void produceAll() throws Exception {
    try (KafkaProducer<String, byte[]> p = producer()) {
      // before the provider samples, on their partition (same key): processed before they are
      for (var e : NOT_STORED) {
        p.send(
                new ProducerRecord<>(
                    Topics.RUNNER_PROVIDER_EVENT.topicName(), e.getRunnerId(), encode(e)))
            .get();
      }
      for (Samples.Sample s : RECORDS) {
        p.send(new ProducerRecord<>(s.topic().topicName(), RUNNER, encode(s.record()))).get();
      }
      p.send(
              new ProducerRecord<>(
                  Topics.FALCO_EVENTS.topicName(),
                  null,
                  SAMPLES.falcoJson(FALCO_UUID).getBytes(StandardCharsets.UTF_8)))
          .get();
    }
  }

  private Set<String> allIds() {
    Set<String> ids = new HashSet<>();
    RECORDS.forEach(s -> ids.add(eventId(s.record())));
    ids.add(FALCO_UUID);
    return ids;
  }

  private Map<String, Integer> storedCounts(Set<String> ids) throws SQLException {
    Map<String, Integer> counts = new HashMap<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT event_id, count(*) FROM audit_event WHERE event_id = ANY(?) GROUP BY 1")) {
      ps.setArray(1, c.createArrayOf("text", ids.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          counts.put(rs.getString(1), rs.getInt(2));
        }
      }
    }
    return counts;
  }

  private static void await(String what, Duration timeout, BooleanSupplier condition)
      throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      if (condition.getAsBoolean()) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("timed out waiting for " + what);
  }

  private BooleanSupplier stored(Set<String> ids) {
    return () -> {
      try {
        return storedCounts(ids).size() == ids.size();
      } catch (SQLException e) {
        return false;
      }
    };
  }

  @Test
  @Order(1)
  void everyRecordTypeIsStoredNormalisedChainedAndForwarded() throws Exception {
    produceAll();
    Set<String> ids = allIds();
    await("all 15 events stored", Duration.ofSeconds(90), stored(ids));

    Map<String, Integer> classes = new HashMap<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT event_id, class_uid, ocsf::text, runner_id FROM audit_event WHERE event_id = ANY(?)")) {
      ps.setArray(1, c.createArrayOf("text", ids.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          classes.put(rs.getString(1), rs.getInt(2));
          assertThat(OcsfDefinitions.violations(JSON.readTree(rs.getString(3))))
              .as(rs.getString(3))
              .isEmpty();
        }
      }
    }
    assertThat(new HashSet<>(classes.values()))
        .containsExactlyInAnyOrder(1001, 1007, 2004, 3004, 4001, 6003);

    // runner.provider-event: both samples stored as Entity Management on the runner and its job,
    // the periodic kinds (sent first, on the same partition) consumed but not stored
    Set<String> providerIds = new HashSet<>();
    RECORDS.stream()
        .filter(s -> s.topic() == Topics.RUNNER_PROVIDER_EVENT)
        .forEach(s -> providerIds.add(eventId(s.record())));
    assertThat(providerIds).hasSize(2);
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT class_uid, runner_id, job_id, topic, ocsf->>'activity_name'"
                    + " FROM audit_event WHERE event_id = ANY(?)")) {
      ps.setArray(1, c.createArrayOf("text", providerIds.toArray()));
      Set<String> activities = new HashSet<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          assertThat(rs.getInt(1)).isEqualTo(3004);
          assertThat(rs.getString(2)).isEqualTo(RUNNER);
          assertThat(rs.getLong(3)).isEqualTo(JOB);
          assertThat(rs.getString(4)).isEqualTo(Topics.RUNNER_PROVIDER_EVENT.topicName());
          activities.add(rs.getString(5));
        }
      }
      assertThat(activities).containsExactlyInAnyOrder("Create", "Network Cut");
    }
    Set<String> notStoredIds = new HashSet<>();
    NOT_STORED.forEach(e -> notStoredIds.add(e.getMetadata().getEventId()));
    assertThat(storedCounts(notStoredIds)).isEmpty();

    given()
        .get("/api/v1/audit/verify")
        .then()
        .statusCode(200)
        .body("ok", equalTo(true))
        .body("checked", greaterThanOrEqualTo(15))
        .body("firstBroken", equalTo(null));

    Set<String> onTopic = new HashSet<>();
    Properties cp = new Properties();
    cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    cp.put(ConsumerConfig.GROUP_ID_CONFIG, "audit-it-" + UUID.randomUUID());
    cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(cp, new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of(Topics.AUDIT_OCSF.topicName()));
      long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (!onTopic.containsAll(ids) && System.nanoTime() < end) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
          if (ids.contains(r.key())) {
            assertThat(JSON.readTree(r.value()).at("/metadata/uid").asText()).isEqualTo(r.key());
            onTopic.add(r.key());
          }
        }
      }
    }
    assertThat(onTopic).containsExactlyInAnyOrderElementsOf(ids);
    given()
        .accept("text/plain")
        .get("/q/metrics")
        .then()
        .statusCode(200)
        .body(containsString("runnerguard_audit_events_stored_total"))
        .body(containsString("runnerguard_audit_sink_lag"))
        .body(containsString("runnerguard_audit_provider_events_skipped_total{kind=\"INVENTORY\""))
        .body(containsString("runnerguard_audit_provider_events_skipped_total{kind=\"TICK\""));
  }

  @Test
  @Order(2)
  void redeliveredRecordsAreNotStoredTwice() throws Exception {
    produceAll();
    // a fresh record after the redeliveries: once it is stored, the redeliveries were processed
    var marker = SAMPLES.lifecycle(dev.runnerguard.schemas.avro.RunnerState.DESTROYED);
    try (KafkaProducer<String, byte[]> p = producer()) {
      p.send(new ProducerRecord<>(Topics.RUNNER_LIFECYCLE.topicName(), RUNNER, encode(marker)))
          .get();
    }
    await("marker stored", Duration.ofSeconds(60), stored(Set.of(eventId(marker))));
    // other channels run on their own; give them the same time the marker took, then check
    Thread.sleep(3000);
    assertThat(storedCounts(allIds()).values()).allMatch(n -> n == 1).hasSize(15);
    given().get("/api/v1/audit/verify").then().statusCode(200).body("ok", equalTo(true));
    given()
        .accept("text/plain")
        .get("/q/metrics")
        .then()
        .body(containsString("runnerguard_audit_events_duplicates_total"));
  }

  @Test
  @Order(3)
  void poisonRecordsAreDeadLetteredStoredAsSuchAndConsumptionGoesOn() throws Exception {
    byte[] garbage = ("not avro " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
    byte[] providerGarbage =
        ("not a provider event " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
    var after = SAMPLES.lifecycle(dev.runnerguard.schemas.avro.RunnerState.COMPLETED);
    var providerAfter =
        SAMPLES.providerEvent(dev.runnerguard.schemas.avro.ProviderEventKind.DESTROYED);
    try (KafkaProducer<String, byte[]> p = producer()) {
      p.send(new ProducerRecord<>(Topics.RUNNER_LIFECYCLE.topicName(), RUNNER, garbage)).get();
      p.send(
              new ProducerRecord<>(
                  Topics.RUNNER_PROVIDER_EVENT.topicName(), RUNNER, providerGarbage))
          .get();
      p.send(
              new ProducerRecord<>(
                  Topics.RUNNER_PROVIDER_EVENT.topicName(), RUNNER, encode(providerAfter)))
          .get();
      p.send(
              new ProducerRecord<>(
                  Topics.FALCO_EVENTS.topicName(),
                  null,
                  "{not json".getBytes(StandardCharsets.UTF_8)))
          .get();
      p.send(new ProducerRecord<>(Topics.RUNNER_LIFECYCLE.topicName(), RUNNER, encode(after)))
          .get();
    }
    await(
        "records after the poison stored",
        Duration.ofSeconds(60),
        stored(Set.of(eventId(after), eventId(providerAfter))));

    awaitDeadLettered(ConsumingChannel.AUDIT_RUNNER_LIFECYCLE.deadLetterTopic(), garbage);
    assertThat(ConsumingChannel.AUDIT_RUNNER_PROVIDER_EVENT.deadLetterTopic())
        .isEqualTo("runner.provider-event.dlt.audit-runner-provider-event");
    awaitDeadLettered(
        ConsumingChannel.AUDIT_RUNNER_PROVIDER_EVENT.deadLetterTopic(), providerGarbage);
    await(
        "bad falco JSON dead-lettered",
        Duration.ofSeconds(90),
        () -> {
          try (Connection c = dataSource.getConnection();
              PreparedStatement ps =
                  c.prepareStatement(
                      "SELECT count(*) FROM audit_event WHERE dead_lettered AND topic = ?")) {
            ps.setString(1, ConsumingChannel.AUDIT_FALCO_EVENTS.deadLetterTopic());
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next() && rs.getInt(1) >= 1;
            }
          } catch (SQLException e) {
            return false;
          }
        });
    given().get("/api/v1/audit/verify").then().statusCode(200).body("ok", equalTo(true));
  }

  /** Waits until the poison record is stored, once, as a dead-lettered event from its topic. */
  private void awaitDeadLettered(String dlt, byte[] poison) throws InterruptedException {
    String encoded = java.util.Base64.getEncoder().encodeToString(poison);
    await(
        "poison stored as a dead-lettered event from " + dlt,
        Duration.ofSeconds(90),
        () -> {
          try (Connection c = dataSource.getConnection();
              PreparedStatement ps =
                  c.prepareStatement(
                      "SELECT count(*) FROM audit_event WHERE dead_lettered AND topic = ?"
                          + " AND ocsf->>'raw_data' = ?")) {
            ps.setString(1, dlt);
            ps.setString(2, encoded);
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next() && rs.getInt(1) == 1;
            }
          } catch (SQLException e) {
            return false;
          }
        });
  }

  @Test
  @Order(4)
  void apiAnswersTimelinesJobsAndFindingsAndRejectsBadInput() {
    given()
        .get("/api/v1/runners/" + RUNNER + "/timeline")
        .then()
        .statusCode(200)
        .body("runnerId", equalTo(RUNNER))
        .body("events.size()", greaterThanOrEqualTo(10))
        .body("events[0].ocsf.metadata.version", equalTo("1.1.0"));
    given()
        .get("/api/v1/jobs/" + JOB)
        .then()
        .statusCode(200)
        .body("jobId", equalTo((int) JOB))
        .body("events.size()", greaterThanOrEqualTo(5));
    given().get("/api/v1/jobs/1").then().statusCode(404).body("error", notNullValue());
    given()
        .queryParam("severity", "critical")
        .queryParam("since", "2025-01-01T00:00:00Z")
        .get("/api/v1/findings")
        .then()
        .statusCode(200)
        .body(
            "findings.findAll { it.ocsf.finding_info.title == 'Nested runner agent started' }.size()",
            greaterThanOrEqualTo(1))
        .body("findings.every { it.severityId >= 5 }", equalTo(true));
    given()
        .queryParam("since", "4102444800000")
        .get("/api/v1/findings")
        .then()
        .statusCode(200)
        .body("findings.size()", equalTo(0));

    given()
        .queryParam("severity", "urgent")
        .get("/api/v1/findings")
        .then()
        .statusCode(400)
        .body("parameter", equalTo("severity"))
        .body("error", notNullValue());
    given()
        .queryParam("since", "last tuesday")
        .get("/api/v1/findings")
        .then()
        .statusCode(400)
        .body("parameter", equalTo("since"));
    given().get("/api/v1/jobs/abc").then().statusCode(400).body("parameter", equalTo("id"));
    given()
        .queryParam("limit", "0")
        .get("/api/v1/runners/x/timeline")
        .then()
        .statusCode(400)
        .body("parameter", equalTo("limit"));
  }

  @Test
  @Order(5)
  void tamperingWithOneRowIsFoundAtExactlyThatRow() throws Exception {
    long seq;
    String eventId;
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT seq, event_id FROM audit_event WHERE class_uid = 2004 ORDER BY seq LIMIT 1")) {
      assertThat(rs.next()).isTrue();
      seq = rs.getLong(1);
      eventId = rs.getString(2);
    }
    // the append-only trigger refuses an ordinary UPDATE and DELETE
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      assertThatThrownBy(
              () -> s.executeUpdate("UPDATE audit_event SET severity_id = 1 WHERE seq = " + seq))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("append-only");
      assertThatThrownBy(() -> s.executeUpdate("DELETE FROM audit_event WHERE seq = " + seq))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("append-only");
    }
    // a superuser who switches triggers off can still change a row: verify names it
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      s.execute("SET LOCAL session_replication_role = replica");
      int n =
          s.executeUpdate(
              "UPDATE audit_event SET ocsf = jsonb_set(ocsf::jsonb, '{severity_id}', '1')::json"
                  + " WHERE seq = "
                  + seq);
      assertThat(n).isEqualTo(1);
      c.commit();
      c.setAutoCommit(true);
    }
    given()
        .get("/api/v1/audit/verify")
        .then()
        .statusCode(200)
        .body("ok", equalTo(false))
        .body("firstBroken.seq", equalTo((int) seq))
        .body("firstBroken.eventId", equalTo(eventId));
  }
}
