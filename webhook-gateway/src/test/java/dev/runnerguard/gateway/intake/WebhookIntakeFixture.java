package dev.runnerguard.gateway.intake;

import dev.runnerguard.gateway.DeliveryPublisher;
import dev.runnerguard.gateway.GitHubEventParser;
import dev.runnerguard.gateway.WorkflowJobParser;
import dev.runnerguard.gateway.signature.WebhookSignatureVerifier;
import dev.runnerguard.schemas.serde.EventMetadataFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A {@link WebhookIntake} wired as in production, for pure tests (the producer only builds
 * records).
 */
final class WebhookIntakeFixture {
  static final byte[] SECRET = "intake-test-secret".getBytes(StandardCharsets.UTF_8);
  static final long MAX_BODY = 64 * 1024;

  private WebhookIntakeFixture() {}

  static WebhookIntake intake(List<String> cidrs) {
    EventMetadataFactory metadata = new EventMetadataFactory("webhook-gateway", "test");
    // MockProducer never sends: the intake only uses the publisher to build records
    DeliveryPublisher records =
        new DeliveryPublisher(
            new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer()),
            DeliveryPublisher.Topics.defaults());
    return new WebhookIntake(
        CidrAllowlist.parse(cidrs),
        new WebhookSignatureVerifier(List.of(SECRET)),
        MAX_BODY,
        new WorkflowJobParser(metadata),
        new GitHubEventParser(metadata),
        records);
  }

  static WebhookIntake.Request signed(String event, byte[] body) {
    return new WebhookIntake.Request(
        "127.0.0.1",
        "application/json",
        event,
        "72d3162e-cc78-11e3-81ab-4c9367dc0958",
        WebhookSignatureVerifier.sign(SECRET, body),
        null,
        null,
        body);
  }
}
