package dev.runnerguard.policy.detection.rules;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runnerguard.policy.load.PolicyProblem;
import dev.runnerguard.policy.load.YamlTree;
import dev.runnerguard.schemas.avro.Severity;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the {@code detection} section of a schema-valid {@code DetectionPolicy} file into a {@link
 * DetectionConfig}, with checks the schema cannot express: a rule configured twice, a parameter the
 * rule does not use, IOC and destination entries that are no host, address or CIDR. Pure.
 */
public final class DetectionConfigReader {
  private DetectionConfigReader() {}

  /** The config of one file; problems are added (with file and line) instead of thrown. */
  public static Optional<DetectionConfig> read(
      String file, YamlTree tree, List<PolicyProblem> problems) {
    int before = problems.size();
    JsonNode d = tree.root().path("detection");
    DetectionConfig defaults = DetectionConfig.defaults();
    String prefix = d.path("runnerNamePrefix").asText(DetectionConfig.DEFAULT_PREFIX);
    List<String> labels =
        d.has("platformLabels")
            ? texts(d.get("platformLabels"))
            : DetectionConfig.DEFAULT_PLATFORM_LABELS;
    JsonNode falco = d.path("falco");
    List<String> idFields =
        falco.has("runnerIdFields")
            ? texts(falco.get("runnerIdFields"))
            : DetectionConfig.DEFAULT_RUNNER_ID_FIELDS;
    List<String> podFields =
        falco.has("podNameFields")
            ? texts(falco.get("podNameFields"))
            : DetectionConfig.DEFAULT_POD_NAME_FIELDS;
    Map<String, RuleSettings> rules = new LinkedHashMap<>(defaults.rules());
    Map<String, Integer> seenAt = new HashMap<>();
    JsonNode ruleNodes = d.path("rules");
    for (int i = 0; i < ruleNodes.size(); i++) {
      String pointer = "/detection/rules/" + i;
      JsonNode n = ruleNodes.get(i);
      String id = n.get("id").asText();
      int line = tree.line(pointer);
      Integer first = seenAt.putIfAbsent(id, line);
      if (first != null) {
        problems.add(
            new PolicyProblem(
                file,
                line,
                "detection rule '" + id + "' is configured twice (first at line " + first + ")"));
        continue;
      }
      RuleCatalog.Def def = RuleCatalog.get(id);
      RuleSettings base = def.defaults();
      Map<String, Integer> ints = new HashMap<>(base.ints());
      Map<String, List<String>> lists = new HashMap<>(base.lists());
      for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
        String field = it.next();
        boolean isParam =
            RuleCatalog.INT_PARAMS.contains(field) || RuleCatalog.LIST_PARAMS.contains(field);
        if (!isParam) {
          continue;
        }
        if (!def.uses(field)) {
          problems.add(
              new PolicyProblem(
                  file,
                  tree.line(pointer + "/" + field),
                  "detection rule '"
                      + id
                      + "' has no parameter '"
                      + field
                      + "' (it uses: "
                      + (def.params().isEmpty() ? "none" : String.join(", ", def.params()))
                      + ")"));
          continue;
        }
        if (RuleCatalog.INT_PARAMS.contains(field)) {
          ints.put(field, n.get(field).asInt());
        } else {
          List<String> values = texts(n.get(field));
          if (field.equals("iocs") || field.equals("destinations")) {
            for (int j = 0; j < values.size(); j++) {
              try {
                Destinations.parse(values.get(j));
              } catch (IllegalArgumentException e) {
                problems.add(
                    new PolicyProblem(
                        file,
                        tree.line(pointer + "/" + field + "/" + j),
                        field + ": " + e.getMessage()));
              }
            }
          }
          lists.put(field, values);
        }
      }
      rules.put(
          id,
          new RuleSettings(
              id,
              n.path("enabled").asBoolean(true),
              n.path("audit").asBoolean(false),
              n.has("response")
                  ? Response.valueOf(n.get("response").asText().toUpperCase(Locale.ROOT))
                  : base.response(),
              n.has("severity") ? Severity.valueOf(n.get("severity").asText()) : base.severity(),
              ints,
              lists,
              file + ":" + line));
    }
    if (problems.size() > before) {
      return Optional.empty();
    }
    return Optional.of(new DetectionConfig(prefix, labels, idFields, podFields, rules, file));
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(x -> out.add(x.asText()));
    return out;
  }
}
