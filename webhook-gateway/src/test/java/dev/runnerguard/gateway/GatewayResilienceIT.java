package dev.runnerguard.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.runnerguard.gateway.signature.WebhookSignatureVerifier;
import dev.runnerguard.schemas.RecordHeaders;
import dev.runnerguard.testing.GitHubFixtures;
import dev.runnerguard.testing.KafkaBrokerProcess;
import dev.runnerguard.testing.ServiceProcess;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packaged gateway as its own JVM against a broker in its own JVM: a broker outage gives 503s
 * within the bound and loses nothing acknowledged; a delivery id is deduplicated across a gateway
 * restart and across two gateway instances.
 */
class GatewayResilienceIT {
  private static final String SECRET = "resilience-secret-" + UUID.randomUUID();
  private static final byte[] BODY = GitHubFixtures.payload("queued.payload.json");
  private static final Duration ACK_TIMEOUT = Duration.ofSeconds(2);

  private static KafkaBrokerProcess broker;

  @BeforeAll
  static void startBroker() throws Exception {
    broker = KafkaBrokerProcess.start();
    broker.createPlatformTopics();
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  private static ServiceProcess gateway() throws Exception {
    return ServiceProcess.builder("webhook-gateway")
        .systemProperty("kafka.bootstrap.servers", broker.bootstrapServers())
        .systemProperty("runnerguard.gateway.ack-timeout", ACK_TIMEOUT.toSeconds() + "s")
        .env("RUNNERGUARD_WEBHOOK_SECRET", SECRET)
        .readyTimeout(Duration.ofSeconds(90))
        .start();
  }

  private static HttpResponse<String> post(ServiceProcess gateway, String deliveryId)
      throws Exception {
    return gateway.post(
        "/webhook",
        Map.of(
            "Content-Type",
            "application/json",
            "X-GitHub-Event",
            "workflow_job",
            "X-GitHub-Delivery",
            deliveryId,
            "X-Hub-Signature-256",
            WebhookSignatureVerifier.sign(SECRET.getBytes(StandardCharsets.UTF_8), BODY)),
        BODY);
  }

  @Test
  void brokerOutageGives503WithinTheBoundAndLosesNothingAcknowledged() throws Exception {
    List<String> acknowledged = new ArrayList<>();
    try (ServiceProcess gateway = gateway()) {
      for (int i = 0; i < 20; i++) {
        String id = "outage-before-" + i;
        assertThat(post(gateway, id).statusCode()).isEqualTo(202);
        acknowledged.add(id);
      }

      broker.stop();
      long started = System.nanoTime();
      HttpResponse<String> during = post(gateway, "outage-during-1");
      Duration took = Duration.ofNanos(System.nanoTime() - started);
      assertThat(during.statusCode()).isEqualTo(503);
      assertThat(during.body()).contains("kafka_unavailable").doesNotContain(SECRET);
      assertThat(took).isLessThan(ACK_TIMEOUT.plusSeconds(3));
      assertThat(gateway.isAlive()).isTrue();

      broker.startAgain();
      // accepted again once the producer reconnects (bounded wait); the failed one can be
      // redelivered
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      int status = 0;
      while (System.nanoTime() < deadline && status != 202) {
        status = post(gateway, "outage-during-1").statusCode();
        if (status != 202) {
          Thread.sleep(500);
        }
      }
      assertThat(status).as("the redelivery after the outage is accepted").isEqualTo(202);
      acknowledged.add("outage-during-1");
      for (int i = 0; i < 20; i++) {
        String id = "outage-after-" + i;
        assertThat(post(gateway, id).statusCode()).isEqualTo(202);
        acknowledged.add(id);
      }
    }
    Map<String, Integer> stored = deliveryIdsOnTopic();
    for (String id : acknowledged) {
      assertThat(stored).as("acknowledged delivery %s is stored", id).containsKey(id);
    }
  }

  @Test
  void aDeliveryIdIsDeduplicatedAcrossInstancesAndRestarts() throws Exception {
    String id = "dedupe-" + UUID.randomUUID();
    try (ServiceProcess a = gateway();
        ServiceProcess b = gateway()) {
      assertThat(post(a, id).statusCode()).isEqualTo(202);
      Thread.sleep(1_000); // the receipt reaches the other replica through github.delivery
      HttpResponse<String> onB = post(b, id);
      assertThat(onB.statusCode()).isEqualTo(200);
      assertThat(onB.body()).contains("duplicate");

      a.restart();
      assertThat(post(a, id).statusCode()).as("after a restart").isEqualTo(200);
      b.restart();
      assertThat(post(b, id).statusCode()).as("after the other's restart").isEqualTo(200);
      assertThat(a.metrics()).contains("runnerguard_gateway_duplicates_total 1.0");
    }
    assertThat(deliveryIdsOnTopic()).containsEntry(id, 1);
  }

  @Test
  void aDedupeBoundBeyondDirectMemoryStopsTheStartSayingWhatToChange() {
    assertThatThrownBy(
            () ->
                ServiceProcess.builder("webhook-gateway")
                    .systemProperty("kafka.bootstrap.servers", broker.bootstrapServers())
                    .systemProperty("runnerguard.gateway.dedupe.max-ids", "900000000")
                    .env("RUNNERGUARD_WEBHOOK_SECRET", SECRET)
                    .readyTimeout(Duration.ofSeconds(90))
                    .start()
                    .close())
        .hasMessageContaining("exited early")
        .hasMessageContaining("runnerguard.gateway.dedupe.max-ids=900000000")
        .hasMessageContaining("-XX:MaxDirectMemorySize")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(SECRET));
  }

  @Test
  void theDedupeTableIsMeasured() throws Exception {
    try (ServiceProcess gateway = gateway()) {
      assertThat(post(gateway, "measured-" + UUID.randomUUID()).statusCode()).isEqualTo(202);
      assertThat(gateway.metrics())
          .containsPattern("runnerguard_gateway_dedupe_ids [1-9][0-9.E]*")
          .contains("runnerguard_gateway_dedupe_evicted_total 0.0")
          .contains("runnerguard_gateway_dedupe_undecodable_total 0.0");
    }
  }

  @Test
  void theWebhookSecretAppearsInNoRecordLogMetricOrErrorBody() throws Exception {
    List<String> bodies = new ArrayList<>();
    String metrics;
    java.nio.file.Path log;
    try (ServiceProcess gateway = gateway()) {
      bodies.add(post(gateway, "leak-good").body());
      bodies.add(post(gateway, "leak-good").body()); // duplicate
      var headers = new HashMap<String, String>();
      headers.put("Content-Type", "application/json");
      headers.put("X-GitHub-Event", "workflow_job");
      headers.put("X-GitHub-Delivery", "leak-bad-signature");
      headers.put("X-Hub-Signature-256", "sha256=" + "ab".repeat(32));
      bodies.add(gateway.post("/webhook", headers, BODY).body());
      headers.put(
          "X-Hub-Signature-256",
          WebhookSignatureVerifier.sign(
              SECRET.getBytes(StandardCharsets.UTF_8), "{".getBytes(StandardCharsets.UTF_8)));
      bodies.add(gateway.post("/webhook", headers, "{".getBytes(StandardCharsets.UTF_8)).body());
      headers.remove("X-Hub-Signature-256");
      bodies.add(gateway.post("/webhook", headers, BODY).body());
      metrics = gateway.metrics() + gateway.get("/q/health").body();
      log = gateway.log();
    }
    String hex = java.util.HexFormat.of().formatHex(SECRET.getBytes(StandardCharsets.UTF_8));
    String base64 =
        java.util.Base64.getEncoder().encodeToString(SECRET.getBytes(StandardCharsets.UTF_8));
    List<String> forms = List.of(SECRET, hex, base64);
    String logText = java.nio.file.Files.readString(log);
    assertThat(logText).as("the gateway ran and logged").contains("webhook-gateway");
    for (String form : forms) {
      assertThat(String.join("\n", bodies)).doesNotContain(form);
      assertThat(metrics).doesNotContain(form);
      assertThat(logText).doesNotContain(form);
    }
    // every record of every topic, keys, values and headers
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    int scanned = 0;
    try (var consumer = new KafkaConsumer<byte[], byte[]>(props)) {
      List<TopicPartition> partitions = new ArrayList<>();
      consumer
          .listTopics()
          .forEach(
              (topic, infos) ->
                  infos.forEach(p -> partitions.add(new TopicPartition(topic, p.partition()))));
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (System.nanoTime() < deadline
          && partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        for (var record : consumer.poll(Duration.ofMillis(200))) {
          scanned++;
          StringBuilder text = new StringBuilder();
          if (record.key() != null)
            text.append(new String(record.key(), StandardCharsets.ISO_8859_1));
          if (record.value() != null)
            text.append(new String(record.value(), StandardCharsets.ISO_8859_1));
          record
              .headers()
              .forEach(
                  h ->
                      text.append(h.key())
                          .append(new String(h.value(), StandardCharsets.ISO_8859_1)));
          for (String form : forms) {
            assertThat(text.toString())
                .as("record %s-%d@%d", record.topic(), record.partition(), record.offset())
                .doesNotContain(form);
          }
        }
      }
    }
    assertThat(scanned).as("records scanned").isPositive();
  }

  /** How many records carry each delivery id on github.workflow-job. */
  private static Map<String, Integer> deliveryIdsOnTopic() {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    Map<String, Integer> counts = new HashMap<>();
    try (var consumer = new KafkaConsumer<String, byte[]>(props)) {
      List<TopicPartition> partitions =
          consumer.partitionsFor("github.workflow-job").stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (System.nanoTime() < deadline
          && partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        for (var record : consumer.poll(Duration.ofMillis(200))) {
          var header = record.headers().lastHeader(RecordHeaders.DELIVERY_ID);
          if (header != null) {
            counts.merge(new String(header.value(), StandardCharsets.UTF_8), 1, Integer::sum);
          }
        }
      }
    }
    return counts;
  }
}
