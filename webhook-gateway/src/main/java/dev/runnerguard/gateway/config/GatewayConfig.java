package dev.runnerguard.gateway.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The gateway's configuration ({@code runnerguard.gateway.*}; environment variables in upper case
 * with '_', e.g. {@code RUNNERGUARD_GATEWAY_ACK_TIMEOUT}). Webhook secrets are read separately, see
 * {@link dev.runnerguard.gateway.signature.WebhookSecrets}.
 */
@ConfigMapping(prefix = "runnerguard.gateway")
public interface GatewayConfig {

  /**
   * Largest accepted body in bytes; GitHub caps payloads at 25 MB. The HTTP layer enforces the same
   * limit while the body streams in ({@code quarkus.http.limits.max-body-size} follows it).
   */
  @WithDefault("26214400")
  long maxBodySize();

  /**
   * How long a delivery may wait for the broker's acknowledgement before the gateway answers 503
   * (GitHub gives up after 10 s). Also the producer's delivery timeout.
   */
  @WithDefault("5s")
  Duration ackTimeout();

  /**
   * How long the Kafka producer waits to fill a batch ({@code linger.ms}). A few milliseconds put
   * several deliveries (and their receipts) into one produce request, which under load costs the
   * gateway and the broker far less CPU per delivery than a request each; Kafka's own default is 5
   * ms. Part of every delivery's latency, so keep it well under the ack timeout.
   */
  @WithDefault("5ms")
  Duration producerLinger();

  /** Source networks allowed to post (CIDRs); empty or absent allows every source. */
  Optional<List<String>> allowedCidrs();

  /** Delivery-id deduplication. */
  Dedupe dedupe();

  /** Topic names (defaults from {@code dev.runnerguard.schemas.Topics}). */
  TopicNames topic();

  interface Dedupe {
    /** How long an accepted delivery id is remembered (GitHub redelivers for 3 days). */
    @WithDefault("4d")
    Duration window();

    /**
     * The most ids remembered; past it the oldest are forgotten first (and counted). Each takes up
     * to 64 bytes of direct memory: the default, 2 million (about 5.8 deliveries a second for the
     * whole 4-day window), needs up to 128 MB, within the launcher's {@code -Xmx256m} (the default
     * {@code -XX:MaxDirectMemorySize}). The start is refused when max-ids could take more than
     * three quarters of it.
     */
    @WithDefault("2000000")
    int maxIds();
  }

  interface TopicNames {
    @WithDefault("github.workflow-job")
    String workflowJob();

    @WithDefault("github.workflow-run")
    String workflowRun();

    @WithDefault("github.installation")
    String installation();

    @WithDefault("github.delivery")
    String delivery();
  }
}
