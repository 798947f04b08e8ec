package dev.runnerguard.gateway.intake;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.runnerguard.gateway.signature.WebhookSignatureVerifier;
import dev.runnerguard.schemas.DeliveryReceipts;
import dev.runnerguard.schemas.RawBodies;
import dev.runnerguard.schemas.RecordHeaders;
import dev.runnerguard.schemas.avro.DeliveryReceipt;
import dev.runnerguard.schemas.avro.GitHubWebhookEvent;
import dev.runnerguard.schemas.avro.WorkflowJobEvent;
import dev.runnerguard.schemas.serde.EventCodec;
import dev.runnerguard.testing.GitHubFixtures;
import dev.runnerguard.testing.KafkaBroker;
import dev.runnerguard.testing.KafkaTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** {@code POST /webhook} over real HTTP against the real broker. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class WebhookRouteIT {
  static final String SECRET = "test-webhook-secret-not-for-production";
  static final List<String> TOPICS =
      List.of(
          "github.workflow-job", "github.workflow-run", "github.installation", "github.delivery");

  private final KafkaBroker broker = new KafkaBroker();

  @Test
  void realPayloadsAreStoredWithKeyHeadersAndRawBodyBeforeThe202() throws Exception {
    for (String file : GitHubFixtures.WORKFLOW_JOB_PAYLOADS) {
      byte[] body = GitHubFixtures.payload(file);
      String delivery = UUID.randomUUID().toString();
      Response response =
          signed("workflow_job", delivery, body)
              .header("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
              .post("/webhook");
      response.then().statusCode(202).body("status", equalTo("accepted"));
      ConsumerRecord<String, byte[]> record =
          read(
              response.path("topic"),
              response.path("partition"),
              ((Number) response.path("offset")).longValue());

      assertThat(record.key()).isEqualTo("289782451");
      assertThat(header(record, RecordHeaders.DELIVERY_ID)).isEqualTo(delivery);
      assertThat(header(record, RecordHeaders.GITHUB_EVENT)).isEqualTo("workflow_job");
      assertThat(header(record, RecordHeaders.TRACEPARENT)).startsWith("00-0af7651916cd43dd");
      WorkflowJobEvent event = EventCodec.of(WorkflowJobEvent.class).decode(record.value());
      assertThat(event.getJobId()).isEqualTo(289782451L);
      assertThat(event.getMetadata().getCorrelation().getDeliveryId()).isEqualTo(delivery);
      assertThat(event.getRawBodyEncoding()).isEqualTo(RawBodies.LZ4_FRAME);
      assertThat(RawBodies.decode(event.getRawBodyEncoding(), event.getRawBody())).isEqualTo(body);
    }
  }

  @Test
  void installationAndWorkflowRunGoToTheirOwnTopics() throws Exception {
    byte[] body =
        "{\"action\":\"requested\",\"workflow_run\":{\"id\":5550001},\"installation\":{\"id\":9}}"
            .getBytes(StandardCharsets.UTF_8);
    Response response = signed("workflow_run", UUID.randomUUID().toString(), body).post("/webhook");
    response.then().statusCode(202);
    assertThat((String) response.path("topic")).isEqualTo("github.workflow-run");
    var record =
        read(
            "github.workflow-run",
            response.path("partition"),
            ((Number) response.path("offset")).longValue());
    assertThat(record.key()).isEqualTo("5550001");
    GitHubWebhookEvent event = EventCodec.of(GitHubWebhookEvent.class).decode(record.value());
    assertThat(event.getInstallationId()).isEqualTo(9L);
  }

  @Test
  void pingIs200AndOtherEventsAre202WithNothingProduced() {
    Map<String, Long> before = endOffsets();
    byte[] body = "{\"zen\":\"Practicality beats purity.\"}".getBytes(StandardCharsets.UTF_8);
    signed("ping", UUID.randomUUID().toString(), body)
        .post("/webhook")
        .then()
        .statusCode(200)
        .body("status", equalTo("pong"));
    signed("push", UUID.randomUUID().toString(), body)
        .post("/webhook")
        .then()
        .statusCode(202)
        .body("status", equalTo("ignored"));
    assertThat(endOffsets()).isEqualTo(before);
  }

  @Test
  void aRepeatedDeliveryIdProducesNothingNewAndItsReceiptIsWritten() throws Exception {
    byte[] body = GitHubFixtures.payload("queued.payload.json");
    String delivery = UUID.randomUUID().toString();
    signed("workflow_job", delivery, body).post("/webhook").then().statusCode(202);
    Map<String, Long> before = endOffsets();
    signed("workflow_job", delivery, body)
        .post("/webhook")
        .then()
        .statusCode(200)
        .body("status", equalTo("duplicate"));
    signed("workflow_job", delivery, body).post("/webhook").then().statusCode(200);
    assertThat(endOffsets().get("github.workflow-job"))
        .isEqualTo(before.get("github.workflow-job"));

    // the receipt on github.delivery names the delivery and where its record went
    Map<String, DeliveryReceipt> receipts = receiptsFor(List.of(delivery));
    assertThat(receipts.get(delivery).getTopic()).isEqualTo("github.workflow-job");
  }

  @Test
  void deliveriesAcceptedTogetherShareReceiptRecordsThatNameEachOneAndWhereItWent()
      throws Exception {
    byte[] body = GitHubFixtures.payload("queued.payload.json");
    int n = 40;
    List<String> ids = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add(UUID.randomUUID().toString());
    }
    var pool = java.util.concurrent.Executors.newFixedThreadPool(8);
    Map<String, String> positions = new java.util.concurrent.ConcurrentHashMap<>();
    try {
      var sent = new java.util.ArrayList<java.util.concurrent.Future<?>>();
      for (String id : ids) {
        sent.add(
            pool.submit(
                () -> {
                  Response r = signed("workflow_job", id, body).post("/webhook");
                  r.then().statusCode(202);
                  positions.put(
                      id, r.path("topic") + "-" + r.path("partition") + "@" + r.path("offset"));
                }));
      }
      for (var f : sent) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    Map<String, DeliveryReceipt> receipts = receiptsFor(ids);
    for (String id : ids) {
      DeliveryReceipt r = receipts.get(id);
      assertThat(r.getTopic() + "-" + r.getPartition() + "@" + r.getOffset())
          .as("receipt of %s", id)
          .isEqualTo(positions.get(id));
    }
  }

  /**
   * Reads {@code github.delivery} from the beginning until every id has a receipt (batched records
   * expanded), at most 20 s; no id may be named by two records.
   */
  private Map<String, DeliveryReceipt> receiptsFor(List<String> ids) {
    Map<String, DeliveryReceipt> found = new java.util.HashMap<>();
    Map<String, String> namedBy = new java.util.HashMap<>();
    try (var consumer = new KafkaConsumer<String, byte[]>(broker.consumerProperties())) {
      consumer.subscribe(List.of("github.delivery"));
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (!found.keySet().containsAll(ids) && System.nanoTime() < deadline) {
        for (var r : consumer.poll(Duration.ofMillis(200))) {
          String at = r.partition() + "@" + r.offset();
          for (DeliveryReceipt one :
              DeliveryReceipts.each(EventCodec.of(DeliveryReceipt.class).decode(r.value()))) {
            found.put(one.getDeliveryId(), one);
            String before = namedBy.put(one.getDeliveryId(), at);
            assertThat(before).as("a second receipt of %s", one.getDeliveryId()).isNull();
          }
        }
      }
    }
    assertThat(found.keySet()).containsAll(ids);
    return found;
  }

  record Bad(String name, RequestSpecification request, int status, String error) {}

  @Test
  void badInputGetsAClearJsonErrorAndChangesNothing() {
    byte[] body = GitHubFixtures.payload("queued.payload.json");
    String signature = WebhookSignatureVerifier.sign(SECRET.getBytes(StandardCharsets.UTF_8), body);
    byte[] big = new byte[100 * 1024];
    java.util.Arrays.fill(big, (byte) ' ');
    List<Bad> cases =
        List.of(
            new Bad(
                "no headers",
                given().contentType("application/json").body(body),
                400,
                "missing_header"),
            new Bad(
                "no signature",
                given()
                    .contentType("application/json")
                    .header("X-GitHub-Event", "workflow_job")
                    .header("X-GitHub-Delivery", "d-1")
                    .body(body),
                400,
                "missing_header"),
            new Bad(
                "wrong signature",
                signedWith("workflow_job", "d-2", body, "sha256=" + "0".repeat(64)),
                401,
                "bad_signature"),
            new Bad(
                "garbage signature",
                signedWith("workflow_job", "d-3", body, "garbage"),
                401,
                "bad_signature"),
            new Bad(
                "text content type",
                signedWith("workflow_job", "d-4", body, signature).contentType("text/plain"),
                415,
                "unsupported_media_type"),
            new Bad(
                "body over the limit", signed("workflow_job", "d-5", big), 413, "body_too_large"),
            new Bad(
                "malformed json",
                signed("workflow_job", "d-6", "{\"action\":".getBytes(StandardCharsets.UTF_8)),
                400,
                "invalid_payload"),
            new Bad(
                "missing labels",
                signed(
                    "workflow_job",
                    "d-7",
                    "{\"action\":\"queued\",\"workflow_job\":{\"id\":1},\"repository\":{\"full_name\":\"a/b\"}}"
                        .getBytes(StandardCharsets.UTF_8)),
                400,
                "invalid_payload"),
            new Bad(
                "bad delivery id",
                signed("workflow_job", "../../etc", body),
                400,
                "bad_delivery_id"));
    Map<String, Long> before = endOffsets();
    for (Bad bad : cases) {
      Response response = bad.request().post("/webhook");
      assertThat(response.statusCode()).as(bad.name()).isEqualTo(bad.status());
      assertThat(response.contentType()).as(bad.name()).startsWith("application/json");
      assertThat((String) response.path("error")).as(bad.name()).isEqualTo(bad.error());
      assertThat((String) response.path("message")).as(bad.name()).isNotBlank();
      assertThat(response.asString())
          .as(bad.name())
          .doesNotContain(SECRET)
          .doesNotContain(signature);
    }
    assertThat(endOffsets()).isEqualTo(before);
    given().get("/q/health/ready").then().statusCode(200);
  }

  @io.quarkus.test.common.http.TestHTTPResource("/webhook")
  java.net.URI webhook;

  @Test
  void aChunkedBodyOverTheLimitIsCutOffWhileStreaming() throws Exception {
    Map<String, Long> before = endOffsets();
    byte[] big = new byte[200 * 1024];
    java.util.Arrays.fill(big, (byte) ' ');
    var request =
        java.net.http.HttpRequest.newBuilder(webhook)
            .header("Content-Type", "application/json")
            .header("X-GitHub-Event", "workflow_job")
            .header("X-GitHub-Delivery", "chunked-1")
            .header(
                "X-Hub-Signature-256",
                WebhookSignatureVerifier.sign(SECRET.getBytes(StandardCharsets.UTF_8), big))
            // an InputStream body has no known length: sent chunked, without Content-Length
            .POST(
                java.net.http.HttpRequest.BodyPublishers.ofInputStream(
                    () -> new ByteArrayInputStream(big)))
            .build();
    int status;
    try {
      status =
          java.net.http.HttpClient.newHttpClient()
              .send(request, java.net.http.HttpResponse.BodyHandlers.ofString())
              .statusCode();
    } catch (java.io.IOException e) {
      status = 413; // the server may close the connection while the client is still sending
    }
    assertThat(status).isEqualTo(413);
    assertThat(endOffsets()).isEqualTo(before);
    given().get("/q/health/ready").then().statusCode(200);
  }

  @Test
  void aChunkedBodyWithinTheLimitIsReadWholeAndStored() throws Exception {
    byte[] body = GitHubFixtures.payload("queued.payload.json");
    String delivery = UUID.randomUUID().toString();
    var request =
        java.net.http.HttpRequest.newBuilder(webhook)
            .header("Content-Type", "application/json")
            .header("X-GitHub-Event", "workflow_job")
            .header("X-GitHub-Delivery", delivery)
            .header(
                "X-Hub-Signature-256",
                WebhookSignatureVerifier.sign(SECRET.getBytes(StandardCharsets.UTF_8), body))
            // no known length: sent chunked, without Content-Length, a few hundred bytes a chunk
            .POST(
                java.net.http.HttpRequest.BodyPublishers.ofInputStream(
                    () ->
                        new java.io.FilterInputStream(new ByteArrayInputStream(body)) {
                          @Override
                          public int read(byte[] b, int off, int len) throws java.io.IOException {
                            return super.read(b, off, Math.min(len, 300));
                          }
                        }))
            .build();
    var response =
        java.net.http.HttpClient.newHttpClient()
            .send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    io.vertx.core.json.JsonObject answer = new io.vertx.core.json.JsonObject(response.body());
    var record =
        read(answer.getString("topic"), answer.getInteger("partition"), answer.getLong("offset"));
    WorkflowJobEvent event = EventCodec.of(WorkflowJobEvent.class).decode(record.value());
    assertThat(RawBodies.decode(event.getRawBodyEncoding(), event.getRawBody())).isEqualTo(body);
  }

  @Test
  void anEmptySignedBodyIsA400NotAHang() {
    Map<String, Long> before = endOffsets();
    signed("workflow_job", UUID.randomUUID().toString(), new byte[0])
        .post("/webhook")
        .then()
        .statusCode(400)
        .body("error", equalTo("invalid_payload"));
    assertThat(endOffsets()).isEqualTo(before);
  }

  @Test
  void randomRequestsNeverGiveA5xxNorARecord() {
    Map<String, Long> before = endOffsets();
    Random random = new Random(20261127L);
    String[] events = {
      "workflow_job", "workflow_run", "installation", "ping", "push", "", "WORKFLOW"
    };
    for (int i = 0; i < 150; i++) {
      byte[] body = new byte[random.nextInt(2048)];
      random.nextBytes(body);
      RequestSpecification request = given().body(body);
      if (random.nextBoolean()) request.contentType("application/json");
      if (random.nextBoolean())
        request.header("X-GitHub-Event", events[random.nextInt(events.length)]);
      if (random.nextBoolean())
        request.header("X-GitHub-Delivery", Long.toHexString(random.nextLong()));
      if (random.nextBoolean())
        request.header(
            "X-Hub-Signature-256", "sha256=" + Long.toHexString(random.nextLong()).repeat(4));
      int status = request.post("/webhook").statusCode();
      assertThat(status).as("request %d", i).isBetween(400, 499);
    }
    assertThat(endOffsets()).isEqualTo(before);
  }

  @Test
  void metricsCountDeliveriesRejectionsAndDuplicates() {
    signed("workflow_job", "metrics-1", "{}".getBytes(StandardCharsets.UTF_8)).post("/webhook");
    String metrics = given().accept("text/plain").get("/q/metrics").asString().replace(",}", "}");
    assertThat(metrics)
        .contains("runnerguard_gateway_rejections_total{reason=\"invalid_payload\"}")
        .contains("runnerguard_gateway_duplicates_total")
        .contains("runnerguard_gateway_produce_latency_seconds_bucket")
        .doesNotContain(SECRET);
  }

  static RequestSpecification signed(String event, String delivery, byte[] body) {
    return signedWith(
        event,
        delivery,
        body,
        WebhookSignatureVerifier.sign(SECRET.getBytes(StandardCharsets.UTF_8), body));
  }

  static RequestSpecification signedWith(
      String event, String delivery, byte[] body, String signature) {
    return given()
        .contentType("application/json")
        .header("X-GitHub-Event", event)
        .header("X-GitHub-Delivery", delivery)
        .header("X-Hub-Signature-256", signature)
        .body(body);
  }

  private ConsumerRecord<String, byte[]> read(String topic, int partition, long offset) {
    try (var consumer = new KafkaConsumer<String, byte[]>(broker.consumerProperties())) {
      TopicPartition tp = new TopicPartition(topic, partition);
      consumer.assign(List.of(tp));
      consumer.seek(tp, offset);
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (System.nanoTime() < deadline) {
        for (var record : consumer.poll(Duration.ofMillis(200))) {
          if (record.offset() == offset) {
            return record;
          }
        }
      }
    }
    throw new AssertionError("no record at " + topic + "-" + partition + "@" + offset);
  }

  private Map<String, Long> endOffsets() {
    try (var consumer = new KafkaConsumer<String, byte[]>(broker.consumerProperties())) {
      Map<String, Long> sums = new java.util.TreeMap<>();
      for (String topic : TOPICS) {
        if (topic.equals("github.delivery")) continue; // receipts of earlier tests may still land
        var partitions =
            consumer.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(topic, p.partition()))
                .toList();
        sums.put(
            topic,
            consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum());
      }
      return sums;
    }
  }

  private static String header(ConsumerRecord<String, byte[]> record, String name) {
    var header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }
}
