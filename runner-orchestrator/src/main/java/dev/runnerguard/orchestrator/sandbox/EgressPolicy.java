package dev.runnerguard.orchestrator.sandbox;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A job's egress allowlist turned into nftables rules. Entries: {@code host}, {@code host:port},
 * {@code *.domain} (cannot be enforced by address: denied, with a message), {@code a.b.c.d}, {@code
 * a.b.c.d:port}, {@code a.b.c.d/n}, {@code a.b.c.d/n:port}. A port allows TCP and UDP. Host names
 * are resolved (IPv4) when the runner is provisioned. Destinations on 127.0.0.0/8 mean the host's
 * own loopback: they are forwarded (see {@link #runnerRuleset}); they must name one address.
 *
 * @param allows non-loopback destinations the runner may reach (through the host, masqueraded)
 * @param forwards host-loopback destinations forwarded to the host's loopback
 * @param rejected entries that were not honoured (denied), each with the reason
 */
public record EgressPolicy(List<Allow> allows, List<Forward> forwards, List<String> rejected) {

  public EgressPolicy {
    allows = List.copyOf(allows);
    forwards = List.copyOf(forwards);
    rejected = List.copyOf(rejected);
  }

  /** An allowed network with an optional port. */
  public record Allow(String network, int prefix, Integer port) {
    String nftDestination() {
      return prefix == 32 ? network : network + "/" + prefix;
    }
  }

  /** A loopback address (and optional port) of the host the runner may reach. */
  public record Forward(String address, Integer port) {}

  /** Resolves a host name to addresses. */
  @FunctionalInterface
  public interface Resolver {
    List<String> resolveIpv4(String host) throws UnknownHostException;
  }

  /** An allowlist host name that did not resolve (maybe transient). */
  public static final class UnresolvableHostException extends Exception {
    public UnresolvableHostException(String message) {
      super(message);
    }
  }

  /** The JDK resolver (IPv4 answers only). */
  public static final Resolver SYSTEM_RESOLVER =
      host -> {
        List<String> out = new ArrayList<>();
        for (InetAddress a : InetAddress.getAllByName(host)) {
          if (a instanceof Inet4Address) {
            out.add(a.getHostAddress());
          }
        }
        return out;
      };

  private static final Pattern HOST =
      Pattern.compile(
          "(?i)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\\.?");

  /**
   * Parses an allowlist. Throws {@link IllegalArgumentException} for a malformed entry (a policy
   * error, permanent) and {@link UnresolvableHostException} when a host name does not resolve.
   */
  public static EgressPolicy parse(List<String> entries, Resolver resolver)
      throws UnresolvableHostException {
    Set<Allow> allows = new LinkedHashSet<>();
    Map<String, Forward> forwardsByKey = new LinkedHashMap<>();
    List<Forward> forwards = new ArrayList<>();
    List<String> rejected = new ArrayList<>();
    for (String raw : entries) {
      String entry = raw == null ? "" : raw.trim();
      if (entry.isEmpty()) {
        throw new IllegalArgumentException("empty egress allowlist entry");
      }
      if (entry.startsWith("[") || entry.chars().filter(c -> c == ':').count() > 1) {
        rejected.add(entry + ": IPv6 destinations are not supported by the local sandbox; denied");
        continue;
      }
      String hostPart = entry;
      Integer port = null;
      int colon = entry.lastIndexOf(':');
      if (colon >= 0) {
        hostPart = entry.substring(0, colon);
        port = parsePort(entry, entry.substring(colon + 1));
      }
      if (hostPart.startsWith("*.")) {
        rejected.add(
            entry
                + ": wildcard domains cannot be enforced by address filtering; denied (list the"
                + " host names instead)");
        continue;
      }
      List<int[]> nets = new ArrayList<>(); // {address, prefix}
      int slash = hostPart.indexOf('/');
      if (slash >= 0) {
        int addr = parseAddress(entry, hostPart.substring(0, slash));
        int prefix = parsePrefix(entry, hostPart.substring(slash + 1));
        nets.add(new int[] {addr & Ipv4.mask(prefix), prefix});
      } else if (Ipv4.isAddress(hostPart)) {
        nets.add(new int[] {Ipv4.parse(hostPart), 32});
      } else if (HOST.matcher(hostPart).matches()
          && hostPart.length() <= 253
          && !hostPart.matches("[0-9.]+")) {
        List<String> resolved;
        try {
          resolved = resolver.resolveIpv4(hostPart);
        } catch (UnknownHostException e) {
          resolved = List.of();
        }
        if (resolved.isEmpty()) {
          throw new UnresolvableHostException(
              "egress allowlist host " + hostPart + " has no IPv4 address");
        }
        for (String a : resolved) {
          nets.add(new int[] {Ipv4.parse(a), 32});
        }
      } else {
        throw new IllegalArgumentException("malformed egress allowlist entry: " + entry);
      }
      for (int[] net : nets) {
        boolean loopbackNet = Ipv4.isLoopback(net[0]);
        if (loopbackNet && net[1] < 32) {
          rejected.add(
              entry + ": a loopback entry must name one address (e.g. 127.0.0.1:8090); denied");
        } else if (loopbackNet) {
          Forward f = new Forward(Ipv4.format(net[0]), port);
          String conflict = forwardConflict(forwardsByKey, f);
          if (conflict != null) {
            rejected.add(entry + ": " + conflict + "; denied");
          } else if (!forwards.contains(f)) {
            forwards.add(f);
            forwardsByKey.put(f.address() + ":" + (port == null ? "*" : port), f);
          }
        } else if (net[1] < 8) {
          rejected.add(entry + ": networks wider than /8 are not allowed; denied");
        } else {
          allows.add(new Allow(Ipv4.format(net[0]), net[1], port));
        }
      }
    }
    return new EgressPolicy(new ArrayList<>(allows), forwards, rejected);
  }

  /**
   * The host forwards by port, so two loopback addresses may not share a port (and an address
   * allowed on every port excludes every other loopback address).
   */
  private static String forwardConflict(Map<String, Forward> existing, Forward f) {
    for (Forward other : existing.values()) {
      if (other.address().equals(f.address())) {
        continue;
      }
      if (other.port() == null || f.port() == null || other.port().equals(f.port())) {
        return "conflicts with loopback entry "
            + other.address()
            + (other.port() == null ? "" : ":" + other.port());
      }
    }
    return null;
  }

  private static Integer parsePort(String entry, String s) {
    try {
      int p = Integer.parseInt(s);
      if (p >= 1 && p <= 65535) {
        return p;
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw new IllegalArgumentException("malformed port in egress allowlist entry: " + entry);
  }

  private static int parseAddress(String entry, String s) {
    try {
      return Ipv4.parse(s);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("malformed address in egress allowlist entry: " + entry);
    }
  }

  private static int parsePrefix(String entry, String s) {
    try {
      int p = Integer.parseInt(s);
      if (p >= 0 && p <= 32) {
        return p;
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw new IllegalArgumentException("malformed prefix in egress allowlist entry: " + entry);
  }

  /** Whether any destination needs the host to route (ip_forward and masquerade). */
  public boolean needsForwarding() {
    return !allows.isEmpty();
  }

  /** Name of the runner namespace's nftables table (family ip). */
  public static final String RUNNER_TABLE = "rg";

  /** Name of the quarantine table added by isolateNetwork (family ip). */
  public static final String QUARANTINE_TABLE = "rgq";

  /**
   * The nftables ruleset loaded in the runner's network namespace (interface {@code eth0}, address
   * {@code runnerAddr}, host side {@code hostAddr}). Default deny both ways. Loopback forwarding:
   * output-NAT rewrites an allowed {@code 127.x:port} to {@code hostAddr:port} (the kernel reroutes
   * it to eth0; {@code route_localnet=1} on eth0 lets a 127/8 source leave, and postrouting SNATs
   * it to {@code runnerAddr}); the host's prerouting DNATs it back to the loopback address. Every
   * denied packet's destination is added to the set {@code denied} (tcp/udp: address . protocol .
   * port) or {@code denied_other} (address . protocol) with a counter; the host sensor polls them.
   */
  public String runnerRuleset(String runnerAddr, String hostAddr, boolean allowSandboxLoopback) {
    StringBuilder sb = new StringBuilder();
    sb.append("table ip ").append(RUNNER_TABLE).append(" {\n");
    sb.append(
        "  set denied { type ipv4_addr . inet_proto . inet_service; size 65535;"
            + " flags dynamic,timeout; timeout 10m; counter; }\n");
    sb.append(
        "  set denied_other { type ipv4_addr . inet_proto; size 4096;"
            + " flags dynamic,timeout; timeout 10m; counter; }\n");
    sb.append("  chain nat_out {\n    type nat hook output priority -100; policy accept;\n");
    for (Forward f : forwards) {
      if (f.port() == null) {
        sb.append("    ip daddr ").append(f.address()).append(" dnat to ").append(hostAddr);
        sb.append('\n');
      } else {
        for (String proto : List.of("tcp", "udp")) {
          sb.append("    ip daddr ").append(f.address()).append(' ').append(proto);
          sb.append(" dport ").append(f.port()).append(" dnat to ").append(hostAddr).append('\n');
        }
      }
    }
    sb.append("  }\n");
    sb.append("  chain nat_post {\n    type nat hook postrouting priority 100; policy accept;\n");
    sb.append("    oifname \"eth0\" ip saddr 127.0.0.0/8 snat to ").append(runnerAddr).append('\n');
    sb.append("  }\n");
    sb.append("  chain out {\n    type filter hook output priority 0; policy drop;\n");
    sb.append("    ct state established,related accept\n");
    if (allowSandboxLoopback) {
      sb.append("    oifname \"lo\" accept\n");
    }
    for (Forward f : forwards) {
      if (f.port() == null) {
        sb.append("    ip daddr ").append(hostAddr);
        sb.append(" ct status dnat accept\n");
      } else {
        for (String proto : List.of("tcp", "udp")) {
          sb.append("    ip daddr ").append(hostAddr).append(" ct status dnat ");
          sb.append(proto).append(" dport ").append(f.port()).append(" accept\n");
        }
      }
    }
    for (Allow a : allows) {
      if (a.port() == null) {
        sb.append("    ip daddr ").append(a.nftDestination()).append(" accept\n");
      } else {
        for (String proto : List.of("tcp", "udp")) {
          sb.append("    ip daddr ").append(a.nftDestination()).append(' ');
          sb.append(proto).append(" dport ").append(a.port()).append(" accept\n");
        }
      }
    }
    sb.append(
        "    meta l4proto { tcp, udp } update @denied { ip daddr . meta l4proto . th dport }"
            + " drop\n");
    sb.append("    update @denied_other { ip daddr . meta l4proto } drop\n");
    sb.append("  }\n");
    sb.append("  chain in {\n    type filter hook input priority 0; policy drop;\n");
    sb.append("    ct state established,related accept\n");
    if (allowSandboxLoopback) {
      sb.append("    iifname \"lo\" accept\n");
    }
    sb.append("  }\n");
    sb.append("}\n");
    // IPv6 is disabled in the namespace; this table drops it should it ever be enabled
    sb.append("table ip6 ").append(RUNNER_TABLE).append("6 {\n");
    sb.append("  chain in { type filter hook input priority 0; policy drop; }\n");
    sb.append("  chain out { type filter hook output priority 0; policy drop; }\n");
    sb.append("}\n");
    return sb.toString();
  }

  /**
   * The host-side table for one runner ({@code veth} = host end, {@code hostAddr} its address,
   * {@code runnerAddr} the runner's): DNAT of forwarded loopback ports back to the loopback address
   * (needs {@code route_localnet=1} on the veth), input from the veth limited to those, forwarding
   * limited to the allowed networks (masqueraded), everything else from the runner dropped.
   */
  public String hostTable(String table, String veth, String hostAddr, String runnerAddr) {
    String iif = "iifname \"" + veth + "\"";
    StringBuilder sb = new StringBuilder();
    sb.append("table ip ").append(table).append(" {\n");
    sb.append("  chain nat_pre {\n    type nat hook prerouting priority -100; policy accept;\n");
    for (Forward f : forwards) {
      if (f.port() == null) {
        sb.append("    ").append(iif).append(" ip daddr ").append(hostAddr);
        sb.append(" dnat to ").append(f.address()).append('\n');
      } else {
        for (String proto : List.of("tcp", "udp")) {
          sb.append("    ").append(iif).append(" ip daddr ").append(hostAddr).append(' ');
          sb.append(proto).append(" dport ").append(f.port()).append(" dnat to ");
          sb.append(f.address()).append('\n');
        }
      }
    }
    sb.append("  }\n");
    sb.append("  chain filter_in {\n    type filter hook input priority -10; policy accept;\n");
    sb.append("    ").append(iif).append(" ct state established,related accept\n");
    sb.append("    ").append(iif).append(" ct status dnat accept\n");
    sb.append("    ").append(iif).append(" drop\n");
    sb.append("  }\n");
    sb.append("  chain filter_fwd {\n    type filter hook forward priority -10; policy accept;\n");
    sb.append("    ").append(iif).append(" ct state established,related accept\n");
    for (Allow a : allows) {
      if (a.port() == null) {
        sb.append("    ").append(iif).append(" ip daddr ").append(a.nftDestination());
        sb.append(" accept\n");
      } else {
        for (String proto : List.of("tcp", "udp")) {
          sb.append("    ").append(iif).append(" ip daddr ").append(a.nftDestination());
          sb.append(' ').append(proto).append(" dport ").append(a.port()).append(" accept\n");
        }
      }
    }
    sb.append("    ").append(iif).append(" drop\n");
    sb.append("    oifname \"").append(veth).append("\" ct state established,related accept\n");
    sb.append("    oifname \"").append(veth).append("\" drop\n");
    sb.append("  }\n");
    sb.append("  chain nat_post {\n    type nat hook postrouting priority 100; policy accept;\n");
    sb.append("    ip saddr ").append(runnerAddr).append(" oifname != \"").append(veth);
    sb.append("\" masquerade\n");
    sb.append("  }\n");
    sb.append("}\n");
    return sb.toString();
  }

  /** The quarantine table: drop everything in and out, before any other hook. */
  public static String quarantineRuleset() {
    return "table ip "
        + QUARANTINE_TABLE
        + " {\n"
        + "  chain in { type filter hook input priority -400; policy drop; }\n"
        + "  chain out { type filter hook output priority -400; policy drop; }\n"
        + "}\n";
  }
}
