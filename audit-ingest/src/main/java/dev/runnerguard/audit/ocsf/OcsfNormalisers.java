package dev.runnerguard.audit.ocsf;

import dev.runnerguard.schemas.DeliveryReceipts;
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
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/** Picks the normaliser of a decoded platform record. Pure. */
public final class OcsfNormalisers {

  private OcsfNormalisers() {}

  /**
   * The OCSF events of a decoded Avro record: one, or one per delivery of a batched receipt on
   * {@code github.delivery} ({@link DeliveryReceipts#each}, all at the record's position).
   *
   * @throws IllegalArgumentException for a record type no normaliser knows (permanent)
   */
  public static List<NormalisedEvent> normaliseAll(SpecificRecord record, SourcePosition pos) {
    if (record instanceof DeliveryReceipt receipt && !receipt.getMore().isEmpty()) {
      List<NormalisedEvent> each = new ArrayList<>(DeliveryReceipts.count(receipt));
      for (DeliveryReceipt one : DeliveryReceipts.each(receipt)) {
        each.add(ApiActivityNormaliser.normalise(one, pos));
      }
      return each;
    }
    return List.of(normalise(record, pos));
  }

  /**
   * The OCSF event of a decoded Avro record (a batched receipt: {@link #normaliseAll}).
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

  /**
   * Why a decoded record is consumed but not stored, or null when it is stored: the kind of a
   * provider event that is only counted (INVENTORY, TICK: {@link ProviderEventNormaliser#stored}).
   * Every record can still be {@link #normalise normalised}.
   */
  public static String notStored(SpecificRecord record) {
    if (record instanceof ProviderEvent e && !ProviderEventNormaliser.stored(e.getKind())) {
      return e.getKind().name();
    }
    return null;
  }

  /** Whether a topic is consumed by audit-ingest (every platform topic but audit.ocsf). */
  public static boolean consumed(Topics topic) {
    return topic != Topics.AUDIT_OCSF;
  }
}
