package dev.runnerguard.audit.chain;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class CanonicalJsonTest {
  private final ObjectMapper json =
      new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  @Test
  void sortsKeysAtEveryLevelAndDropsWhitespace() throws Exception {
    String a = "{ \"b\": 1, \"a\": {\"z\": [3, {\"y\": true, \"x\": null}], \"c\": \"s\"} }";
    assertThat(CanonicalJson.string(json.readTree(a)))
        .isEqualTo("{\"a\":{\"c\":\"s\",\"z\":[3,{\"x\":null,\"y\":true}]},\"b\":1}");
  }

  @Test
  void sameEventInAnyKeyOrderGivesTheSameBytes() throws Exception {
    assertThat(CanonicalJson.bytes(json.readTree("{\"x\":1,\"y\":[\"a\",\"b\"]}")))
        .isEqualTo(CanonicalJson.bytes(json.readTree("{\"y\":[\"a\",\"b\"],\"x\":1}")));
  }

  @Test
  void escapesStringsMinimallyAndKeepsUnicode() throws Exception {
    String in = "{\"k\":\"q\\\"b\\\\n\\nt\\t\\u0001é✓\"}";
    assertThat(CanonicalJson.string(json.readTree(in)))
        .isEqualTo("{\"k\":\"q\\\"b\\\\n\\nt\\t\\u0001é✓\"}");
  }

  @Test
  void numbersHaveOneForm() throws Exception {
    assertThat(CanonicalJson.string(json.readTree("[1, -3, 1.50, 1.5e0, 2.0, 12345678901234]")))
        .isEqualTo("[1,-3,1.5,1.5,2,12345678901234]");
  }
}
