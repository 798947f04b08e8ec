package dev.runnerguard.policy.detection.rules;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Destination patterns of IOC lists and metadata addresses: a host name ({@code evil.example}), a
 * domain wildcard ({@code *.evil.example}: the domain and its subdomains), an IPv4 or IPv6 address,
 * or a CIDR. Literal addresses only: no name is ever resolved.
 */
public final class Destinations {
  private static final Pattern HOST =
      Pattern.compile(
          "([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*\\.?");
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]*:[0-9a-fA-F:.]*");

  private Destinations() {}

  /** A parsed pattern. */
  public record Dest(String text, String host, boolean wildcard, byte[] network, int prefix) {
    /** True when the host name or the literal address matches. */
    public boolean matches(String destHost, String destAddress) {
      if (host != null) {
        return hostMatches(destHost) || hostMatches(destAddress);
      }
      return addressMatches(destAddress) || addressMatches(destHost);
    }

    private boolean hostMatches(String h) {
      if (h == null || h.isEmpty()) {
        return false;
      }
      String n = h.toLowerCase(Locale.ROOT);
      if (n.endsWith(".")) {
        n = n.substring(0, n.length() - 1);
      }
      return wildcard ? n.equals(host) || n.endsWith("." + host) : n.equals(host);
    }

    private boolean addressMatches(String a) {
      Optional<byte[]> bytes = literal(a);
      if (bytes.isEmpty() || bytes.get().length != network.length) {
        return false;
      }
      BigInteger mask =
          BigInteger.ONE
              .shiftLeft(network.length * 8)
              .subtract(BigInteger.ONE)
              .shiftRight(prefix)
              .not();
      return new BigInteger(1, bytes.get()).and(mask).equals(new BigInteger(1, network).and(mask));
    }
  }

  /** Parses a pattern; throws with a readable message when it is none. */
  public static Dest parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("empty destination");
    }
    String t = text.trim().toLowerCase(Locale.ROOT);
    int slash = t.indexOf('/');
    if (slash >= 0) {
      Optional<byte[]> net = literal(t.substring(0, slash));
      if (net.isEmpty()) {
        throw new IllegalArgumentException("'" + text + "' is not a CIDR (address/prefix)");
      }
      int prefix;
      try {
        prefix = Integer.parseInt(t.substring(slash + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("'" + text + "' has no numeric prefix length");
      }
      if (prefix < 1 || prefix > net.get().length * 8) {
        throw new IllegalArgumentException(
            "'" + text + "': prefix length must be 1.." + net.get().length * 8);
      }
      return new Dest(text, null, false, net.get(), prefix);
    }
    Optional<byte[]> addr = literal(t);
    if (addr.isPresent()) {
      return new Dest(text, null, false, addr.get(), addr.get().length * 8);
    }
    boolean wildcard = t.startsWith("*.");
    String host = wildcard ? t.substring(2) : t;
    if (host.length() > 253 || !HOST.matcher(host).matches() || IPV4.matcher(host).matches()) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a host name, *.domain, IP address or CIDR");
    }
    if (host.endsWith(".")) {
      host = host.substring(0, host.length() - 1);
    }
    return new Dest(text, host, wildcard, null, 0);
  }

  /** The first pattern that matches, if any (patterns that do not parse are skipped). */
  public static Optional<String> firstMatch(List<String> patterns, String host, String address) {
    for (String p : patterns) {
      try {
        if (parse(p).matches(host, address)) {
          return Optional.of(p);
        }
      } catch (IllegalArgumentException e) {
        // validated at load time
      }
    }
    return Optional.empty();
  }

  /** The bytes of a literal IPv4/IPv6 address (brackets allowed), without any name lookup. */
  static Optional<byte[]> literal(String s) {
    if (s == null || s.isEmpty()) {
      return Optional.empty();
    }
    String a = s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
    if (IPV4.matcher(a).matches()) {
      for (String part : a.split("\\.")) {
        if (Integer.parseInt(part) > 255) {
          return Optional.empty();
        }
      }
    } else if (!IPV6.matcher(a).matches() || a.length() > 45) {
      return Optional.empty();
    }
    try {
      // literal forms only (checked above), so this never resolves a name
      return Optional.of(InetAddress.getByName(a).getAddress());
    } catch (UnknownHostException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
