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

  @Test
  void byteWriterMatchesTheStringFormOnEveryNormalisedEventAndOddText() throws Exception {
    java.util.List<com.fasterxml.jackson.databind.JsonNode> nodes = new java.util.ArrayList<>();
    for (dev.runnerguard.audit.Samples.Sample s :
        new dev.runnerguard.audit.Samples("r-1", 42L).all()) {
      nodes.add(
          dev.runnerguard.audit.ocsf.OcsfNormalisers.normalise(
                  s.record(),
                  new dev.runnerguard.audit.ocsf.SourcePosition(s.topic().topicName(), 3, 99))
              .ocsf());
    }
    com.fasterxml.jackson.databind.node.ObjectNode odd = json.createObjectNode();
    odd.put("z", "\u0000\u001f\u007f\u0080\u07ff\u0800\uffff \ud83d\ude00 \ud83d x \ude00");
    odd.put("a\"\\k", "\"\\/\b\f\n\r\t");
    odd.put("m", Long.MIN_VALUE);
    odd.put("i", Integer.MAX_VALUE);
    odd.putArray("ints")
        .add(0)
        .add(-7)
        .add(9)
        .add(10)
        .add(99)
        .add(100)
        .add(-100)
        .add(Integer.MIN_VALUE)
        .add(Long.MAX_VALUE)
        .add(-Long.MAX_VALUE)
        .add((short) 12);
    odd.put("d", 1.25e-7);
    odd.put("f", 3.0f);
    odd.put("big", new java.math.BigInteger("123456789012345678901234567890"));
    odd.put("dec", new java.math.BigDecimal("1E+3"));
    odd.putArray("arr").add(true).add(false).addNull().addObject().put("b", 1).put("B", 2);
    odd.put("é", "ü");
    odd.put("\ud83d\ude00", 1);
    odd.put("\uffff", 2);
    nodes.add(odd);
    for (com.fasterxml.jackson.databind.JsonNode n : nodes) {
      byte[] reference =
          CanonicalJsonReference.string(n).getBytes(java.nio.charset.StandardCharsets.UTF_8);
      assertThat(CanonicalJson.bytes(n)).isEqualTo(reference);
      // and the same bytes once stored as jsonb text and read back
      assertThat(CanonicalJson.bytes(json.readTree(CanonicalJson.string(n))))
          .isEqualTo(CanonicalJson.bytes(json.readTree(n.toString())));
    }
  }
}
