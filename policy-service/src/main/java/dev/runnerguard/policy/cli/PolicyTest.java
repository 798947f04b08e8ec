package dev.runnerguard.policy.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.runnerguard.policy.admission.PolicySet;
import dev.runnerguard.policy.admission.PolicyTester;
import dev.runnerguard.policy.github.WorkflowJobPayloads;
import dev.runnerguard.policy.load.PolicyLoadException;
import dev.runnerguard.policy.load.PolicyLoader;
import dev.runnerguard.policy.load.PolicyProblem;
import dev.runnerguard.policy.reload.PolicyDirectory;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code policy-test <policy dir> [<payload.json>...]}: validates a policy directory and prints the
 * decision for each sample {@code workflow_job} payload as JSON, so a GitOps repository can test
 * its policies in its own CI. Exit codes: 0 valid, 1 invalid policies (each problem printed to
 * stderr as {@code file:line: message}), 2 usage error or unreadable payload.
 *
 * <pre>
 * java -cp 'policy-service/target/quarkus-app/app/*:policy-service/target/quarkus-app/lib/main/*' \
 *   dev.runnerguard.policy.cli.PolicyTest policies/ samples/*.json
 * </pre>
 */
public final class PolicyTest {
  private PolicyTest() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs the command; returns the exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length < 1 || args[0].equals("-h") || args[0].equals("--help")) {
      err.println("usage: policy-test <policy dir> [<workflow_job payload.json>...]");
      return 2;
    }
    PolicyDirectory.OnDisk dir = new PolicyDirectory.OnDisk(Path.of(args[0]));
    PolicySet set;
    try {
      set = PolicyLoader.load(dir.describe(), dir.read());
    } catch (IOException e) {
      err.println("policy-test: " + e.getMessage());
      return 2;
    } catch (PolicyLoadException e) {
      err.println("policy-test: INVALID policies in " + args[0] + ":");
      for (PolicyProblem p : e.problems()) {
        err.println("  " + p);
      }
      return 1;
    }
    List<Map<String, Object>> decisions = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      try {
        decisions.add(
            PolicyTester.describe(
                args[i], set, WorkflowJobPayloads.parse(Files.readAllBytes(Path.of(args[i])))));
      } catch (IOException | IllegalArgumentException e) {
        err.println("policy-test: " + args[i] + ": " + e.getMessage());
        return 2;
      }
    }
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("valid", true);
    result.put("policyVersion", set.version());
    result.put("files", set.files());
    result.put("rules", set.rules().size());
    result.put("decisions", decisions);
    try {
      out.println(
          new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(result));
    } catch (IOException e) {
      err.println("policy-test: " + e.getMessage());
      return 2;
    }
    return 0;
  }
}
