package dev.runnerguard.audit.ocsf.tree;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runnerguard.audit.ocsf.SourcePosition;
import dev.runnerguard.schemas.avro.Correlation;
import dev.runnerguard.schemas.avro.EventMetadata;
import dev.runnerguard.schemas.avro.Severity;
import java.time.Instant;
import java.util.Map;

/**
 * THE REFERENCE (test only): the tree helpers as they were before the normalisers wrote canonical
 * bytes directly; kept unchanged to check the new path against (NormalisersEquivalenceTest).
 *
 * <p>Shared pieces of every OCSF 1.1.0 event RunnerGuard produces: the base attributes, the
 * metadata object and the platform correlation ids. Pure, no I/O.
 *
 * <p>Every event gets {@code class_uid}, {@code category_uid}, {@code activity_id}, {@code type_uid
 * = class_uid * 100 + activity_id}, {@code severity_id}, {@code time} (epoch ms) and {@code
 * metadata} ({@code version} = {@value #VERSION}, {@code product} = RunnerGuard, {@code uid} =
 * event id, {@code correlation_uid} = W3C trace id when known, else the GitHub delivery id). The
 * platform ids (event id, delivery id, job id, run id, runner id, topic, partition, offset,
 * producer) go to {@code unmapped.runnerguard}.
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

  static final JsonNodeFactory JSON = JsonNodeFactory.instance;

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
   * The base attributes of an event of a class, without metadata.
   *
   * @param activityName the caption of {@code activity_id}
   */
  public static ObjectNode base(
      OcsfClass cls, int activityId, String activityName, int severityId, Instant time) {
    ObjectNode e = JSON.objectNode();
    e.put("class_uid", cls.classUid());
    e.put("class_name", cls.className());
    e.put("category_uid", cls.categoryUid());
    e.put("category_name", cls.categoryName());
    e.put("activity_id", activityId);
    e.put("activity_name", activityName);
    e.put("type_uid", (long) cls.classUid() * 100 + activityId);
    e.put("type_name", cls.className() + ": " + activityName);
    e.put("severity_id", severityId);
    e.put("severity", severityName(severityId));
    e.put("time", time.toEpochMilli());
    return e;
  }

  /** The metadata object of an event without platform metadata (Falco, dead letters). */
  public static ObjectNode metadata(String eventId, String correlationUid, String feature) {
    ObjectNode m = JSON.objectNode();
    m.put("version", VERSION);
    ObjectNode product = m.putObject("product");
    product.put("name", PRODUCT_NAME);
    product.put("vendor_name", VENDOR_NAME);
    if (feature != null) {
      product.putObject("feature").put("name", feature);
    }
    m.put("uid", eventId);
    if (correlationUid != null) {
      m.put("correlation_uid", correlationUid);
    }
    return m;
  }

  /**
   * Adds {@code metadata} and {@code unmapped.runnerguard} (platform ids and Kafka position) for a
   * platform Avro event.
   */
  public static void platformMetadata(ObjectNode event, EventMetadata meta, SourcePosition pos) {
    ObjectNode m =
        metadata(meta.getEventId(), correlationUid(meta), meta.getProducer().getService());
    ((ObjectNode) m.get("product")).put("version", meta.getProducer().getVersion());
    m.put("logged_time", meta.getTime().toEpochMilli());
    m.put("log_name", pos.topic());
    event.set("metadata", m);
    ObjectNode rg = runnerguard(event, pos);
    rg.put("event_id", meta.getEventId());
    rg.put("producer", meta.getProducer().getService());
    Correlation c = meta.getCorrelation();
    putIfNotNull(rg, "delivery_id", c.getDeliveryId());
    putIfNotNull(rg, "job_id", c.getJobId());
    putIfNotNull(rg, "run_id", c.getRunId());
    putIfNotNull(rg, "runner_id", c.getRunnerId());
    putIfNotNull(rg, "traceparent", meta.getTrace().getTraceparent());
  }

  /** The {@code unmapped.runnerguard} object of an event, created with the Kafka position. */
  public static ObjectNode runnerguard(ObjectNode event, SourcePosition pos) {
    ObjectNode unmapped =
        event.has("unmapped") ? (ObjectNode) event.get("unmapped") : event.putObject("unmapped");
    ObjectNode rg =
        unmapped.has("runnerguard")
            ? (ObjectNode) unmapped.get("runnerguard")
            : unmapped.putObject("runnerguard");
    rg.put("topic", pos.topic());
    rg.put("partition", pos.partition());
    rg.put("offset", pos.offset());
    return rg;
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

  static void putIfNotNull(ObjectNode node, String name, Object value) {
    if (value == null) {
      return;
    }
    if (value instanceof Long l) {
      node.put(name, l);
    } else if (value instanceof Integer i) {
      node.put(name, i);
    } else if (value instanceof Boolean b) {
      node.put(name, b);
    } else {
      node.put(name, value.toString());
    }
  }

  static ArrayNode strings(Iterable<? extends CharSequence> values) {
    ArrayNode a = JSON.arrayNode();
    values.forEach(v -> a.add(v.toString()));
    return a;
  }

  static ObjectNode stringMap(Map<? extends CharSequence, ?> map) {
    ObjectNode o = JSON.objectNode();
    map.entrySet().stream()
        .sorted(Map.Entry.comparingByKey((a, b) -> a.toString().compareTo(b.toString())))
        .forEach(en -> o.put(en.getKey().toString(), String.valueOf(en.getValue())));
    return o;
  }

  /** A managed entity / resource object naming a RunnerGuard runner. */
  static ObjectNode runnerEntity(String runnerId, String runnerName) {
    ObjectNode r = JSON.objectNode();
    r.put("type", "runner");
    putIfNotNull(r, "uid", runnerId);
    r.put("name", runnerName != null ? runnerName : String.valueOf(runnerId));
    return r;
  }

  /** The device object of a runner (System Activity classes require one). */
  static ObjectNode runnerDevice(String runnerId) {
    ObjectNode d = JSON.objectNode();
    d.put("type_id", 6);
    d.put("type", "Virtual");
    d.put("hostname", runnerId != null ? runnerId : "unknown");
    putIfNotNull(d, "uid", runnerId);
    return d;
  }
}
