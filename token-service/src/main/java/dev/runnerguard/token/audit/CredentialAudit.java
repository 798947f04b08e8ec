package dev.runnerguard.token.audit;

import dev.runnerguard.schemas.avro.CredentialAction;
import dev.runnerguard.schemas.avro.CredentialAuditEvent;
import dev.runnerguard.schemas.avro.CredentialOutcome;
import dev.runnerguard.schemas.avro.CredentialType;
import dev.runnerguard.schemas.serde.EventCodec;
import dev.runnerguard.schemas.serde.EventMetadataFactory;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

/**
 * credential.audit events: they name a credential (App, installation, runner, expiry, a truncated
 * SHA-256 reference), never contain it.
 */
public final class CredentialAudit implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(CredentialAudit.class);
  private static final EventCodec<CredentialAuditEvent> CODEC =
      EventCodec.of(CredentialAuditEvent.class);

  private final Producer<String, byte[]> producer;
  private final String topic;
  private final EventMetadataFactory metadata;

  public CredentialAudit(
      Producer<String, byte[]> producer, String topic, EventMetadataFactory metadata) {
    this.producer = producer;
    this.topic = topic;
    this.metadata = metadata;
  }

  public static Producer<String, byte[]> producer(String bootstrapServers) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "token-service-audit");
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "5000");
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }

  /** First 12 hex chars of SHA-256 of the credential: non-reversible. */
  public static String credentialRef(String credential) {
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-256").digest(credential.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d).substring(0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable");
    }
  }

  /** The event (pure; for tests). */
  public CredentialAuditEvent event(
      CredentialAction action,
      CredentialType type,
      String credentialRef,
      long appId,
      Long installationId,
      Long runnerId,
      String runnerName,
      String organization,
      String repositoryFullName,
      Instant expiresAt,
      Map<String, String> permissions,
      String reason) {
    return CredentialAuditEvent.newBuilder()
        .setMetadata(metadata.create())
        .setAction(action)
        .setCredentialType(type)
        .setOutcome(CredentialOutcome.SUCCESS)
        .setCredentialRef(credentialRef)
        .setAppId(appId)
        .setInstallationId(installationId)
        .setRunnerId(runnerId == null ? null : Long.toString(runnerId))
        .setRunnerName(runnerName)
        .setOrganization(organization)
        .setRepositoryFullName(repositoryFullName)
        .setIssuedAt(Instant.now())
        .setExpiresAt(expiresAt)
        .setPermissions(permissions == null ? Map.of() : Map.copyOf(permissions))
        .setRequestedBy("runner-orchestrator")
        .setReason(reason)
        .build();
  }

  /** Sends asynchronously; a failure is logged without content. */
  public void publish(String key, CredentialAuditEvent event) {
    try {
      producer.send(
          new ProducerRecord<>(topic, key, CODEC.encode(event)),
          (md, e) -> {
            if (e != null) {
              LOG.errorf(
                  "credential.audit %s for key %s not written: %s",
                  event.getAction(), key, e.getClass().getSimpleName());
            }
          });
    } catch (RuntimeException e) {
      LOG.errorf(
          "credential.audit %s for key %s not written: %s",
          event.getAction(), key, e.getClass().getSimpleName());
    }
  }

  @Override
  public void close() {
    producer.close(java.time.Duration.ofSeconds(5));
  }
}
