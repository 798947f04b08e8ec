package dev.runnerguard.audit.ocsf.tree;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runnerguard.audit.ocsf.NormalisedEvent;
import dev.runnerguard.audit.ocsf.SourcePosition;
import dev.runnerguard.schemas.avro.AdmissionDecision;
import dev.runnerguard.schemas.avro.CredentialAuditEvent;
import dev.runnerguard.schemas.avro.CredentialOutcome;
import dev.runnerguard.schemas.avro.Decision;
import dev.runnerguard.schemas.avro.DeliveryReceipt;
import dev.runnerguard.schemas.avro.EventMetadata;
import dev.runnerguard.schemas.avro.GitHubWebhookEvent;
import dev.runnerguard.schemas.avro.WorkflowJobEvent;

/**
 * THE REFERENCE (test only): the tree-building normaliser as it was before the normalisers wrote
 * canonical bytes directly; kept unchanged to check the new path against
 * (NormalisersEquivalenceTest).
 *
 * <p>GitHub webhook deliveries ({@code github.workflow-job}, {@code github.workflow-run}, {@code
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
    ObjectNode o =
        api(
            queued ? 1 : 3,
            queued ? "Create" : "Update",
            Ocsf.SEVERITY_INFORMATIONAL,
            e.getMetadata(),
            "GitHub",
            GITHUB,
            "workflow_job." + e.getAction(),
            "GitHub Webhooks",
            e.getMetadata().getCorrelation().getDeliveryId());
    ObjectNode job = o.putArray("resources").addObject();
    job.put("type", "workflow_job");
    job.put("uid", Long.toString(e.getJobId()));
    Ocsf.putIfNotNull(job, "name", e.getJobName());
    ObjectNode data = job.putObject("data");
    data.put("repository", e.getRepositoryFullName());
    Ocsf.putIfNotNull(data, "organization", e.getOrganization());
    Ocsf.putIfNotNull(data, "run_id", e.getRunId());
    data.put("run_attempt", e.getRunAttempt());
    data.set("labels", Ocsf.strings(e.getLabels()));
    Ocsf.putIfNotNull(data, "status", e.getStatus());
    Ocsf.putIfNotNull(data, "conclusion", e.getConclusion());
    Ocsf.putIfNotNull(data, "runner_name", e.getRunnerName());
    Ocsf.putIfNotNull(data, "runner_group_name", e.getRunnerGroupName());
    Ocsf.putIfNotNull(data, "workflow_name", e.getWorkflowName());
    Ocsf.putIfNotNull(data, "head_sha", e.getHeadSha());
    Ocsf.putIfNotNull(data, "repository_private", e.getRepositoryPrivate());
    o.put("message", "workflow job " + e.getJobId() + " " + e.getAction());
    Ocsf.platformMetadata(o, e.getMetadata(), pos);
    return event(o, e.getMetadata(), pos, null, e.getJobId());
  }

  public static NormalisedEvent normalise(GitHubWebhookEvent e, SourcePosition pos) {
    String action = e.getAction() == null ? "" : "." + e.getAction();
    boolean deleted = "deleted".equals(e.getAction());
    boolean created = "created".equals(e.getAction()) || "requested".equals(e.getAction());
    ObjectNode o =
        api(
            deleted ? 4 : created ? 1 : 3,
            deleted ? "Delete" : created ? "Create" : "Update",
            Ocsf.SEVERITY_INFORMATIONAL,
            e.getMetadata(),
            "GitHub",
            GITHUB,
            e.getEvent() + action,
            "GitHub Webhooks",
            e.getMetadata().getCorrelation().getDeliveryId());
    ObjectNode r = o.putArray("resources").addObject();
    r.put("type", e.getEvent());
    if (e.getRunId() != null) {
      r.put("uid", Long.toString(e.getRunId()));
    } else if (e.getInstallationId() != null) {
      r.put("uid", Long.toString(e.getInstallationId()));
    }
    ObjectNode data = r.putObject("data");
    Ocsf.putIfNotNull(data, "installation_id", e.getInstallationId());
    Ocsf.putIfNotNull(data, "organization", e.getOrganization());
    Ocsf.putIfNotNull(data, "repository", e.getRepositoryFullName());
    o.put("message", "GitHub " + e.getEvent() + action);
    Ocsf.platformMetadata(o, e.getMetadata(), pos);
    return event(o, e.getMetadata(), pos, null, null);
  }

  public static NormalisedEvent normalise(DeliveryReceipt e, SourcePosition pos) {
    ObjectNode o =
        api(
            1,
            "Create",
            Ocsf.SEVERITY_INFORMATIONAL,
            e.getMetadata(),
            "GitHub",
            GITHUB,
            "webhook.delivery." + e.getEvent(),
            "RunnerGuard webhook-gateway",
            e.getDeliveryId());
    ObjectNode r = o.putArray("resources").addObject();
    r.put("type", "webhook_delivery");
    r.put("uid", e.getDeliveryId());
    ObjectNode data = r.putObject("data");
    Ocsf.putIfNotNull(data, "action", e.getAction());
    Ocsf.putIfNotNull(data, "topic", e.getTopic());
    Ocsf.putIfNotNull(data, "partition", e.getPartition());
    Ocsf.putIfNotNull(data, "offset", e.getOffset());
    o.put("message", "webhook delivery " + e.getDeliveryId() + " accepted");
    Ocsf.platformMetadata(o, e.getMetadata(), pos);
    return event(o, e.getMetadata(), pos, null, null);
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
    ObjectNode o =
        api(
            activity,
            activityName,
            ok ? Ocsf.SEVERITY_INFORMATIONAL : Ocsf.SEVERITY_LOW,
            e.getMetadata(),
            e.getRequestedBy() != null ? e.getRequestedBy() : "token-service",
            "api.github.com",
            e.getAction().name().toLowerCase(java.util.Locale.ROOT),
            "GitHub App API",
            null);
    status(o, ok, e.getOutcome().name());
    ObjectNode r = o.putArray("resources").addObject();
    r.put("type", e.getCredentialType().name());
    r.put("uid", e.getCredentialRef());
    ObjectNode data = r.putObject("data");
    data.put("app_id", e.getAppId());
    Ocsf.putIfNotNull(data, "installation_id", e.getInstallationId());
    Ocsf.putIfNotNull(data, "runner_name", e.getRunnerName());
    Ocsf.putIfNotNull(data, "repository", e.getRepositoryFullName());
    Ocsf.putIfNotNull(data, "organization", e.getOrganization());
    Ocsf.putIfNotNull(
        data, "issued_at", e.getIssuedAt() == null ? null : e.getIssuedAt().toEpochMilli());
    Ocsf.putIfNotNull(
        data, "expires_at", e.getExpiresAt() == null ? null : e.getExpiresAt().toEpochMilli());
    data.set("permissions", Ocsf.stringMap(e.getPermissions()));
    o.put(
        "message",
        e.getAction().name() + " " + e.getCredentialType().name() + " " + e.getOutcome());
    Ocsf.putIfNotNull(o, "status_detail", e.getReason());
    Ocsf.platformMetadata(o, e.getMetadata(), pos);
    return event(
        o,
        e.getMetadata(),
        pos,
        Ocsf.runnerId(e.getRunnerId(), e.getMetadata()),
        Ocsf.jobId(e.getJobId(), e.getMetadata()));
  }

  public static NormalisedEvent normalise(AdmissionDecision e, SourcePosition pos) {
    boolean admit = e.getDecision() == Decision.ADMIT;
    ObjectNode o =
        api(
            1,
            "Create",
            admit ? Ocsf.SEVERITY_INFORMATIONAL : Ocsf.SEVERITY_LOW,
            e.getMetadata(),
            e.getMetadata().getProducer().getService(),
            e.getMetadata().getProducer().getService(),
            "admission." + e.getDecision().name().toLowerCase(java.util.Locale.ROOT),
            "RunnerGuard admission",
            null);
    status(o, admit, e.getDecision().name());
    o.put("status_detail", e.getReason());
    ObjectNode r = o.putArray("resources").addObject();
    r.put("type", "workflow_job");
    r.put("uid", Long.toString(e.getJobId()));
    ObjectNode data = r.putObject("data");
    data.put("repository", e.getRepositoryFullName());
    data.put("policy_version", e.getPolicyVersion());
    Ocsf.putIfNotNull(data, "rule_id", e.getRuleId());
    data.put("audit_mode", e.getAuditMode());
    if (e.getRunnerSpec() != null) {
      var s = e.getRunnerSpec();
      ObjectNode spec = data.putObject("runner_spec");
      spec.put("runner_class", s.getRunnerClass());
      spec.put("runner_group", s.getRunnerGroup());
      spec.set("labels", Ocsf.strings(s.getLabels()));
      spec.put("provider", s.getProvider());
      spec.put("isolation", s.getIsolation().name());
      Ocsf.putIfNotNull(spec, "image", s.getImage());
      spec.set("egress_allowlist", Ocsf.strings(s.getEgressAllowlist()));
      spec.put("max_duration_seconds", s.getMaxDurationSeconds());
    }
    o.put("message", "job " + e.getJobId() + " " + e.getDecision() + ": " + e.getReason());
    Ocsf.platformMetadata(o, e.getMetadata(), pos);
    return event(o, e.getMetadata(), pos, null, e.getJobId());
  }

  private static ObjectNode api(
      int activity,
      String activityName,
      int severity,
      EventMetadata meta,
      String actorApp,
      String srcHost,
      String operation,
      String service,
      String requestUid) {
    ObjectNode o = Ocsf.base(Ocsf.API_ACTIVITY, activity, activityName, severity, meta.getTime());
    o.putObject("actor").put("app_name", actorApp);
    ObjectNode api = o.putObject("api");
    api.put("operation", operation);
    api.putObject("service").put("name", service);
    if (requestUid != null) {
      api.putObject("request").put("uid", requestUid);
    }
    o.putObject("src_endpoint").put("hostname", srcHost);
    status(o, true, null);
    return o;
  }

  private static void status(ObjectNode o, boolean success, String code) {
    o.put("status_id", success ? 1 : 2);
    o.put("status", success ? "Success" : "Failure");
    if (code != null) {
      o.put("status_code", code);
    }
  }

  private static NormalisedEvent event(
      ObjectNode o, EventMetadata meta, SourcePosition pos, String runnerId, Long jobId) {
    return new NormalisedEvent(
        meta.getEventId(),
        pos,
        meta.getTime(),
        Ocsf.API_ACTIVITY.classUid(),
        o.get("severity_id").asInt(),
        runnerId != null ? runnerId : meta.getCorrelation().getRunnerId(),
        jobId != null ? jobId : meta.getCorrelation().getJobId(),
        false,
        o);
  }
}
