package dev.runnerguard.audit.api;

import dev.runnerguard.audit.config.AuditConfig;
import dev.runnerguard.audit.ocsf.Ocsf;
import dev.runnerguard.audit.store.AuditStore;
import dev.runnerguard.audit.store.StoredEvent;
import dev.runnerguard.audit.store.VerifyResult;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.sql.SQLException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The audit API (JSON). Bad input answers 400 {@code {"error": ..., "parameter": ...}}; a store
 * failure answers 503 without internals.
 */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
public class AuditResource {

  private final AuditStore store;
  private final AuditConfig config;
  private final MeterRegistry registry;

  public AuditResource(AuditStore store, AuditConfig config, MeterRegistry registry) {
    this.store = store;
    this.config = config;
    this.registry = registry;
  }

  /** A runner's events, oldest first. */
  @GET
  @Path("/runners/{id}/timeline")
  public Response timeline(@PathParam("id") String runnerId, @QueryParam("limit") String limit)
      throws SQLException {
    if (runnerId == null || runnerId.isBlank() || runnerId.length() > 200) {
      return badRequest("id", "runner id must be 1 to 200 characters");
    }
    Integer n = limit(limit);
    if (n == null) {
      return badLimit();
    }
    return ok(Map.of("runnerId", runnerId, "events", events(store.timeline(runnerId, n))));
  }

  /** A job's events, oldest first; 404 when the store knows nothing of the job. */
  @GET
  @Path("/jobs/{id}")
  public Response job(@PathParam("id") String jobId, @QueryParam("limit") String limit)
      throws SQLException {
    long id;
    try {
      id = Long.parseLong(jobId);
    } catch (NumberFormatException e) {
      return badRequest("id", "job id must be a number (GitHub workflow job id)");
    }
    Integer n = limit(limit);
    if (n == null) {
      return badLimit();
    }
    List<StoredEvent> events = store.job(id, n);
    if (events.isEmpty()) {
      return Response.status(404)
          .entity(Map.of("error", "no events for job " + id, "jobId", id))
          .build();
    }
    return ok(Map.of("jobId", id, "events", events(events)));
  }

  /**
   * Detection findings, newest first. {@code severity}: minimum severity, an OCSF name
   * (informational, low, medium, high, critical, fatal) or id 1-6; {@code since}: ISO-8601 instant
   * or epoch milliseconds.
   */
  @GET
  @Path("/findings")
  public Response findings(
      @QueryParam("severity") String severity,
      @QueryParam("since") String since,
      @QueryParam("limit") String limit)
      throws SQLException {
    Integer min = severity == null || severity.isBlank() ? Integer.valueOf(0) : severity(severity);
    if (min == null) {
      return badRequest(
          "severity",
          "severity must be one of informational, low, medium, high, critical, fatal or 1-6");
    }
    Instant from;
    try {
      from = since == null || since.isBlank() ? Instant.EPOCH : instant(since);
    } catch (DateTimeParseException | NumberFormatException e) {
      return badRequest(
          "since",
          "since must be an ISO-8601 instant (2024-01-31T12:00:00Z) or epoch milliseconds");
    }
    Integer n = limit(limit);
    if (n == null) {
      return badLimit();
    }
    return ok(Map.of("findings", events(store.findings(min, from, n))));
  }

  /** Walks the chain. */
  @GET
  @Path("/audit/verify")
  public Response verify() throws SQLException {
    VerifyResult r = store.verify();
    registry
        .counter("runnerguard.audit.chain.verifications", "result", r.ok() ? "ok" : "broken")
        .increment();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("ok", r.ok());
    body.put("checked", r.checked());
    if (r.firstBroken() == null) {
      body.put("firstBroken", null);
    } else {
      Map<String, Object> b = new LinkedHashMap<>();
      b.put("seq", r.firstBroken().seq());
      b.put("eventId", r.firstBroken().eventId());
      b.put("reason", r.firstBroken().reason());
      body.put("firstBroken", b);
    }
    if (r.checkpoint() == null) {
      body.put("checkpoint", null);
    } else {
      Map<String, Object> cp = new LinkedHashMap<>();
      cp.put("throughSeq", r.checkpoint().throughSeq());
      cp.put("lastHash", dev.runnerguard.audit.chain.HashChain.hex(r.checkpoint().lastHash()));
      cp.put("prunedRows", r.checkpoint().prunedRows());
      cp.put("createdAt", r.checkpoint().createdAt().toString());
      cp.put("keyId", r.checkpoint().keyId());
      body.put("checkpoint", cp);
    }
    return ok(body);
  }

  static Integer severity(String s) {
    String v = s.trim().toLowerCase(Locale.ROOT);
    return switch (v) {
      case "informational", "info", "1" -> Ocsf.SEVERITY_INFORMATIONAL;
      case "low", "2" -> Ocsf.SEVERITY_LOW;
      case "medium", "3" -> Ocsf.SEVERITY_MEDIUM;
      case "high", "4" -> Ocsf.SEVERITY_HIGH;
      case "critical", "5" -> Ocsf.SEVERITY_CRITICAL;
      case "fatal", "6" -> Ocsf.SEVERITY_FATAL;
      default -> null;
    };
  }

  static Instant instant(String s) {
    String v = s.trim();
    if (v.chars().allMatch(Character::isDigit)) {
      return Instant.ofEpochMilli(Long.parseLong(v));
    }
    return Instant.parse(v);
  }

  private Integer limit(String limit) {
    if (limit == null || limit.isBlank()) {
      return config.api().defaultLimit();
    }
    try {
      int n = Integer.parseInt(limit.trim());
      return n >= 1 && n <= config.api().maxLimit() ? n : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private Response badLimit() {
    return badRequest("limit", "limit must be a number from 1 to " + config.api().maxLimit());
  }

  private static List<Map<String, Object>> events(List<StoredEvent> events) {
    return events.stream()
        .map(
            e -> {
              Map<String, Object> m = new LinkedHashMap<>();
              m.put("seq", e.seq());
              m.put("eventId", e.eventId());
              m.put("topic", e.topic());
              m.put("classUid", e.classUid());
              m.put("severityId", e.severityId());
              m.put("occurredAt", e.occurredAt().toString());
              m.put("deadLettered", e.deadLettered());
              m.put("ocsf", e.ocsf());
              return m;
            })
        .toList();
  }

  private static Response ok(Object body) {
    return Response.ok(body).build();
  }

  private static Response badRequest(String parameter, String message) {
    return Response.status(400)
        .type(MediaType.APPLICATION_JSON)
        .entity(Map.of("error", message, "parameter", parameter))
        .build();
  }
}
