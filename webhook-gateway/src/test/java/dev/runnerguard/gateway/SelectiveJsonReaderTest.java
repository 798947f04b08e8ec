package dev.runnerguard.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runnerguard.testing.GitHubFixtures;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the reader accepts, checked against Jackson's own verdict on the same bytes (a full tree,
 * trailing tokens refused): the same for every document, except where the reader is deliberately
 * stricter (malformed UTF-8), and the same error for nesting and number limits.
 */
class SelectiveJsonReaderTest {
  private static final ObjectMapper JACKSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private static final JsonSelection SELECTION =
      JsonSelection.of(
          "action",
          JsonSelection.object("workflow_job", "id", "labels", "name"),
          JsonSelection.object("repository", "full_name"));

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{}",
        " \t\r\n{ } \n",
        "{\"action\":\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\uD83D\\uDE00\"}",
        "{\"x\":[1,-0,0.5,-1.5e10,2E-3,1e+2,[],{},[[{}]],true,false,null,\"\"]}",
        "{\"workflow_job\":{\"labels\":[\"a\",{\"b\":[1]}],\"id\":12,\"name\":\"\u00e9\u4e2d\ud83d\ude00\"}}",
        "{\"\":1,\"a\\u0063tion\":\"escaped name\"}",
        "{\"action\" : \"spaced\" , \"x\" : { \"y\" : [ 1 , 2 ] } }"
      })
  void validDocumentsReadLikeAFullTree(String document) throws IOException {
    byte[] body = bytes(document);
    JsonNode full = JACKSON.readTree(body);
    JsonNode selected = SelectiveJsonReader.read(body, SELECTION);
    assertThat(selected.path("action")).isEqualTo(full.path("action"));
    assertThat(selected.path("workflow_job")).isEqualTo(full.path("workflow_job"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{",
        "{\"a\"}",
        "{\"a\":}",
        "{\"a\":1,}",
        "{,}",
        "{\"a\":[1,]}",
        "{\"a\":[,1]}",
        "{\"a\":01}",
        "{\"a\":+1}",
        "{\"a\":.5}",
        "{\"a\":1.}",
        "{\"a\":1e}",
        "{\"a\":-}",
        "{\"a\":NaN}",
        "{\"a\":tru}",
        "{\"a\":truex}",
        "{\"a\":nul}",
        "{\"a\":'x'}",
        "{a:1}",
        "{\"a\":\"\\x\"}",
        "{\"a\":\"\\u12G4\"}",
        "{\"a\":\"\\u12\"}",
        "{\"a\":\"tab\there\"}",
        "{\"a\":1 /* comment */}",
        "{\"a\":1}}",
        "{\"a\":1} x",
        "{\"a\" 1}",
        "{\"a\":[}",
        "{\"a\":{]}"
      })
  void malformedDocumentsAreRefusedLikeJacksonRefusesThem(String document) {
    byte[] body = bytes(document);
    assertThat(jacksonAccepts(body)).as("Jackson's verdict").isFalse();
    assertThatThrownBy(() -> SelectiveJsonReader.read(body, SELECTION))
        .isInstanceOf(InvalidPayloadException.class)
        .hasMessageStartingWith("body is not valid JSON: ")
        .hasMessageContaining("(line 1, column ");
  }

  @Test
  void malformedUtf8IsRefusedEvenWhereJacksonLetsItThrough() {
    byte[][] bad = {
      {'{', '"', 'a', '"', ':', '"', (byte) 0xC0, (byte) 0xAF, '"', '}'}, // overlong '/'
      {'{', '"', 'a', '"', ':', '"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"', '}'}, // surrogate
      {'{', '"', 'a', '"', ':', '"', (byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80, '"', '}'},
      {'{', '"', 'a', '"', ':', '"', (byte) 0x80, '"', '}'}, // lone continuation
      {'{', '"', 'a', '"', ':', '"', (byte) 0xE2, (byte) 0x82, '"', '}'}, // truncated
      {'{', '"', (byte) 0xFF, '"', ':', '1', '}'} // in a name
    };
    for (byte[] body : bad) {
      assertThatThrownBy(() -> SelectiveJsonReader.read(body, SELECTION))
          .isInstanceOf(InvalidPayloadException.class)
          .hasMessageContaining("invalid UTF-8");
    }
  }

  @Test
  void aUtf8ByteOrderMarkIsSkippedLikeJacksonDoes() throws IOException {
    byte[] body = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '{', '"', 'a', '"', ':', '1', '}'};
    assertThat(JACKSON.readTree(body).path("a").asInt()).isEqualTo(1);
    assertThat(SelectiveJsonReader.read(body, JsonSelection.of("a")).path("a").asInt())
        .isEqualTo(1);
  }

  @Test
  void nestingIsLimitedAtJacksonsDefaultDepth() {
    String deepest = nested(SelectiveJsonReader.MAX_DEPTH);
    String tooDeep = nested(SelectiveJsonReader.MAX_DEPTH + 1);
    assertThat(jacksonAccepts(bytes(deepest))).isTrue();
    assertThat(jacksonAccepts(bytes(tooDeep))).isFalse();
    assertThat(SelectiveJsonReader.read(bytes(deepest), SELECTION).has("x")).isFalse();
    assertThatThrownBy(() -> SelectiveJsonReader.read(bytes(tooDeep), SELECTION))
        .isInstanceOf(InvalidPayloadException.class)
        .hasMessageContaining("nesting deeper than 1000");
    // also where the deep value is selected and read whole
    String deepSelected =
        "{\"workflow_job\":{\"labels\":" + "[".repeat(999) + "]".repeat(999) + "}}";
    assertThat(jacksonAccepts(bytes(deepSelected))).isFalse();
    assertThatThrownBy(() -> SelectiveJsonReader.read(bytes(deepSelected), SELECTION))
        .isInstanceOf(InvalidPayloadException.class);
  }

  @Test
  void numbersAreLimitedAtJacksonsDefaultLength() {
    String longest = "{\"x\":" + "9".repeat(SelectiveJsonReader.MAX_NUMBER_LENGTH) + "}";
    String tooLong = "{\"x\":" + "9".repeat(SelectiveJsonReader.MAX_NUMBER_LENGTH + 1) + "}";
    assertThat(jacksonAccepts(bytes(longest))).isTrue();
    assertThat(jacksonAccepts(bytes(tooLong))).isFalse();
    SelectiveJsonReader.read(bytes(longest), SELECTION);
    assertThatThrownBy(() -> SelectiveJsonReader.read(bytes(tooLong), SELECTION))
        .isInstanceOf(InvalidPayloadException.class)
        .hasMessageContaining("number longer than 1000");
  }

  @Test
  void integersGetJacksonsNodeTypes() throws IOException {
    JsonSelection selection = JsonSelection.of("x");
    for (String number :
        List.of(
            "0",
            "-0",
            "2147483647",
            "2147483648",
            "-2147483648",
            "-2147483649",
            "999999999999999999",
            "9223372036854775807",
            "-9223372036854775808",
            "9223372036854775808",
            "1234567890123456789012",
            "1.0",
            "1e400")) {
      byte[] body = bytes("{\"x\":" + number + "}");
      JsonNode expected = JACKSON.readTree(body).path("x");
      JsonNode actual = SelectiveJsonReader.read(body, selection).path("x");
      assertThat(actual).as(number).isEqualTo(expected);
      assertThat(actual.getClass()).as(number).isEqualTo(expected.getClass());
    }
  }

  /** Strings are scanned eight bytes at a time: a special byte at every offset of a word. */
  @Test
  void everyOffsetOfAStringIsChecked() {
    byte[][] specials = {
      {'"'},
      {'\\', 'n'},
      {'\\', 'q'},
      {0x01},
      {0x1F},
      {0x7F},
      {(byte) 0xC3, (byte) 0xA9},
      {(byte) 0xFF}
    };
    for (int length = 0; length <= 20; length++) {
      for (int at = 0; at <= length; at++) {
        for (byte[] special : specials) {
          ByteBuffer doc = ByteBuffer.allocate(64);
          doc.put(bytes("{\"action\":\""));
          for (int i = 0; i < length; i++) {
            doc.put(i == at ? special : new byte[] {(byte) ('a' + i)});
          }
          doc.put(bytes("\"}"));
          byte[] body = Arrays.copyOf(doc.array(), doc.position());
          boolean expected = jacksonAccepts(body) && wellFormedUtf8(body);
          boolean actual;
          try {
            JsonNode action = SelectiveJsonReader.read(body, SELECTION).path("action");
            assertThat(action).isEqualTo(readTree(body).path("action"));
            actual = true;
          } catch (InvalidPayloadException e) {
            actual = false;
          }
          assertThat(actual).as(new String(body, StandardCharsets.ISO_8859_1)).isEqualTo(expected);
        }
      }
    }
  }

  @Test
  void errorsGiveLineAndColumnAndNeverQuoteTheBody() {
    byte[] body = bytes("{\n  \"token\": \"ghs_SECRET\",\n  \"x\": ghs_SECRET\n}");
    assertThatThrownBy(() -> SelectiveJsonReader.read(body, SELECTION))
        .isInstanceOf(InvalidPayloadException.class)
        .hasMessage("body is not valid JSON: unexpected character (line 3, column 8)")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("ghs_"));
  }

  @Test
  void realPayloadsAreAccepted() {
    for (String file : GitHubFixtures.WORKFLOW_JOB_PAYLOADS) {
      assertThat(SelectiveJsonReader.read(GitHubFixtures.payload(file), SELECTION).has("action"))
          .as(file)
          .isTrue();
    }
  }

  /**
   * A real payload with a few bytes inserted, deleted or replaced by JSON's own characters (and
   * multi-byte UTF-8): the reader accepts exactly what Jackson accepts, except malformed UTF-8.
   */
  @Property(tries = 3000)
  void mutatedPayloadsGetJacksonsVerdict(@ForAll("mutated") byte[] body) {
    boolean expected = jacksonAccepts(body) && wellFormedUtf8(body) && startsAnObject(body);
    boolean actual;
    try {
      SelectiveJsonReader.read(body, SELECTION);
      actual = true;
    } catch (InvalidPayloadException e) {
      actual = false;
    }
    Statistics.label("Jackson's verdict").collect(expected ? "valid" : "invalid");
    assertThat(actual).isEqualTo(expected);
  }

  @Provide
  Arbitrary<byte[]> mutated() {
    List<byte[]> payloads = new ArrayList<>();
    for (String file : GitHubFixtures.WORKFLOW_JOB_PAYLOADS) {
      payloads.add(GitHubFixtures.payload(file));
    }
    payloads.add(bytes("{\"a\":[1,{\"b\":\"c\\u00e9\"},-2.5e3,true,null],\"d\":{}}"));
    Arbitrary<byte[]> inserted =
        Arbitraries.of(
                "{", "}", "[", "]", "\"", ",", ":", "\\", " ", "0", "-", ".", "e", "t", "\t", "\n",
                "\u00e9")
            .map(SelectiveJsonReaderTest::bytes);
    Arbitrary<Mutation> mutation =
        Combinators.combine(
                Arbitraries.integers().between(0, 2), Arbitraries.doubles().between(0, 1), inserted)
            .as(Mutation::new);
    return Combinators.combine(Arbitraries.of(payloads), mutation.list().ofMinSize(1).ofMaxSize(3))
        .as(
            (payload, mutations) -> {
              byte[] body = payload;
              for (Mutation m : mutations) {
                body = m.apply(body);
              }
              return body;
            });
  }

  record Mutation(int kind, double where, byte[] bytes) {
    byte[] apply(byte[] body) {
      int at = (int) (where * body.length);
      ByteBuffer out = ByteBuffer.allocate(body.length + bytes.length);
      out.put(body, 0, at);
      switch (kind) {
        case 0 -> out.put(bytes).put(body, at, body.length - at); // insert
        case 1 ->
            out.put(
                body,
                Math.min(at + 1, body.length),
                body.length - Math.min(at + 1, body.length)); // delete
        default ->
            out.put(bytes)
                .put(
                    body,
                    Math.min(at + 1, body.length),
                    body.length - Math.min(at + 1, body.length)); // replace
      }
      byte[] result = new byte[out.position()];
      out.flip().get(result);
      return result;
    }
  }

  private static boolean jacksonAccepts(byte[] body) {
    try {
      return JACKSON.readTree(body) != null;
    } catch (IOException e) {
      return false;
    }
  }

  private static JsonNode readTree(byte[] body) {
    try {
      return JACKSON.readTree(body);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static boolean wellFormedUtf8(byte[] body) {
    try {
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(body));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  private static boolean startsAnObject(byte[] body) {
    for (byte b : body) {
      if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
        return b == '{';
      }
    }
    return false;
  }

  /** A body whose deepest value sits inside {@code depth} containers, the object included. */
  private static String nested(int depth) {
    return "{\"x\":" + "[".repeat(depth - 1) + "]".repeat(depth - 1) + "}";
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
