package dev.runnerguard.systemtests.skeleton;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runnerguard.gateway.DeliveryContext;
import dev.runnerguard.gateway.DeliveryPublisher;
import dev.runnerguard.gateway.WorkflowJobParser;
import dev.runnerguard.schemas.ConsumingChannel;
import dev.runnerguard.schemas.RecordHeaders;
import dev.runnerguard.schemas.Topics;
import dev.runnerguard.schemas.avro.WorkflowJobEvent;
import dev.runnerguard.schemas.serde.EventCodec;
import dev.runnerguard.schemas.serde.EventMetadataFactory;
import dev.runnerguard.testing.GitHubFixtures;
import dev.runnerguard.testing.KafkaBroker;
import dev.runnerguard.testing.KafkaTestBroker;
import dev.runnerguard.testing.RealKafka;
import dev.runnerguard.testing.ServiceProcess;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;

/**
 * The walking skeleton over the real broker: the gateway module's parser and publisher write
 * workflow-job records built from GitHub's real payloads; the packaged policy-service, running as
 * its own JVM, consumes and decodes them through the schemas serde. Poison records land in the
 * channel's dead-letter topic and the service goes on. There is no in-memory stand-in: without the
 * broker the publisher's acknowledgement never comes and the test fails.
 */
@RealKafka
class WalkingSkeletonIT {

  @Test
  void gatewayRecordsAreConsumedByPolicyServiceAndPoisonIsDeadLettered(KafkaBroker broker)
      throws Exception {
    KafkaTestBroker.createPlatformTopics();
    String topic = Topics.WORKFLOW_JOB.topicName();
    WorkflowJobParser parser =
        new WorkflowJobParser(new EventMetadataFactory("webhook-gateway", "test"));

    List<WorkflowJobEvent> sent = new ArrayList<>();
    try (DeliveryPublisher publisher =
        DeliveryPublisher.create(
            DeliveryPublisher.producerProperties(broker.bootstrapServers(), 10_000),
            DeliveryPublisher.Topics.defaults())) {
      for (String file : GitHubFixtures.WORKFLOW_JOB_PAYLOADS) {
        WorkflowJobEvent event =
            parser.parse(
                GitHubFixtures.payload(file),
                new DeliveryContext(UUID.randomUUID().toString(), "workflow_job", null, null));
        RecordMetadata acked = publisher.publish(event).get(15, TimeUnit.SECONDS);
        assertThat(acked.topic()).isEqualTo(topic);
        sent.add(event);
      }
    }

    // What is on the topic is keyed by job id, carries correlation headers and decodes.
    EventCodec<WorkflowJobEvent> codec = EventCodec.of(WorkflowJobEvent.class);
    List<ConsumerRecord<String, byte[]>> onTopic = poll(broker, topic, 3);
    assertThat(onTopic).extracting(ConsumerRecord::key).containsOnly("289782451");
    assertThat(onTopic)
        .extracting(r -> codec.decode(r.topic(), r.partition(), r.offset(), r.value()).getAction())
        .containsExactly("queued", "in_progress", "completed");
    assertThat(onTopic)
        .extracting(r -> header(r, RecordHeaders.DELIVERY_ID))
        .containsExactlyElementsOf(
            sent.stream().map(e -> e.getMetadata().getCorrelation().getDeliveryId()).toList());

    try (ServiceProcess policy =
        ServiceProcess.start(
            "policy-service", Map.of("kafka.bootstrap.servers", broker.bootstrapServers()))) {
      awaitMetric(policy, "runnerguard_policy_workflow_jobs_total{action=\"completed\"} 1.0");
      String metrics = policy.metrics();
      assertThat(metrics)
          .contains("runnerguard_policy_workflow_jobs_total{action=\"queued\"} 1.0")
          .contains("runnerguard_policy_workflow_jobs_total{action=\"in_progress\"} 1.0");

      // Poison: an unknown fingerprint, a truncated record, plain JSON; then a good one.
      byte[] good = codec.encode(sent.get(0));
      byte[] unknownFingerprint = good.clone();
      unknownFingerprint[2] ^= 0x5A;
      byte[] truncated = Arrays.copyOf(good, good.length / 2);
      byte[] json = "{\"action\":\"queued\"}".getBytes(StandardCharsets.UTF_8);
      try (var producer = new KafkaProducer<String, byte[]>(broker.producerProperties())) {
        for (byte[] value : List.of(unknownFingerprint, truncated, json, good)) {
          producer.send(new ProducerRecord<>(topic, "289782451", value)).get(10, TimeUnit.SECONDS);
        }
      }

      List<ConsumerRecord<String, byte[]>> dead =
          poll(broker, ConsumingChannel.POLICY_ADMISSION.deadLetterTopic(), 3);
      assertThat(dead).hasSize(3);
      assertThat(dead.get(0).value()).isEqualTo(unknownFingerprint);
      assertThat(dead.get(1).value()).isEqualTo(truncated);
      assertThat(dead.get(2).value()).isEqualTo(json);
      String reason = header(dead.get(0), "dead-letter-reason");
      assertThat(reason).contains(topic + "-").contains("@").contains("fingerprint");

      awaitMetric(policy, "runnerguard_policy_workflow_jobs_total{action=\"queued\"} 2.0");
      assertThat(policy.metrics())
          .contains("runnerguard_policy_workflow_jobs_undecodable_total 3.0");
      assertThat(policy.isAlive()).isTrue();
      assertThat(policy.get("/q/health/ready").statusCode()).isEqualTo(200);
    }
  }

  private static List<ConsumerRecord<String, byte[]>> poll(
      KafkaBroker broker, String topic, int expected) {
    List<ConsumerRecord<String, byte[]>> seen = new ArrayList<>();
    try (var consumer = new KafkaConsumer<String, byte[]>(broker.consumerProperties())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (seen.size() < expected && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
      }
    }
    return seen;
  }

  private static void awaitMetric(ServiceProcess service, String line) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    String metrics = "";
    while (System.nanoTime() < deadline) {
      metrics = service.metrics();
      if (metrics.contains(line)) {
        return;
      }
      Thread.sleep(200);
    }
    String runnerguardMetrics =
        metrics.lines().filter(l -> l.contains("runnerguard")).reduce("", (a, b) -> a + b + "\n");
    throw new AssertionError(
        "metric line '"
            + line
            + "' did not appear; runnerguard metrics:\n"
            + runnerguardMetrics
            + "service log:\n"
            + service.tail());
  }

  private static String header(ConsumerRecord<String, byte[]> record, String name) {
    var header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }
}
