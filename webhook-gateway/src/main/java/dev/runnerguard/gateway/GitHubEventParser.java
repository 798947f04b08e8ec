package dev.runnerguard.gateway;

import static dev.runnerguard.gateway.JsonFields.optionalId;
import static dev.runnerguard.gateway.JsonFields.optionalText;
import static dev.runnerguard.gateway.JsonFields.requiredId;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runnerguard.schemas.RawBodies;
import dev.runnerguard.schemas.avro.GitHubWebhookEvent;
import dev.runnerguard.schemas.serde.EventMetadataFactory;
import java.nio.ByteBuffer;

/**
 * Turns {@code installation} and {@code workflow_run} bodies into {@link GitHubWebhookEvent}s.
 * Required: a JSON object with {@code installation.id} (installation) or {@code workflow_run.id}
 * (workflow_run), the record keys. Everything else is optional. Pure.
 */
public final class GitHubEventParser {
  /** The fields read; the rest of the body is only tokenized. */
  private static final JsonSelection FIELDS =
      JsonSelection.of(
          "action",
          JsonSelection.object("installation", "id"),
          JsonSelection.object("workflow_run", "id"),
          JsonSelection.object("organization", "login"),
          JsonSelection.object("repository", "full_name", JsonSelection.object("owner", "login")));

  private final EventMetadataFactory metadata;

  public GitHubEventParser(EventMetadataFactory metadata) {
    this.metadata = metadata;
  }

  /** A parsed delivery and the key of its record. */
  public record Parsed(String key, GitHubWebhookEvent event) {}

  /**
   * Parses the body of an {@code installation} or {@code workflow_run} delivery.
   *
   * @throws InvalidPayloadException when the body is not a JSON object or the key field is missing
   * @throws IllegalArgumentException for any other event type
   */
  public Parsed parse(byte[] body, DeliveryContext delivery) {
    JsonNode root = JsonFields.object(body, FIELDS);
    Long runId = null;
    long key;
    switch (delivery.event()) {
      case "installation" -> key = requiredId(root.path("installation"), "id", "installation.id");
      case "workflow_run" -> {
        runId = requiredId(root.path("workflow_run"), "id", "workflow_run.id");
        key = runId;
      }
      default -> throw new IllegalArgumentException("not a generic event: " + delivery.event());
    }
    GitHubWebhookEvent event =
        GitHubWebhookEvent.newBuilder()
            .setMetadata(
                metadata.create(
                    EventMetadataFactory.trace(delivery.traceparent(), delivery.tracestate()),
                    EventMetadataFactory.correlation(delivery.deliveryId(), null, runId, null)))
            .setEvent(delivery.event())
            .setAction(optionalText(root, "action"))
            .setInstallationId(optionalId(root.path("installation"), "id"))
            .setOrganization(JsonFields.organization(root))
            .setRepositoryFullName(optionalText(root.path("repository"), "full_name"))
            .setRunId(runId)
            .setRawBody(ByteBuffer.wrap(RawBodies.lz4Frame(body)))
            .setRawBodyEncoding(RawBodies.LZ4_FRAME)
            .build();
    return new Parsed(Long.toString(key), event);
  }
}
