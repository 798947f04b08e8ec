package dev.runnerguard.policy.load;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runnerguard.policy.admission.AdmissionEngine;
import dev.runnerguard.policy.admission.EgressEntries;
import dev.runnerguard.policy.admission.PolicySet;
import dev.runnerguard.policy.admission.Rule;
import dev.runnerguard.policy.admission.Rule.Runner;
import dev.runnerguard.policy.detection.rules.DetectionConfig;
import dev.runnerguard.policy.detection.rules.DetectionConfigReader;
import dev.runnerguard.schemas.avro.Isolation;
import dev.runnerguard.schemas.avro.RunnerSpec;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Turns the files of a policy directory into a {@link PolicySet}, or reports every problem with
 * file and line. Pure: no file system access (see {@code reload.PolicyDirectory}).
 *
 * <p>Steps: (1) each file is decoded (UTF-8), parsed ({@link YamlTree}) and validated against the
 * published JSON Schema; (2) each valid file's rules are read, egress entries checked; (3) checks
 * across files: duplicate rule ids, one {@code defaults}, public rules on VM isolation in runner
 * groups no private rule uses, forks on stronger isolation in a group of their own, and one spec
 * per (runner group, label set). Only when nothing is wrong is a set returned.
 */
public final class PolicyLoader {
  static final String DEFAULT_RUNNER_GROUP = "default";
  static final long DEFAULT_MAX_DURATION = 21_600;

  private PolicyLoader() {}

  /** The content hash of a directory: {@code sha256:} and 12 hex digits over names and bytes. */
  public static String version(List<PolicyFile> files) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (PolicyFile f : sorted(files)) {
        digest.update(f.name().getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
        byte[] content = f.content();
        digest.update(ByteBuffer.allocate(8).putLong(content.length).array());
        digest.update(content);
      }
      return "sha256:" + HexFormat.of().formatHex(digest.digest()).substring(0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Loads a policy set.
   *
   * @param source where the files come from (for messages and the set)
   * @throws PolicyLoadException listing every problem
   */
  public static PolicySet load(String source, List<PolicyFile> files) throws PolicyLoadException {
    List<PolicyProblem> problems = new ArrayList<>();
    List<PolicyFile> ordered = sorted(files);
    if (ordered.isEmpty()) {
      throw new PolicyLoadException(
          List.of(new PolicyProblem(source, 0, "no policy files (*.yaml, *.yml)")));
    }
    List<Parsed> parsed = new ArrayList<>();
    for (PolicyFile file : ordered) {
      parseFile(file, problems).ifPresent(parsed::add);
    }
    if (!problems.isEmpty()) {
      throw new PolicyLoadException(problems);
    }
    PolicySet set = build(source, ordered, parsed, problems);
    if (!problems.isEmpty()) {
      throw new PolicyLoadException(problems);
    }
    return set;
  }

  private record Parsed(String file, YamlTree tree) {}

  private static List<PolicyFile> sorted(List<PolicyFile> files) {
    return files.stream().sorted(Comparator.comparing(PolicyFile::name)).toList();
  }

  private static Optional<Parsed> parseFile(PolicyFile file, List<PolicyProblem> problems) {
    byte[] bytes = file.content();
    if (bytes.length > YamlTree.MAX_BYTES) {
      problems.add(
          new PolicyProblem(
              file.name(), 0, "file is larger than " + YamlTree.MAX_BYTES + " bytes"));
      return Optional.empty();
    }
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
    } catch (CharacterCodingException e) {
      problems.add(new PolicyProblem(file.name(), 0, "file is not valid UTF-8"));
      return Optional.empty();
    }
    YamlTree tree;
    try {
      tree = YamlTree.parse(text);
    } catch (YamlTree.YamlException e) {
      problems.add(new PolicyProblem(file.name(), e.line(), e.getMessage()));
      return Optional.empty();
    }
    List<PolicySchema.Violation> violations = PolicySchema.validate(tree.root());
    for (PolicySchema.Violation v : violations) {
      problems.add(
          new PolicyProblem(file.name(), tree.line(v.pointer()), "schema: " + v.message()));
    }
    return violations.isEmpty() ? Optional.of(new Parsed(file.name(), tree)) : Optional.empty();
  }

  private static PolicySet build(
      String source, List<PolicyFile> files, List<Parsed> parsed, List<PolicyProblem> problems) {
    Defaults defaults = defaults(parsed, problems);
    Set<String> orgs = new LinkedHashSet<>();
    Set<String> repos = new LinkedHashSet<>();
    List<Rule> rules = new ArrayList<>();
    Map<String, Rule> byId = new HashMap<>();
    for (Parsed p : parsed) {
      JsonNode allow = p.tree().root().path("allow");
      allow.path("organizations").forEach(n -> orgs.add(n.asText()));
      allow.path("repositories").forEach(n -> repos.add(n.asText()));
      JsonNode ruleNodes = p.tree().root().path("rules");
      for (int i = 0; i < ruleNodes.size(); i++) {
        String pointer = "/rules/" + i;
        Optional<Rule> rule = rule(p, pointer, ruleNodes.get(i), defaults, problems);
        if (rule.isEmpty()) {
          continue;
        }
        Rule r = rule.get();
        Rule first = byId.putIfAbsent(r.id(), r);
        if (first != null) {
          problems.add(
              new PolicyProblem(
                  p.file(),
                  r.line(),
                  "duplicate rule id '"
                      + r.id()
                      + "' (first defined at "
                      + first.file()
                      + ":"
                      + first.line()
                      + ")"));
          continue;
        }
        rules.add(r);
      }
    }
    checkPublicGroups(rules, problems);
    checkRunnerClasses(rules, problems);
    DetectionConfig detection = detection(parsed, problems);
    String version = version(files);
    return new PolicySet(
        version,
        source,
        files.stream().map(PolicyFile::name).toList(),
        new PolicySet.Allowlist(List.copyOf(orgs), List.copyOf(repos)),
        rules,
        detection);
  }

  /** The one {@code DetectionPolicy} file's settings, or the built-in defaults without one. */
  private static DetectionConfig detection(List<Parsed> parsed, List<PolicyProblem> problems) {
    Parsed owner = null;
    DetectionConfig config = DetectionConfig.defaults();
    for (Parsed p : parsed) {
      if (!"DetectionPolicy".equals(p.tree().root().path("kind").asText())) {
        continue;
      }
      if (owner != null) {
        problems.add(
            new PolicyProblem(
                p.file(),
                p.tree().line("/kind"),
                "a DetectionPolicy is already defined in "
                    + owner.file()
                    + "; only one file may define it"));
        continue;
      }
      owner = p;
      config = DetectionConfigReader.read(p.file(), p.tree(), problems).orElse(config);
    }
    return config;
  }

  private record Defaults(String runnerGroup, long maxDurationSeconds) {}

  private static Defaults defaults(List<Parsed> parsed, List<PolicyProblem> problems) {
    Parsed owner = null;
    Defaults defaults = new Defaults(DEFAULT_RUNNER_GROUP, DEFAULT_MAX_DURATION);
    for (Parsed p : parsed) {
      JsonNode d = p.tree().root().get("defaults");
      if (d == null) {
        continue;
      }
      if (owner != null) {
        problems.add(
            new PolicyProblem(
                p.file(),
                p.tree().line("/defaults"),
                "'defaults' is already defined in "
                    + owner.file()
                    + "; only one file may define it"));
        continue;
      }
      owner = p;
      defaults =
          new Defaults(
              d.path("runnerGroup").asText(DEFAULT_RUNNER_GROUP),
              d.path("maxDurationSeconds").asLong(DEFAULT_MAX_DURATION));
    }
    return defaults;
  }

  private static Optional<Rule> rule(
      Parsed p, String pointer, JsonNode n, Defaults defaults, List<PolicyProblem> problems) {
    String id = n.get("id").asText();
    int line = p.tree().line(pointer);
    JsonNode m = n.get("match");
    TreeSet<String> labels = new TreeSet<>();
    m.get("labels").forEach(l -> labels.add(l.asText().toLowerCase(Locale.ROOT)));
    Rule.Match match =
        new Rule.Match(
            labels,
            Rule.LabelMatch.valueOf(upper(m.path("labelMatch").asText("subset"))),
            Rule.Visibility.valueOf(upper(m.path("visibility").asText("private"))),
            texts(m.path("organizations")),
            texts(m.path("repositories")));
    Rule.Action action = Rule.Action.valueOf(upper(n.get("action").asText()));
    int before = problems.size();
    Optional<Runner> runner = Optional.empty();
    Optional<Runner> fork = Optional.empty();
    if (action == Rule.Action.ADMIT) {
      Runner base = runner(p, pointer + "/runner", n.get("runner"), null, defaults, problems);
      runner = Optional.of(base);
      if (n.has("forks")) {
        Runner f = runner(p, pointer + "/forks", n.get("forks"), base, defaults, problems);
        checkFork(p, pointer, id, base, f, problems);
        fork = Optional.of(f);
      }
      if (match.visibility() == Rule.Visibility.PUBLIC) {
        for (Runner r : fork.isPresent() ? List.of(base, fork.get()) : List.of(base)) {
          if (r.isolation() != Isolation.VM) {
            problems.add(
                new PolicyProblem(
                    p.file(),
                    line,
                    "rule '"
                        + id
                        + "' admits public repositories, which is only allowed with isolation VM (not "
                        + r.isolation()
                        + ")"));
          }
        }
      }
    }
    if (problems.size() > before) {
      return Optional.empty();
    }
    return Optional.of(
        new Rule(
            id,
            p.file(),
            line,
            n.path("description").asText(""),
            n.path("audit").asBoolean(false),
            action,
            n.path("reason").asText(""),
            match,
            runner,
            fork));
  }

  private static Runner runner(
      Parsed p,
      String pointer,
      JsonNode n,
      Runner base,
      Defaults defaults,
      List<PolicyProblem> problems) {
    List<String> egress = new ArrayList<>();
    JsonNode egressNode = n.get("egress");
    if (egressNode == null && base != null) {
      egress.addAll(base.egress());
    } else if (egressNode != null) {
      for (int i = 0; i < egressNode.size(); i++) {
        try {
          egress.add(EgressEntries.normalize(egressNode.get(i).asText()));
        } catch (IllegalArgumentException e) {
          problems.add(
              new PolicyProblem(
                  p.file(), p.tree().line(pointer + "/egress/" + i), "egress: " + e.getMessage()));
        }
      }
    }
    String group =
        n.has("runnerGroup")
            ? n.get("runnerGroup").asText()
            : base != null ? base.runnerGroup() + "-forks" : defaults.runnerGroup();
    return new Runner(
        group,
        n.has("provider") ? n.get("provider").asText() : base.provider(),
        Isolation.valueOf(n.get("isolation").asText()),
        n.has("image")
            ? Optional.of(n.get("image").asText())
            : base != null ? base.image() : Optional.empty(),
        egress,
        n.has("maxDurationSeconds")
            ? n.get("maxDurationSeconds").asLong()
            : base != null ? base.maxDurationSeconds() : defaults.maxDurationSeconds(),
        n.has("cpuMillis")
            ? Optional.of(n.get("cpuMillis").asInt())
            : base != null ? base.cpuMillis() : Optional.empty(),
        n.has("memoryMb")
            ? Optional.of(n.get("memoryMb").asInt())
            : base != null ? base.memoryMb() : Optional.empty(),
        n.has("maxConcurrent")
            ? Optional.of(n.get("maxConcurrent").asInt())
            : base != null ? base.maxConcurrent() : Optional.empty(),
        base != null
            ? base.scope()
            : Rule.Scope.valueOf(upper(n.path("concurrencyScope").asText("repository"))));
  }

  /** Isolation strength: sandbox < container = pod < VM. */
  static int strength(Isolation isolation) {
    return switch (isolation) {
      case SANDBOX -> 1;
      case CONTAINER, POD -> 2;
      case VM -> 3;
      default -> 0;
    };
  }

  private static void checkFork(
      Parsed p, String pointer, String id, Runner base, Runner fork, List<PolicyProblem> problems) {
    int line = p.tree().line(pointer + "/forks");
    boolean stronger =
        strength(fork.isolation()) > strength(base.isolation())
            || (base.isolation() == Isolation.VM && fork.isolation() == Isolation.VM);
    if (!stronger) {
      problems.add(
          new PolicyProblem(
              p.file(),
              line,
              "rule '"
                  + id
                  + "': forks must get stronger isolation than "
                  + base.isolation()
                  + " (got "
                  + fork.isolation()
                  + ")"));
    }
    if (fork.runnerGroup().equals(base.runnerGroup())) {
      problems.add(
          new PolicyProblem(
              p.file(),
              line,
              "rule '"
                  + id
                  + "': forks need a runner group of their own (both use '"
                  + base.runnerGroup()
                  + "')"));
    }
  }

  /** Public repositories never share a runner group with private ones. */
  private static void checkPublicGroups(List<Rule> rules, List<PolicyProblem> problems) {
    Map<String, Rule> privateGroups = new HashMap<>();
    for (Rule r : rules) {
      if (r.match().visibility() == Rule.Visibility.PRIVATE) {
        runners(r).forEach(x -> privateGroups.putIfAbsent(x.runnerGroup(), r));
      }
    }
    for (Rule r : rules) {
      if (r.match().visibility() != Rule.Visibility.PUBLIC) {
        continue;
      }
      for (Runner x : runners(r)) {
        Rule other = privateGroups.get(x.runnerGroup());
        if (other != null) {
          problems.add(
              new PolicyProblem(
                  r.file(),
                  r.line(),
                  "rule '"
                      + r.id()
                      + "' puts public repositories in runner group '"
                      + x.runnerGroup()
                      + "', which private rule '"
                      + other.id()
                      + "' ("
                      + other.file()
                      + ":"
                      + other.line()
                      + ") uses too; public and private repositories never share a runner group"));
        }
      }
    }
  }

  /**
   * GitHub gives a job to any idle runner of the group whose labels include the job's: two runner
   * classes of one group whose label sets contain one another must have the same spec.
   */
  private static void checkRunnerClasses(List<Rule> rules, List<PolicyProblem> problems) {
    record Seen(Rule rule, RunnerSpec spec) {}
    List<Seen> seen = new ArrayList<>();
    for (Rule r : rules) {
      for (Runner x : runners(r)) {
        RunnerSpec spec = AdmissionEngine.spec(r, x);
        for (Seen s : seen) {
          boolean sameGroup = s.spec().getRunnerGroup().equals(spec.getRunnerGroup());
          Set<String> a = new TreeSet<>(s.spec().getLabels());
          Set<String> b = new TreeSet<>(spec.getLabels());
          boolean nested = a.containsAll(b) || b.containsAll(a);
          if (sameGroup
              && nested
              && !s.spec().getRunnerClass().equals(spec.getRunnerClass())
              && s.rule() != r) {
            problems.add(
                new PolicyProblem(
                    r.file(),
                    r.line(),
                    "rule '"
                        + r.id()
                        + "' and rule '"
                        + s.rule().id()
                        + "' ("
                        + s.rule().file()
                        + ":"
                        + s.rule().line()
                        + ") define different runner specs in runner group '"
                        + spec.getRunnerGroup()
                        + "' with label sets "
                        + b
                        + " and "
                        + a
                        + "; GitHub could route a job of one to a runner of the other: use"
                        + " separate runner groups or identical specs"));
            break;
          }
        }
        seen.add(new Seen(r, spec));
      }
    }
  }

  private static List<Runner> runners(Rule r) {
    List<Runner> out = new ArrayList<>();
    r.runner().ifPresent(out::add);
    r.forkRunner().ifPresent(out::add);
    return out;
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static String upper(String s) {
    return s.toUpperCase(Locale.ROOT);
  }
}
