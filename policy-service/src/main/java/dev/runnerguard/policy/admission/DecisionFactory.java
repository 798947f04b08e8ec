package dev.runnerguard.policy.admission;

import dev.runnerguard.schemas.avro.AdmissionDecision;
import dev.runnerguard.schemas.avro.EventMetadata;
import dev.runnerguard.schemas.avro.WorkflowJobEvent;
import dev.runnerguard.schemas.serde.EventMetadataFactory;

/**
 * Builds the {@link AdmissionDecision} event of a verdict (the desired output; producing it is
 * {@code output.AdmissionPublisher}'s job). Metadata carries the job's delivery id, job id and run
 * id, and its trace context.
 */
public final class DecisionFactory {
  private final EventMetadataFactory metadata;

  public DecisionFactory(EventMetadataFactory metadata) {
    this.metadata = metadata;
  }

  /** The decision event for a job decided under a policy version. */
  public AdmissionDecision build(WorkflowJobEvent job, String policyVersion, Verdict verdict) {
    EventMetadata in = job.getMetadata();
    EventMetadata meta =
        metadata.create(
            in.getTrace(),
            EventMetadataFactory.correlation(
                in.getCorrelation().getDeliveryId(), job.getJobId(), job.getRunId(), null));
    return AdmissionDecision.newBuilder()
        .setMetadata(meta)
        .setJobId(job.getJobId())
        .setRunAttempt(job.getRunAttempt())
        .setRepositoryFullName(job.getRepositoryFullName())
        .setOrganization(job.getOrganization())
        .setDecision(verdict.decision())
        .setReason(verdict.reason())
        .setPolicyVersion(policyVersion)
        .setRuleId(verdict.ruleId())
        .setAuditMode(verdict.auditMode())
        .setRunnerSpec(verdict.spec().orElse(null))
        .build();
  }

  /** The dedupe key of a (job id, run attempt) pair. */
  public static String attemptKey(long jobId, int runAttempt) {
    return jobId + "/" + runAttempt;
  }
}
