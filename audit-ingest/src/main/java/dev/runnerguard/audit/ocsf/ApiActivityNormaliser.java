package dev.runnerguard.audit.ocsf;

import dev.runnerguard.audit.chain.CanonicalWriter;
import dev.runnerguard.schemas.avro.AdmissionDecision;
import dev.runnerguard.schemas.avro.CredentialAuditEvent;
import dev.runnerguard.schemas.avro.CredentialOutcome;
import dev.runnerguard.schemas.avro.Decision;
import dev.runnerguard.schemas.avro.DeliveryReceipt;
import dev.runnerguard.schemas.avro.EventMetadata;
import dev.runnerguard.schemas.avro.GitHubWebhookEvent;
import dev.runnerguard.schemas.avro.WorkflowJobEvent;

/**
 * GitHub webhook deliveries ({@code github.workflow-job}, {@code github.workflow-run}, {@code
 * github.installation}, {@code github.delivery}), credential operations ({@code credential.audit})
 * and admission decisions ({@code runner.admission}) → OCSF API Activity (6003): Create (1), Read
 * (2), Update (3), Delete (4). The raw webhook bodies are not copied (they can be large; the
 * delivery id points to them).
 */
public final class ApiActivityNormaliser {

  private static final String GITHUB = "github.com";

  private ApiActivityNormaliser() {}

  public static NormalisedEvent normalise(WorkflowJobEvent e, SourcePosition pos) {
    boolean queued = "queued".equals(e.getAction());
    CanonicalWriter w =
        api(
            queued ? 1 : 3,
            queued ? "Create" : "Update",
            Ocsf.SEVERITY_INFORMATIONAL,
            e.getMetadata(),
            "GitHub",
            GITHUB,
            "workflow_job." + e.getAction(),
            "GitHub Webhooks",
            e.getMetadata().getCorrelation().getDeliveryId(),
            true,
            null);
    w.beginArray("resources").beginObject();
    w.beginObject("data");
    w.fieldIfNotNull("conclusion", e.getConclusion());
    w.fieldIfNotNull("head_sha", e.getHeadSha());
    Ocsf.strings(w, "labels", e.getLabels());
    w.fieldIfNotNull("organization", e.getOrganization());
    w.field("repository", e.getRepositoryFullName());
    w.fieldIfNotNull("repository_private", e.getRepositoryPrivate());
    w.field("run_attempt", e.getRunAttempt());
    w.fieldIfNotNull("run_id", e.getRunId());
    w.fieldIfNotNull("runner_group_name", e.getRunnerGroupName());
    w.fieldIfNotNull("runner_name", e.getRunnerName());
    w.fieldIfNotNull("status", e.getStatus());
    w.fieldIfNotNull("workflow_name", e.getWorkflowName());
    w.endObject();
    w.fieldIfNotNull("name", e.getJobName());
    w.field("type", "workflow_job");
    w.field("uid", Long.toString(e.getJobId()));
    w.endObject().endArray();
    w.field("message", "workflow job " + e.getJobId() + " " + e.getAction());
    return event(w, Ocsf.SEVERITY_INFORMATIONAL, e.getMetadata(), pos, null, e.getJobId());
  }

  public static NormalisedEvent normalise(GitHubWebhookEvent e, SourcePosition pos) {
    String action = e.getAction() == null ? "" : "." + e.getAction();
    boolean deleted = "deleted".equals(e.getAction());
    boolean created = "created".equals(e.getAction()) || "requested".equals(e.getAction());
    CanonicalWriter w =
        api(
            deleted ? 4 : created ? 1 : 3,
            deleted ? "Delete" : created ? "Create" : "Update",
            Ocsf.SEVERITY_INFORMATIONAL,
            e.getMetadata(),
            "GitHub",
            GITHUB,
            e.getEvent() + action,
            "GitHub Webhooks",
            e.getMetadata().getCorrelation().getDeliveryId(),
            true,
            null);
    w.beginArray("resources").beginObject();
    w.beginObject("data");
    w.fieldIfNotNull("installation_id", e.getInstallationId());
    w.fieldIfNotNull("organization", e.getOrganization());
    w.fieldIfNotNull("repository", e.getRepositoryFullName());
    w.endObject();
    w.field("type", e.getEvent());
    if (e.getRunId() != null) {
      w.field("uid", Long.toString(e.getRunId()));
    } else if (e.getInstallationId() != null) {
      w.field("uid", Long.toString(e.getInstallationId()));
    }
    w.endObject().endArray();
    w.field("message", "GitHub " + e.getEvent() + action);
    return event(w, Ocsf.SEVERITY_INFORMATIONAL, e.getMetadata(), pos, null, null);
  }

  public static NormalisedEvent normalise(DeliveryReceipt e, SourcePosition pos) {
    CanonicalWriter w =
        api(
            1,
            "Create",
            Ocsf.SEVERITY_INFORMATIONAL,
            e.getMetadata(),
            "GitHub",
            GITHUB,
            "webhook.delivery." + e.getEvent(),
            "RunnerGuard webhook-gateway",
            e.getDeliveryId(),
            true,
            null);
    w.beginArray("resources").beginObject();
    w.beginObject("data");
    w.fieldIfNotNull("action", e.getAction());
    w.fieldIfNotNull("offset", e.getOffset());
    w.fieldIfNotNull("partition", e.getPartition());
    w.fieldIfNotNull("topic", e.getTopic());
    w.endObject();
    w.field("type", "webhook_delivery");
    w.field("uid", e.getDeliveryId());
    w.endObject().endArray();
    w.field("message", "webhook delivery " + e.getDeliveryId() + " accepted");
    return event(w, Ocsf.SEVERITY_INFORMATIONAL, e.getMetadata(), pos, null, null);
  }

  public static NormalisedEvent normalise(CredentialAuditEvent e, SourcePosition pos) {
    int activity;
    String activityName;
    switch (e.getAction()) {
      case INSTALLATION_TOKEN_REUSED -> {
        activity = 2;
        activityName = "Read";
      }
      case RUNNER_REGISTRATION_DELETED, CREDENTIAL_REVOKED -> {
        activity = 4;
        activityName = "Delete";
      }
      case WORKFLOW_RUN_CANCELLED -> {
        activity = 3;
        activityName = "Update";
      }
      case UNKNOWN -> {
        activity = Ocsf.OTHER;
        activityName = "Other";
      }
      default -> {
        activity = 1;
        activityName = "Create";
      }
    }
    boolean ok = e.getOutcome() == CredentialOutcome.SUCCESS;
    int severity = ok ? Ocsf.SEVERITY_INFORMATIONAL : Ocsf.SEVERITY_LOW;
    CanonicalWriter w =
        api(
            activity,
            activityName,
            severity,
            e.getMetadata(),
            e.getRequestedBy() != null ? e.getRequestedBy() : "token-service",
            "api.github.com",
            e.getAction().name().toLowerCase(java.util.Locale.ROOT),
            "GitHub App API",
            null,
            ok,
            e.getOutcome().name());
    w.beginArray("resources").beginObject();
    w.beginObject("data");
    w.field("app_id", e.getAppId());
    w.fieldIfNotNull(
        "expires_at", e.getExpiresAt() == null ? null : e.getExpiresAt().toEpochMilli());
    w.fieldIfNotNull("installation_id", e.getInstallationId());
    w.fieldIfNotNull("issued_at", e.getIssuedAt() == null ? null : e.getIssuedAt().toEpochMilli());
    w.fieldIfNotNull("organization", e.getOrganization());
    Ocsf.stringMap(w, "permissions", e.getPermissions());
    w.fieldIfNotNull("repository", e.getRepositoryFullName());
    w.fieldIfNotNull("runner_name", e.getRunnerName());
    w.endObject();
    w.field("type", e.getCredentialType().name());
    w.field("uid", e.getCredentialRef());
    w.endObject().endArray();
    w.field(
        "message",
        e.getAction().name() + " " + e.getCredentialType().name() + " " + e.getOutcome());
    w.fieldIfNotNull("status_detail", e.getReason());
    return event(
        w,
        severity,
        e.getMetadata(),
        pos,
        Ocsf.runnerId(e.getRunnerId(), e.getMetadata()),
        Ocsf.jobId(e.getJobId(), e.getMetadata()));
  }

  public static NormalisedEvent normalise(AdmissionDecision e, SourcePosition pos) {
    boolean admit = e.getDecision() == Decision.ADMIT;
    int severity = admit ? Ocsf.SEVERITY_INFORMATIONAL : Ocsf.SEVERITY_LOW;
    CanonicalWriter w =
        api(
            1,
            "Create",
            severity,
            e.getMetadata(),
            e.getMetadata().getProducer().getService(),
            e.getMetadata().getProducer().getService(),
            "admission." + e.getDecision().name().toLowerCase(java.util.Locale.ROOT),
            "RunnerGuard admission",
            null,
            admit,
            e.getDecision().name());
    w.field("status_detail", e.getReason());
    w.beginArray("resources").beginObject();
    w.beginObject("data");
    w.field("audit_mode", e.getAuditMode());
    w.field("policy_version", e.getPolicyVersion());
    w.field("repository", e.getRepositoryFullName());
    w.fieldIfNotNull("rule_id", e.getRuleId());
    if (e.getRunnerSpec() != null) {
      var s = e.getRunnerSpec();
      w.beginObject("runner_spec");
      Ocsf.strings(w, "egress_allowlist", s.getEgressAllowlist());
      w.fieldIfNotNull("image", s.getImage());
      w.field("isolation", s.getIsolation().name());
      Ocsf.strings(w, "labels", s.getLabels());
      w.field("max_duration_seconds", s.getMaxDurationSeconds());
      w.field("provider", s.getProvider());
      w.field("runner_class", s.getRunnerClass());
      w.field("runner_group", s.getRunnerGroup());
      w.endObject();
    }
    w.endObject();
    w.field("type", "workflow_job");
    w.field("uid", Long.toString(e.getJobId()));
    w.endObject().endArray();
    w.field("message", "job " + e.getJobId() + " " + e.getDecision() + ": " + e.getReason());
    return event(w, severity, e.getMetadata(), pos, null, e.getJobId());
  }

  /**
   * Starts an API Activity event: base attributes, {@code actor}, {@code api}, {@code src_endpoint}
   * and the status ({@code status_id}, {@code status}, {@code status_code} when {@code code} is not
   * null). The event's object stays open; {@link #event} finishes it.
   */
  private static CanonicalWriter api(
      int activity,
      String activityName,
      int severity,
      EventMetadata meta,
      String actorApp,
      String srcHost,
      String operation,
      String service,
      String requestUid,
      boolean success,
      String code) {
    CanonicalWriter w = CanonicalWriter.local();
    w.beginObject();
    Ocsf.base(w, Ocsf.API_ACTIVITY, activity, activityName, severity, meta.getTime());
    w.beginObject("actor").field("app_name", actorApp).endObject();
    w.beginObject("api");
    w.field("operation", operation);
    if (requestUid != null) {
      w.beginObject("request").field("uid", requestUid).endObject();
    }
    w.beginObject("service").field("name", service).endObject();
    w.endObject();
    w.beginObject("src_endpoint").field("hostname", srcHost).endObject();
    w.field("status", success ? "Success" : "Failure");
    if (code != null) {
      w.field("status_code", code);
    }
    w.field("status_id", success ? 1 : 2);
    return w;
  }

  /** Adds {@code metadata} and {@code unmapped}, ends the event {@link #api} started. */
  private static NormalisedEvent event(
      CanonicalWriter w,
      int severity,
      EventMetadata meta,
      SourcePosition pos,
      String runnerId,
      Long jobId) {
    Ocsf.platform(w, meta, pos);
    w.endObject();
    return new NormalisedEvent(
        meta.getEventId(),
        pos,
        meta.getTime(),
        Ocsf.API_ACTIVITY.classUid(),
        severity,
        runnerId != null ? runnerId : meta.getCorrelation().getRunnerId(),
        jobId != null ? jobId : meta.getCorrelation().getJobId(),
        false,
        w.toByteArray());
  }
}
