package dev.runnerguard.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.math.BigInteger;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A strict single pass over a UTF-8 JSON object that builds nodes only for the fields a {@link
 * JsonSelection} names and validates everything else while stepping over it. Pure; one instance per
 * body.
 *
 * <p>What it accepts is RFC 8259 JSON in UTF-8, with the limits of Jackson's defaults: at most
 * {@value #MAX_DEPTH} nested arrays and objects, numbers of at most {@value #MAX_NUMBER_LENGTH}
 * digits. It is stricter than Jackson in three ways: the UTF-8 must be well formed (no overlong
 * forms, no encoded surrogates, nothing above U+10FFFF), nothing but whitespace may follow the
 * object, and only UTF-8 is read (a UTF-8 byte order mark is skipped, as Jackson does). A field
 * given twice counts with its last value, as in a full tree. Values of selected fields are the same
 * nodes a full Jackson tree holds (an int that fits is an {@code IntNode}, a longer one a {@code
 * LongNode}, then a {@code BigIntegerNode}; fractions and exponents a {@code DoubleNode}); a field
 * read whole that is an array or object is handed, already validated, to Jackson to build.
 *
 * <p>Why not Jackson's streaming parser: stepping over the ~10 KB of a delivery that no parser
 * reads (steps, URLs) was the largest single cost of the gateway's event loop. Here strings are
 * scanned eight bytes at a time and field names are compared as bytes: 13.8 against 18.1 µs per 10
 * KB body, and the JSON share of the event loop fell from 25.9 % to 19.6 % (BENCHMARKS.md,
 * 2026-11-29).
 */
final class SelectiveJsonReader {
  /** Jackson's default {@code StreamReadConstraints} nesting limit. */
  static final int MAX_DEPTH = 1000;

  /** Jackson's default {@code StreamReadConstraints} number length limit. */
  static final int MAX_NUMBER_LENGTH = 1000;

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Byte classes inside a string. */
  private static final byte PLAIN = 0;

  private static final byte QUOTE = 1;
  private static final byte BACKSLASH = 2;
  private static final byte CONTROL = 3;
  private static final byte LEAD_2 = 4; // C2..DF
  private static final byte LEAD_3 = 5; // E0..EF
  private static final byte LEAD_4 = 6; // F0..F4
  private static final byte NOT_LEAD = 7; // 80..C1, F5..FF
  private static final byte[] STRING_CLASS = new byte[256];

  /** Reads eight bytes of an array as one long. */
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  static {
    for (int b = 0; b < 256; b++) {
      byte cls;
      if (b < 0x20) {
        cls = CONTROL;
      } else if (b == '"') {
        cls = QUOTE;
      } else if (b == '\\') {
        cls = BACKSLASH;
      } else if (b < 0x80) {
        cls = PLAIN;
      } else if (b >= 0xC2 && b <= 0xDF) {
        cls = LEAD_2;
      } else if (b >= 0xE0 && b <= 0xEF) {
        cls = LEAD_3;
      } else if (b >= 0xF0 && b <= 0xF4) {
        cls = LEAD_4;
      } else {
        cls = NOT_LEAD;
      }
      STRING_CLASS[b] = cls;
    }
  }

  private final byte[] in;
  private int pos;
  private int depth;

  /** For each open container from depth 1, true when it is an array. */
  private final boolean[] arrays = new boolean[MAX_DEPTH + 1];

  private SelectiveJsonReader(byte[] in) {
    this.in = in;
  }

  /**
   * The selected fields of the body, which must be a non-empty JSON object.
   *
   * @throws InvalidPayloadException when it is not one, or not valid JSON anywhere; the message
   *     gives the line and column and never quotes the body
   */
  static ObjectNode read(byte[] body, JsonSelection selection) {
    SelectiveJsonReader reader = new SelectiveJsonReader(body);
    if (body.length >= 3
        && body[0] == (byte) 0xEF
        && body[1] == (byte) 0xBB
        && body[2] == (byte) 0xBF) {
      reader.pos = 3;
    }
    reader.skipWhitespace();
    if (reader.pos == body.length || body[reader.pos] != '{') {
      throw new InvalidPayloadException("body must be a JSON object");
    }
    ObjectNode root = reader.readObject(selection);
    reader.skipWhitespace();
    if (reader.pos != body.length) {
      throw reader.invalid("content after the object");
    }
    return root;
  }

  /** Reads the object at pos ('{') with only the selected fields; pos ends after its '}'. */
  private ObjectNode readObject(JsonSelection selection) {
    enter(false);
    pos++;
    ObjectNode node = NODES.objectNode();
    skipWhitespace();
    if (peek() == '}') {
      pos++;
      depth--;
      return node;
    }
    while (true) {
      if (peek() != '"') {
        throw invalid("expected a field name");
      }
      int nameStart = ++pos;
      boolean escaped = scanString();
      int nameEnd = pos - 1;
      String decodedName = escaped ? decode(nameStart, nameEnd) : null;
      JsonSelection wanted =
          escaped
              ? selection.selectionOf(decodedName)
              : selection.selectionOf(in, nameStart, nameEnd - nameStart);
      skipWhitespace();
      expect(':', "expected ':' after a field name");
      skipWhitespace();
      if (wanted == null) {
        skipValue();
      } else {
        String name =
            escaped
                ? decodedName
                : new String(in, nameStart, nameEnd - nameStart, StandardCharsets.UTF_8);
        node.set(name, readSelected(wanted));
      }
      skipWhitespace();
      byte separator = next("expected ',' or '}'");
      if (separator == '}') {
        depth--;
        return node;
      }
      if (separator != ',') {
        pos--;
        throw invalid("expected ',' or '}'");
      }
      skipWhitespace();
    }
  }

  private JsonNode readSelected(JsonSelection wanted) {
    byte c = peek();
    if (c == '{' && !wanted.wholeValue()) {
      return readObject(wanted);
    }
    if (c == '{' || c == '[') {
      int start = pos;
      skipValue();
      if (!wanted.wholeValue()) {
        // an array where an object is expected: kept as a non-object, so lookups in it find nothing
        return NODES.arrayNode();
      }
      try {
        return JSON.readTree(in, start, pos - start);
      } catch (IOException e) { // validated above; only Jackson's own limits could refuse it
        throw invalidAt(start, "value refused");
      }
    }
    return readScalar();
  }

  private JsonNode readScalar() {
    int start = pos;
    switch (peek()) {
      case '"':
        pos++;
        boolean escaped = scanString();
        return NODES.textNode(
            escaped
                ? decode(start + 1, pos - 1)
                : new String(in, start + 1, pos - 2 - start, StandardCharsets.UTF_8));
      case 't':
        literal("true");
        return NODES.booleanNode(true);
      case 'f':
        literal("false");
        return NODES.booleanNode(false);
      case 'n':
        literal("null");
        return NODES.nullNode();
      default:
        boolean integral = scanNumber();
        String text = new String(in, start, pos - start, StandardCharsets.ISO_8859_1);
        return integral ? integerNode(text) : NODES.numberNode(Double.parseDouble(text));
    }
  }

  /** As Jackson types integers: int when it fits, then long, then BigInteger. */
  private static JsonNode integerNode(String text) {
    int digits = text.length() - (text.charAt(0) == '-' ? 1 : 0);
    if (digits <= 18) {
      long value = Long.parseLong(text);
      return value == (int) value ? NODES.numberNode((int) value) : NODES.numberNode(value);
    }
    BigInteger value = new BigInteger(text);
    return value.bitLength() < 64 ? NODES.numberNode(value.longValue()) : NODES.numberNode(value);
  }

  /**
   * Steps over the value at pos, validating it, without building anything; pos ends after it.
   * Iterative, so a deeply nested body costs no stack.
   */
  private void skipValue() {
    int base = depth;
    while (true) {
      switch (peek()) {
        case '{':
          enter(false);
          pos++;
          skipWhitespace();
          if (peek() == '}') {
            pos++;
            depth--;
            break;
          }
          skipFieldName();
          continue;
        case '[':
          enter(true);
          pos++;
          skipWhitespace();
          if (peek() == ']') {
            pos++;
            depth--;
            break;
          }
          continue;
        case '"':
          pos++;
          scanString();
          break;
        case 't':
          literal("true");
          break;
        case 'f':
          literal("false");
          break;
        case 'n':
          literal("null");
          break;
        default:
          scanNumber();
      }
      // a value is complete: close what ends here, or move to the next value
      while (true) {
        if (depth == base) {
          return;
        }
        skipWhitespace();
        boolean array = arrays[depth];
        byte c = next(array ? "expected ',' or ']'" : "expected ',' or '}'");
        if (c == ',') {
          skipWhitespace();
          if (!array) {
            skipFieldName();
          }
          break;
        }
        if (c != (array ? ']' : '}')) {
          pos--;
          throw invalid(array ? "expected ',' or ']'" : "expected ',' or '}'");
        }
        depth--;
      }
    }
  }

  /** Steps over {@code "name" :} and the whitespace after it. */
  private void skipFieldName() {
    if (peek() != '"') {
      throw invalid("expected a field name");
    }
    pos++;
    scanString();
    skipWhitespace();
    expect(':', "expected ':' after a field name");
    skipWhitespace();
  }

  /**
   * Validates the string whose first byte is at pos (after the opening quote); pos ends after the
   * closing quote. True when it holds escapes.
   */
  private boolean scanString() {
    byte[] b = in;
    int p = pos;
    // eight bytes at a time: the lowest marked byte of a word is the first one that is not plain
    for (; p + 8 <= b.length; p += 8) {
      long special = specialBytes((long) LONGS.get(b, p));
      if (special != 0) {
        p += Long.numberOfTrailingZeros(special) >>> 3;
        if (b[p] == '"') {
          pos = p + 1;
          return false;
        }
        return scanStringFrom(p);
      }
    }
    for (; p < b.length; p++) {
      byte c = b[p];
      if (c == '"') {
        pos = p + 1;
        return false;
      }
      if (c < 0x20 || c == '\\') { // also every non-ASCII byte, being negative
        return scanStringFrom(p);
      }
    }
    throw invalidAt(b.length, "unterminated string");
  }

  /**
   * The high bit of each byte of the little-endian word that is a quote, a backslash, below 0x20 or
   * above 0x7F (SWAR: {@code (v - 0x01..) & ~v} marks the zero bytes of v). A byte can be marked
   * wrongly only above a rightly marked one, so the lowest mark is always right.
   */
  private static long specialBytes(long x) {
    long quotes = x ^ 0x2222222222222222L;
    long backslashes = x ^ 0x5C5C5C5C5C5C5C5CL;
    long special =
        ((quotes - 0x0101010101010101L) & ~quotes)
            | ((backslashes - 0x0101010101010101L) & ~backslashes)
            | ((x - 0x2020202020202020L) & ~x)
            | x;
    return special & 0x8080808080808080L;
  }

  /** {@link #scanString()} from its first escape, control or non-ASCII byte at p. */
  private boolean scanStringFrom(int p) {
    byte[] b = in;
    boolean escaped = false;
    while (true) {
      if (p >= b.length) {
        throw invalidAt(p, "unterminated string");
      }
      switch (STRING_CLASS[b[p] & 0xFF]) {
        case PLAIN:
          p++;
          continue;
        case QUOTE:
          pos = p + 1;
          return escaped;
        case BACKSLASH:
          escaped = true;
          p = escape(p);
          continue;
        case CONTROL:
          throw invalidAt(p, "control character in a string");
        case LEAD_2:
          p = continuation(p, 1, 0x80, 0xBF);
          continue;
        case LEAD_3:
          int lead3 = b[p] & 0xFF;
          p =
              continuation(
                  p, 2, lead3 == 0xE0 ? 0xA0 : 0x80, lead3 == 0xED ? 0x9F : 0xBF); // no surrogates
          continue;
        case LEAD_4:
          int lead4 = b[p] & 0xFF;
          p = continuation(p, 3, lead4 == 0xF0 ? 0x90 : 0x80, lead4 == 0xF4 ? 0x8F : 0xBF);
          continue;
        default:
          throw invalidAt(p, "invalid UTF-8");
      }
    }
  }

  /**
   * Checks the {@code count} continuation bytes after the lead byte at p, the first in [low, high];
   * returns the position after them.
   */
  private int continuation(int p, int count, int low, int high) {
    if (p + count >= in.length) {
      throw invalidAt(p, "invalid UTF-8");
    }
    int first = in[p + 1] & 0xFF;
    if (first < low || first > high) {
      throw invalidAt(p, "invalid UTF-8");
    }
    for (int i = 2; i <= count; i++) {
      if ((in[p + i] & 0xC0) != 0x80) {
        throw invalidAt(p, "invalid UTF-8");
      }
    }
    return p + count + 1;
  }

  /** Checks the escape at p (a backslash); returns the position after it. */
  private int escape(int p) {
    if (p + 1 >= in.length) {
      throw invalidAt(p, "unterminated string");
    }
    switch (in[p + 1]) {
      case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
        return p + 2;
      case 'u':
        if (p + 6 > in.length) {
          throw invalidAt(p, "unterminated string");
        }
        for (int i = p + 2; i < p + 6; i++) {
          if (Character.digit(in[i], 16) < 0) {
            throw invalidAt(p, "invalid \\u escape");
          }
        }
        return p + 6;
      default:
        throw invalidAt(p, "invalid escape");
    }
  }

  /** The text of a validated string with escapes, from start up to its closing quote at end. */
  private String decode(int start, int end) {
    StringBuilder text = new StringBuilder(end - start);
    int segment = start;
    int p = start;
    while (p < end) {
      if (in[p] != '\\') {
        p++;
        continue;
      }
      text.append(new String(in, segment, p - segment, StandardCharsets.UTF_8));
      byte kind = in[p + 1];
      switch (kind) {
        case 'b' -> text.append('\b');
        case 'f' -> text.append('\f');
        case 'n' -> text.append('\n');
        case 'r' -> text.append('\r');
        case 't' -> text.append('\t');
        case 'u' ->
            text.append(
                (char) Integer.parseInt(new String(in, p + 2, 4, StandardCharsets.ISO_8859_1), 16));
        default -> text.append((char) kind); // " \ /
      }
      p += kind == 'u' ? 6 : 2;
      segment = p;
    }
    return text.append(new String(in, segment, end - segment, StandardCharsets.UTF_8)).toString();
  }

  /** Validates the number at pos; pos ends after it. True when it has no fraction or exponent. */
  private boolean scanNumber() {
    int start = pos;
    int p = pos;
    if (p < in.length && in[p] == '-') {
      p++;
    }
    int digitsStart = p;
    if (p < in.length && in[p] == '0') {
      p++;
    } else if (p < in.length && in[p] >= '1' && in[p] <= '9') {
      p = digits(p);
    } else {
      throw invalidAt(start, start == p ? "unexpected character" : "invalid number");
    }
    boolean integral = true;
    if (p < in.length && in[p] == '.') {
      integral = false;
      p = requiredDigits(p + 1, start);
    }
    if (p < in.length && (in[p] == 'e' || in[p] == 'E')) {
      integral = false;
      p++;
      if (p < in.length && (in[p] == '+' || in[p] == '-')) {
        p++;
      }
      p = requiredDigits(p, start);
    }
    if (p - digitsStart > MAX_NUMBER_LENGTH) {
      throw invalidAt(start, "number longer than " + MAX_NUMBER_LENGTH + " characters");
    }
    pos = p;
    return integral;
  }

  private int requiredDigits(int p, int numberStart) {
    if (p >= in.length || in[p] < '0' || in[p] > '9') {
      throw invalidAt(numberStart, "invalid number");
    }
    return digits(p);
  }

  private int digits(int p) {
    while (p < in.length && in[p] >= '0' && in[p] <= '9') {
      p++;
    }
    return p;
  }

  private void literal(String word) {
    int p = pos;
    for (int i = 0; i < word.length(); i++, p++) {
      if (p >= in.length || in[p] != word.charAt(i)) {
        throw invalid("unexpected character");
      }
    }
    pos = p;
  }

  private void enter(boolean array) {
    if (depth == MAX_DEPTH) {
      throw invalid("nesting deeper than " + MAX_DEPTH);
    }
    arrays[++depth] = array;
  }

  private void skipWhitespace() {
    byte[] b = in;
    int p = pos;
    while (p < b.length && (b[p] == ' ' || b[p] == '\n' || b[p] == '\r' || b[p] == '\t')) {
      p++;
    }
    pos = p;
  }

  /** The byte at pos, not consumed; an error at the end of the body. */
  private byte peek() {
    if (pos >= in.length) {
      throw invalid("unexpected end of the body");
    }
    return in[pos];
  }

  /** The byte at pos, consumed; an error saying what was expected at the end of the body. */
  private byte next(String expected) {
    if (pos >= in.length) {
      throw invalid(expected + ", found the end of the body");
    }
    return in[pos++];
  }

  private void expect(char c, String message) {
    if (pos >= in.length || in[pos] != c) {
      throw invalid(message);
    }
    pos++;
  }

  private InvalidPayloadException invalid(String reason) {
    return invalidAt(pos, reason);
  }

  /** An error at a byte offset, as line and column (both from 1); never quotes the body. */
  private InvalidPayloadException invalidAt(int offset, String reason) {
    int at = Math.min(offset, in.length);
    int line = 1;
    int lineStart = 0;
    for (int i = 0; i < at; i++) {
      if (in[i] == '\n') {
        line++;
        lineStart = i + 1;
      }
    }
    return new InvalidPayloadException(
        "body is not valid JSON: "
            + reason
            + " (line "
            + line
            + ", column "
            + (at - lineStart + 1)
            + ")");
  }
}
