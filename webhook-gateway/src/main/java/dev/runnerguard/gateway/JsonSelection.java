package dev.runnerguard.gateway;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The fields of a JSON object a parser needs, nested: everything not named is skipped while the
 * body streams through the tokenizer, so a 10 KB payload costs a few dozen small nodes instead of a
 * tree of every step and field. Immutable.
 */
final class JsonSelection {
  private static final JsonSelection WHOLE_VALUE = new JsonSelection(null);

  /** Null for a field read whole; otherwise the selected fields of an object. */
  private final Map<String, JsonSelection> fields;

  /** The same fields by their UTF-8 names, for lookups straight from the body's bytes. */
  private final byte[][] names;

  private final JsonSelection[] selections;

  private JsonSelection(Map<String, JsonSelection> fields) {
    this.fields = fields;
    if (fields == null) {
      names = null;
      selections = null;
    } else {
      names = new byte[fields.size()][];
      selections = new JsonSelection[fields.size()];
      int i = 0;
      for (Map.Entry<String, JsonSelection> field : fields.entrySet()) {
        names[i] = field.getKey().getBytes(StandardCharsets.UTF_8);
        selections[i++] = field.getValue();
      }
    }
  }

  /**
   * An object whose named fields are read: a {@link String} names a field read whole (a scalar, or
   * an array or object with everything in it), a {@link Field} a nested object of which only its
   * own selection is read.
   */
  static JsonSelection of(Object... selected) {
    Map<String, JsonSelection> fields = new HashMap<>();
    for (Object s : selected) {
      if (s instanceof String name) {
        fields.put(name, WHOLE_VALUE);
      } else if (s instanceof Field field) {
        fields.put(field.name(), field.selection());
      } else {
        throw new IllegalArgumentException("not a field name or a Field: " + s);
      }
    }
    return new JsonSelection(Map.copyOf(fields));
  }

  /** A nested object field and what to read of it. */
  static Field object(String name, Object... selected) {
    return new Field(name, of(selected));
  }

  /** A named object field with its own selection. */
  record Field(String name, JsonSelection selection) {}

  /** The selection for a field of this object; null when the field is not wanted. */
  JsonSelection selectionOf(String name) {
    return fields.get(name);
  }

  /**
   * The selection for the field whose UTF-8 name (without escapes) is {@code length} bytes of
   * {@code bytes} from {@code offset}; null when the field is not wanted.
   */
  JsonSelection selectionOf(byte[] bytes, int offset, int length) {
    for (int i = 0; i < names.length; i++) {
      byte[] name = names[i];
      if (name.length == length && Arrays.equals(name, 0, length, bytes, offset, offset + length)) {
        return selections[i];
      }
    }
    return null;
  }

  /** True when the value is read whole, whatever it holds. */
  boolean wholeValue() {
    return fields == null;
  }
}
