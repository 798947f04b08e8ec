package dev.runnerguard.schemas.compat;

import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;

/** Turns an Avro compatibility location (a JSON pointer) into a dotted field name. */
final class FieldPaths {

  private FieldPaths() {}

  /**
   * The dotted field path a location points at in a schema, e.g. {@code /fields/0/type/fields/4}
   * gives {@code metadata.correlation}; empty for the root.
   */
  static String describe(Schema schema, String location) {
    List<String> names = new ArrayList<>();
    String[] parts = location == null ? new String[0] : location.split("/");
    Schema s = schema;
    for (int i = 0; i < parts.length && s != null; i++) {
      String part = parts[i];
      if (part.isEmpty() || part.equals("type")) {
        continue;
      }
      if (part.equals("fields") && s.getType() == Schema.Type.RECORD && i + 1 < parts.length) {
        Integer index = index(parts[++i]);
        if (index == null || index >= s.getFields().size()) {
          break;
        }
        Schema.Field field = s.getFields().get(index);
        names.add(field.name());
        s = field.schema();
      } else if (part.equals("items") && s.getType() == Schema.Type.ARRAY) {
        s = s.getElementType();
      } else if (part.equals("values") && s.getType() == Schema.Type.MAP) {
        s = s.getValueType();
      } else if (s.getType() == Schema.Type.UNION && index(part) != null) {
        int branch = index(part);
        s = branch < s.getTypes().size() ? s.getTypes().get(branch) : null;
      } else {
        break;
      }
    }
    return String.join(".", names);
  }

  private static Integer index(String part) {
    try {
      return Integer.valueOf(part);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
