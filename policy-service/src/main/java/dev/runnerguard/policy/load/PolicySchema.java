package dev.runnerguard.policy.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Comparator;
import java.util.List;

/** The published JSON Schema of a policy file ({@code policy.schema.json} on the class path). */
public final class PolicySchema {
  /** Class-path location of the schema. */
  public static final String RESOURCE = "policy.schema.json";

  private static final JsonSchema SCHEMA = load();

  private PolicySchema() {}

  /** A violation: JSON pointer of the offending node and the validator's message. */
  public record Violation(String pointer, String message) {}

  /** Every violation of the document, ordered by pointer. */
  public static List<Violation> validate(JsonNode document) {
    return SCHEMA.validate(document).stream()
        .map(PolicySchema::violation)
        .sorted(Comparator.comparing(Violation::pointer).thenComparing(Violation::message))
        .distinct()
        .toList();
  }

  private static Violation violation(ValidationMessage m) {
    String pointer = m.getInstanceLocation() == null ? "" : m.getInstanceLocation().toString();
    if (pointer.equals("/")) {
      pointer = "";
    }
    if (m.getProperty() != null && "additionalProperties".equals(m.getType())) {
      pointer = pointer + "/" + m.getProperty();
    }
    return new Violation(pointer, m.getMessage());
  }

  private static JsonSchema load() {
    try (InputStream in = PolicySchema.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing class-path resource " + RESOURCE);
      }
      SchemaValidatorsConfig config =
          SchemaValidatorsConfig.builder().pathType(PathType.JSON_POINTER).build();
      return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(in, config);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
