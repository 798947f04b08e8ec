package dev.runnerguard.audit.ocsf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The shipped minimal OCSF 1.1.0 class definitions (test resources ocsf/1.1.0/*.json). */
public final class OcsfDefinitions {
  private static final String[] FILES = {
    "base_event",
    "file_activity",
    "process_activity",
    "detection_finding",
    "entity_management",
    "network_activity",
    "api_activity"
  };

  private OcsfDefinitions() {}

  /** Definitions by class uid. */
  public static Map<Integer, JsonNode> byClassUid() {
    Map<Integer, JsonNode> m = new HashMap<>();
    ObjectMapper json = new ObjectMapper();
    for (String f : FILES) {
      try (InputStream in =
          OcsfDefinitions.class.getResourceAsStream("/ocsf/1.1.0/" + f + ".json")) {
        JsonNode d = json.readTree(in);
        m.put(d.get("class_uid").asInt(), d);
      } catch (IOException e) {
        throw new IllegalStateException(f, e);
      }
    }
    return m;
  }

  /** What an event lacks or gets wrong against its class definition; empty when it validates. */
  public static List<String> violations(JsonNode event) {
    List<String> problems = new ArrayList<>();
    JsonNode def = byClassUid().get(event.path("class_uid").asInt(-1));
    if (def == null) {
      problems.add("no shipped definition for class_uid " + event.path("class_uid"));
      return problems;
    }
    for (JsonNode req : def.get("required")) {
      JsonNode node = event;
      for (String part : req.asText().split("\\.")) {
        node = node.path(part);
      }
      if (node.isMissingNode() || node.isNull()) {
        problems.add("missing required " + req.asText());
      }
    }
    if (event.path("category_uid").asInt(-1) != def.get("category_uid").asInt()) {
      problems.add("category_uid " + event.path("category_uid"));
    }
    boolean knownActivity = false;
    for (JsonNode a : def.get("activity_ids")) {
      knownActivity |= a.asInt() == event.path("activity_id").asInt(-1);
    }
    if (!knownActivity) {
      problems.add("activity_id " + event.path("activity_id") + " not defined");
    }
    long type = event.path("class_uid").asLong() * 100 + event.path("activity_id").asLong();
    if (event.path("type_uid").asLong(-1) != type) {
      problems.add("type_uid " + event.path("type_uid") + " != " + type);
    }
    if (!"1.1.0".equals(event.path("metadata").path("version").asText())) {
      problems.add("metadata.version " + event.path("metadata").path("version"));
    }
    int sev = event.path("severity_id").asInt(-1);
    if (!(sev >= 0 && sev <= 6 || sev == 99)) {
      problems.add("severity_id " + sev);
    }
    return problems;
  }
}
