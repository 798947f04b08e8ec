package dev.runnerguard.audit.chain;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The canonical form as first written (String-based), kept to check the byte-level writer against.
 */
/*
 * The canonical form of a JSON value that the audit chain hashes, so the same event gives the same
 * bytes whether it comes from the normaliser or back from PostgreSQL ({@code json}, or {@code jsonb} before V5):
 *
 * <ul>
 *   <li>object keys sorted by Java {@link String#compareTo} (UTF-16 code units), no duplicates;
 *   <li>no whitespace anywhere;
 *   <li>strings escaped minimally: {@code \"}, {@code \\}, {@code \b \f \n \r \t}, other control
 *       characters below U+0020 as {@code \}{@code u00xx} (lower-case hex); everything else
 *       literal, the result encoded as UTF-8;
 *   <li>integral numbers in plain decimal ({@code 12}, {@code -3}); other numbers as {@link
 *       BigDecimal#stripTrailingZeros()} in plain notation ({@code 1.5}; {@code 1.50} and {@code
 *       1.5e0} give the same); {@code true}, {@code false}, {@code null}.
 * </ul>
 */
final class CanonicalJsonReference {

  private CanonicalJsonReference() {}

  /** The canonical UTF-8 bytes of a JSON value. */
  public static byte[] bytes(JsonNode node) {
    return string(node).getBytes(StandardCharsets.UTF_8);
  }

  /** The canonical text of a JSON value. */
  public static String string(JsonNode node) {
    StringBuilder sb = new StringBuilder(256);
    write(node, sb);
    return sb.toString();
  }

  private static void write(JsonNode node, StringBuilder sb) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      sb.append("null");
    } else if (node.isObject()) {
      List<String> names = new ArrayList<>();
      Iterator<String> it = node.fieldNames();
      it.forEachRemaining(names::add);
      names.sort(String::compareTo);
      sb.append('{');
      for (int i = 0; i < names.size(); i++) {
        if (i > 0) {
          sb.append(',');
        }
        string(names.get(i), sb);
        sb.append(':');
        write(node.get(names.get(i)), sb);
      }
      sb.append('}');
    } else if (node.isArray()) {
      sb.append('[');
      for (int i = 0; i < node.size(); i++) {
        if (i > 0) {
          sb.append(',');
        }
        write(node.get(i), sb);
      }
      sb.append(']');
    } else if (node.isTextual()) {
      string(node.textValue(), sb);
    } else if (node.isBoolean()) {
      sb.append(node.booleanValue());
    } else if (node.isIntegralNumber()) {
      sb.append(node.bigIntegerValue().toString());
    } else if (node.isNumber()) {
      BigDecimal d = node.decimalValue().stripTrailingZeros();
      sb.append(d.scale() <= 0 ? d.toBigInteger().toString() : d.toPlainString());
    } else if (node.isBinary()) {
      throw new IllegalArgumentException("binary JSON nodes have no canonical form");
    } else {
      string(node.asText(), sb);
    }
  }

  private static void string(String s, StringBuilder sb) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }
}
