package dev.runnerguard.schemas;

/**
 * Every consuming channel of the platform with the topic it reads. Each one owns a dead-letter
 * topic ({@link #deadLetterTopic()}) for records it cannot decode or process; the launcher and the
 * Kubernetes manifests create those topics from this list. A service adding a consumer adds it
 * here.
 */
public enum ConsumingChannel {
  /** policy-service: admission decisions for queued jobs. */
  POLICY_ADMISSION(Topics.WORKFLOW_JOB, "policy-admission");

  private final Topics topic;
  private final String channel;

  ConsumingChannel(Topics topic, String channel) {
    this.topic = topic;
    this.channel = channel;
  }

  /** The topic this channel consumes. */
  public Topics topic() {
    return topic;
  }

  /** The channel name, also the consumer group suffix and the dead-letter topic suffix. */
  public String channel() {
    return channel;
  }

  /**
   * The channel's dead-letter topic, for example {@code github.workflow-job.dlt.policy-admission}.
   */
  public String deadLetterTopic() {
    return topic.deadLetterTopic(channel);
  }
}
