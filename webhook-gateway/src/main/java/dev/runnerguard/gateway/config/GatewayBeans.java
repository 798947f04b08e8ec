package dev.runnerguard.gateway.config;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.runnerguard.gateway.DeliveryPublisher;
import dev.runnerguard.gateway.GitHubEventParser;
import dev.runnerguard.gateway.WorkflowJobParser;
import dev.runnerguard.gateway.dedupe.DeliveryLog;
import dev.runnerguard.gateway.intake.CidrAllowlist;
import dev.runnerguard.gateway.intake.GatewayMetrics;
import dev.runnerguard.gateway.intake.WebhookIntake;
import dev.runnerguard.gateway.signature.WebhookSecrets;
import dev.runnerguard.gateway.signature.WebhookSignatureVerifier;
import dev.runnerguard.schemas.serde.EventMetadataFactory;
import dev.runnerguard.support.SecretSettings;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Wires the gateway: the only place that knows configuration, Kafka clients and CDI. */
@Singleton
public class GatewayBeans {
  /** Longest wait of the delivery log's fetches (see {@link #deliveryLog()}). */
  static final int DELIVERY_LOG_FETCH_WAIT_MS = 50;

  private final GatewayConfig config;
  private final String bootstrapServers;
  private final String version;

  public GatewayBeans(
      GatewayConfig config,
      @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
      @ConfigProperty(name = "quarkus.application.version", defaultValue = "dev") String version) {
    this.config = config;
    this.bootstrapServers = bootstrapServers;
    this.version = version;
  }

  @Produces
  @Singleton
  EventMetadataFactory metadataFactory() {
    return new EventMetadataFactory("webhook-gateway", version);
  }

  @Produces
  @Singleton
  DeliveryPublisher publisher() {
    int timeoutMs = (int) Math.max(1_000, config.ackTimeout().toMillis());
    return DeliveryPublisher.create(
        DeliveryPublisher.producerProperties(
            bootstrapServers, timeoutMs, (int) config.producerLinger().toMillis()),
        new DeliveryPublisher.Topics(
            config.topic().workflowJob(),
            config.topic().workflowRun(),
            config.topic().installation(),
            config.topic().delivery()));
  }

  void closePublisher(@Disposes DeliveryPublisher publisher) {
    publisher.close();
  }

  @Produces
  @Singleton
  WebhookSignatureVerifier verifier(Config mpConfig) {
    return new WebhookSignatureVerifier(
        WebhookSecrets.load(
            SecretSettings.Source.of(name -> mpConfig.getOptionalValue(name, String.class))));
  }

  @Produces
  @Singleton
  WebhookIntake intake(
      WebhookSignatureVerifier verifier,
      EventMetadataFactory metadata,
      DeliveryPublisher publisher) {
    return new WebhookIntake(
        CidrAllowlist.parse(config.allowedCidrs().orElse(List.of())),
        verifier,
        config.maxBodySize(),
        new WorkflowJobParser(metadata),
        new GitHubEventParser(metadata),
        publisher);
  }

  @Produces
  @Singleton
  DeliveryLog deliveryLog() {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "webhook-gateway-delivery-log");
    // Receipts are read in batches, not one fetch per receipt: the broker answers a fetch once 32
    // KB
    // are there or after 50 ms. Under load that is tens of fetches a second instead of hundreds;
    // another replica's receipt is seen at most about 50 ms later.
    props.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 32 * 1024);
    props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, DELIVERY_LOG_FETCH_WAIT_MS);
    DeliveryLog.checkRoom(config.dedupe().maxIds(), maxDirectMemory());
    return new DeliveryLog(
        new KafkaConsumer<>(props),
        config.topic().delivery(),
        config.dedupe().window(),
        config.dedupe().maxIds(),
        Clock.systemUTC());
  }

  /** {@code -XX:MaxDirectMemorySize}, or the heap's maximum when it is not set (the JVM's rule). */
  static long maxDirectMemory() {
    String set =
        ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
            .getVMOption("MaxDirectMemorySize")
            .getValue();
    long bytes = Long.parseLong(set);
    return bytes > 0 ? bytes : Runtime.getRuntime().maxMemory();
  }

  void closeDeliveryLog(@Disposes DeliveryLog log) throws InterruptedException {
    log.close();
  }

  void start(
      @Observes StartupEvent startup,
      DeliveryLog log,
      WebhookIntake intake,
      GatewayMetrics metrics) {
    metrics.watch(log);
    log.start(); // the intake is resolved here so a missing secret fails the start, not a request
  }
}
