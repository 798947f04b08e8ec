package dev.runnerguard.policy.admission;

import static dev.runnerguard.policy.admission.Jobs.job;
import static org.assertj.core.api.Assertions.assertThat;

import dev.runnerguard.policy.load.PolicyFile;
import dev.runnerguard.policy.load.PolicyLoader;
import dev.runnerguard.schemas.avro.Decision;
import dev.runnerguard.schemas.avro.Isolation;
import dev.runnerguard.schemas.avro.RunnerSpec;
import dev.runnerguard.schemas.avro.WorkflowJobEvent;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every admission rule, positive and negative, as a table over one policy set. */
public class AdmissionEngineTest {
  public static final String POLICY =
      """
      apiVersion: runnerguard.dev/v1
      kind: AdmissionPolicy
      allow:
        organizations: [acme, oss]
        repositories: [friend/tool]
      defaults:
        runnerGroup: private
        maxDurationSeconds: 3600
      rules:
        - id: private-linux
          action: admit
          match: {labels: [self-hosted, linux]}
          runner:
            provider: container
            isolation: CONTAINER
            image: ghcr.io/acme/runner:1
            egress: ["*.github.com:443", "10.0.0.0/8", "localhost:8080"]
            cpuMillis: 2000
            memoryMb: 4096
            maxConcurrent: 5
          forks:
            isolation: VM
            provider: vm
        - id: private-linux-large
          action: admit
          match: {labels: [self-hosted, linux, large], labelMatch: exact}
          runner: {runnerGroup: private-large, provider: vm, isolation: VM, maxDurationSeconds: 7200}
        - id: site-only
          action: admit
          match: {labels: [self-hosted, linux], repositories: [acme/site]}
          runner: {runnerGroup: site, provider: local-sandbox, isolation: SANDBOX, egress: ["127.0.0.1:8090"]}
        - id: gpu-denied
          action: deny
          reason: GPU runners are reserved for the ml team
          match: {labels: [self-hosted, gpu]}
        - id: oss-public
          action: admit
          match: {labels: [self-hosted, public], visibility: public, organizations: [oss]}
          runner: {runnerGroup: public-vm, provider: vm, isolation: VM, maxConcurrent: 2, concurrencyScope: organization}
        - id: trial-arm
          audit: true
          action: deny
          reason: arm is being phased out
          match: {labels: [self-hosted, arm]}
        - id: arm
          action: admit
          match: {labels: [self-hosted, arm]}
          runner: {runnerGroup: arm, provider: container, isolation: CONTAINER}
        - id: trial-new-pool
          audit: true
          action: admit
          match: {labels: [self-hosted, new-pool]}
          runner: {runnerGroup: new-pool, provider: container, isolation: CONTAINER}
      """;

  static final PolicySet SET = load(POLICY);
  final AdmissionEngine engine = new AdmissionEngine();

  static PolicySet load(String yaml) {
    try {
      return PolicyLoader.load("test", List.of(PolicyFile.of("p.yaml", yaml)));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  record Case(
      String name,
      WorkflowJobEvent job,
      Decision decision,
      String rule,
      boolean audit,
      String reasonContains) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Arguments> cases() {
    return Stream.of(
            new Case(
                "org not allowlisted",
                job("evil/x", true, false, "self-hosted", "linux"),
                Decision.DENY,
                "allowlist",
                false,
                "organization evil is not in the organization allowlist and repository evil/x is not"
                    + " in the repository allowlist"),
            new Case(
                "repo allowlisted although its org is not",
                job("friend/tool", true, false, "self-hosted", "linux"),
                Decision.ADMIT,
                "private-linux",
                false,
                "admits"),
            new Case(
                "repo of an unlisted org, other repo",
                job("friend/other", true, false, "self-hosted", "linux"),
                Decision.DENY,
                "allowlist",
                false,
                "not in the repository allowlist"),
            new Case(
                "private subset match",
                job("acme/api", true, false, "self-hosted"),
                Decision.ADMIT,
                "private-linux",
                false,
                "to runner class rc-"),
            new Case(
                "label case does not matter",
                job("acme/api", true, false, "Self-Hosted", "LINUX"),
                Decision.ADMIT,
                "private-linux",
                false,
                "admits"),
            new Case(
                "exact match beats subset",
                job("acme/api", true, false, "self-hosted", "linux", "large"),
                Decision.ADMIT,
                "private-linux-large",
                false,
                "admits"),
            new Case(
                "exact rule does not match a subset",
                job("acme/api", true, false, "self-hosted", "large"),
                Decision.DENY,
                "default-deny",
                false,
                "no rule admits jobs with labels [large, self-hosted] from repository acme/api"),
            new Case(
                "repository rule beats a general one",
                job("acme/site", true, false, "self-hosted", "linux"),
                Decision.ADMIT,
                "site-only",
                false,
                "group site"),
            new Case(
                "unknown label denied",
                job("acme/api", true, false, "ubuntu-latest"),
                Decision.DENY,
                "default-deny",
                false,
                "no rule admits"),
            new Case(
                "deny rule",
                job("acme/api", true, false, "self-hosted", "gpu"),
                Decision.DENY,
                "gpu-denied",
                false,
                "GPU runners are reserved for the ml team (rule gpu-denied, repository acme/api)"),
            new Case(
                "public repository denied without a public rule",
                job("acme/site", false, false, "self-hosted", "linux"),
                Decision.DENY,
                "default-deny",
                false,
                "repository acme/site is public and no rule allows public repositories"),
            new Case(
                "public rule admits its org on VM",
                job("oss/lib", false, false, "self-hosted", "public"),
                Decision.ADMIT,
                "oss-public",
                false,
                "VM"),
            new Case(
                "public rule does not admit another org",
                job("acme/lib", false, false, "self-hosted", "public"),
                Decision.DENY,
                "default-deny",
                false,
                "is public"),
            new Case(
                "public rule does not admit a private repository",
                job("oss/lib", true, false, "self-hosted", "public"),
                Decision.DENY,
                "default-deny",
                false,
                "no rule admits"),
            new Case(
                "fork gets the stronger fork class",
                job("acme/api", true, true, "self-hosted", "linux"),
                Decision.ADMIT,
                "private-linux",
                false,
                "group private-forks"),
            new Case(
                "fork denied by a rule without fork isolation",
                job("acme/site", true, true, "self-hosted", "linux"),
                Decision.DENY,
                "site-only",
                false,
                "repository acme/site is a fork and rule site-only defines no stronger isolation"),
            new Case(
                "audit deny rule is reported, the next rule enforced",
                job("acme/api", true, false, "self-hosted", "arm"),
                Decision.ADMIT,
                "arm",
                true,
                "audit-mode rule trial-arm would have denied the job: arm is being phased out"),
            new Case(
                "audit admit rule is reported, default deny enforced",
                job("acme/api", true, false, "self-hosted", "new-pool"),
                Decision.DENY,
                "default-deny",
                true,
                "audit-mode rule trial-new-pool would have admitted the job"))
        .map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void decides(Case c) {
    Verdict v = engine.decide(SET, c.job());
    assertThat(v.decision()).as(v.reason()).isEqualTo(c.decision());
    assertThat(v.ruleId()).as(v.reason()).isEqualTo(c.rule());
    assertThat(v.auditMode()).isEqualTo(c.audit());
    assertThat(v.reason()).contains(c.reasonContains());
    assertThat(v.spec().isPresent()).isEqualTo(c.decision() == Decision.ADMIT);
  }

  @Test
  void specCarriesProviderIsolationImageEgressDurationAndResources() {
    RunnerSpec s = engine.decide(SET, job("acme/api", true, false, "self-hosted")).spec().get();
    assertThat(s.getRunnerGroup()).isEqualTo("private");
    assertThat(s.getLabels()).containsExactly("linux", "self-hosted");
    assertThat(s.getProvider()).isEqualTo("container");
    assertThat(s.getIsolation()).isEqualTo(Isolation.CONTAINER);
    assertThat(s.getImage()).isEqualTo("ghcr.io/acme/runner:1");
    assertThat(s.getEgressAllowlist())
        .containsExactly("*.github.com:443", "10.0.0.0/8", "localhost:8080");
    assertThat(s.getMaxDurationSeconds()).isEqualTo(3600);
    assertThat(s.getCpuMillis()).isEqualTo(2000);
    assertThat(s.getMemoryMb()).isEqualTo(4096);
  }

  @Test
  void defaultsAndOverridesOfDuration() {
    RunnerSpec large =
        engine
            .decide(SET, job("acme/api", true, false, "self-hosted", "linux", "large"))
            .spec()
            .get();
    assertThat(large.getMaxDurationSeconds()).isEqualTo(7200);
    assertThat(large.getImage()).isNull();
  }

  @Test
  void forkSpecInheritsAndStrengthens() {
    RunnerSpec fork =
        engine.decide(SET, job("acme/api", true, true, "self-hosted", "linux")).spec().get();
    assertThat(fork.getIsolation()).isEqualTo(Isolation.VM);
    assertThat(fork.getProvider()).isEqualTo("vm");
    assertThat(fork.getRunnerGroup()).isEqualTo("private-forks");
    assertThat(fork.getEgressAllowlist()).contains("*.github.com:443");
  }

  @Test
  void concurrencyLimitIsRecordedInTheReason() {
    assertThat(engine.decide(SET, job("acme/api", true, false, "self-hosted")).reason())
        .endsWith("[max-concurrent=5 scope=repository key=acme/api]");
    assertThat(engine.decide(SET, job("oss/lib", false, false, "self-hosted", "public")).reason())
        .endsWith("[max-concurrent=2 scope=organization key=oss]");
  }

  @Test
  void everyJobGitHubCouldRouteToARunnerGetsTheSameClass() {
    // [self-hosted], [linux], [self-hosted, linux] can all run on a runner labelled with both
    String a =
        engine
            .decide(SET, job("acme/api", true, false, "self-hosted"))
            .spec()
            .get()
            .getRunnerClass();
    String b =
        engine.decide(SET, job("acme/web", true, false, "linux")).spec().get().getRunnerClass();
    String c =
        engine
            .decide(SET, job("acme/x", true, false, "linux", "self-hosted"))
            .spec()
            .get()
            .getRunnerClass();
    assertThat(a).isEqualTo(b).isEqualTo(c).startsWith("rc-");
    String fork =
        engine
            .decide(SET, job("acme/api", true, true, "self-hosted"))
            .spec()
            .get()
            .getRunnerClass();
    assertThat(fork).isNotEqualTo(a);
  }

  @Test
  void publicAndPrivateNeverShareARunnerGroup() {
    RunnerSpec pub =
        engine.decide(SET, job("oss/lib", false, false, "self-hosted", "public")).spec().get();
    for (Rule r : SET.rules()) {
      if (r.match().visibility() == Rule.Visibility.PRIVATE) {
        r.runner().ifPresent(x -> assertThat(x.runnerGroup()).isNotEqualTo(pub.getRunnerGroup()));
      }
    }
  }

  @Test
  void defaultPolicyAdmitsPrivateSelfHostedToTheSandboxAndDeniesPublic() throws Exception {
    PolicySet defaults =
        PolicyLoader.load(
            "default", dev.runnerguard.policy.reload.PolicyDirectory.ClassPath.defaults().read());
    Verdict ok = engine.decide(defaults, job("acme/api", true, false, "self-hosted"));
    assertThat(ok.decision()).isEqualTo(Decision.ADMIT);
    assertThat(ok.spec().get().getProvider()).isEqualTo("local-sandbox");
    assertThat(ok.spec().get().getIsolation()).isEqualTo(Isolation.SANDBOX);
    assertThat(ok.spec().get().getEgressAllowlist())
        .containsExactlyInAnyOrder("127.0.0.1:8090", "localhost:8090", "localhost:8080");
    Verdict pub = engine.decide(defaults, job("acme/site", false, false, "self-hosted"));
    assertThat(pub.decision()).isEqualTo(Decision.DENY);
    assertThat(pub.reason())
        .startsWith("repository acme/site is public and no rule allows public repositories");
  }
}
