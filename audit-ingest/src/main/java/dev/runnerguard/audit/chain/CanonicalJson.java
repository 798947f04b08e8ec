package dev.runnerguard.audit.chain;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;

/**
 * The canonical form of a JSON value that the audit chain hashes, so the same event gives the same
 * bytes whether it comes from the normaliser or back from PostgreSQL's {@code jsonb}:
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
    if (node == null || node.isNull() || node.isMissingNode()) {
      out.ascii("null");
    } else if (node.isObject()) {
      writeObject(node, out);
    } else if (node.isArray()) {
      out.put('[');
      for (int i = 0; i < node.size(); i++) {
        if (i > 0) {
          out.put(',');
        }
        write(node.get(i), out);
      }
      out.put(']');
    } else if (node.isTextual()) {
      string(node.textValue(), out);
    } else if (node.isBoolean()) {
      out.ascii(node.booleanValue() ? "true" : "false");
    } else if (node.isIntegralNumber()) {
      if (node.isInt() || node.isLong() || node.isShort()) {
        out.decimal(node.longValue());
      } else {
        out.ascii(node.bigIntegerValue().toString());
      }
    } else if (node.isNumber()) {
      BigDecimal d = node.decimalValue().stripTrailingZeros();
      out.ascii(d.scale() <= 0 ? d.toBigInteger().toString() : d.toPlainString());
    } else if (node.isBinary()) {
      throw new IllegalArgumentException("binary JSON nodes have no canonical form");
    } else {
      string(node.asText(), out);
    }
  }

  @SuppressWarnings("unchecked")
  private static void writeObject(JsonNode node, Bytes out) {
    int n = node.size();
    Map.Entry<String, JsonNode>[] fields = new Map.Entry[n];
    Iterator<Map.Entry<String, JsonNode>> it = node.fields();
    int k = 0;
    boolean sorted = true;
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> f = it.next();
      if (k > 0 && sorted && fields[k - 1].getKey().compareTo(f.getKey()) > 0) {
        sorted = false;
      }
      fields[k++] = f;
    }
    if (!sorted) {
      // object keys are unique, so the order is total; small arrays: insertion sort
      Arrays.sort(fields, 0, k, Map.Entry.comparingByKey());
    }
    out.put('{');
    for (int i = 0; i < k; i++) {
      if (i > 0) {
        out.put(',');
      }
      string(fields[i].getKey(), out);
      out.put(':');
      write(fields[i].getValue(), out);
    }
    out.put('}');
  }

  private static void string(String s, Bytes out) {
    int len = s.length();
    out.ensure(len * 3 + 2);
    byte[] b = out.buf;
    int p = out.len;
    b[p++] = '"';
    for (int i = 0; i < len; i++) {
      char c = s.charAt(i);
      if (c >= 0x20 && c < 0x80) {
        if (c == '"' || c == '\\') {
          out.len = p;
          out.ensure((len - i) * 6 + 2);
          b = out.buf;
          b[p++] = '\\';
        }
        b[p++] = (byte) c;
        continue;
      }
      // the rarer cases: make room for the longest form (6 bytes) of everything left
      out.len = p;
      out.ensure((len - i) * 6 + 2);
      b = out.buf;
      if (c < 0x20) {
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
      } else if (c < 0x800) {
        b[p++] = (byte) (0xc0 | (c >> 6));
        b[p++] = (byte) (0x80 | (c & 0x3f));
      } else if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c)
            && i + 1 < len
            && Character.isLowSurrogate(s.charAt(i + 1))) {
          int cp = Character.toCodePoint(c, s.charAt(++i));
          b[p++] = (byte) (0xf0 | (cp >> 18));
          b[p++] = (byte) (0x80 | ((cp >> 12) & 0x3f));
          b[p++] = (byte) (0x80 | ((cp >> 6) & 0x3f));
          b[p++] = (byte) (0x80 | (cp & 0x3f));
        } else {
          b[p++] = '?'; // what String.getBytes(UTF_8) writes for an unpaired surrogate
        }
      } else {
        b[p++] = (byte) (0xe0 | (c >> 12));
        b[p++] = (byte) (0x80 | ((c >> 6) & 0x3f));
        b[p++] = (byte) (0x80 | (c & 0x3f));
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
