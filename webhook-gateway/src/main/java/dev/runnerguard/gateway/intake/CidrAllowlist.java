package dev.runnerguard.gateway.intake;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * An optional allowlist of source networks (for example GitHub's published hook ranges), as CIDRs
 * such as {@code 192.30.252.0/22} or {@code 2606:50c0::/32}. Empty means every source is allowed.
 */
public final class CidrAllowlist {
  private record Network(byte[] address, int prefix) {
    boolean contains(byte[] candidate) {
      if (candidate.length != address.length) {
        return false;
      }
      int full = prefix / 8;
      for (int i = 0; i < full; i++) {
        if (candidate[i] != address[i]) {
          return false;
        }
      }
      int rest = prefix % 8;
      if (rest == 0) {
        return true;
      }
      int mask = 0xFF << (8 - rest) & 0xFF;
      return (candidate[full] & mask) == (address[full] & mask);
    }
  }

  private final List<Network> networks;

  private CidrAllowlist(List<Network> networks) {
    this.networks = networks;
  }

  /**
   * Parses CIDRs; a bare address is a single host.
   *
   * @throws IllegalArgumentException naming the entry that is not a literal IP network
   */
  public static CidrAllowlist parse(List<String> cidrs) {
    return new CidrAllowlist(
        cidrs.stream()
            .map(String::trim)
            .filter(s -> !s.isEmpty())
            .map(CidrAllowlist::network)
            .toList());
  }

  /** True when the list is empty or one network contains the address. */
  public boolean allows(String address) {
    if (networks.isEmpty()) {
      return true;
    }
    byte[] bytes = literal(address);
    return bytes != null && networks.stream().anyMatch(n -> n.contains(bytes));
  }

  /** Whether any network is configured. */
  public boolean isEmpty() {
    return networks.isEmpty();
  }

  private static Network network(String cidr) {
    int slash = cidr.indexOf('/');
    String host = slash < 0 ? cidr : cidr.substring(0, slash);
    byte[] address = literal(host);
    if (address == null) {
      throw new IllegalArgumentException("not an IP network: '" + cidr + "'");
    }
    int prefix = address.length * 8;
    if (slash >= 0) {
      try {
        prefix = Integer.parseInt(cidr.substring(slash + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("bad prefix length in '" + cidr + "'");
      }
      if (prefix < 0 || prefix > address.length * 8) {
        throw new IllegalArgumentException("prefix length out of range in '" + cidr + "'");
      }
    }
    return new Network(address, prefix);
  }

  /** The bytes of a literal IPv4/IPv6 address, null for anything else (never a DNS lookup). */
  private static byte[] literal(String host) {
    if (host == null || host.isEmpty() || !host.matches("[0-9a-fA-F:.\\[\\]%a-zA-Z]+")) {
      return null;
    }
    String h =
        host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    boolean ipv4 = h.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    boolean ipv6 = h.contains(":") && h.matches("[0-9a-fA-F:.]+(%\\w+)?");
    if (!ipv4 && !ipv6) {
      return null;
    }
    try {
      byte[] bytes = InetAddress.getByName(h).getAddress();
      if (bytes.length == 16 && isV4Mapped(bytes)) {
        return java.util.Arrays.copyOfRange(bytes, 12, 16);
      }
      return bytes;
    } catch (UnknownHostException e) {
      return null;
    }
  }

  private static boolean isV4Mapped(byte[] b) {
    for (int i = 0; i < 10; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return b[10] == (byte) 0xFF && b[11] == (byte) 0xFF;
  }
}
