package dev.runnerguard.policy.admission;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Validates and normalises egress allowlist entries: {@code host}, {@code host:port}, {@code
 * *.domain:port} (a wildcard only as the whole leftmost label), IPv4 {@code a.b.c.d[:port]}, IPv6
 * {@code [::1]:port}, and CIDRs ({@code 10.0.0.0/8}, {@code fd00::/8}). A CIDR that opens
 * everything ({@code 0.0.0.0/0}, {@code ::/0}) is refused: default-deny egress cannot be switched
 * off by a policy.
 */
public final class EgressEntries {
  private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
  private static final Pattern IPV6 = Pattern.compile("[0-9a-f:.]+");

  private EgressEntries() {}

  /**
   * The normalised (lower-case) entry.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static String normalize(String entry) {
    if (entry == null || entry.isBlank()) {
      throw new IllegalArgumentException("empty egress entry");
    }
    String e = entry.trim().toLowerCase(Locale.ROOT);
    if (e.contains("/")) {
      return cidr(e);
    }
    if (e.startsWith("[")) {
      int close = e.indexOf(']');
      if (close < 0) {
        throw new IllegalArgumentException("'" + entry + "': unclosed '[' in IPv6 address");
      }
      ipv6(e.substring(1, close), entry);
      String rest = e.substring(close + 1);
      if (!rest.isEmpty()) {
        if (!rest.startsWith(":")) {
          throw new IllegalArgumentException("'" + entry + "': expected ':port' after ']'");
        }
        port(rest.substring(1), entry);
      }
      return e;
    }
    int colon = e.indexOf(':');
    if (colon >= 0 && e.indexOf(':', colon + 1) >= 0) {
      throw new IllegalArgumentException(
          "'" + entry + "': IPv6 addresses need brackets, e.g. [fd00::1]:443");
    }
    String host = colon < 0 ? e : e.substring(0, colon);
    if (colon >= 0) {
      port(e.substring(colon + 1), entry);
    }
    host(host, entry);
    return e;
  }

  private static String cidr(String e) {
    int slash = e.indexOf('/');
    String address = e.substring(0, slash);
    String prefixText = e.substring(slash + 1);
    int prefix;
    try {
      prefix = Integer.parseInt(prefixText);
    } catch (NumberFormatException ex) {
      throw new IllegalArgumentException(
          "'" + e + "': CIDR prefix '" + prefixText + "' is no number");
    }
    int max;
    if (address.contains(":")) {
      ipv6(address, e);
      max = 128;
    } else {
      if (!isIpv4(address)) {
        throw new IllegalArgumentException("'" + e + "': '" + address + "' is not an IPv4 address");
      }
      max = 32;
    }
    if (prefix < 0 || prefix > max) {
      throw new IllegalArgumentException(
          "'" + e + "': CIDR prefix must be between 0 and " + max + ", was " + prefix);
    }
    if (prefix == 0) {
      throw new IllegalArgumentException(
          "'"
              + e
              + "': a /0 CIDR allows all egress; default-deny cannot be switched off by a policy");
    }
    return e;
  }

  private static void host(String host, String entry) {
    if (host.isEmpty()) {
      throw new IllegalArgumentException("'" + entry + "': missing host");
    }
    if (isIpv4(host)) {
      return;
    }
    if (host.chars().allMatch(c -> Character.isDigit(c) || c == '.')) {
      throw new IllegalArgumentException("'" + entry + "': '" + host + "' is not an IPv4 address");
    }
    String[] labels = host.split("\\.", -1);
    if (host.length() > 253) {
      throw new IllegalArgumentException("'" + entry + "': host name longer than 253 characters");
    }
    for (int i = 0; i < labels.length; i++) {
      String label = labels[i];
      if (i == 0 && label.equals("*")) {
        if (labels.length < 3) {
          throw new IllegalArgumentException(
              "'" + entry + "': a wildcard needs at least two labels after it, e.g. *.github.com");
        }
        continue;
      }
      if (!LABEL.matcher(label).matches()) {
        throw new IllegalArgumentException(
            "'"
                + entry
                + "': '"
                + label
                + "' is not a valid host name label (wildcards only as '*.' at the start)");
      }
    }
  }

  private static void port(String text, String entry) {
    int port;
    try {
      port = Integer.parseInt(text);
    } catch (NumberFormatException ex) {
      throw new IllegalArgumentException("'" + entry + "': port '" + text + "' is no number");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(
          "'" + entry + "': port must be between 1 and 65535, was " + port);
    }
  }

  private static boolean isIpv4(String s) {
    String[] parts = s.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (String p : parts) {
      if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
        return false;
      }
      if (Integer.parseInt(p) > 255) {
        return false;
      }
    }
    return true;
  }

  private static void ipv6(String address, String entry) {
    if (address.isEmpty() || !IPV6.matcher(address).matches() || !address.contains(":")) {
      throw new IllegalArgumentException(
          "'" + entry + "': '" + address + "' is not an IPv6 address");
    }
    try {
      // a literal: no name lookup happens for strings of hex digits, ':' and '.'
      if (!(java.net.InetAddress.getByName(address) instanceof java.net.Inet6Address)
          && !address.startsWith("::ffff:")) {
        throw new IllegalArgumentException(
            "'" + entry + "': '" + address + "' is not an IPv6 address");
      }
    } catch (java.net.UnknownHostException ex) {
      throw new IllegalArgumentException(
          "'" + entry + "': '" + address + "' is not an IPv6 address");
    }
  }
}
