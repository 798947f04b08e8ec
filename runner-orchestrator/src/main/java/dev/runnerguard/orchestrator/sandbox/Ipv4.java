package dev.runnerguard.orchestrator.sandbox;

/** Dotted-quad IPv4 helpers on ints. */
final class Ipv4 {
  private Ipv4() {}

  static int parse(String s) {
    String[] parts = s.trim().split("\\.", -1);
    if (parts.length != 4) {
      throw new IllegalArgumentException("not an IPv4 address: " + s);
    }
    int v = 0;
    for (String p : parts) {
      if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
        throw new IllegalArgumentException("not an IPv4 address: " + s);
      }
      int o = Integer.parseInt(p);
      if (o > 255) {
        throw new IllegalArgumentException("not an IPv4 address: " + s);
      }
      v = (v << 8) | o;
    }
    return v;
  }

  static boolean isAddress(String s) {
    try {
      parse(s);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  static int mask(int prefix) {
    return prefix == 0 ? 0 : -1 << (32 - prefix);
  }

  static String format(int v) {
    return ((v >>> 24) & 255)
        + "."
        + ((v >>> 16) & 255)
        + "."
        + ((v >>> 8) & 255)
        + "."
        + (v & 255);
  }

  static boolean isLoopback(int v) {
    return (v >>> 24) == 127;
  }
}
