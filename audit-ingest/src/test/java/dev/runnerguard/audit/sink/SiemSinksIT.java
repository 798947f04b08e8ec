package dev.runnerguard.audit.sink;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runnerguard.audit.Samples;
import dev.runnerguard.schemas.serde.EventCodec;
import dev.runnerguard.testing.KafkaTestResource;
import dev.runnerguard.testing.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The SIEM sinks against their destinations, with the real broker and real PostgreSQL:
 *
 * <ul>
 *   <li>Splunk HEC through {@link HecSimulator} (a simulator written from Splunk's documented HEC
 *       API, real HTTP on loopback): down while events are stored, then answering 403 (a rotated
 *       token: permanent), then back with slow indexer acknowledgements and one request the indexer
 *       loses; in the end every event is indexed, and meanwhile the other sinks kept going;
 *   <li>syslog RFC 5424 to two REAL rsyslogd instances ({@link RsyslogServer}): TCP with JSON and
 *       TLS (gtls driver, certificate generated here) with CEF, the messages parsed by rsyslog;
 *   <li>the HEC token never appears in the service's log, its health or its metrics.
 * </ul>
 *
 * Waits are bounded polls of the outcome; nothing asserts on elapsed time. The sink configuration
 * ({@link SiemSinksTestResource}) applies to this class only; broker and database are shared with
 * the other test classes, so every assertion is about this class's own event ids.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(value = SiemSinksTestResource.class, restrictToAnnotatedClass = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SiemSinksIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> IDS = new HashSet<>();
  private static RsyslogServer tcp;
  private static RsyslogServer tls;
  private static HecSimulator hec;

  @Inject DataSource dataSource;

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrap;

  private static Path dir() {
    return Path.of(System.getProperty(SiemSinksTestResource.DIR));
  }

  private static int port(String property) {
    return Integer.parseInt(System.getProperty(property));
  }

  private static String token() throws Exception {
    return Files.readString(dir().resolve("hec.token")).trim();
  }

  @AfterAll
  static void stopDestinations() throws Exception {
    if (hec != null) {
      hec.close();
    }
    if (tcp != null) {
      tcp.close();
    }
    if (tls != null) {
      tls.close();
    }
  }

  private static void await(String what, Duration timeout, Callable<Boolean> condition)
      throws Exception {
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      if (Boolean.TRUE.equals(condition.call())) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("timed out waiting for " + what);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private void produce(int runners) throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < runners; i++) {
        String runner = "r-sinks-" + UUID.randomUUID().toString().substring(0, 8);
        Samples samples = new Samples(runner, 700_000L + i + (System.nanoTime() % 100_000) * 10);
        for (Samples.Sample s : samples.all()) {
          SpecificRecord r = s.record();
          IDS.add(
              ((dev.runnerguard.schemas.avro.EventMetadata)
                      ((org.apache.avro.generic.GenericRecord) r).get("metadata"))
                  .getEventId());
          producer
              .send(
                  new ProducerRecord<>(
                      s.topic().topicName(),
                      runner,
                      ((EventCodec) EventCodec.of(r.getClass())).encode(r)))
              .get();
        }
      }
    }
  }

  private long maxSeq() throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT count(*), max(seq) FROM audit_event WHERE event_id = ANY(?)")) {
      ps.setArray(1, c.createArrayOf("text", IDS.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1) == IDS.size() ? rs.getLong(2) : -1;
      }
    }
  }

  private long position(String sink) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement("SELECT last_seq FROM sink_position WHERE sink = ?")) {
      ps.setString(1, sink);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0;
      }
    }
  }

  private static Set<String> eventIdsIn(List<String> lines, String pattern) {
    Set<String> ids = new HashSet<>();
    java.util.regex.Matcher m;
    for (String l : lines) {
      m = java.util.regex.Pattern.compile(pattern).matcher(l);
      if (m.find()) {
        ids.add(m.group(1));
      }
    }
    return ids;
  }

  private static JsonNode wellness() throws Exception {
    return JSON.readTree(given().get("/q/health/well").then().extract().asString());
  }

  private static JsonNode sinkData() throws Exception {
    for (JsonNode check : wellness().path("checks")) {
      if ("audit sinks".equals(check.path("name").asText())) {
        return check.path("data");
      }
    }
    return JSON.createObjectNode();
  }

  @Test
  @Order(1)
  void hecDownThenBackDeliversEverythingWhileTheOtherSinksKeepGoing() throws Exception {
    // syslog receivers up; HEC down (nothing listens on its port)
    tcp = RsyslogServer.start(dir().resolve("tcp"), port(SiemSinksTestResource.TCP_PORT), false);
    tls = RsyslogServer.start(dir().resolve("tls"), port(SiemSinksTestResource.TLS_PORT), true);
    produce(4);
    await("all events stored", Duration.ofSeconds(120), () -> maxSeq() > 0);
    long last = maxSeq();

    // the other sinks are not stalled by HEC's outage
    await("all events on audit.ocsf", Duration.ofSeconds(120), () -> position("kafka") >= last);
    await(
        "all events at rsyslog (TCP)",
        Duration.ofSeconds(120),
        () -> eventIdsIn(tcp.received(), "eventId=\"([^\"]+)\"").containsAll(IDS));
    await(
        "all events at rsyslog (TLS)",
        Duration.ofSeconds(120),
        () -> eventIdsIn(tls.received(), "externalId=(\\S+)").containsAll(IDS));
    assertThat(position("splunk-hec")).isLessThan(last);
    await(
        "HEC reported failing (retriable)",
        Duration.ofSeconds(60),
        () -> "failing".equals(sinkData().path("splunk-hec.state").asText()));
    assertThat(sinkData().path("splunk-hec.lastErrorKind").asText()).isEqualTo("retriable");
    assertThat(sinkData().path("syslog-plain.state").asText()).isEqualTo("delivering");

    // Splunk answers again, but the token was rotated: permanent, nothing advances
    hec = new HecSimulator(port(SiemSinksTestResource.HEC_PORT), "rotated-" + UUID.randomUUID());
    hec.start();
    await(
        "HEC refused as permanent",
        Duration.ofSeconds(60),
        () -> "permanent".equals(sinkData().path("splunk-hec.lastErrorKind").asText()));
    assertThat(sinkData().path("splunk-hec.lastError").asText()).contains("403");
    assertThat(hec.indexed()).isEmpty();
    hec.stop();
    assertThat(position("splunk-hec")).isLessThan(last);

    // back with the right token; slow acks, and the indexer loses the first request
    hec = new HecSimulator(port(SiemSinksTestResource.HEC_PORT), token());
    hec.indexAfterPolls(2);
    hec.loseNextRequests(1);
    hec.start();
    await(
        "every event indexed by HEC",
        Duration.ofSeconds(180),
        () -> hec.indexed().keySet().containsAll(IDS));
    await("HEC position at the end", Duration.ofSeconds(60), () -> position("splunk-hec") >= last);
    assertThat(hec.ackPolls()).isGreaterThan(0);
    // the lost request was sent again: more requests than batches were needed
    assertThat(hec.eventRequests()).isGreaterThan(1);

    List<JsonNode> mine = new ArrayList<>();
    for (JsonNode e : hec.indexedEvents()) {
      if (IDS.contains(e.path("event").path("metadata").path("uid").asText())) {
        mine.add(e);
      }
    }
    assertThat(mine).isNotEmpty();
    for (JsonNode e : mine) {
      assertThat(e.path("sourcetype").asText()).isEqualTo("ocsf:runnerguard");
      assertThat(e.path("time").isNumber()).isTrue();
      assertThat(e.path("fields").path("runnerguard_seq").asText()).matches("\\d+");
      assertThat(e.path("event").path("class_uid").isInt()).isTrue();
    }
    await(
        "HEC delivering again",
        Duration.ofSeconds(30),
        () -> "delivering".equals(sinkData().path("splunk-hec.state").asText()));
  }

  @Test
  @Order(2)
  void rsyslogParsedTheRfc5424MessagesOverTcpAndTls() throws Exception {
    int checked = 0;
    for (String line : tcp.received()) {
      String[] f = line.split("\\|", 9);
      if (f.length < 9 || !f[7].contains("eventId=")) {
        continue;
      }
      String id = f[7].replaceAll(".*eventId=\"([^\"]+)\".*", "$1");
      if (!IDS.contains(id)) {
        continue;
      }
      int pri = Integer.parseInt(f[0]);
      assertThat(pri / 8).as(line).isEqualTo(13);
      assertThat(f[1]).isEqualTo("1");
      assertThat(f[2]).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|\\+00:00)");
      assertThat(f[3]).isEqualTo("rg-audit-it");
      assertThat(f[4]).isEqualTo("runnerguard");
      assertThat(f[5]).isEqualTo("-");
      assertThat(f[6]).matches("OCSF\\d+");
      assertThat(f[7]).startsWith("[runnerguard@32473 seq=\"");
      JsonNode ocsf = JSON.readTree(f[8].trim());
      assertThat(ocsf.path("metadata").path("uid").asText()).isEqualTo(id);
      assertThat("OCSF" + ocsf.path("class_uid").asInt()).isEqualTo(f[6]);
      assertThat(pri % 8).isEqualTo(SyslogMessages.severity(ocsf.path("severity_id").asInt()));
      checked++;
    }
    assertThat(checked).isGreaterThanOrEqualTo(IDS.size());

    int cef = 0;
    for (String line : tls.received()) {
      String[] f = line.split("\\|", 9);
      if (f.length < 9 || !f[8].contains("externalId=")) {
        continue;
      }
      String id = f[8].replaceAll(".*externalId=(\\S+).*", "$1");
      if (!IDS.contains(id)) {
        continue;
      }
      assertThat(f[4]).isEqualTo("runnerguard");
      assertThat(f[8].trim()).startsWith("CEF:0|RunnerGuard|RunnerGuard|");
      assertThat(f[8]).contains(" cn2Label=seq cn2=");
      cef++;
    }
    assertThat(cef).isGreaterThanOrEqualTo(IDS.size());
  }

  @Test
  @Order(3)
  void theHecTokenAndTheCheckpointKeyNeverShowInLogsHealthMetricsOrAnswers() throws Exception {
    String token = token();
    String key = Files.readString(dir().resolve("checkpoint.key")).trim();
    String verify = given().get("/api/v1/audit/verify").then().statusCode(200).extract().asString();
    // (whether the chain is intact is not asserted here: other test classes share this database,
    // and AuditIngestIT tampers with a row on purpose)
    assertThat(verify).contains("\"checked\":").doesNotContain(key);
    // the sink used it: the simulator saw it in the Authorization header
    assertThat(hec.authorizations()).contains("Splunk " + token);
    String log = Files.readString(Path.of(System.getProperty(SiemSinksTestResource.LOG)));
    assertThat(log).contains("splunk-hec"); // the failures were logged...
    assertThat(log).doesNotContain(token); // ...without the token
    assertThat(log).doesNotContain(key);
    assertThat(given().get("/q/health").then().extract().asString())
        .doesNotContain(token)
        .doesNotContain(key);
    assertThat(given().get("/q/health/well").then().extract().asString())
        .doesNotContain(token)
        .doesNotContain(key);
    String metrics = given().accept("text/plain").get("/q/metrics").then().extract().asString();
    assertThat(metrics).doesNotContain(token).doesNotContain(key);
    assertThat(metrics).contains("runnerguard_audit_sink_delivered_total{sink=\"splunk-hec\"");
    assertThat(metrics).contains("runnerguard_audit_sink_lag{sink=\"syslog-secure\"");
    assertThat(metrics)
        .containsPattern(
            "runnerguard_audit_sink_failures_total\\{kind=\"permanent\",sink=\"splunk-hec\"");

    // nor on audit.ocsf
    Properties cp = new Properties();
    cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    cp.put(ConsumerConfig.GROUP_ID_CONFIG, "siem-it-" + UUID.randomUUID());
    cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(cp, new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of("audit.ocsf"));
      Set<String> seen = new HashSet<>();
      long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (!seen.containsAll(IDS) && System.nanoTime() < end) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
          assertThat(r.value()).doesNotContain(token).doesNotContain(key);
          seen.add(r.key());
        }
      }
      assertThat(seen).containsAll(IDS);
    }
  }
}
