package dev.runnerguard.policy.detection;

import dev.runnerguard.policy.detection.rules.Response;
import dev.runnerguard.policy.detection.rules.RuleCatalog;
import dev.runnerguard.schemas.avro.CommandType;
import dev.runnerguard.schemas.avro.Finding;
import dev.runnerguard.schemas.avro.FindingAction;
import dev.runnerguard.schemas.avro.RunnerCommand;
import dev.runnerguard.schemas.avro.TraceContext;
import dev.runnerguard.schemas.serde.EventMetadataFactory;
import java.util.LinkedHashMap;
import java.util.Map;

/** Builds the {@link Finding} and, for a quarantine, the {@link RunnerCommand} of a detection. */
public final class FindingFactory {
  /** {@code RunnerCommand.requestedBy} of every command detection issues. */
  public static final String REQUESTED_BY = "policy-service";

  private final EventMetadataFactory metadata;

  public FindingFactory(EventMetadataFactory metadata) {
    this.metadata = metadata;
  }

  /** The finding. {@code action}: QUARANTINE or ALERT by the rule's response; audit flagged. */
  public Finding finding(Detection d, String policyVersion, TraceContext trace) {
    Map<String, String> attributes = new LinkedHashMap<>(d.evidence());
    attributes.put("rule.response", d.rule().response().name().toLowerCase(java.util.Locale.ROOT));
    attributes.put("rule.source", d.rule().source());
    attributes.put("trigger", d.triggerId());
    if (d.quarantine()) {
      attributes.put("commandId", Ids.commandId(d.findingId()));
    } else if (d.rule().response() == Response.QUARANTINE && !d.rule().audit()) {
      attributes.put(
          "quarantine",
          d.runnerId() == null ? "no runner to quarantine" : "already quarantined or requested");
    }
    return Finding.newBuilder()
        .setMetadata(
            metadata.create(
                trace, EventMetadataFactory.correlation(null, d.jobId(), null, d.runnerId())))
        .setFindingId(d.findingId())
        .setRuleId(d.rule().id())
        .setTitle(RuleCatalog.get(d.rule().id()).title())
        .setDescription(d.summary())
        .setSeverity(d.rule().severity())
        .setRunnerId(d.runnerId())
        .setJobId(d.jobId())
        .setRepositoryFullName(d.repository())
        .setSignalIds(d.signalIds())
        .setAction(
            d.rule().response() == Response.QUARANTINE
                ? FindingAction.QUARANTINE
                : FindingAction.ALERT)
        .setAuditMode(d.rule().audit())
        .setPolicyVersion(policyVersion)
        .setAttributes(attributes)
        .build();
  }

  /** The QUARANTINE command of a detection that has one. */
  public RunnerCommand command(Detection d, TraceContext trace) {
    if (!d.quarantine() || d.runnerId() == null) {
      throw new IllegalArgumentException("detection " + d.findingId() + " has no command");
    }
    Map<String, String> attributes = new LinkedHashMap<>();
    attributes.put("ruleId", d.rule().id());
    attributes.put("severity", d.rule().severity().name());
    return RunnerCommand.newBuilder()
        .setMetadata(
            metadata.create(
                trace, EventMetadataFactory.correlation(null, d.jobId(), null, d.runnerId())))
        .setCommandId(Ids.commandId(d.findingId()))
        .setCommand(CommandType.QUARANTINE)
        .setRunnerId(d.runnerId())
        .setJobId(d.jobId())
        .setFindingId(d.findingId())
        .setReason(d.rule().id() + ": " + d.summary())
        .setRequestedBy(REQUESTED_BY)
        .setAttributes(attributes)
        .build();
  }
}
