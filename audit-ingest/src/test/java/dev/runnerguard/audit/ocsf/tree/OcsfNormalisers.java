package dev.runnerguard.audit.ocsf.tree;

import dev.runnerguard.audit.ocsf.NormalisedEvent;
import dev.runnerguard.audit.ocsf.SourcePosition;
import dev.runnerguard.schemas.Topics;
import dev.runnerguard.schemas.avro.AdmissionDecision;
import dev.runnerguard.schemas.avro.CredentialAuditEvent;
import dev.runnerguard.schemas.avro.DeliveryReceipt;
import dev.runnerguard.schemas.avro.Finding;
import dev.runnerguard.schemas.avro.GitHubWebhookEvent;
import dev.runnerguard.schemas.avro.ProviderEvent;
import dev.runnerguard.schemas.avro.RunnerCommand;
import dev.runnerguard.schemas.avro.RunnerLifecycleEvent;
import dev.runnerguard.schemas.avro.SecuritySignal;
import dev.runnerguard.schemas.avro.WorkflowJobEvent;
import org.apache.avro.specific.SpecificRecord;

/**
 * THE REFERENCE (test only): the tree-building normaliser as it was before the normalisers wrote
 * canonical bytes directly; kept unchanged to check the new path against
 * (NormalisersEquivalenceTest).
 *
 * <p>Picks the normaliser of a decoded platform record. Pure.
 */
public final class OcsfNormalisers {

  private OcsfNormalisers() {}

  /**
   * The OCSF event of a decoded Avro record.
   *
   * @throws IllegalArgumentException for a record type no normaliser knows (permanent)
   */
  public static NormalisedEvent normalise(SpecificRecord record, SourcePosition pos) {
    if (record instanceof WorkflowJobEvent e) {
      return ApiActivityNormaliser.normalise(e, pos);
    } else if (record instanceof GitHubWebhookEvent e) {
      return ApiActivityNormaliser.normalise(e, pos);
    } else if (record instanceof DeliveryReceipt e) {
      return ApiActivityNormaliser.normalise(e, pos);
    } else if (record instanceof CredentialAuditEvent e) {
      return ApiActivityNormaliser.normalise(e, pos);
    } else if (record instanceof AdmissionDecision e) {
      return ApiActivityNormaliser.normalise(e, pos);
    } else if (record instanceof RunnerLifecycleEvent e) {
      return EntityManagementNormaliser.normalise(e, pos);
    } else if (record instanceof RunnerCommand e) {
      return RemediationActivityNormaliser.normalise(e, pos);
    } else if (record instanceof ProviderEvent e) {
      return ProviderEventNormaliser.normalise(e, pos);
    } else if (record instanceof Finding e) {
      return DetectionFindingNormaliser.normalise(e, pos);
    } else if (record instanceof SecuritySignal s) {
      if (NetworkActivityNormaliser.accepts(s)) {
        return NetworkActivityNormaliser.normalise(s, pos);
      } else if (FileSystemActivityNormaliser.accepts(s)) {
        return FileSystemActivityNormaliser.normalise(s, pos);
      }
      return ProcessActivityNormaliser.normalise(s, pos);
    }
    throw new IllegalArgumentException(
        "no OCSF normaliser for " + record.getClass().getSimpleName() + " at " + pos);
  }

  /** Whether a topic is consumed by audit-ingest (every platform topic but audit.ocsf). */
  public static boolean consumed(Topics topic) {
    return topic != Topics.AUDIT_OCSF;
  }
}
