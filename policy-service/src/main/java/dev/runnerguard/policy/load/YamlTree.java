package dev.runnerguard.policy.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.StringReader;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * A YAML document as a JSON tree plus the line of every node, keyed by JSON pointer ({@code
 * /rules/0/runner}). Parsing uses SnakeYAML's composer only (no object construction, so no tags can
 * instantiate anything), refuses anchors/aliases and duplicate keys, and bounds nesting and size.
 */
public final class YamlTree {
  /** Largest policy file accepted. */
  public static final int MAX_BYTES = 1 << 20;

  private final JsonNode root;
  private final Map<String, Integer> lines;

  private YamlTree(JsonNode root, Map<String, Integer> lines) {
    this.root = root;
    this.lines = lines;
  }

  /** The tree. */
  public JsonNode root() {
    return root;
  }

  /** The 1-based line of the node at the pointer, or of its closest ancestor that has one. */
  public int line(String pointer) {
    String p = pointer;
    while (true) {
      Integer line = lines.get(p);
      if (line != null) {
        return line;
      }
      if (p.isEmpty()) {
        return 1;
      }
      int slash = p.lastIndexOf('/');
      p = slash <= 0 ? "" : p.substring(0, slash);
    }
  }

  /**
   * Parses one YAML document.
   *
   * @throws YamlException with the line of the problem
   */
  public static YamlTree parse(String text) throws YamlException {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    options.setMaxAliasesForCollections(50);
    options.setNestingDepthLimit(40);
    options.setCodePointLimit(MAX_BYTES);
    options.setAllowRecursiveKeys(false);
    Node node;
    try {
      node = new Yaml(options).compose(new StringReader(text));
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      String what = e.getProblem() != null ? e.getProblem() : e.getMessage();
      if (e.getContext() != null) {
        what = e.getContext() + ": " + what;
      }
      throw new YamlException(
          mark == null ? 0 : mark.getLine() + 1, "invalid YAML: " + oneLine(what));
    } catch (YAMLException | IllegalArgumentException | IllegalStateException e) {
      throw new YamlException(0, "invalid YAML: " + oneLine(String.valueOf(e.getMessage())));
    } catch (StackOverflowError e) {
      throw new YamlException(0, "invalid YAML: nested too deeply");
    }
    if (node == null) {
      throw new YamlException(1, "the file holds no YAML document");
    }
    Map<String, Integer> lines = new HashMap<>();
    JsonNode root = new Converter(lines).convert(node, "");
    return new YamlTree(root, lines);
  }

  private static String oneLine(String s) {
    String t = s.replaceAll("\\s+", " ").trim();
    return t.length() > 300 ? t.substring(0, 300) + "..." : t;
  }

  /** A YAML problem with its line (0 when unknown). */
  public static final class YamlException extends Exception {
    private final int line;

    YamlException(int line, String message) {
      super(message);
      this.line = line;
    }

    /** 1-based line, 0 when unknown. */
    public int line() {
      return line;
    }
  }

  private static final class Converter {
    private final Map<String, Integer> lines;
    private final Map<Node, Boolean> seen = new IdentityHashMap<>();

    Converter(Map<String, Integer> lines) {
      this.lines = lines;
    }

    JsonNode convert(Node node, String pointer) throws YamlException {
      int line = node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
      if (seen.put(node, Boolean.TRUE) != null) {
        throw new YamlException(line, "YAML anchors and aliases are not supported");
      }
      lines.put(pointer, line);
      if (node instanceof MappingNode mapping) {
        ObjectNode object = JsonNodeFactory.instance.objectNode();
        for (NodeTuple tuple : mapping.getValue()) {
          if (!(tuple.getKeyNode() instanceof ScalarNode keyNode)) {
            throw new YamlException(
                tuple.getKeyNode().getStartMark().getLine() + 1,
                "mapping keys must be plain strings");
          }
          if (Tag.MERGE.equals(keyNode.getTag())) {
            throw new YamlException(
                keyNode.getStartMark().getLine() + 1, "YAML merge keys (<<) are not supported");
          }
          String key = keyNode.getValue();
          if (object.has(key)) {
            throw new YamlException(
                keyNode.getStartMark().getLine() + 1, "duplicate key '" + key + "'");
          }
          object.set(key, convert(tuple.getValueNode(), pointer + "/" + escape(key)));
        }
        return object;
      }
      if (node instanceof SequenceNode sequence) {
        ArrayNode array = JsonNodeFactory.instance.arrayNode();
        int i = 0;
        for (Node item : sequence.getValue()) {
          array.add(convert(item, pointer + "/" + i++));
        }
        return array;
      }
      return scalar((ScalarNode) node);
    }

    private static JsonNode scalar(ScalarNode node) {
      String v = node.getValue();
      Tag tag = node.getTag();
      if (Tag.NULL.equals(tag)) {
        return JsonNodeFactory.instance.nullNode();
      }
      if (Tag.BOOL.equals(tag)) {
        String b = v.toLowerCase(Locale.ROOT);
        return JsonNodeFactory.instance.booleanNode(
            b.equals("true") || b.equals("yes") || b.equals("on") || b.equals("y"));
      }
      if (Tag.INT.equals(tag)) {
        try {
          return JsonNodeFactory.instance.numberNode(Long.parseLong(v.replace("_", "")));
        } catch (NumberFormatException e) {
          return JsonNodeFactory.instance.textNode(v);
        }
      }
      if (Tag.FLOAT.equals(tag)) {
        try {
          return JsonNodeFactory.instance.numberNode(Double.parseDouble(v.replace("_", "")));
        } catch (NumberFormatException e) {
          return JsonNodeFactory.instance.textNode(v);
        }
      }
      return JsonNodeFactory.instance.textNode(v);
    }

    private static String escape(String key) {
      return key.replace("~", "~0").replace("/", "~1");
    }
  }
}
