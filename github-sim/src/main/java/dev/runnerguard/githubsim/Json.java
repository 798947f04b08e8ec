package dev.runnerguard.githubsim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Tolerant JSON parsing of request bodies, so bad input becomes a clear 4xx, not a 500. */
final class Json {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}

  /** The parsed body; null when empty; a 400 control error when not JSON. */
  static JsonNode parseOptional(String body) {
    if (body == null || body.isBlank()) {
      return null;
    }
    try {
      return MAPPER.readTree(body);
    } catch (Exception e) {
      throw ApiError.github(400, "Problems parsing JSON");
    }
  }

  static JsonNode parseControl(String body) {
    if (body == null || body.isBlank()) {
      throw ApiError.control(400, "bad_request", "a JSON object body is required");
    }
    try {
      JsonNode n = MAPPER.readTree(body);
      if (n == null || !n.isObject()) {
        throw ApiError.control(400, "bad_request", "the body must be a JSON object");
      }
      return n;
    } catch (ApiError e) {
      throw e;
    } catch (Exception e) {
      throw ApiError.control(400, "bad_json", "the body is not valid JSON");
    }
  }
}
