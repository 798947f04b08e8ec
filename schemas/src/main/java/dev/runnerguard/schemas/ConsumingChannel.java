package dev.runnerguard.schemas;

/**
 * Every consuming channel of the platform with the topic it reads. Each one owns a dead-letter
 * topic ({@link #deadLetterTopic()}) for records it cannot decode or process; the launcher and the
 * Kubernetes manifests create those topics from this list. A service adding a consumer adds it
 * here.
 */
public enum ConsumingChannel {
  /** policy-service: admission decisions for queued jobs. */
  POLICY_ADMISSION(Topics.WORKFLOW_JOB, "policy-admission"),
  /** policy-service detection: runtime signals from sensors. */
  DETECTION_SIGNAL(Topics.RUNNER_SIGNAL, "detection-signal"),
  /** policy-service detection: webhook facts (second in_progress on a runner, foreign runners). */
  DETECTION_WORKFLOW_JOB(Topics.WORKFLOW_JOB, "detection-workflow-job"),
  /** policy-service detection: lifecycle facts (signal after completed, max duration). */
  DETECTION_LIFECYCLE(Topics.RUNNER_LIFECYCLE, "detection-lifecycle"),
  /** policy-service detection: raw falcosidekick JSON. */
  DETECTION_FALCO(Topics.FALCO_EVENTS, "detection-falco"),
  /** runner-orchestrator: admission decisions (admit provisions a runner). */
  ORCHESTRATOR_ADMISSION(Topics.RUNNER_ADMISSION, "orchestrator-admission"),
  /** runner-orchestrator: in_progress marks a runner busy, completed finishes it. */
  ORCHESTRATOR_WORKFLOW_JOB(Topics.WORKFLOW_JOB, "orchestrator-workflow-job"),
  /** runner-orchestrator: quarantine, destroy, release commands. */
  ORCHESTRATOR_COMMAND(Topics.RUNNER_COMMAND, "orchestrator-command"),
  /**
   * audit-ingest: every platform topic, normalised to OCSF and chained. One logical channel per
   * topic (its dead-letter topic and metrics tag); all twelve are read by one SmallRye channel,
   * {@code audit-platform}, with one consumer.
   */
  AUDIT_WORKFLOW_JOB(Topics.WORKFLOW_JOB, "audit-workflow-job"),
  AUDIT_DELIVERY(Topics.DELIVERY, "audit-delivery"),
  AUDIT_WORKFLOW_RUN(Topics.WORKFLOW_RUN, "audit-workflow-run"),
  AUDIT_INSTALLATION(Topics.INSTALLATION, "audit-installation"),
  AUDIT_RUNNER_ADMISSION(Topics.RUNNER_ADMISSION, "audit-runner-admission"),
  AUDIT_RUNNER_LIFECYCLE(Topics.RUNNER_LIFECYCLE, "audit-runner-lifecycle"),
  AUDIT_RUNNER_SIGNAL(Topics.RUNNER_SIGNAL, "audit-runner-signal"),
  AUDIT_RUNNER_FINDING(Topics.RUNNER_FINDING, "audit-runner-finding"),
  AUDIT_RUNNER_COMMAND(Topics.RUNNER_COMMAND, "audit-runner-command"),
  AUDIT_CREDENTIAL_AUDIT(Topics.CREDENTIAL_AUDIT, "audit-credential-audit"),
  AUDIT_RUNNER_PROVIDER_EVENT(Topics.RUNNER_PROVIDER_EVENT, "audit-runner-provider-event"),
  AUDIT_FALCO_EVENTS(Topics.FALCO_EVENTS, "audit-falco-events");

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
