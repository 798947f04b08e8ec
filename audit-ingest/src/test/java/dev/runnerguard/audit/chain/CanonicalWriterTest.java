package dev.runnerguard.audit.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The streaming writer against {@link CanonicalJson} of the same value as a Jackson tree. */
class CanonicalWriterTest {

  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  /** Writes a tree through the writer, each object's fields in a random order. */
  private static void write(JsonNode n, CanonicalWriter w, Random r) {
    if (n.isObject()) {
      List<Map.Entry<String, JsonNode>> fields = new ArrayList<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
        fields.add(it.next());
      }
      Collections.shuffle(fields, r);
      w.beginObject();
      for (Map.Entry<String, JsonNode> f : fields) {
        w.name(f.getKey());
        write(f.getValue(), w, r);
      }
      w.endObject();
    } else if (n.isArray()) {
      w.beginArray();
      for (JsonNode e : n) {
        write(e, w, r);
      }
      w.endArray();
    } else if (n.isTextual()) {
      w.value(n.textValue());
    } else if (n.isBoolean()) {
      w.value(n.booleanValue());
    } else if (n.isNull()) {
      w.nullValue();
    } else if (n.isLong() || n.isInt()) {
      w.value(n.longValue());
    } else {
      w.value(n); // other numbers: as CanonicalJson writes them
    }
  }

  private static final String[] PIECES = {
    "a",
    "b",
    "B",
    "_",
    "0",
    "\"",
    "\\",
    "\n",
    "\t",
    "\u0000",
    "\u001f",
    "\u007f",
    "é",
    "✓",
    "\ud83d\ude00",
    "\ud83d",
    "\ude00",
    "\uffff",
    "\uff61"
  };

  private static String text(Random r) {
    StringBuilder sb = new StringBuilder();
    for (int i = r.nextInt(5); i > 0; i--) {
      sb.append(PIECES[r.nextInt(PIECES.length)]);
    }
    return sb.toString();
  }

  private static JsonNode value(Random r, int depth) {
    switch (r.nextInt(depth > 0 ? 10 : 8)) {
      case 0:
        return F.textNode(text(r));
      case 1:
        return F.numberNode(r.nextLong());
      case 2:
        return F.numberNode(r.nextInt(21) - 10);
      case 3:
        return F.numberNode(new BigInteger(90, r));
      case 4:
        return F.numberNode(new BigDecimal(BigInteger.valueOf(r.nextLong()), r.nextInt(30) - 15));
      case 5:
        return F.nullNode();
      case 6:
        return F.booleanNode(r.nextBoolean());
      case 7:
        return F.numberNode(Long.MIN_VALUE);
      case 8:
        {
          ObjectNode o = F.objectNode();
          for (int i = r.nextInt(40); i > 0; i--) {
            o.set(text(r), value(r, depth - 1));
          }
          return o;
        }
      default:
        {
          ArrayNode a = F.arrayNode();
          for (int i = r.nextInt(5); i > 0; i--) {
            a.add(value(r, depth - 1));
          }
          return a;
        }
    }
  }

  @Test
  void randomValuesInAnyFieldOrderGiveTheCanonicalBytesOfTheTree() {
    Random r = new Random(1127L);
    CanonicalWriter w = new CanonicalWriter(16);
    for (int i = 0; i < 5000; i++) {
      JsonNode n = value(r, 4);
      write(n, w.reset(), r);
      byte[] expected = CanonicalJson.bytes(n);
      assertThat(new String(w.toByteArray(), StandardCharsets.UTF_8))
          .isEqualTo(new String(expected, StandardCharsets.UTF_8));
      assertThat(w.toByteArray()).isEqualTo(expected);
    }
  }

  @Test
  void fieldsHelpersWriteWhatObjectNodePutStores() {
    ObjectNode o = F.objectNode();
    o.put("s", "x");
    o.put("ns", (String) null);
    o.put("l", 5L);
    o.put("nl", (Long) null);
    o.put("i", Integer.valueOf(-3));
    o.put("ni", (Integer) null);
    o.put("b", true);
    o.put("nb", (Boolean) null);
    o.put("o", "obj");
    o.putObject("e");
    o.putArray("a");
    CanonicalWriter w = new CanonicalWriter(16).beginObject();
    w.field("s", "x")
        .field("ns", (String) null)
        .field("l", Long.valueOf(5))
        .field("nl", (Long) null);
    w.field("i", Integer.valueOf(-3)).field("ni", (Integer) null).field("b", true);
    w.field("nb", (Boolean) null).fieldIfNotNull("skipped", null).fieldIfNotNull("o", "obj");
    w.beginObject("e").endObject().beginArray("a").endArray().endObject();
    assertThat(w.toByteArray()).isEqualTo(CanonicalJson.bytes(o));
  }

  @Test
  void aKeyTwiceInOneObjectAndBrokenStructureFail() {
    assertThatThrownBy(
            () -> new CanonicalWriter(16).beginObject().field("a", 1).field("a", 2).endObject())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("duplicate key a");
    assertThatThrownBy(
            () ->
                new CanonicalWriter(16)
                    .beginObject()
                    .field("b", 1)
                    .field("a", 1)
                    .field("b", 2)
                    .endObject())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("duplicate key b");
    // the same key in different objects is fine
    assertThat(
            new CanonicalWriter(16)
                .beginObject()
                .field("a", 1)
                .beginObject("o")
                .field("a", 2)
                .endObject()
                .endObject()
                .toByteArray())
        .isEqualTo("{\"a\":1,\"o\":{\"a\":2}}".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> new CanonicalWriter(16).beginObject().value("x"))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> new CanonicalWriter(16).beginArray().name("x"))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> new CanonicalWriter(16).beginObject().toByteArray())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> new CanonicalWriter(16).beginObject().endArray())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> new CanonicalWriter(16).value(1).value(2))
        .isInstanceOf(IllegalStateException.class);
  }
}
