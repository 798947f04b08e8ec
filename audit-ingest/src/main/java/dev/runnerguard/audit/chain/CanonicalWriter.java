package dev.runnerguard.audit.chain;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;

/**
 * Writes a JSON value straight into its canonical bytes (the form {@link CanonicalJson} gives a
 * Jackson tree, byte for byte), without building a tree first: the OCSF normalisers write each
 * event through one of these.
 *
 * <p>Fields of an object may be written in any order: each field's bytes ({@code "key":value}) are
 * written as they come and their positions remembered; when the object ends, the fields are put in
 * key order ({@link String#compareTo}, as {@link CanonicalJson} sorts) by moving those byte ranges,
 * which costs nothing when they already came in order. A key written twice in one object is a bug
 * and fails ({@link IllegalStateException}). Strings, numbers, {@code true}/{@code false}/{@code
 * null} and escaping are those of {@link CanonicalJson}; a {@code null} String or boxed value is
 * written as JSON {@code null} (as Jackson's {@code ObjectNode.put} stores it).
 *
 * <p>Not thread-safe; reusable with {@link #reset()} ({@link #local()} gives the calling thread's
 * own instance, reset).
 */
public final class CanonicalWriter {

  private static final ThreadLocal<CanonicalWriter> LOCAL =
      ThreadLocal.withInitial(() -> new CanonicalWriter(2048));

  private final CanonicalJson.Bytes out;

  // open containers, innermost last
  private int depth;
  private int[] start = new int[16]; // offset right after '{' or '['
  private int[] fieldBase =
      new int[16]; // first field (index into keys) of an object; -1 for arrays
  private int[] count = new int[16]; // fields or elements written so far
  private boolean pendingName; // a field name was written, its value not yet
  private boolean done; // a complete top-level value was written

  // the fields of the open objects: key and byte range [from, to) of "key":value
  private String[] keys = new String[64];
  private int[] from = new int[64];
  private int[] to = new int[64];
  private int fields;

  private int[] order = new int[32];
  private byte[] tmp = new byte[1024];

  public CanonicalWriter(int capacity) {
    out = new CanonicalJson.Bytes(capacity);
  }

  /** The calling thread's writer, reset (do not hold it across calls that may use it too). */
  public static CanonicalWriter local() {
    CanonicalWriter w = LOCAL.get();
    w.reset();
    return w;
  }

  /** Forgets everything written. */
  public CanonicalWriter reset() {
    out.reset();
    depth = 0;
    fields = 0;
    pendingName = false;
    done = false;
    return this;
  }

  /** The canonical bytes of the complete value written. */
  public byte[] toByteArray() {
    if (!done || depth != 0) {
      throw new IllegalStateException("no complete JSON value written");
    }
    return out.toByteArray();
  }

  /** Fields (of the innermost open object) or elements (of the innermost open array) so far. */
  public int count() {
    if (depth == 0) {
      throw new IllegalStateException("no open object or array");
    }
    return count[depth - 1];
  }

  // ---------------------------------------------------------------- structure

  /** Starts an object (the top-level value, an array element, or the value of a field). */
  public CanonicalWriter beginObject() {
    beforeValue();
    out.put('{');
    push(fields);
    return this;
  }

  /** Starts the field {@code key} with an object value. */
  public CanonicalWriter beginObject(String key) {
    return name(key).beginObject();
  }

  /** Ends the innermost object: its fields are put in key order. */
  public CanonicalWriter endObject() {
    if (depth == 0 || fieldBase[depth - 1] < 0 || pendingName) {
      throw new IllegalStateException("no object to end");
    }
    int base = fieldBase[depth - 1];
    if (fields > base) {
      to[fields - 1] = out.len;
      sortFields(base, start[depth - 1]);
    }
    fields = base;
    depth--;
    out.put('}');
    afterValue();
    return this;
  }

  /** Starts an array (the top-level value, an array element, or the value of a field). */
  public CanonicalWriter beginArray() {
    beforeValue();
    out.put('[');
    push(-1);
    return this;
  }

  /** Starts the field {@code key} with an array value. */
  public CanonicalWriter beginArray(String key) {
    return name(key).beginArray();
  }

  /** Ends the innermost array. */
  public CanonicalWriter endArray() {
    if (depth == 0 || fieldBase[depth - 1] >= 0) {
      throw new IllegalStateException("no array to end");
    }
    depth--;
    out.put(']');
    afterValue();
    return this;
  }

  /** Writes a field name; the next value written is its value. */
  public CanonicalWriter name(String key) {
    if (depth == 0 || fieldBase[depth - 1] < 0 || pendingName) {
      throw new IllegalStateException("a field name outside an object: " + key);
    }
    int d = depth - 1;
    if (count[d] > 0) {
      to[fields - 1] = out.len;
      out.put(',');
    }
    count[d]++;
    if (fields == keys.length) {
      keys = Arrays.copyOf(keys, fields * 2);
      from = Arrays.copyOf(from, fields * 2);
      to = Arrays.copyOf(to, fields * 2);
    }
    keys[fields] = key;
    from[fields] = out.len;
    fields++;
    byte[] k = CanonicalJson.keyBytes(key);
    out.put(k, 0, k.length);
    pendingName = true;
    return this;
  }

  // ---------------------------------------------------------------- values

  /** A string value ({@code null} as JSON null). */
  public CanonicalWriter value(String v) {
    beforeValue();
    if (v == null) {
      out.ascii("null");
    } else {
      CanonicalJson.string(v, out);
    }
    afterValue();
    return this;
  }

  /** An integral number. */
  public CanonicalWriter value(long v) {
    beforeValue();
    out.decimal(v);
    afterValue();
    return this;
  }

  /** {@code true} or {@code false}. */
  public CanonicalWriter value(boolean v) {
    beforeValue();
    out.ascii(v ? "true" : "false");
    afterValue();
    return this;
  }

  /** JSON null. */
  public CanonicalWriter nullValue() {
    beforeValue();
    out.ascii("null");
    afterValue();
    return this;
  }

  /** A Jackson tree, in its canonical form ({@link CanonicalJson#write}). */
  public CanonicalWriter value(JsonNode v) {
    beforeValue();
    CanonicalJson.write(v, out);
    afterValue();
    return this;
  }

  // ---------------------------------------------------------------- fields

  /** A string field ({@code null} as JSON null, as {@code ObjectNode.put} does). */
  public CanonicalWriter field(String key, String v) {
    return name(key).value(v);
  }

  /** An integral number field. */
  public CanonicalWriter field(String key, long v) {
    return name(key).value(v);
  }

  /** A boolean field. */
  public CanonicalWriter field(String key, boolean v) {
    return name(key).value(v);
  }

  /** A number field ({@code null} as JSON null). */
  public CanonicalWriter field(String key, Long v) {
    name(key);
    return v == null ? nullValue() : value(v.longValue());
  }

  /** A number field ({@code null} as JSON null). */
  public CanonicalWriter field(String key, Integer v) {
    name(key);
    return v == null ? nullValue() : value(v.longValue());
  }

  /** A boolean field ({@code null} as JSON null). */
  public CanonicalWriter field(String key, Boolean v) {
    name(key);
    return v == null ? nullValue() : value(v.booleanValue());
  }

  /** A field holding a Jackson tree. */
  public CanonicalWriter field(String key, JsonNode v) {
    return name(key).value(v);
  }

  /**
   * A field only when the value is not null: a {@link Long} or {@link Integer} as a number, a
   * {@link Boolean} as a boolean, anything else as its {@code toString()}.
   */
  public CanonicalWriter fieldIfNotNull(String key, Object v) {
    if (v == null) {
      return this;
    }
    if (v instanceof Long l) {
      return field(key, l.longValue());
    } else if (v instanceof Integer i) {
      return field(key, i.longValue());
    } else if (v instanceof Boolean b) {
      return field(key, b.booleanValue());
    }
    return field(key, v.toString());
  }

  // ---------------------------------------------------------------- internals

  private void push(int base) {
    if (depth == start.length) {
      start = Arrays.copyOf(start, depth * 2);
      fieldBase = Arrays.copyOf(fieldBase, depth * 2);
      count = Arrays.copyOf(count, depth * 2);
    }
    start[depth] = out.len;
    fieldBase[depth] = base;
    count[depth] = 0;
    depth++;
  }

  private void beforeValue() {
    if (depth == 0) {
      if (done) {
        throw new IllegalStateException("a second top-level value");
      }
      return;
    }
    int d = depth - 1;
    if (fieldBase[d] >= 0) {
      if (!pendingName) {
        throw new IllegalStateException("a value without a field name in an object");
      }
      pendingName = false;
    } else {
      if (count[d] > 0) {
        out.put(',');
      }
      count[d]++;
    }
  }

  private void afterValue() {
    if (depth == 0) {
      done = true;
    }
  }

  /**
   * Puts the fields {@code [base, fields)}, whose bytes fill {@code [contentStart, out.len)}
   * separated by commas, in key order; checks that no key repeats.
   */
  private void sortFields(int base, int contentStart) {
    int n = fields - base;
    boolean sorted = true;
    for (int i = base + 1; i < fields; i++) {
      int c = keys[i - 1].compareTo(keys[i]);
      if (c == 0) {
        throw new IllegalStateException("duplicate key " + keys[i]);
      }
      if (c > 0) {
        sorted = false;
      }
    }
    if (sorted) {
      return;
    }
    if (order.length < n) {
      order = new int[Math.max(n, order.length * 2)];
    }
    // insertion sort of the field indexes by key (objects are small)
    for (int i = 0; i < n; i++) {
      int f = base + i;
      String k = keys[f];
      int j = i;
      while (j > 0) {
        int c = keys[order[j - 1]].compareTo(k);
        if (c == 0) {
          throw new IllegalStateException("duplicate key " + k);
        }
        if (c < 0) {
          break;
        }
        order[j] = order[j - 1];
        j--;
      }
      order[j] = f;
    }
    int len = out.len - contentStart;
    if (tmp.length < len) {
      tmp = new byte[Math.max(len, tmp.length * 2)];
    }
    byte[] b = out.buf;
    System.arraycopy(b, contentStart, tmp, 0, len);
    int p = contentStart;
    for (int i = 0; i < n; i++) {
      int f = order[i];
      if (i > 0) {
        b[p++] = ',';
      }
      int l = to[f] - from[f];
      System.arraycopy(tmp, from[f] - contentStart, b, p, l);
      p += l;
    }
    // same length: the same bytes in another order
  }
}
