package dev.runnerguard.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runnerguard.testing.GitHubFixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The selective reader against a full Jackson tree: every selected path must hold the same value
 * (or the same non-object) as in the whole tree, for real payloads and random documents built from
 * the field names the parsers use (duplicates, wrong types and nesting included).
 */
class JsonFieldsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final JsonSelection SELECTION =
      JsonSelection.of(
          "action",
          JsonSelection.object("workflow_job", "id", "labels", "run_id", "created_at"),
          JsonSelection.object(
              "repository", "full_name", "private", JsonSelection.object("owner", "login")));

  /** Paths to compare: leaves by value, containers by being an object or not. */
  private static final List<String[]> LEAVES =
      List.of(
          new String[] {"action"},
          new String[] {"workflow_job", "id"},
          new String[] {"workflow_job", "labels"},
          new String[] {"workflow_job", "run_id"},
          new String[] {"workflow_job", "created_at"},
          new String[] {"repository", "full_name"},
          new String[] {"repository", "private"},
          new String[] {"repository", "owner", "login"});

  private static final List<String[]> CONTAINERS =
      List.of(
          new String[] {"workflow_job"},
          new String[] {"repository"},
          new String[] {"repository", "owner"});

  private static final String[] NAMES = {
    "action",
    "workflow_job",
    "id",
    "labels",
    "run_id",
    "created_at",
    "repository",
    "full_name",
    "private",
    "owner",
    "login",
    "steps",
    "x"
  };

  static final List<String> PAYLOADS = GitHubFixtures.WORKFLOW_JOB_PAYLOADS;

  @ParameterizedTest
  @FieldSource("PAYLOADS")
  void realPayloadsReadTheSameAsAFullTree(String file) throws IOException {
    assertSameAsFullTree(GitHubFixtures.payload(file));
  }

  @Property(tries = 3000)
  void randomDocumentsReadTheSameAsAFullTree(@ForAll("documents") String document)
      throws IOException {
    assertSameAsFullTree(document.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aRepeatedFieldCountsWithItsLastValueLikeInATree() {
    String body =
        """
        {"workflow_job":{"id":1,"labels":["a"]},"action":"queued",
         "workflow_job":{"id":2},"repository":{"full_name":"a/b"},"repository":"c/d"}""";
    JsonNode root = JsonFields.object(bytes(body), SELECTION);
    assertThat(root.path("workflow_job").path("id").asLong()).isEqualTo(2);
    assertThat(root.path("workflow_job").has("labels")).isFalse();
    assertThat(root.path("repository").isObject()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"action\":\"queued\",\"steps\":[1,2,}",
        "{\"action\":\"queued\",\"steps\":{\"a\" 1}}",
        "{\"action\":\"queued\"",
        "{\"steps\":[{\"name\":\"x\"}],\"action\":\"queued\",]",
        "{\"steps\":\"unterminated}"
      })
  void malformedJsonInSkippedPartsIsStillRefused(String body) {
    assertThatThrownBy(() -> JsonFields.object(bytes(body), SELECTION))
        .isInstanceOf(InvalidPayloadException.class)
        .hasMessageContaining("not valid JSON");
  }

  @ParameterizedTest
  @ValueSource(strings = {"[]", "\"x\"", "5", "null", "  "})
  void aBodyThatIsNotAnObjectIsRefused(String body) {
    assertThatThrownBy(() -> JsonFields.object(bytes(body), SELECTION))
        .isInstanceOf(InvalidPayloadException.class)
        .hasMessageContaining("must be a JSON object");
  }

  /** GitHub's timestamp form, read directly, means what Instant.parse makes of it. */
  @Property(tries = 3000)
  void timestampsReadAsInstantParseReadsThem(@ForAll("timestamps") String text) {
    Instant expected;
    try {
      expected = Instant.parse(text);
    } catch (DateTimeParseException e) {
      expected = null;
    }
    assertThat(JsonFields.instant(text)).as(text).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "2026-11-29T05:58:00Z",
        "2024-02-29T23:59:59Z",
        "2023-02-29T00:00:00Z",
        "2026-04-31T00:00:00Z",
        "2026-11-29T24:00:00Z",
        "2026-11-29T23:59:60Z",
        "0000-01-01T00:00:00Z",
        "2026-13-01T00:00:00Z",
        "2026-00-01T00:00:00Z",
        "2026-11-00T00:00:00Z",
        "2026-11-29T05:58:00+01:00",
        "2026-11-29T05:58:00.123Z",
        "2026-11-29 05:58:00Z",
        "2026-1a-29T05:58:00Z",
        "2026-11-29T05:58:0Z",
        ""
      })
  void timestampEdgesReadAsInstantParseReadsThem(String text) {
    timestampsReadAsInstantParseReadsThem(text);
  }

  @Provide
  Arbitrary<String> timestamps() {
    Arbitrary<String> two =
        Arbitraries.integers().between(0, 99).map(i -> String.format("%02d", i));
    Arbitrary<String> year =
        Arbitraries.integers().between(0, 9999).map(i -> String.format("%04d", i));
    Arbitrary<String> separator = Arbitraries.of("-", "-", "-", ":", "T", "x");
    return Combinators.combine(
            year,
            two,
            Arbitraries.integers().between(0, 32).map(i -> String.format("%02d", i)),
            two,
            two,
            two,
            separator,
            Arbitraries.of("Z", "Z", "Z", "z", "+00:00", ".5Z"))
        .as(
            (y, mo, d, h, mi, s, sep, zone) ->
                y + sep + mo + "-" + d + "T" + h + ":" + mi + ":" + s + zone);
  }

  @Provide
  Arbitrary<String> documents() {
    return object(3);
  }

  private Arbitrary<String> object(int depth) {
    Arbitrary<String> member =
        Arbitraries.of(NAMES).flatMap(n -> value(depth).map(v -> quote(n) + ":" + v));
    return member.list().ofMaxSize(6).map(m -> "{" + String.join(",", m) + "}");
  }

  private Arbitrary<String> value(int depth) {
    Arbitrary<String> scalar =
        Arbitraries.oneOf(
            Arbitraries.strings().ofMaxLength(8).map(JsonFieldsTest::quote),
            Arbitraries.of(
                "0",
                "-1",
                "7",
                "2147483648",
                "9223372036854775807",
                "99999999999999999999",
                "1.5",
                "1e3",
                "true",
                "false",
                "null",
                "\"2026-11-27T12:00:00Z\"",
                "\" \""));
    if (depth == 0) {
      return scalar;
    }
    Arbitrary<String> array =
        Arbitraries.lazy(() -> value(depth - 1))
            .list()
            .ofMaxSize(3)
            .map(v -> "[" + String.join(",", v) + "]");
    return Arbitraries.frequencyOf(
        Tuple.of(4, scalar),
        Tuple.of(1, array),
        Tuple.of(2, Arbitraries.lazy(() -> object(depth - 1))));
  }

  private static void assertSameAsFullTree(byte[] body) throws IOException {
    JsonNode full = JSON.readTree(body);
    JsonNode selected = JsonFields.object(body, SELECTION);
    for (String[] path : LEAVES) {
      assertThat(at(selected, path)).as(String.join(".", path)).isEqualTo(at(full, path));
    }
    for (String[] path : CONTAINERS) {
      assertThat(at(selected, path).isObject())
          .as(String.join(".", path))
          .isEqualTo(at(full, path).isObject());
    }
  }

  /** What the parsers see: a path through objects only. */
  private static JsonNode at(JsonNode node, String[] path) {
    JsonNode current = node;
    for (String name : path) {
      current = current.isObject() ? current.path(name) : current.path(-1);
    }
    return current;
  }

  private static String quote(String s) {
    try {
      return JSON.writeValueAsString(s);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
