package dev.runnerguard.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/** Tolerant field access on GitHub payloads, shared by the parsers. Pure. */
final class JsonFields {
  private static final ObjectMapper JSON = new ObjectMapper();

  private JsonFields() {}

  /** The body as a JSON object, or a clear error. */
  static JsonNode object(byte[] body) {
    if (body == null || body.length == 0) {
      throw new InvalidPayloadException("body is empty");
    }
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw new InvalidPayloadException(
          "body is not valid JSON (line "
              + e.getLocation().getLineNr()
              + ", column "
              + e.getLocation().getColumnNr()
              + ")");
    } catch (IOException e) {
      throw new InvalidPayloadException("body is not valid JSON");
    }
    if (root == null || !root.isObject()) {
      throw new InvalidPayloadException("body must be a JSON object");
    }
    return root;
  }

  static String requiredText(JsonNode node, String field, String path) {
    JsonNode value = node.path(field);
    if (!value.isTextual() || value.asText().isBlank()) {
      throw new InvalidPayloadException(
          "required field '" + path + "' is missing or not a non-empty string");
    }
    return value.asText();
  }

  static long requiredId(JsonNode node, String field, String path) {
    Long value = optionalId(node, field);
    if (value == null) {
      throw new InvalidPayloadException(
          "required field '" + path + "' is missing or not a positive integer");
    }
    return value;
  }

  static Long optionalId(JsonNode node, String field) {
    JsonNode value = node.path(field);
    return value.isIntegralNumber() && value.canConvertToLong() && value.asLong() > 0
        ? value.asLong()
        : null;
  }

  static String optionalText(JsonNode node, String field) {
    JsonNode value = node.path(field);
    return value.isTextual() ? value.asText() : null;
  }

  static Long optionalLong(JsonNode node, String field) {
    JsonNode value = node.path(field);
    return value.isIntegralNumber() && value.canConvertToLong() ? value.asLong() : null;
  }

  static Boolean optionalBoolean(JsonNode node, String field) {
    JsonNode value = node.path(field);
    return value.isBoolean() ? value.asBoolean() : null;
  }

  static Instant optionalInstant(JsonNode node, String field) {
    String text = optionalText(node, field);
    if (text == null) {
      return null;
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      return null; // tolerated: a malformed optional timestamp is dropped, not fatal
    }
  }

  /** The organisation login, else the repository owner's login. */
  static String organization(JsonNode root) {
    String organization = optionalText(root.path("organization"), "login");
    return organization != null
        ? organization
        : optionalText(root.path("repository").path("owner"), "login");
  }

  static byte[] gzip(byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, body.length / 4));
    // fastest level: the body is kept for audit, and Kafka compresses the batch again anyway
    try (GZIPOutputStream gz =
        new GZIPOutputStream(out, 8192) {
          {
            def.setLevel(Deflater.BEST_SPEED);
          }
        }) {
      gz.write(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
