package dev.runnerguard.audit.chain;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The canonical form of a JSON value that the audit chain hashes, so the same event gives the same
 * bytes whether it comes from the normaliser or back from PostgreSQL ({@code json}, or {@code
 * jsonb} before V5):
 *
 * <ul>
 *   <li>object keys sorted by Java {@link String#compareTo} (UTF-16 code units), no duplicates;
 *   <li>no whitespace anywhere;
 *   <li>strings escaped minimally: {@code \"}, {@code \\}, {@code \b \f \n \r \t}, other control
 *       characters below U+0020 as {@code \}{@code u00xx} (lower-case hex); everything else
 *       literal, the result encoded as UTF-8 (an unpaired surrogate as {@code ?}, as {@link
 *       String#getBytes} does);
 *   <li>integral numbers in plain decimal ({@code 12}, {@code -3}); other numbers as {@link
 *       BigDecimal#stripTrailingZeros()} in plain notation ({@code 1.5}; {@code 1.50} and {@code
 *       1.5e0} give the same); {@code true}, {@code false}, {@code null}.
 * </ul>
 *
 * <p>Written straight to UTF-8 bytes (no intermediate {@code String}): this runs once per stored
 * event and once per verified row. The output never contains a raw tab, newline, carriage return or
 * any other control character (they are escaped), which the store's COPY encoding relies on.
 */
public final class CanonicalJson {

  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  private CanonicalJson() {}

  /** The canonical UTF-8 bytes of a JSON value. */
  public static byte[] bytes(JsonNode node) {
    Bytes out = new Bytes(1024);
    write(node, out);
    return out.toByteArray();
  }

  /** The canonical text of a JSON value. */
  public static String string(JsonNode node) {
    return new String(bytes(node), StandardCharsets.UTF_8);
  }

  /** Appends the canonical UTF-8 bytes of a JSON value to {@code out}. */
  public static void write(JsonNode node, Bytes out) {
    if (node == null) {
      out.ascii("null");
      return;
    }
    switch (node.getNodeType()) {
      case OBJECT:
        writeObject(node, out);
        break;
      case ARRAY:
        out.put('[');
        for (int i = 0; i < node.size(); i++) {
          if (i > 0) {
            out.put(',');
          }
          write(node.get(i), out);
        }
        out.put(']');
        break;
      case STRING:
        string(node.textValue(), out);
        break;
      case BOOLEAN:
        out.ascii(node.booleanValue() ? "true" : "false");
        break;
      case NUMBER:
        if (node.isInt() || node.isLong() || node.isShort()) {
          out.decimal(node.longValue());
        } else if (node.isIntegralNumber()) {
          out.ascii(node.bigIntegerValue().toString());
        } else {
          BigDecimal d = node.decimalValue().stripTrailingZeros();
          out.ascii(d.scale() <= 0 ? d.toBigInteger().toString() : d.toPlainString());
        }
        break;
      case NULL:
      case MISSING:
        out.ascii("null");
        break;
      case BINARY:
        throw new IllegalArgumentException("binary JSON nodes have no canonical form");
      default:
        string(node.asText(), out);
    }
  }

  private static void writeObject(JsonNode node, Bytes out) {
    int n = node.size();
    String[] keys = new String[n];
    JsonNode[] values = new JsonNode[n];
    Iterator<Map.Entry<String, JsonNode>> it = node.fields();
    int k = 0;
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> f = it.next();
      // insertion sort by String.compareTo (objects are small; keys are unique)
      String key = f.getKey();
      int j = k++;
      while (j > 0 && keys[j - 1].compareTo(key) > 0) {
        keys[j] = keys[j - 1];
        values[j] = values[j - 1];
        j--;
      }
      keys[j] = key;
      values[j] = f.getValue();
    }
    out.put('{');
    for (int i = 0; i < k; i++) {
      if (i > 0) {
        out.put(',');
      }
      byte[] key = KEYS.get(keys[i]);
      if (key == null) {
        key = key(keys[i]);
      }
      out.put(key, 0, key.length);
      write(values[i], out);
    }
    out.put('}');
  }

  /**
   * Object keys as written ({@code "key":}, escaped, UTF-8), by key. Events reuse a small set of
   * keys (the OCSF attribute names), so most keys are encoded and escaped once per JVM; the cache
   * stops growing at {@value #MAX_KEYS} keys (keys from free-form maps need not fill it).
   */
  private static final ConcurrentHashMap<String, byte[]> KEYS = new ConcurrentHashMap<>();

  private static final int MAX_KEYS = 4096;

  /** The bytes of an object key as written: {@code "key":} (cached for the common keys). */
  static byte[] keyBytes(String k) {
    byte[] key = KEYS.get(k);
    return key != null ? key : key(k);
  }

  private static byte[] key(String k) {
    Bytes b = new Bytes(k.length() + 8);
    string(k, b);
    b.put(':');
    byte[] key = b.toByteArray();
    if (KEYS.size() < MAX_KEYS) {
      KEYS.putIfAbsent(k, key);
    }
    return key;
  }

  /** Appends the canonical (quoted, escaped, UTF-8) form of a string. */
  static void string(String s, Bytes out) {
    // String.getBytes(UTF_8) is the JDK's fast (intrinsic) encoder and writes '?' for an unpaired
    // surrogate; UTF-8 bytes of non-ASCII characters are all >= 0x80, so only '"', '\\' and the
    // controls below 0x20 need escaping
    byte[] u = s.getBytes(StandardCharsets.UTF_8);
    int n = u.length;
    int first = 0;
    while (first < n) {
      byte c = u[first];
      if ((c >= 0 && c < 0x20) || c == '"' || c == '\\') {
        break;
      }
      first++;
    }
    if (first == n) {
      out.ensure(n + 2);
      byte[] b = out.buf;
      int p = out.len;
      b[p++] = '"';
      System.arraycopy(u, 0, b, p, n);
      p += n;
      b[p++] = '"';
      out.len = p;
      return;
    }
    out.ensure(first + (n - first) * 6 + 2);
    byte[] b = out.buf;
    int p = out.len;
    b[p++] = '"';
    System.arraycopy(u, 0, b, p, first);
    p += first;
    for (int i = first; i < n; i++) {
      byte c = u[i];
      if (c == '"' || c == '\\') {
        b[p++] = '\\';
        b[p++] = c;
      } else if (c >= 0 && c < 0x20) {
        b[p++] = '\\';
        switch (c) {
          case '\b':
            b[p++] = 'b';
            break;
          case '\f':
            b[p++] = 'f';
            break;
          case '\n':
            b[p++] = 'n';
            break;
          case '\r':
            b[p++] = 'r';
            break;
          case '\t':
            b[p++] = 't';
            break;
          default:
            b[p++] = 'u';
            b[p++] = '0';
            b[p++] = '0';
            b[p++] = HEX[c >> 4];
            b[p++] = HEX[c & 0xf];
        }
      } else {
        b[p++] = c;
      }
    }
    b[p++] = '"';
    out.len = p;
  }

  /** A growable byte buffer (not thread-safe), reusable with {@link #reset()}. */
  public static final class Bytes {
    byte[] buf;
    int len;

    public Bytes(int capacity) {
      buf = new byte[Math.max(16, capacity)];
    }

    /** Makes room for {@code n} more bytes. */
    public void ensure(int n) {
      if (len + n > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
      }
    }

    public void put(char ascii) {
      ensure(1);
      buf[len++] = (byte) ascii;
    }

    public void put(byte b) {
      ensure(1);
      buf[len++] = b;
    }

    public void put(byte[] b, int off, int n) {
      ensure(n);
      System.arraycopy(b, off, buf, len, n);
      len += n;
    }

    /** Appends an ASCII-only string. */
    public void ascii(String s) {
      int n = s.length();
      ensure(n);
      for (int i = 0; i < n; i++) {
        buf[len++] = (byte) s.charAt(i);
      }
    }

    /** Appends a long in plain decimal (as {@link Long#toString(long)}). */
    public void decimal(long v) {
      if (v == Long.MIN_VALUE) {
        ascii(Long.toString(v));
        return;
      }
      ensure(20);
      if (v < 0) {
        buf[len++] = '-';
        v = -v;
      }
      int digits = 1;
      for (long t = v; t >= 10; t /= 10) {
        digits++;
      }
      int p = len + digits;
      do {
        buf[--p] = (byte) ('0' + (v % 10));
        v /= 10;
      } while (v != 0);
      len += digits;
    }

    public int length() {
      return len;
    }

    /** The backing array (valid up to {@link #length()}). */
    public byte[] array() {
      return buf;
    }

    public void reset() {
      len = 0;
    }

    public byte[] toByteArray() {
      return Arrays.copyOf(buf, len);
    }
  }
}
