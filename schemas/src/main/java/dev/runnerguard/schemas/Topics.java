package dev.runnerguard.schemas;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every Kafka topic of the platform, defined in one place: name, what the record key is, how many
 * partitions it gets by default and whether it is compacted.
 *
 * <p>Services never hard-code a topic name; they map channels to these names in configuration, and
 * the local launcher and the Kubernetes manifests create topics from this list.
 */
public enum Topics {
  WORKFLOW_JOB("github.workflow-job", "job id", 12, false),
  /**
   * Accepted GitHub delivery ids, for deduplication shared by every gateway replica; compacted and
   * kept {@link #DELIVERY_RETENTION} (GitHub redelivers for three days).
   */
  DELIVERY("github.delivery", "delivery id", 6, true),
  WORKFLOW_RUN("github.workflow-run", "run id", 6, false),
  INSTALLATION("github.installation", "installation id", 1, false),
  RUNNER_ADMISSION("runner.admission", "job id", 12, false),
  RUNNER_LIFECYCLE("runner.lifecycle", "runner id", 12, false),
  RUNNER_SIGNAL("runner.signal", "runner id", 12, false),
  RUNNER_FINDING("runner.finding", "runner id", 6, false),
  RUNNER_COMMAND("runner.command", "runner id", 12, false),
  CREDENTIAL_AUDIT("credential.audit", "runner id", 6, false),
  /**
   * What runner providers did (provisioned, failed, exited, destroyed, quarantine steps), fed back
   * into the runner-orchestrator's state machine; as many partitions as {@link #RUNNER_COMMAND} so
   * the two are co-partitioned by runner id.
   */
  RUNNER_PROVIDER_EVENT("runner.provider-event", "runner id", 12, false),
  FALCO_EVENTS("falco.events", "none (raw falcosidekick JSON)", 6, false),
  AUDIT_OCSF("audit.ocsf", "event id", 6, false);

  /** How long {@link #DELIVERY} keeps a delivery id: GitHub's 3-day redelivery window and a day. */
  public static final Duration DELIVERY_RETENTION = Duration.ofDays(4);

  /** Suffix of every dead-letter topic: {@code <topic>.dlt.<consumer channel>}. */
  public static final String DEAD_LETTER_INFIX = ".dlt.";

  private final String topicName;
  private final String key;
  private final int partitions;
  private final boolean compacted;

  Topics(String topicName, String key, int partitions, boolean compacted) {
    this.topicName = topicName;
    this.key = key;
    this.partitions = partitions;
    this.compacted = compacted;
  }

  /** The Kafka topic name. */
  public String topicName() {
    return topicName;
  }

  /** What the record key holds (documentation; keys are UTF-8 strings). */
  public String key() {
    return key;
  }

  /** Default partition count; the unit of consumer scale-out. */
  public int partitions() {
    return partitions;
  }

  /** Whether the topic uses log compaction instead of time retention. */
  public boolean compacted() {
    return compacted;
  }

  /**
   * The dead-letter topic of one consuming channel of this topic, for example {@code
   * github.workflow-job.dlt.policy-admission}.
   */
  public String deadLetterTopic(String consumerChannel) {
    if (consumerChannel == null || !consumerChannel.matches("[a-z0-9][a-z0-9-]{0,62}")) {
      throw new IllegalArgumentException(
          "consumer channel must be lower-case letters, digits and '-', got: " + consumerChannel);
    }
    return topicName + DEAD_LETTER_INFIX + consumerChannel;
  }

  /**
   * Topic-level configuration to create the topic with: the cleanup policy, and for {@link
   * #DELIVERY} a retention that also removes old compacted keys.
   */
  public Map<String, String> topicConfig() {
    Map<String, String> config = new LinkedHashMap<>();
    if (this == DELIVERY) {
      config.put("cleanup.policy", "compact,delete");
      config.put("retention.ms", Long.toString(DELIVERY_RETENTION.toMillis()));
    } else {
      config.put("cleanup.policy", compacted ? "compact" : "delete");
    }
    return config;
  }

  /** Looks a topic up by its Kafka name. */
  public static Optional<Topics> byName(String topicName) {
    return Arrays.stream(values()).filter(t -> t.topicName.equals(topicName)).findFirst();
  }

  /** All topic names, in declaration order. */
  public static List<String> names() {
    return Arrays.stream(values()).map(Topics::topicName).toList();
  }
}
