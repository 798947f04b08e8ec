package dev.runnerguard.orchestrator.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SandboxEgressPolicyTest {

  static final Map<String, List<String>> DNS =
      Map.of(
          "github.com", List.of("140.82.121.3", "140.82.121.4"),
          "localhost", List.of("127.0.0.1"),
          "sim.internal", List.of("127.0.0.1"));

  static final EgressPolicy.Resolver RESOLVER =
      host -> {
        List<String> a = DNS.get(host);
        if (a == null) {
          throw new UnknownHostException(host);
        }
        return a;
      };

  static EgressPolicy parse(String... entries) throws Exception {
    return EgressPolicy.parse(List.of(entries), RESOLVER);
  }

  @Test
  void parsesEveryEntryForm() throws Exception {
    EgressPolicy p =
        parse(
            "github.com:443",
            "10.1.2.3",
            "10.0.0.0/8",
            "192.168.0.0/16:53",
            "127.0.0.1:8090",
            "localhost:8081");
    assertThat(p.allows())
        .containsExactly(
            new EgressPolicy.Allow("140.82.121.3", 32, 443),
            new EgressPolicy.Allow("140.82.121.4", 32, 443),
            new EgressPolicy.Allow("10.1.2.3", 32, null),
            new EgressPolicy.Allow("10.0.0.0", 8, null),
            new EgressPolicy.Allow("192.168.0.0", 16, 53));
    assertThat(p.forwards())
        .containsExactly(
            new EgressPolicy.Forward("127.0.0.1", 8090),
            new EgressPolicy.Forward("127.0.0.1", 8081));
    assertThat(p.rejected()).isEmpty();
    assertThat(p.needsForwarding()).isTrue();
  }

  @Test
  void cidrIsMaskedToItsNetwork() throws Exception {
    assertThat(parse("10.9.8.7/24").allows())
        .containsExactly(new EgressPolicy.Allow("10.9.8.0", 24, null));
  }

  @Test
  void wildcardsIpv6WideLoopbackAndConflictsAreDeniedWithAReason() throws Exception {
    EgressPolicy p =
        parse(
            "*.actions.githubusercontent.com:443",
            "[::1]:80",
            "127.0.0.0/8",
            "127.0.0.1:8090",
            "127.0.0.2:8090",
            "0.0.0.0/0");
    assertThat(p.allows()).isEmpty();
    assertThat(p.forwards()).containsExactly(new EgressPolicy.Forward("127.0.0.1", 8090));
    assertThat(p.rejected()).hasSize(5);
    assertThat(p.rejected().get(0))
        .contains("*.actions.githubusercontent.com")
        .contains("wildcard");
    assertThat(p.rejected().get(1)).contains("IPv6");
    assertThat(p.rejected().get(2)).contains("one address");
    assertThat(p.rejected().get(3)).contains("127.0.0.2:8090").contains("conflicts");
    assertThat(p.rejected().get(4)).contains("wider than /8");
    assertThat(p.needsForwarding()).isFalse();
  }

  @Test
  void malformedEntriesArePolicyErrors() {
    for (String bad :
        List.of(
            "",
            "10.0.0.1:0",
            "10.0.0.1:70000",
            "10.0.0.1:http",
            "10.0.0.300",
            "10.0.0.0/33",
            "bad host!",
            "a..b")) {
      assertThatThrownBy(() -> parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void anUnresolvableHostIsReported() {
    assertThatThrownBy(() -> parse("nowhere.invalid:443"))
        .isInstanceOf(EgressPolicy.UnresolvableHostException.class)
        .hasMessageContaining("nowhere.invalid");
  }

  @Test
  void runnerRulesetForwardsLoopbackDefaultDeniesAndRecordsDenials() throws Exception {
    String rs =
        parse("127.0.0.1:8090", "10.1.0.0/16:443", "10.2.0.1")
            .runnerRuleset("10.213.0.2", "10.213.0.1", false);
    assertThat(rs)
        .contains("ip daddr 127.0.0.1 tcp dport 8090 dnat to 10.213.0.1")
        .contains("ip daddr 127.0.0.1 udp dport 8090 dnat to 10.213.0.1")
        .contains("oifname \"eth0\" ip saddr 127.0.0.0/8 snat to 10.213.0.2")
        .contains("type filter hook output priority 0; policy drop;")
        .contains("ip daddr 10.213.0.1 ct status dnat tcp dport 8090 accept")
        .contains("ip daddr 10.1.0.0/16 tcp dport 443 accept")
        .contains("ip daddr 10.1.0.0/16 udp dport 443 accept")
        .contains("ip daddr 10.2.0.1 accept")
        .contains("update @denied { ip daddr . meta l4proto . th dport } drop")
        .contains("update @denied_other { ip daddr . meta l4proto } drop")
        .contains("type filter hook input priority 0; policy drop;")
        .doesNotContain("oifname \"lo\" accept");
    assertThat(parse().runnerRuleset("10.213.0.2", "10.213.0.1", true))
        .contains("oifname \"lo\" accept");
    // the deny rules come after every accept
    assertThat(rs.indexOf("update @denied")).isGreaterThan(rs.lastIndexOf(" accept\n    meta"));
  }

  @Test
  void hostTableDnatsBackToLoopbackAndDropsEverythingElseFromTheRunner() throws Exception {
    String t =
        parse("127.0.0.1:8090", "10.1.0.0/16:443")
            .hostTable("rg_abc", "rghabc", "10.213.0.1", "10.213.0.2");
    assertThat(t)
        .startsWith("table ip rg_abc {")
        .contains("iifname \"rghabc\" ip daddr 10.213.0.1 tcp dport 8090 dnat to 127.0.0.1")
        .contains("iifname \"rghabc\" ct status dnat accept")
        .contains("iifname \"rghabc\" drop")
        .contains("iifname \"rghabc\" ip daddr 10.1.0.0/16 tcp dport 443 accept")
        .contains("ip saddr 10.213.0.2 oifname != \"rghabc\" masquerade");
  }

  @Test
  void quarantineDropsBothWaysBeforeEverything() {
    assertThat(EgressPolicy.quarantineRuleset())
        .contains("hook input priority -400; policy drop;")
        .contains("hook output priority -400; policy drop;");
  }
}
