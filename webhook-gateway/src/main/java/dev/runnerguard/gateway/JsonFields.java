package dev.runnerguard.gateway;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** Tolerant field access on GitHub payloads, shared by the parsers. Pure. */
final class JsonFields {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JSON.getNodeFactory();

  private JsonFields() {}

  /**
   * The selected fields of the body, which must be a JSON object, or a clear error. The whole body
   * is tokenized (malformed JSON anywhere is refused), but only the selected fields become nodes; a
   * field given twice counts with its last value, as in a full tree.
   */
  static JsonNode object(byte[] body, JsonSelection selection) {
    if (body == null || body.length == 0) {
      throw new InvalidPayloadException("body is empty");
    }
    try (JsonParser parser = JSON.createParser(body)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw new InvalidPayloadException("body must be a JSON object");
      }
      return readObject(parser, selection);
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
  }

  /** Reads the object the parser is at (START_OBJECT read) up to its END_OBJECT. */
  private static ObjectNode readObject(JsonParser parser, JsonSelection selection)
      throws IOException {
    ObjectNode node = NODES.objectNode();
    String name;
    while ((name = parser.nextFieldName()) != null) {
      JsonToken token = parser.nextToken();
      JsonSelection wanted = selection.selectionOf(name);
      if (wanted == null) {
        parser.skipChildren();
      } else if (wanted.wholeValue()) {
        node.set(name, readValue(parser, token));
      } else if (token == JsonToken.START_OBJECT) {
        node.set(name, readObject(parser, wanted));
      } else {
        // not an object where one is expected: kept as a non-object, so lookups in it find nothing
        node.set(name, token.isScalarValue() ? readValue(parser, token) : skipped(parser));
      }
    }
    if (parser.currentToken() != JsonToken.END_OBJECT) {
      throw new InvalidPayloadException("body is not valid JSON");
    }
    return node;
  }

  private static JsonNode readValue(JsonParser parser, JsonToken token) throws IOException {
    switch (token) {
      case VALUE_STRING:
        return NODES.textNode(parser.getText());
      case VALUE_NUMBER_INT:
        switch (parser.getNumberType()) {
          case INT:
            return NODES.numberNode(parser.getIntValue());
          case LONG:
            return NODES.numberNode(parser.getLongValue());
          default:
            return NODES.numberNode(parser.getBigIntegerValue());
        }
      case VALUE_NUMBER_FLOAT:
        return NODES.numberNode(parser.getDoubleValue());
      case VALUE_TRUE:
        return NODES.booleanNode(true);
      case VALUE_FALSE:
        return NODES.booleanNode(false);
      case VALUE_NULL:
        return NODES.nullNode();
      default: // an array or object read whole (e.g. labels): Jackson's own non-recursive reader
        JsonNode tree = JSON.readTree(parser);
        return tree == null ? NODES.missingNode() : tree;
    }
  }

  private static JsonNode skipped(JsonParser parser) throws IOException {
    parser.skipChildren();
    return NODES.arrayNode();
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
}
