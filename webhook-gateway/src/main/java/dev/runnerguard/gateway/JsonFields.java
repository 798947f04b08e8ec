package dev.runnerguard.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.Month;
import java.time.Year;
import java.time.format.DateTimeParseException;

/** Tolerant field access on GitHub payloads, shared by the parsers. Pure. */
final class JsonFields {
  private JsonFields() {}

  /**
   * The selected fields of the body, which must be a JSON object, or a clear error. The whole body
   * is validated (malformed JSON anywhere is refused), but only the selected fields become nodes; a
   * field given twice counts with its last value, as in a full tree. See {@link
   * SelectiveJsonReader} for what is accepted.
   */
  static JsonNode object(byte[] body, JsonSelection selection) {
    if (body == null || body.length == 0) {
      throw new InvalidPayloadException("body is empty");
    }
    return SelectiveJsonReader.read(body, selection);
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
    return text == null ? null : instant(text);
  }

  /**
   * The instant of an ISO-8601 text as {@link Instant#parse} reads it, or null when it does not.
   * GitHub's own form, {@code 2026-11-29T05:58:00Z}, is read directly: {@code Instant.parse} cost
   * ~3 % of the gateway's request thread for the three timestamps of a job.
   */
  static Instant instant(String text) {
    if (text.length() == 20
        && text.charAt(4) == '-'
        && text.charAt(7) == '-'
        && text.charAt(10) == 'T'
        && text.charAt(13) == ':'
        && text.charAt(16) == ':'
        && text.charAt(19) == 'Z') {
      int year = digits(text, 0, 4);
      int month = digits(text, 5, 7);
      int day = digits(text, 8, 10);
      int hour = digits(text, 11, 13);
      int minute = digits(text, 14, 16);
      int second = digits(text, 17, 19);
      if (year >= 0
          && month >= 1
          && month <= 12
          && day >= 1
          && hour >= 0
          && hour <= 23
          && minute >= 0
          && minute <= 59
          && second >= 0
          && second <= 59
          && day <= Month.of(month).length(Year.isLeap(year))) {
        long days = LocalDate.of(year, month, day).toEpochDay();
        return Instant.ofEpochSecond(days * 86_400 + hour * 3_600 + minute * 60 + second);
      }
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      return null; // tolerated: a malformed optional timestamp is dropped, not fatal
    }
  }

  /** The decimal number of text[from, to), or -1 when any of it is not an ASCII digit. */
  private static int digits(String text, int from, int to) {
    int value = 0;
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }

  /** The organisation login, else the repository owner's login. */
  static String organization(JsonNode root) {
    String organization = optionalText(root.path("organization"), "login");
    return organization != null
        ? organization
        : optionalText(root.path("repository").path("owner"), "login");
  }
}
