package dev.runnerguard.audit.ocsf;

import dev.runnerguard.audit.chain.CanonicalWriter;
import dev.runnerguard.schemas.avro.Correlation;
import dev.runnerguard.schemas.avro.EventMetadata;
import dev.runnerguard.schemas.avro.Severity;
import java.time.Instant;
import java.util.Map;

/**
 * Shared pieces of every OCSF 1.1.0 event RunnerGuard produces: the base attributes, the metadata
 * object and the platform correlation ids. Pure, no I/O.
 *
 * <p>Every event gets {@code class_uid}, {@code category_uid}, {@code activity_id}, {@code type_uid
 * = class_uid * 100 + activity_id}, {@code severity_id}, {@code time} (epoch ms) and {@code
 * metadata} ({@code version} = {@value #VERSION}, {@code product} = RunnerGuard, {@code uid} =
 * event id, {@code correlation_uid} = W3C trace id when known, else the GitHub delivery id). The
 * platform ids (event id, delivery id, job id, run id, runner id, topic, partition, offset,
 * producer) go to {@code unmapped.runnerguard}.
 *
 * <p>Events are written straight into their canonical JSON bytes ({@link CanonicalWriter}), no JSON
 * tree in between; the writer puts every object's keys in order, so the order the fields are
 * written in does not change the bytes (writing them in key order only saves it the moving).
 */
public final class Ocsf {

  /** The OCSF schema version every event declares in {@code metadata.version}. */
  public static final String VERSION = "1.1.0";

  public static final String PRODUCT_NAME = "RunnerGuard";
  public static final String VENDOR_NAME = "RunnerGuard";

  public static final int SEVERITY_UNKNOWN = 0;
  public static final int SEVERITY_INFORMATIONAL = 1;
  public static final int SEVERITY_LOW = 2;
  public static final int SEVERITY_MEDIUM = 3;
  public static final int SEVERITY_HIGH = 4;
  public static final int SEVERITY_CRITICAL = 5;
  public static final int SEVERITY_FATAL = 6;
  public static final int OTHER = 99;

  private Ocsf() {}

  /** The OCSF class an event belongs to. */
  public record OcsfClass(int classUid, String className, int categoryUid, String categoryName) {}

  public static final OcsfClass BASE_EVENT = new OcsfClass(0, "Base Event", 0, "Uncategorized");
  public static final OcsfClass FILE_SYSTEM_ACTIVITY =
      new OcsfClass(1001, "File System Activity", 1, "System Activity");
  public static final OcsfClass PROCESS_ACTIVITY =
      new OcsfClass(1007, "Process Activity", 1, "System Activity");
  public static final OcsfClass DETECTION_FINDING =
      new OcsfClass(2004, "Detection Finding", 2, "Findings");
  public static final OcsfClass ENTITY_MANAGEMENT =
      new OcsfClass(3004, "Entity Management", 3, "Identity & Access Management");
  public static final OcsfClass NETWORK_ACTIVITY =
      new OcsfClass(4001, "Network Activity", 4, "Network Activity");
  public static final OcsfClass API_ACTIVITY =
      new OcsfClass(6003, "API Activity", 6, "Application Activity");

  /** The OCSF severity id of a platform severity. */
  public static int severityId(Severity severity) {
    if (severity == null) {
      return SEVERITY_UNKNOWN;
    }
    return switch (severity) {
      case INFO -> SEVERITY_INFORMATIONAL;
      case LOW -> SEVERITY_LOW;
      case MEDIUM -> SEVERITY_MEDIUM;
      case HIGH -> SEVERITY_HIGH;
      case CRITICAL -> SEVERITY_CRITICAL;
      default -> SEVERITY_UNKNOWN;
    };
  }

  /** The OCSF severity name of a severity id. */
  public static String severityName(int severityId) {
    return switch (severityId) {
      case SEVERITY_INFORMATIONAL -> "Informational";
      case SEVERITY_LOW -> "Low";
      case SEVERITY_MEDIUM -> "Medium";
      case SEVERITY_HIGH -> "High";
      case SEVERITY_CRITICAL -> "Critical";
      case SEVERITY_FATAL -> "Fatal";
      case OTHER -> "Other";
      default -> "Unknown";
    };
  }

  /**
   * Writes the base attributes of an event of a class (without metadata) into the open object.
   *
   * @param activityName the caption of {@code activity_id}
   */
  public static void base(
      CanonicalWriter w,
      OcsfClass cls,
      int activityId,
      String activityName,
      int severityId,
      Instant time) {
    w.field("activity_id", activityId);
    w.field("activity_name", activityName);
    w.field("category_name", cls.categoryName());
    w.field("category_uid", cls.categoryUid());
    w.field("class_name", cls.className());
    w.field("class_uid", cls.classUid());
    w.field("severity", severityName(severityId));
    w.field("severity_id", severityId);
    w.field("time", time.toEpochMilli());
    w.field("type_name", cls.className() + ": " + activityName);
    w.field("type_uid", (long) cls.classUid() * 100 + activityId);
  }

  /**
   * Writes the {@code metadata} object of an event without platform metadata (Falco, dead letters).
   */
  static void metadata(
      CanonicalWriter w, String eventId, String correlationUid, String feature, String logName) {
    w.beginObject("metadata");
    product(w, feature);
    w.endObject();
    w.field("version", VERSION);
    w.field("uid", eventId);
    if (correlationUid != null) {
      w.field("correlation_uid", correlationUid);
    }
    w.field("log_name", logName);
    w.endObject();
  }

  /** Writes the fields of {@code metadata.product} but its version; the object stays open. */
  private static void product(CanonicalWriter w, String feature) {
    w.beginObject("product");
    if (feature != null) {
      w.beginObject("feature").field("name", feature).endObject();
    }
    w.field("name", PRODUCT_NAME);
    w.field("vendor_name", VENDOR_NAME);
  }

  /**
   * Writes {@code metadata} and {@code unmapped} holding only {@code runnerguard} (platform ids and
   * Kafka position) for a platform Avro event without unmapped attributes of its own.
   */
  public static void platform(CanonicalWriter w, EventMetadata meta, SourcePosition pos) {
    platformMetadata(w, meta, pos);
    w.beginObject("unmapped");
    runnerguard(w, meta, pos);
    w.endObject();
  }

  /** Writes the {@code metadata} object of a platform Avro event. */
  public static void platformMetadata(CanonicalWriter w, EventMetadata meta, SourcePosition pos) {
    w.beginObject("metadata");
    w.field("log_name", pos.topic());
    w.field("logged_time", meta.getTime().toEpochMilli());
    product(w, meta.getProducer().getService());
    w.field("version", meta.getProducer().getVersion());
    w.endObject();
    String correlationUid = correlationUid(meta);
    if (correlationUid != null) {
      w.field("correlation_uid", correlationUid);
    }
    w.field("uid", meta.getEventId());
    w.field("version", VERSION);
    w.endObject();
  }

  /**
   * Writes the field {@code runnerguard} of {@code unmapped} (the platform ids and the Kafka
   * position) for a platform Avro event.
   */
  public static void runnerguard(CanonicalWriter w, EventMetadata meta, SourcePosition pos) {
    w.beginObject("runnerguard");
    Correlation c = meta.getCorrelation();
    w.fieldIfNotNull("delivery_id", c.getDeliveryId());
    w.field("event_id", meta.getEventId());
    w.fieldIfNotNull("job_id", c.getJobId());
    position(w, pos);
    w.field("producer", meta.getProducer().getService());
    w.fieldIfNotNull("run_id", c.getRunId());
    w.fieldIfNotNull("runner_id", c.getRunnerId());
    w.fieldIfNotNull("traceparent", meta.getTrace().getTraceparent());
    w.endObject();
  }

  /** Writes the Kafka position fields of {@code unmapped.runnerguard}. */
  static void position(CanonicalWriter w, SourcePosition pos) {
    w.field("offset", pos.offset());
    w.field("partition", pos.partition());
    w.field("topic", pos.topic());
  }

  /** The trace id of a W3C traceparent when present, else the GitHub delivery id, else null. */
  static String correlationUid(EventMetadata meta) {
    String tp = meta.getTrace().getTraceparent();
    if (tp != null) {
      String[] parts = tp.split("-");
      if (parts.length >= 3 && parts[1].length() == 32) {
        return parts[1];
      }
    }
    return meta.getCorrelation().getDeliveryId();
  }

  /** The runner id of an event: the field when set, else the correlation id. */
  static String runnerId(String field, EventMetadata meta) {
    return field != null ? field : meta.getCorrelation().getRunnerId();
  }

  /** The job id of an event: the field when set, else the correlation id. */
  static Long jobId(Long field, EventMetadata meta) {
    return field != null ? field : meta.getCorrelation().getJobId();
  }

  /** Writes an array field of strings. */
  static void strings(CanonicalWriter w, String key, Iterable<? extends CharSequence> values) {
    w.beginArray(key);
    for (CharSequence v : values) {
      w.value(v.toString());
    }
    w.endArray();
  }

  /** Writes an object field of a map's entries as strings. */
  static void stringMap(CanonicalWriter w, String key, Map<? extends CharSequence, ?> map) {
    w.beginObject(key);
    for (Map.Entry<? extends CharSequence, ?> en : map.entrySet()) {
      w.field(en.getKey().toString(), String.valueOf(en.getValue()));
    }
    w.endObject();
  }

  /**
   * Writes a string map with every value {@link Redaction#redactAttribute redacted}: for maps a
   * producer fills with free text (lifecycle and provider attributes).
   */
  static void redactedStringMap(CanonicalWriter w, String key, Map<? extends CharSequence, ?> map) {
    w.beginObject(key);
    for (Map.Entry<? extends CharSequence, ?> en : map.entrySet()) {
      String name = en.getKey().toString();
      w.field(name, Redaction.redactAttribute(name, String.valueOf(en.getValue())));
    }
    w.endObject();
  }

  /**
   * Writes the fields of a managed entity / resource object naming a RunnerGuard runner into the
   * open object.
   */
  static void runnerEntity(CanonicalWriter w, String runnerId, String runnerName) {
    w.field("name", runnerName != null ? runnerName : String.valueOf(runnerId));
    w.field("type", "runner");
    w.fieldIfNotNull("uid", runnerId);
  }

  /** Writes the {@code device} object of a runner (System Activity classes require one). */
  static void runnerDevice(CanonicalWriter w, String runnerId) {
    w.beginObject("device");
    w.field("hostname", runnerId != null ? runnerId : "unknown");
    w.field("type", "Virtual");
    w.field("type_id", 6);
    w.fieldIfNotNull("uid", runnerId);
    w.endObject();
  }
}
