package dev.runnerguard.policy.detection.falco;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Parses falcosidekick's JSON ({@code uuid}, {@code time}, {@code rule}, {@code priority}, {@code
 * output}, {@code output_fields}, {@code tags}, optional {@code hostname}, {@code source}).
 * Bounded: at most {@link #MAX_BYTES}, nesting 20, 256 output fields; each problem is a {@link
 * FalcoParseException} naming the field (the record then goes to the dead-letter topic).
 */
public final class FalcoParser {
  public static final int MAX_BYTES = 256 * 1024;
  static final int MAX_FIELDS = 256;
  static final int MAX_VALUE = 4096;

  /** Falco's priorities, lower-case. */
  public static final Set<String> PRIORITIES =
      Set.of(
          "emergency",
          "alert",
          "critical",
          "error",
          "warning",
          "notice",
          "informational",
          "info",
          "debug");

  private static final ObjectMapper JSON =
      new ObjectMapper(
              JsonFactory.builder()
                  .streamReadConstraints(
                      StreamReadConstraints.builder()
                          .maxNestingDepth(20)
                          .maxStringLength(MAX_BYTES)
                          .maxNumberLength(100)
                          .build())
                  .build())
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private FalcoParser() {}

  /** Parses one record value. */
  public static FalcoEvent parse(byte[] value) {
    if (value == null || value.length == 0) {
      throw new FalcoParseException("empty record (no falcosidekick JSON)");
    }
    if (value.length > MAX_BYTES) {
      throw new FalcoParseException(
          "record of " + value.length + " bytes is larger than " + MAX_BYTES);
    }
    JsonNode root;
    try {
      root = JSON.readTree(value);
    } catch (IOException e) {
      String where = "";
      if (e instanceof com.fasterxml.jackson.core.JsonProcessingException jp
          && jp.getLocation() != null) {
        where =
            " at line "
                + jp.getLocation().getLineNr()
                + ", column "
                + jp.getLocation().getColumnNr();
      }
      throw new FalcoParseException("not valid JSON" + where);
    }
    if (root == null || !root.isObject()) {
      throw new FalcoParseException("not a JSON object");
    }
    String uuid = text(root, "uuid", true, 128);
    String rule = text(root, "rule", true, 512);
    String priority = text(root, "priority", true, 32);
    if (!PRIORITIES.contains(priority.toLowerCase(Locale.ROOT))) {
      throw new FalcoParseException("priority '" + clip(priority) + "' is not a Falco priority");
    }
    String timeText = text(root, "time", true, 64);
    Instant time;
    try {
      time = Instant.parse(timeText);
    } catch (DateTimeParseException e) {
      throw new FalcoParseException("time is not an RFC 3339 timestamp");
    }
    String output = text(root, "output", false, MAX_BYTES);
    Map<String, String> fields = new LinkedHashMap<>();
    JsonNode of = root.get("output_fields");
    if (of != null && !of.isNull()) {
      if (!of.isObject()) {
        throw new FalcoParseException("output_fields is not an object");
      }
      if (of.size() > MAX_FIELDS) {
        throw new FalcoParseException("output_fields has more than " + MAX_FIELDS + " fields");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = of.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> f = it.next();
        JsonNode v = f.getValue();
        if (v == null || v.isNull()) {
          continue;
        }
        if (v.isContainerNode()) {
          throw new FalcoParseException("output_fields." + clip(f.getKey()) + " is not a scalar");
        }
        String s = v.asText();
        fields.put(f.getKey(), s.length() > MAX_VALUE ? s.substring(0, MAX_VALUE) : s);
      }
    }
    List<String> tags = new ArrayList<>();
    JsonNode t = root.get("tags");
    if (t != null && !t.isNull()) {
      if (!t.isArray()) {
        throw new FalcoParseException("tags is not an array");
      }
      for (JsonNode tag : t) {
        if (!tag.isTextual()) {
          throw new FalcoParseException("tags holds a non-string");
        }
        tags.add(tag.asText());
      }
    }
    return new FalcoEvent(
        uuid,
        time,
        rule,
        priority,
        output == null ? "" : output,
        fields,
        tags,
        text(root, "hostname", false, 256),
        text(root, "source", false, 64));
  }

  private static String text(JsonNode root, String field, boolean required, int max) {
    JsonNode n = root.get(field);
    if (n == null || n.isNull()) {
      if (required) {
        throw new FalcoParseException("missing field '" + field + "'");
      }
      return null;
    }
    if (!n.isTextual()) {
      throw new FalcoParseException("field '" + field + "' is not a string");
    }
    String s = n.asText();
    if (required && s.isBlank()) {
      throw new FalcoParseException("field '" + field + "' is empty");
    }
    if (s.length() > max) {
      throw new FalcoParseException("field '" + field + "' is longer than " + max + " characters");
    }
    return s;
  }

  private static String clip(String s) {
    String c = s.replaceAll("[^A-Za-z0-9._ -]", "?");
    return c.length() > 40 ? c.substring(0, 40) + "..." : c;
  }
}
